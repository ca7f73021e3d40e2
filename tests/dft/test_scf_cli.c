/*
 * `galore dft` end to end: labels a two-frame extxyz file from a settings file, prints a
 * progress line per SCF step and per frame, writes energy/forces/virial equal to the library's
 * for the same settings; command-line options override the file; bad usage exits 2 with a
 * message; a frame that does not converge is written flagged and the exit code is 1.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/extxyz.h"
#include "core/units.h"
#include "engines/dft/dft.h"
#include "tests/harness/al_test.h"

static const char *galore_bin(void) { return GALORE_BINARY_DIR "/orchestrator/galore"; }

static void write_input(al_test *t, const char *path)
{
    FILE *f = fopen(path, "w");
    AL_CHECK(t, f != NULL);
    if (!f) return;
    /* Si2 in the fcc primitive cell (a = 5.431 Å), then atom 1 moved by 0.05 Å. */
    for (int i = 0; i < 2; i++)
        fprintf(f, "2\nLattice=\"0.0 2.7155 2.7155 2.7155 0.0 2.7155 2.7155 2.7155 0.0\" "
                   "Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n"
                   "Si 0.0 0.0 0.0\nSi %.5f 1.35775 1.35775\n", 1.35775 + 0.05 * i);
    fclose(f);
}

static int run(al_test *t, const char *args, const char *log)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s dft %s 2> %s", galore_bin(), args, log);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_settings_file(al_test *t)
{
    const char *dir = al_test_tmp_dir(t);
    char in[1024], out[1024], yaml[1024], log[1024], args[4096];
    snprintf(in, sizeof in, "%sin.xyz", dir);
    snprintf(out, sizeof out, "%sout.xyz", dir);
    snprintf(yaml, sizeof yaml, "%sdft.yaml", dir);
    snprintf(log, sizeof log, "%slog.txt", dir);
    write_input(t, in);
    const char *psp = al_test_path(al_test_data_dir(), "dft/GTH_POTENTIALS_test");
    FILE *y = fopen(yaml, "w");
    fprintf(y, "dft:\n  ecut: 16 Ry\n  xc: lda\n  kpts: [2, 2, 2]\n  scf_energy_tol: 1e-9 Ha\n"
               "  scf_density_tol: 1e-8\n  pseudopotential_file: %s\n", psp);
    fclose(y);
    snprintf(args, sizeof args, "%s -o %s --settings %s", in, out, yaml);
    AL_CHECK_MSG(t, run(t, args, log) == 0, "galore dft failed (is %s built?): %s", galore_bin(),
                 slurp(log));
    const char *text = slurp(log);
    AL_CHECK_CONTAINS(t, text, "dft: frame 1 scf   1  E ");
    AL_CHECK_CONTAINS(t, text, "dft: frame 2 scf   2  E ");
    AL_CHECK_CONTAINS(t, text, "dft: frame 2: 2 atoms  E ");
    AL_CHECK_CONTAINS(t, text, "converged in");
    AL_CHECK_CONTAINS(t, text, "8 k-points");

    /* The same calculation through the library. */
    al_frame *fr = NULL, *ref = NULL;
    size_t n = 0, nref = 0;
    al_err err = {0};
    AL_CHECK_OK(t, al_xyz_read_all(out, &fr, &n, &err), &err);
    AL_CHECK_OK(t, al_xyz_read_all(in, &ref, &nref, &err), &err);
    AL_CHECK(t, n == 2 && nref == 2);
    pw_settings s = pw_settings_default();
    s.ecut_ha = 8.0;
    s.xc = PW_XC_LDA_PADE;
    s.kgrid[0] = s.kgrid[1] = s.kgrid[2] = 2;
    s.tol_energy_ha = 1e-9;
    s.tol_density = 1e-8;
    s.mix.beta = 0.5;   /* the campaign default the CLI starts from */
    snprintf(s.psp_file, sizeof s.psp_file, "%s", psp);
    pw_dft *c = NULL;
    AL_CHECK_OK(t, pw_dft_create(&s, &c, &err), &err);
    for (size_t i = 0; i < n && i < nref; i++) {
        pw_result r;
        AL_CHECK_OK(t, pw_dft_run(c, &ref[i], &r, &err), &err);
        AL_CHECK(t, (fr[i].labels & AL_LBL_ENERGY) && (fr[i].labels & AL_LBL_FORCES) &&
                        (fr[i].labels & AL_LBL_VIRIAL));
        AL_CHECK_CLOSE(t, fr[i].energy, r.energy_ev, 1e-6);
        for (int d = 0; d < 3; d++) {
            AL_CHECK_CLOSE(t, fr[i].forces[1][d], r.forces[1][d], 1e-5);
            AL_CHECK_CLOSE(t, fr[i].virial[d][d], r.virial[d][d], 1e-5);
        }
        long conv = 0;
        const al_kv *kv = al_info_get(&fr[i].info, "dft_converged");
        if (kv && kv->ints) conv = kv->ints[0];
        AL_CHECK(t, conv == 1);
        pw_result_fini(&r);
    }
    /* The displaced frame has forces, the perfect crystal none. */
    AL_CHECK(t, n == 2 && fabs(fr[1].forces[1][0]) > 1e-3 && fabs(fr[0].forces[1][0]) < 1e-6);
    pw_dft_destroy(c);
    for (size_t i = 0; i < n; i++) al_frame_fini(&fr[i]);
    for (size_t i = 0; i < nref; i++) al_frame_fini(&ref[i]);
    free(fr);
    free(ref);
}

