/*
 * The galore program end to end: help and version, convert extxyz ↔ HDF5 and back, info, and
 * the error messages and exit codes of bad invocations. Runs the built program.
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "core/extxyz.h"
#include "tests/harness/al_test.h"

#define GALORE GALORE_BINARY_DIR "/orchestrator/galore"


static void test_help_and_version(al_test *t)
{
    char out[8192];
    AL_CHECK(t, al_test_run(GALORE " --help", out, sizeof out) == 0);
    AL_CHECK_CONTAINS(t, out, "usage: galore <command> [options]");
    AL_CHECK_CONTAINS(t, out, "convert");
    AL_CHECK(t, al_test_run(GALORE " --version", out, sizeof out) == 0);
    AL_CHECK_CONTAINS(t, out, "galore 0.");
    AL_CHECK(t, al_test_run(GALORE " convert --help", out, sizeof out) == 0);
    AL_CHECK_CONTAINS(t, out, "usage: galore convert IN OUT");
    AL_CHECK(t, al_test_run(GALORE " frobnicate", out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "galore: unknown command 'frobnicate'");
    AL_CHECK(t, al_test_run(GALORE, out, sizeof out) == 2);
}

static void test_convert_round_trip(al_test *t)
{
    char cmd[4096], out[8192];
    const char *dir = al_test_tmp_dir(t);
    const char *in = al_test_path(al_test_data_dir(), "cli/two_frames.xyz");
    char h5[1024], back[1024];
    snprintf(h5, sizeof h5, "%sdata.h5", dir);
    snprintf(back, sizeof back, "%sback.xyz", dir);
    remove(h5);
    snprintf(cmd, sizeof cmd, GALORE " convert %s %s --role train --iteration 3", in, h5);
    AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "%s", out);
    /* Without --append an existing dataset is never touched. */
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "exists; use --append to add frames to it");
    snprintf(cmd, sizeof cmd, GALORE " convert %s %s", h5, back);
    AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "%s", out);

    al_err err;
    al_frame *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    AL_CHECK_OK(t, al_xyz_read_all(in, &a, &na, &err), &err);
    AL_CHECK_OK(t, al_xyz_read_all(back, &b, &nb, &err), &err);
    AL_CHECK(t, na == 2 && nb == 2);
    for (size_t k = 0; k < na && k < nb; k++) {
        AL_CHECK(t, a[k].n_atoms == b[k].n_atoms && a[k].labels == b[k].labels);
        for (size_t i = 0; i < a[k].n_atoms && i < b[k].n_atoms; i++)
            for (int d = 0; d < 3; d++) AL_CHECK(t, a[k].pos[i][d] == b[k].pos[i][d]);
        AL_CHECK(t, memcmp(a[k].cell, b[k].cell, sizeof a[k].cell) == 0);
        AL_CHECK(t, memcmp(a[k].pbc, b[k].pbc, sizeof a[k].pbc) == 0);
        AL_CHECK_STR(t, al_info_get_str(&b[k].info, "galore_role"), "train");
        long it = -1;
        AL_CHECK(t, al_info_get_int(&b[k].info, "galore_iteration", &it) && it == 3);
        AL_CHECK_STR(t, al_info_get_str(&b[k].info, "config_type"),
                     al_info_get_str(&a[k].info, "config_type"));
    }
    AL_CHECK(t, nb > 0 && b[0].forces != NULL);
    if (nb && b[0].forces) {
        AL_CHECK(t, b[0].energy == -10.5 && b[0].forces[1][2] == -0.3 && b[0].virial[2][2] == 3.0);
    }
    al_frames_free(a, na);
    al_frames_free(b, nb);

    snprintf(cmd, sizeof cmd, GALORE " info %s", h5);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 0);
    AL_CHECK_CONTAINS(t, out, "train");
    snprintf(cmd, sizeof cmd, GALORE " info %s", in);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 0);
    AL_CHECK_CONTAINS(t, out, "extxyz, 2 frames");
    AL_CHECK_CONTAINS(t, out, "atoms per frame: 2 to 3");
    AL_CHECK_CONTAINS(t, out, "species (atoms over all frames): O 1 Si 3 Ge 1");
    AL_CHECK_CONTAINS(t, out, "labels: energy 1, forces 1, virial 1");
    AL_CHECK_CONTAINS(t, out, "config_type: liquid 1, crystal 1");
}

