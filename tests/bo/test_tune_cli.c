/*
 * `galore tune` end to end on six silicon frames with a 2-body GAP: a run within its budget,
 * a best.yaml whose tuned values lie in the box and equal the best row of the trial log, a
 * resumed run that keeps the earlier trials and adds new distinct ones, and the messages of
 * bad search-space files. Runs the built program.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "gp/bo/bo.h"
#include "tests/harness/al_test.h"

#define GALORE GALORE_BINARY_DIR "/orchestrator/galore"


static void space_2b(bo_space *s)
{
    bo_space_init(s);
    bo_space_add(s, "two_body.delta", 0.1, 10, 1, 0, NULL);
    bo_space_add(s, "two_body.theta", 0.3, 3, 1, 0, NULL);
    bo_space_add(s, "sigma_energy", 0.0005, 0.01, 1, 0, NULL);
}

/* The value of "key: <number>" in a file (NAN when absent). */
static double yaml_value(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    char line[512];
    double v = NAN;
    while (f && fgets(line, sizeof line, f)) {
        char *p = strstr(line, key);
        if (p && p[strlen(key)] == ':') { v = atof(p + strlen(key) + 1); break; }
    }
    if (f) fclose(f);
    return v;
}

static void test_tune_run_and_resume(al_test *t)
{
    const char *dir = al_test_tmp_dir(t), *data = al_test_data_dir();
    char best[1024], logp[1024], cmd[8192], out[16384];
    snprintf(best, sizeof best, "%sbest.yaml", dir);
    snprintf(logp, sizeof logp, "%strials.csv", dir);
    remove(best);
    remove(logp);
    snprintf(cmd, sizeof cmd,
             GALORE " --log-level warn tune %ssel/si_crystal_train.xyz --space %sbo/tune_2b.yaml -o %s "
             "--campaign %sbo/campaign_2b.yaml --log %s",
             data, data, best, data, logp);
    AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "%s", out);
    AL_CHECK_CONTAINS(t, out, "best of 3 trials");
    bo_space s;
    space_2b(&s);
    bo_log log;
    bo_log_init(&log, &s);
    al_err err;
    AL_CHECK_OK(t, bo_log_load(&log, logp, &err), &err);
    AL_CHECK(t, log.n == 3);
    long b = bo_log_best(&log);
    AL_CHECK(t, b >= 0);
    if (b >= 0) {
        AL_CHECK(t, log.t[b].energy_mae > 0 && log.t[b].force_mae > 0);
        /* objective = 1·E MAE + 0.1·F MAE (the campaign's default weights) */
        AL_CHECK_REL(t, log.t[b].value, log.t[b].energy_mae + 0.1 * log.t[b].force_mae, 1e-12, 0);
        AL_CHECK_REL(t, yaml_value(best, "    delta"), log.t[b].x[0], 1e-7, 0);
        AL_CHECK_REL(t, yaml_value(best, "    theta"), log.t[b].x[1], 1e-7, 0);
        AL_CHECK_REL(t, yaml_value(best, "  sigma_energy"), log.t[b].x[2], 1e-7, 0);
    }
    AL_CHECK_CONTAINS(t, out, "written");
    /* Resume with a larger budget: the three trials stay, two new distinct ones follow. */
    bo_trial first[3];
    memcpy(first, log.t, sizeof first);
    strcat(cmd, " --budget 5");
    AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "%s", out);
    bo_log_fini(&log);
    bo_log_init(&log, &s);
    AL_CHECK_OK(t, bo_log_load(&log, logp, &err), &err);
    AL_CHECK(t, log.n == 5);
    for (size_t i = 0; i < 3 && i < log.n; i++)
        AL_CHECK(t, memcmp(log.t[i].x, first[i].x, 3 * sizeof(double)) == 0);
    for (size_t i = 3; i < log.n; i++)
        for (size_t j = 0; j < i; j++) AL_CHECK(t, log.t[i].x[0] != log.t[j].x[0]);
    bo_log_fini(&log);
}

static void test_tune_bad_space(al_test *t)
{
    const char *dir = al_test_tmp_dir(t), *data = al_test_data_dir();
    char cmd[8192], out[8192];
    const char *files[] = {"bad_name.yaml", "bad_key.yaml", "bad_int.yaml"};
    const char *msgs[] = {
        "tune: 'soap.deltta' is not a tunable GAP hyperparameter",
        "bad_key.yaml:2:38: space.two_body.delta: unknown key or value 'scale'",
        "tune: 'two_body.n_sparse' is an integer; declare it with type: int"};
    for (int i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd,
                 GALORE " tune %ssel/si_crystal_train.xyz --space %sbo/%s -o %sx.yaml "
                 "--campaign %sbo/campaign_2b.yaml", data, data, files[i], dir, data);
        AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
        AL_CHECK_CONTAINS(t, out, msgs[i]);
    }
    AL_CHECK(t, al_test_run(GALORE " tune x.xyz", out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "needs TRAIN.xyz, --space TUNE.yaml and -o BEST.yaml");
}

static const al_test_case cases[] = {
    {"bo_tune_run_and_resume", test_tune_run_and_resume, AL_TEST_SLOW},
    {"bo_tune_bad_space", test_tune_bad_space, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