static void test_options_and_errors(al_test *t)
{
    const char *dir = al_test_tmp_dir(t);
    char in[1024], out[1024], log[1024], args[4096];
    snprintf(in, sizeof in, "%sin.xyz", dir);
    snprintf(out, sizeof out, "%sout.xyz", dir);
    snprintf(log, sizeof log, "%slog.txt", dir);
    write_input(t, in);
    const char *psp = al_test_path(al_test_data_dir(), "dft/GTH_POTENTIALS_test");

    snprintf(args, sizeof args, "%s -o %s --ecut 30", in, out);
    AL_CHECK(t, run(t, args, log) == 2);
    AL_CHECK_CONTAINS(t, slurp(log), "galore dft: --ecut '30': expected a positive energy with its unit");

    snprintf(args, sizeof args, "%s -o %s --ecut 10Ry --smearing fd:0.01", in, out);
    AL_CHECK(t, run(t, args, log) == 2);
    AL_CHECK_CONTAINS(t, slurp(log), "--smearing 'fd:0.01': the width needs a positive value with unit");

    snprintf(args, sizeof args, "%s -o %s", in, out);
    AL_CHECK(t, run(t, args, log) == 2);
    AL_CHECK_CONTAINS(t, slurp(log), "needs a cutoff: --ecut (e.g. 30Ry) or ecut in the settings file");

    snprintf(args, sizeof args, "%s -o %s --ecut 10Ry --psp-file %s --psp Si=GTH-FOO", in, out, psp);
    AL_CHECK(t, run(t, args, log) == 2);
    AL_CHECK_CONTAINS(t, slurp(log), "frame 1: pseudopotential for Si (atom 1): ");
    AL_CHECK_CONTAINS(t, slurp(log), "no entry 'GTH-FOO' for element Si");

    /* Options only (PBE, smearing, k-points), with too few SCF steps: flagged, exit 1. */
    snprintf(args, sizeof args, "%s -o %s --ecut 10Ry --xc pbe --kpts 2x2x2 --smearing fd:0.01Ha "
             "--psp-file %s --max-iter 2 --no-forces", in, out, psp);
    AL_CHECK(t, run(t, args, log) == 1);
    const char *text = slurp(log);
    AL_CHECK_CONTAINS(t, text, "NOT CONVERGED in 2 steps");
    AL_CHECK_CONTAINS(t, text, "galore dft: 2 frames did not converge (written with dft_converged=F)");
    al_frame *fr = NULL;
    size_t n = 0;
    al_err err = {0};
    AL_CHECK_OK(t, al_xyz_read_all(out, &fr, &n, &err), &err);
    AL_CHECK(t, n == 2);
    for (size_t i = 0; i < n; i++) {
        const al_kv *kv = al_info_get(&fr[i].info, "dft_converged");
        AL_CHECK(t, kv && kv->ints && kv->ints[0] == 0);
        AL_CHECK_CONTAINS(t, al_info_get_str(&fr[i].info, "dft_settings"),
                          "xc=pbe ecut=5Ha kpts=2x2x2 smearing=fd:0.01Ha");
        AL_CHECK(t, !(fr[i].labels & AL_LBL_FORCES));
        al_frame_fini(&fr[i]);
    }
    free(fr);
}

static const al_test_case cases[] = {
    {"scf_cli_settings_file", test_settings_file, AL_TEST_FAST},
    {"scf_cli_options_and_errors", test_options_and_errors, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
