/*
 * `galore md` end to end: a two-segment run on 8-atom silicon (tests/data/md/si8.xyz) writes
 * the summary, trajectory, CSV log, candidates and final frame with the expected counts and
 * keys; bad command lines exit 2 with the documented messages; a 2-body GAP fitted by
 * `galore fit` to the Stillinger–Weber frames drives NVE that conserves energy to second order
 * in the time step (so the model's forces are the gradient of its energy) and reports its
 * uncertainty in the candidates. Runs the built program.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/extxyz.h"
#include "tests/harness/al_test.h"

#define GALORE GALORE_BINARY_DIR "/orchestrator/galore"


static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0;
    char line[1024];
    while (f && fgets(line, sizeof line, f)) n++;
    if (f) fclose(f);
    return n;
}

static void test_md_cli_run(al_test *t)
{
    const char *dir = al_test_tmp_dir(t);
    char cmd[8192], out[8192], traj[1024], logp[1024], cand[1024], fin[1024];
    snprintf(traj, sizeof traj, "%straj.xyz", dir);
    snprintf(logp, sizeof logp, "%sthermo.csv", dir);
    snprintf(cand, sizeof cand, "%scand.xyz", dir);
    snprintf(fin, sizeof fin, "%sfinal.xyz", dir);
    /* 50 steps at 300 K checked every 10, then a 50-step ramp to 600 K checked every 25. */
    snprintf(cmd, sizeof cmd,
             GALORE " md sw %smd/si8.xyz --schedule hold:300:50,ramp:300:600:50:0:25 --seed 9 "
                    "--traj %s --traj-stride 25 --log %s --candidates %s --final %s --quiet",
             al_test_data_dir(), traj, logp, cand, fin);
    int rc = al_test_run(cmd, out, sizeof out);
    AL_CHECK_MSG(t, rc == 0, "exit %d: %s", rc, out);
    AL_CHECK_CONTAINS(t, out, "replica 0: 100 steps (0.100 ps), completed; 7 candidates;");
    al_err err;
    al_frame *f = NULL;
    size_t n = 0;
    AL_CHECK_OK(t, al_xyz_read_all(traj, &f, &n, &err), &err);
    AL_CHECK(t, n == 5);
    al_frames_free(f, n);
    AL_CHECK_OK(t, al_xyz_read_all(cand, &f, &n, &err), &err);
    AL_CHECK(t, n == 7);
    long step = 0;
    double temp = 0;
    if (n == 7) {
        AL_CHECK(t, al_info_get_int(&f[6].info, "md_step", &step) && step == 100);
        AL_CHECK(t, al_info_get_real(&f[6].info, "md_temperature", &temp) && temp == 600.0);
        AL_CHECK(t, al_info_get_int(&f[4].info, "md_step", &step) && step == 50);
    }
    al_frames_free(f, n);
    AL_CHECK_OK(t, al_xyz_read_all(fin, &f, &n, &err), &err);
    AL_CHECK(t, n == 1 && f[0].n_atoms == 8 && f[0].vel != NULL);
    al_frames_free(f, n);
    AL_CHECK(t, count_lines(logp) == 12);   /* header + steps 0, 10, ..., 100 */
}

static void expect_usage(al_test *t, const char *args, const char *msg)
{
    char cmd[4096], out[8192];
    snprintf(cmd, sizeof cmd, GALORE " md %s", args);
    int rc = al_test_run(cmd, out, sizeof out);
    AL_CHECK_MSG(t, rc == 2, "'%s' exited %d", args, rc);
    AL_CHECK_CONTAINS(t, out, msg);
}

