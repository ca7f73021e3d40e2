/*
 * The JSON writer (exact text: escaping, nesting, non-finite numbers, round-trip precision)
 * and the JSON Lines event log (one synced line per event; a torn last line left by a killed
 * process is closed on reopening, so the next event starts on a line of its own).
 */
#include <stdlib.h>

#include "orchestrator/events.h"
#include "orchestrator/json.h"
#include "tests/harness/al_test.h"

static void test_json_text(al_test *t)
{
    orc_json j;
    orc_json_init(&j);
    orc_json_str(&j, "name", "Si \"diamond\"\\\n\tÅ");
    orc_json_num(&j, "mae", 0.1);
    orc_json_num(&j, "third", 1.0 / 3.0);
    orc_json_num(&j, "bad", NAN);
    orc_json_int(&j, "n", -42);
    orc_json_open(&j, "counts");
    orc_json_int(&j, "train", 3);
    orc_json_open(&j, "deeper");
    orc_json_bool(&j, "ok", true);
    orc_json_close(&j);
    orc_json_str(&j, "none", NULL);
    AL_CHECK_STR(t, orc_json_finish(&j),
                 "{\"name\":\"Si \\\"diamond\\\"\\\\\\u000a\\u0009Å\",\"mae\":0.1,\"third\":0.3333333333333333,"
                 "\"bad\":null,\"n\":-42,\"counts\":{\"train\":3,\"deeper\":{\"ok\":true},"
                 "\"none\":null}}");
    orc_json_fini(&j);
    orc_json_init(&j);
    AL_CHECK_STR(t, orc_json_finish(&j), "{}");
    orc_json_fini(&j);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void test_event_lines_and_torn_tail(al_test *t)
{
    al_err err;
    char path[1024];
    snprintf(path, sizeof path, "%sevents.jsonl", al_test_tmp_dir(t));
    remove(path);
    orc_events *ev = NULL;
    AL_CHECK_OK(t, orc_events_open(path, &ev, &err), &err);
    orc_json j;
    orc_event_begin(&j, "fit_start", 2);
    AL_CHECK_OK(t, orc_event_write(ev, &j, &err), &err);
    orc_events_close(ev);
    /* A killed writer's half line. */
    FILE *fp = fopen(path, "a");
    fputs("{\"time\":\"2026-", fp);
    fclose(fp);
    AL_CHECK_OK(t, orc_events_open(path, &ev, &err), &err);
    orc_event_begin(&j, "fit_end", 2);
    orc_json_num(&j, "seconds", 1.5);
    AL_CHECK_OK(t, orc_event_write(ev, &j, &err), &err);
    orc_events_close(ev);
    const char *text = slurp(path);
    AL_CHECK(t, text != NULL);
    if (!text) return;
    /* Three lines: the first event, the torn fragment, the second event. */
    const char *l2 = strchr(text, '\n'), *l3 = l2 ? strchr(l2 + 1, '\n') : NULL;
    AL_CHECK(t, l2 && l3 && strchr(l3 + 1, '\n') && !strchr(l3 + 1, '\n')[1]);
    if (!l2 || !l3) return;
    AL_CHECK(t, !strncmp(text, "{\"time\":\"", 9));
    AL_CHECK_CONTAINS(t, text, "\"event\":\"fit_start\",\"iteration\":2}\n");
    AL_CHECK(t, !strncmp(l2 + 1, "{\"time\":\"2026-\n", 15));
    AL_CHECK(t, !strncmp(l3 + 1, "{\"time\":\"", 9));
    AL_CHECK_CONTAINS(t, l3 + 1, "\"event\":\"fit_end\",\"iteration\":2,\"seconds\":1.5}\n");
}

static void test_event_log_errors(al_test *t)
{
    al_err err;
    orc_events *ev = (orc_events *)&err;
    AL_CHECK(t, orc_events_open("/nonexistent-dir/events.jsonl", &ev, &err) == AL_EIO);
    AL_CHECK(t, ev == NULL);
    AL_CHECK_STR(t, err.msg,
                 "/nonexistent-dir/events.jsonl: cannot open the event log: No such file or directory");
}

static const al_test_case cases[] = {
    {"json_text", test_json_text, AL_TEST_FAST},
    {"event_lines_and_torn_tail", test_event_lines_and_torn_tail, AL_TEST_FAST},
    {"event_log_errors", test_event_log_errors, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
