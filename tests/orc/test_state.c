/*
 * Campaign state file: an exact round trip (the generator continues with the same numbers, reals
 * keep every bit), the atomic replacement (a stale temporary file from a killed writer changes
 * nothing), and the messages for files that are not, or no longer, valid state files.
 */
#include <stdlib.h>

#include "orchestrator/state.h"
#include "tests/harness/al_test.h"

static const char *tmp_path(al_test *t, const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s%s", al_test_tmp_dir(t), name);
    return buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
}

static void test_round_trip(al_test *t)
{
    al_err err;
    orc_state s, r;
    orc_state_init(&s, 42);
    s.iteration = 3;
    s.stage = ORC_STAGE_EXPLORE;
    s.stage_first_frame = 57;
    (void)al_rng_normal(&s.rng);   /* leaves a spare normal deviate pending */
    s.elapsed = 1.0 / 3.0;
    s.n_labels = 40;
    AL_CHECK_OK(t, orc_state_add_failed(&s, 12, &err), &err);
    AL_CHECK_OK(t, orc_state_add_failed(&s, 33, &err), &err);
    AL_CHECK_OK(t, orc_state_add_failed(&s, 12, &err), &err);
    orc_iter_metrics m = {2, 30, 40, 0.0123, 0.1 + 1e-17, 0.02, 12.5};
    AL_CHECK_OK(t, orc_state_add_metrics(&s, &m, &err), &err);
    m.iteration = 3;
    AL_CHECK_OK(t, orc_state_add_metrics(&s, &m, &err), &err);
    snprintf(s.stop_reason, sizeof s.stop_reason, "test force MAE 0.09 eV/Å reached the target 0.1");
    char path[1024];
    snprintf(path, sizeof path, "%s", tmp_path(t, "state"));
    AL_CHECK_OK(t, orc_state_save(&s, path, &err), &err);
    AL_CHECK_OK(t, orc_state_load(&r, path, &err), &err);
    AL_CHECK(t, r.iteration == 3 && r.stage == ORC_STAGE_EXPLORE && r.stage_first_frame == 57);
    AL_CHECK(t, r.elapsed == s.elapsed && r.n_labels == 40);
    AL_CHECK(t, r.n_failed == 2 && r.failed[1] == 33 && orc_state_is_failed(&r, 12));
    AL_CHECK(t, r.n_history == 2 && r.history[1].iteration == 3 && r.history[0].force_mae == m.force_mae);
    AL_CHECK_STR(t, r.stop_reason, s.stop_reason);
    /* Both generators continue identically, the pending normal deviate included. */
    AL_CHECK(t, al_rng_normal(&r.rng) == al_rng_normal(&s.rng));
    AL_CHECK(t, al_rng_u64(&r.rng) == al_rng_u64(&s.rng));
    orc_state_fini(&r);
    /* A killed writer's temporary file is ignored, and the next save replaces it. */
    write_text(tmp_path(t, "state.tmp"), "galore-campaign-state 1\niteration 9\n");
    AL_CHECK_OK(t, orc_state_load(&r, path, &err), &err);
    AL_CHECK(t, r.iteration == 3);
    orc_state_fini(&r);
    s.stage = ORC_STAGE_DONE;
    AL_CHECK_OK(t, orc_state_save(&s, path, &err), &err);
    AL_CHECK_OK(t, orc_state_load(&r, path, &err), &err);
    AL_CHECK(t, r.stage == ORC_STAGE_DONE);
    orc_state_fini(&r);
    orc_state_fini(&s);
}

static void expect_error(al_test *t, const char *text, al_status code, const char *msg_after_path)
{
    al_err err;
    orc_state r;
    const char *path = tmp_path(t, "bad_state");
    write_text(path, text);
    AL_CHECK(t, orc_state_load(&r, path, &err) == code);
    char want[2048];
    snprintf(want, sizeof want, "%s%s", path, msg_after_path);
    AL_CHECK_STR(t, err.msg, want);
}

static void test_bad_files(al_test *t)
{
    expect_error(t, "iteration 3\n", AL_EFORMAT, ":1: not a galore campaign state file");
    expect_error(t, "galore-campaign-state 7\nend\n", AL_EVERSION,
                 ": campaign state format 7; this galore reads format 1");
    expect_error(t, "galore-campaign-state 1\niteration 3\nstage fit\n", AL_EFORMAT,
                 ": ends before its 'end' line (the file is truncated)");
    expect_error(t, "galore-campaign-state 1\nstage relax\nend\n", AL_EFORMAT,
                 ":2: stage: unknown stage (expected init, label, fit, eval, explore, select, validate or done)");
    expect_error(t, "galore-campaign-state 1\niteration 3\niteration three\nend\n", AL_EFORMAT,
                 ":3: iteration: expected an integer >= 0");
    expect_error(t, "galore-campaign-state 1\nmetrics 1 2 3 0.1 0.2\nend\n", AL_EFORMAT,
                 ":2: metrics: expected iteration, n_train, n_labels and four numbers");
    expect_error(t, "galore-campaign-state 1\ncolour blue\nend\n", AL_EFORMAT, ":2: unknown key 'colour'");
    al_err err;
    orc_state r;
    AL_CHECK(t, orc_state_load(&r, "/nonexistent/state", &err) == AL_ENOTFOUND);
    AL_CHECK_STR(t, err.msg, "/nonexistent/state: no campaign state (is this a campaign directory?)");
}

static const al_test_case cases[] = {
    {"round_trip", test_round_trip, AL_TEST_FAST},
    {"bad_files", test_bad_files, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