static void test_convert_errors(al_test *t)
{
    char cmd[4096], out[8192];
    const char *dir = al_test_tmp_dir(t);
    snprintf(cmd, sizeof cmd, GALORE " convert %snope.xyz %sx.h5", dir, dir);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "nope.xyz: no such file");
    snprintf(cmd, sizeof cmd, GALORE " convert %s %sx.txt",
             al_test_path(al_test_data_dir(), "cli/two_frames.xyz"), dir);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "one side must be extxyz");
    snprintf(cmd, sizeof cmd, GALORE " convert a.xyz b.h5 --role boss");
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "unknown role 'boss' (pool, train, validation, test)");
    /* A malformed extxyz file: the message names file and line, and nothing is half-written. */
    char bad[1024], h5[1024];
    snprintf(bad, sizeof bad, "%sbad.xyz", dir);
    snprintf(h5, sizeof h5, "%sbad.h5", dir);
    remove(h5);
    FILE *fp = fopen(bad, "w");
    fputs("1\nProperties=species:S:1:pos:R:3\nSi 0 0 zero\n", fp);
    fclose(fp);
    snprintf(cmd, sizeof cmd, GALORE " convert %s %s", bad, h5);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "bad.xyz:3");
    snprintf(cmd, sizeof cmd, GALORE " info %s", bad);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "bad.xyz:3");
}

static void test_check_command(al_test *t)
{
    char cmd[4096], out[16384];
    snprintf(cmd, sizeof cmd, GALORE " check %s/configs/demo.yaml", GALORE_SOURCE_DIR);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 0);
    AL_CHECK_CONTAINS(t, out, "ecut: 272.11386245988 eV");
    snprintf(cmd, sizeof cmd, GALORE " check %scampaign/range.yaml", al_test_data_dir());
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "range.yaml:5:16: dft.mixing_beta: must be > 0 and <= 1, got 1.5");
    AL_CHECK(t, al_test_run(GALORE " check --doc", out, sizeof out) == 0);
    AL_CHECK_CONTAINS(t, out, "# Campaign file reference");
}

static void test_analyze_command(al_test *t)
{
    char cmd[4096], out[16384];
    const char *dir = al_test_tmp_dir(t);
    const char *traj = al_test_path(al_test_data_dir(), "ana/binary.xyz");
    snprintf(cmd, sizeof cmd, GALORE " analyze %s -o %sres --rmax 6 --bins 60 --coord Ge-Se:3.0 "
             "--angles Se-Ge-Se:3.0:3.0 --lorch", traj, dir);
    AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "%s", out);
    AL_CHECK_CONTAINS(t, out, "1 frames of");
    AL_CHECK_CONTAINS(t, out, "coordination Ge-Se within 3.000 Å");
    const char *files[] = {"gr.csv", "gr.svg", "sk.csv", "sk.svg", "coordination.csv", "angles_Se-Ge-Se.csv"};
    for (int k = 0; k < 6; k++) {
        char path[2048];
        snprintf(path, sizeof path, "%sres/%s", dir, files[k]);
        FILE *fp = fopen(path, "r");
        AL_CHECK_MSG(t, fp != NULL, "%s was not written", files[k]);
        if (fp) fclose(fp);
    }
    snprintf(cmd, sizeof cmd, "head -1 %sres/sk.csv", dir);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 0);
    AL_CHECK_STR(t, out, "k_inverse_angstrom,S_Ge_Ge,S_Ge_Se,S_Se_Se,S_neutron,S_xray,S_NN,S_NC,S_CC\n");
    /* The SVG plots render (librsvg, installed by setup.sh). */
    snprintf(cmd, sizeof cmd, "rsvg-convert -o %sres/gr.png %sres/gr.svg && rsvg-convert -o %sres/sk.png %sres/sk.svg",
             dir, dir, dir, dir);
    AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "rsvg-convert: %s", out);
    /* Comparing g(r) with itself gives R_chi = 0. */
    snprintf(cmd, sizeof cmd, "cut -d, -f1,2 %sres/gr.csv > %sref.csv", dir, dir);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 0);
    snprintf(cmd, sizeof cmd, GALORE " analyze %s -o %sres2 --rmax 6 --bins 60 --reference %sref.csv --compare gr",
             traj, dir, dir);
    AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "%s", out);
    AL_CHECK_CONTAINS(t, out, "(gr, 60 points): 0.0000");
    snprintf(cmd, sizeof cmd, GALORE " analyze %s --coord Ge-Xx", traj);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "--coord needs A-B or A-B:R (elements, cutoff in Å), got 'Ge-Xx'");
}

static const al_test_case cases[] = {
    {"analyze_command", test_analyze_command, AL_TEST_FAST},
    {"check_command", test_check_command, AL_TEST_FAST},
    {"help_and_version", test_help_and_version, AL_TEST_FAST},
    {"convert_round_trip", test_convert_round_trip, AL_TEST_FAST},
    {"convert_errors", test_convert_errors, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
