/*
 * Progress reporting away from a terminal: one log line per tenth of the work with the time
 * left, a summary line at the end, and durations written as people read them.
 */
#include "core/log.h"
#include "orchestrator/progress.h"
#include "tests/harness/al_test.h"

static char lines[16][256];
static int n_lines;

static void capture(al_log_level level, const char *line, void *user)
{
    /* Drop the timestamp and level: keep what follows "] ". */
    const char *msg = strstr(line, "] ");
    if (n_lines < 16) snprintf(lines[n_lines++], sizeof lines[0], "%s", msg ? msg + 2 : line);
}

static void test_durations(al_test *t)
{
    char buf[32];
    orc_format_duration(44.6, buf, sizeof buf);
    AL_CHECK_STR(t, buf, "45 s");
    orc_format_duration(123, buf, sizeof buf);
    AL_CHECK_STR(t, buf, "2:03");
    orc_format_duration(3723, buf, sizeof buf);
    AL_CHECK_STR(t, buf, "1:02:03");
    orc_format_duration(NAN, buf, sizeof buf);
    AL_CHECK_STR(t, buf, "?");
}

static void test_lines_without_terminal(al_test *t)
{
    al_log_level old = al_log_get_level();
    al_log_set_level(AL_LOG_INFO);
    al_log_set_sink(capture, NULL);
    n_lines = 0;
    orc_progress_set_mode(2);
    orc_progress p;
    orc_progress_begin(&p, "labels", 20);
    p.quiet_seconds = 0;   /* this loop takes microseconds */
    for (size_t k = 1; k <= 20; k++) orc_progress_update(&p, k);
    orc_progress_end(&p);
    al_log_set_sink(NULL, NULL);
    al_log_set_level(old);
    /* Tenths 1..9 (steps 2, 4, ..., 18) and the summary; nothing at 100 % but the summary. */
    AL_CHECK_MSG(t, n_lines == 10, "%d lines", n_lines);
    AL_CHECK(t, !strncmp(lines[0], "labels: 2/20 (10 %), ", 21));
    AL_CHECK(t, !strncmp(lines[8], "labels: 18/20 (90 %), ", 22));
    AL_CHECK_CONTAINS(t, lines[8], " left");
    AL_CHECK(t, !strncmp(lines[9], "labels: 20 in ", 14));
    /* Work shorter than quiet_seconds logs only its summary. */
    al_log_set_level(AL_LOG_INFO);
    al_log_set_sink(capture, NULL);
    n_lines = 0;
    orc_progress_begin(&p, "replica", 20);
    for (size_t k = 1; k <= 20; k++) orc_progress_update(&p, k);
    orc_progress_end(&p);
    al_log_set_sink(NULL, NULL);
    al_log_set_level(old);
    AL_CHECK_MSG(t, n_lines == 1, "%d lines", n_lines);
}

static const al_test_case cases[] = {
    {"durations", test_durations, AL_TEST_FAST},
    {"lines_without_terminal", test_lines_without_terminal, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