static void test_md_cli_bad_input(al_test *t)
{
    char xyz[1024], a[2048];
    snprintf(xyz, sizeof xyz, "%smd/si8.xyz", al_test_data_dir());
    snprintf(a, sizeof a, "sw %s --schedule hold:300:10 --dt 0", xyz);
    expect_usage(t, a, "galore md: timestep must be > 0 fs (got 0)");
    snprintf(a, sizeof a, "sw %s", xyz);
    expect_usage(t, a, "galore md: needs a schedule (--schedule or --campaign)");
    snprintf(a, sizeof a, "sw %s --schedule hold:300", xyz);
    expect_usage(t, a, "galore md: bad schedule segment 'hold:300'");
    snprintf(a, sizeof a, "sw %s --schedule hold:300:10 --ensemble nvx", xyz);
    expect_usage(t, a, "galore md: unknown ensemble 'nvx' (expected nve, nvt, npt)");
    snprintf(a, sizeof a, "model.h5 %s --schedule hold:300:10", xyz);
    expect_usage(t, a, "galore md: unknown potential 'model.h5'");
    snprintf(a, sizeof a, "sw %s --schedule ramp:300:0:10", xyz);
    expect_usage(t, a, "galore md: segment 1: temperatures must be > 0 K (got 300 to 0)");
}

/* Largest |E_conserved − E_conserved(step 0)| in a log (eV). */
static double max_econs_dev(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    double e0 = 0, dev = -1;
    int row = 0;
    while (f && fgets(line, sizeof line, f)) {
        double v[9];
        if (row++ == 0) continue;
        if (sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                   &v[6], &v[7], &v[8]) != 9)
            break;
        if (row == 2) e0 = v[6];
        dev = fmax(dev, fabs(v[6] - e0));
    }
    if (f) fclose(f);
    return dev;
}

static void test_md_cli_gap_nve(al_test *t)
{
    const char *dir = al_test_tmp_dir(t);
    char gap[1024], model[1024], cmd[8192], out[16384], logp[2][1024], cand[1024];
    snprintf(gap, sizeof gap, "%sgap.yaml", dir);
    snprintf(model, sizeof model, "%sm.h5", dir);
    snprintf(cand, sizeof cand, "%scand.xyz", dir);
    FILE *f = fopen(gap, "w");
    fputs("gap:\n  two_body: {cutoff: 4.0 Å, n_sparse: 20, delta: 1.0 eV}\n  soap: {enabled: false}\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, GALORE " --log-level warn fit %smd/sw_frames.xyz -o %s --gap %s",
             al_test_data_dir(), model, gap);
    int rc = al_test_run(cmd, out, sizeof out);
    AL_CHECK_MSG(t, rc == 0, "fit exited %d: %s", rc, out);
    /* 300 fs of NVE from the 300 K diamond frame (64 atoms), at 1 fs and 0.5 fs. */
    for (int k = 0; k < 2; k++) {
        snprintf(logp[k], sizeof logp[k], "%sthermo%d.csv", dir, k);
        snprintf(cmd, sizeof cmd,
                 GALORE " md %s %smd/sw_frames.xyz --schedule hold:600:300 --ensemble nve --dt %s "
                        "--log %s --log-stride 1 --candidates %s --window 0:10 --check-every 50 --quiet",
                 model, al_test_data_dir(), k ? "0.5" : "1", logp[k], cand);
        rc = al_test_run(cmd, out, sizeof out);
        AL_CHECK_MSG(t, rc == 0, "md exited %d: %s", rc, out);
    }
    double d1 = max_econs_dev(logp[0]), d2 = max_econs_dev(logp[1]);
    printf("GAP NVE: max |E - E0| %.3g eV/atom at 1 fs, %.3g at 0.5 fs, ratio %.2f\n", d1 / 64, d2 / 64,
           d1 / d2);
    AL_CHECK_MSG(t, d1 >= 0 && d1 / 64 < 5e-4, "GAP NVE energy moved by %.3g eV/atom", d1 / 64);
    AL_CHECK_MSG(t, d1 / d2 > 3.0 && d1 / d2 < 5.5, "ratio %.2f not near 4", d1 / d2);
    al_err err;
    al_frame *c = NULL;
    size_t n = 0;
    AL_CHECK_OK(t, al_xyz_read_all(cand, &c, &n, &err), &err);
    double s = -1;
    AL_CHECK(t, n == 12);   /* the 0.5 fs run (600 steps, a check every 50) replaced the file */
    AL_CHECK(t, n > 0 && al_info_get_real(&c[0].info, "md_uncertainty", &s) && s > 0 && s < 0.1);
    al_frames_free(c, n);
}

