/*
 * `galore md` end to end: a two-segment run on 8-atom silicon (tests/data/md/si8.xyz) writes
 * the summary, trajectory, CSV log, candidates and final frame with the expected counts and
 * keys; bad command lines exit 2 with the documented messages. Runs the built program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/extxyz.h"
#include "tests/harness/al_test.h"

#define GALORE GALORE_BINARY_DIR "/orchestrator/galore"

static int run(const char *cmd, char *out, size_t cap)
{
    char full[8192];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    if (!p) return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

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
    int rc = run(cmd, out, sizeof out);
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
    int rc = run(cmd, out, sizeof out);
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

static const al_test_case cases[] = {
    {"md_cli_run", test_md_cli_run, AL_TEST_FAST},
    {"md_cli_bad_input", test_md_cli_bad_input, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
