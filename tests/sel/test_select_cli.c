/*
 * `galore select` end to end: a GAP fitted (galore fit) on six crystalline silicon frames
 * scores twelve candidates (eight crystal, four liquid); with the default window every stage
 * picks exactly the four liquid frames and records why. Bad options exit 2 with the reason.
 * Runs the built program; data in tests/data/sel (see make_si_fixture.py).
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "core/extxyz.h"
#include "tests/harness/al_test.h"

#define GALORE GALORE_BINARY_DIR "/orchestrator/galore"


static void test_select_liquid(al_test *t)
{
    const char *dir = al_test_tmp_dir(t), *data = al_test_data_dir();
    char model[1024], picked[1024], cmd[8192], out[16384];
    snprintf(model, sizeof model, "%scrystal.h5", dir);
    snprintf(picked, sizeof picked, "%spicked.xyz", dir);
    remove(model);
    snprintf(cmd, sizeof cmd, GALORE " --log-level warn fit %ssel/si_crystal_train.xyz -o %s", data, model);
    AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "%s", out);
    /* Uncertainties once through galore predict (gap_sigma_mean per frame); the first stage
     * takes them from the model itself, the others from the file. */
    char pred[1024];
    snprintf(pred, sizeof pred, "%scandidates_pred.xyz", dir);
    snprintf(cmd, sizeof cmd, GALORE " --log-level warn predict %s %ssel/si_candidates.xyz -o %s", model, data,
             pred);
    AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "%s", out);
    const char *stages[] = {"cur", "fps", "random", "none"};
    const char *reasons[] = {"leverage", "distance", "random", "uncertainty"};
    for (int s = 0; s < 4; s++) {
        remove(picked);
        if (s == 0)
            snprintf(cmd, sizeof cmd,
                     GALORE " select %ssel/si_candidates.xyz -n 10 --model %s --train %ssel/si_crystal_train.xyz "
                     "--diversity %s -o %s", data, model, data, stages[s], picked);
        else
            snprintf(cmd, sizeof cmd,
                     GALORE " select %s -n 10 --train %ssel/si_crystal_train.xyz --diversity %s -o %s", pred,
                     data, stages[s], picked);
        AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "%s", out);
        AL_CHECK_CONTAINS(t, out, "selected 4 of 12 candidates");
        al_frame *f = NULL;
        size_t n = 0;
        al_err err;
        AL_CHECK_OK(t, al_xyz_read_all(picked, &f, &n, &err), &err);
        AL_CHECK(t, n == 4);
        for (size_t i = 0; i < n; i++) {
            AL_CHECK_STR(t, al_info_get_str(&f[i].info, "config_type"), "liquid_T2500");
            AL_CHECK_STR(t, al_info_get_str(&f[i].info, "selected_by"), reasons[s]);
            double u = 0;
            AL_CHECK(t, al_info_get_real(&f[i].info, "uncertainty", &u) && u >= 0.005 && u <= 0.5);
        }
        al_frames_free(f, n);
    }
    /* A window above every candidate selects nothing, and says so. */
    snprintf(cmd, sizeof cmd, GALORE " select %s -n 3 --window 1:2 -o %s", pred, picked);
    AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "%s", out);
    AL_CHECK_CONTAINS(t, out, "selected 0 of 12 candidates");
}

static void test_select_bad_options(al_test *t)
{
    const char *data = al_test_data_dir();
    char cmd[4096], out[8192];
    snprintf(cmd, sizeof cmd, GALORE " select %ssel/si_candidates.xyz -n 2 -o /dev/null --window 0.5:0.1", data);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "--window needs MIN:MAX with 0 <= MIN <= MAX (got '0.5:0.1')");
    snprintf(cmd, sizeof cmd, GALORE " select %ssel/si_candidates.xyz -n 2 -o /dev/null --diversity kmeans", data);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "--diversity is cur, fps, random or none (got 'kmeans')");
    snprintf(cmd, sizeof cmd, GALORE " select %ssel/si_candidates.xyz -n 2 -o /dev/null", data);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "si_candidates.xyz: frame 0 has no 'gap_sigma_mean' (give --model or --key)");
    AL_CHECK(t, al_test_run(GALORE " select x.xyz -o y.xyz", out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "needs CANDIDATES.xyz, -n N (N >= 1) and -o PICKED.xyz");
}

static const al_test_case cases[] = {
    {"sel_cli_select_liquid", test_select_liquid, AL_TEST_SLOW},
    {"sel_cli_bad_options", test_select_bad_options, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