/* The explore section of a campaign file drives the run; the command line overrides it. */
static void test_md_cli_campaign(al_test *t)
{
    const char *dir = al_test_tmp_dir(t);
    char yaml[1024], cand[1024], cmd[8192], out[8192];
    snprintf(yaml, sizeof yaml, "%scampaign.yaml", dir);
    snprintf(cand, sizeof cand, "%scand.xyz", dir);
    FILE *f = fopen(yaml, "w");
    fprintf(f, "system:\n  structure: %smd/si8.xyz\n", al_test_data_dir());
    fputs("dft:\n  labeler: sw\nexplore:\n  ensemble: npt\n  cell: flex\n  chain_length: 4\n  replicas: 2\n"
          "  check_every: 20\n  barostat_period: 200 fs\n  schedule:\n"
          "    - {kind: hold, temperature: 300 K, duration: 60 fs, pressure: 1 GPa}\n"
          "    - {kind: ramp, t_start: 300 K, t_end: 500 K, duration: 40 fs, sample_every: 10}\n",
          f);
    fclose(f);
    snprintf(cmd, sizeof cmd, GALORE " md sw %smd/si8.xyz --campaign %s --candidates %s --seed 3 --quiet",
             al_test_data_dir(), yaml, cand);
    int rc = al_test_run(cmd, out, sizeof out);
    AL_CHECK_MSG(t, rc == 0, "exit %d: %s", rc, out);
    AL_CHECK_CONTAINS(t, out, "replica 0: 100 steps (0.100 ps), completed; 7 candidates;");
    AL_CHECK_CONTAINS(t, out, "replica 1: 100 steps (0.100 ps), completed; 7 candidates;");
    al_err err;
    al_frame *c = NULL;
    size_t n = 0;
    AL_CHECK_OK(t, al_xyz_read_all(cand, &c, &n, &err), &err);
    AL_CHECK(t, n == 14);
    long rep = -1, seed = -1, step = -1;
    double temp = 0;
    if (n == 14) {
        AL_CHECK(t, al_info_get_int(&c[13].info, "md_replica", &rep) && rep == 1);
        AL_CHECK(t, al_info_get_int(&c[13].info, "md_seed", &seed) && seed == 3);
        AL_CHECK(t, al_info_get_int(&c[13].info, "md_step", &step) && step == 100);
        AL_CHECK(t, al_info_get_real(&c[13].info, "md_temperature", &temp) && temp == 500.0);
        /* NPT with a flexible cell under 1 GPa: the cell has changed from the cubic 5.431 Å. */
        AL_CHECK(t, fabs(c[13].cell[0][0] - 5.431) > 1e-6 && fabs(c[13].cell[0][1]) > 0);
    }
    al_frames_free(c, n);
    snprintf(cmd, sizeof cmd, GALORE " md sw %smd/si8.xyz --campaign %s --thermostat langevin", al_test_data_dir(),
             yaml);
    rc = al_test_run(cmd, out, sizeof out);
    AL_CHECK(t, rc == 2);
    AL_CHECK_CONTAINS(t, out, "galore md: npt runs with the nose-hoover thermostat, not langevin");
}

static const al_test_case cases[] = {
    {"md_cli_campaign", test_md_cli_campaign, AL_TEST_FAST},
    {"md_cli_gap_nve", test_md_cli_gap_nve, AL_TEST_FAST},
    {"md_cli_run", test_md_cli_run, AL_TEST_FAST},
    {"md_cli_bad_input", test_md_cli_bad_input, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
