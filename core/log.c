/* Leveled, timestamped logging (see log.h). */
#include "core/log.h"

#include <stdarg.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static al_log_level threshold = AL_LOG_INFO;
static al_log_sink sink_fn = NULL;
static void *sink_user = NULL;
static char prefix[64] = "";

static const char *const level_names[] = {"debug", "info", "warn", "error", "quiet"};

void al_log_set_level(al_log_level level) { threshold = level; }
al_log_level al_log_get_level(void) { return threshold; }

void al_log_set_sink(al_log_sink sink, void *user)
{
    sink_fn = sink;
    sink_user = user;
}

void al_log_set_prefix(const char *p)
{
    snprintf(prefix, sizeof prefix, "%s", p ? p : "");
}

int al_log_level_parse(const char *name)
{
    for (int i = 0; i <= AL_LOG_QUIET; i++)
        if (name && strcmp(name, level_names[i]) == 0) return i;
    return -1;
}

const char *al_log_level_name(al_log_level level)
{
    return (level >= AL_LOG_DEBUG && level <= AL_LOG_QUIET) ? level_names[level] : "?";
}

void al_log(al_log_level level, const char *fmt, ...)
{
    if (level < threshold || level >= AL_LOG_QUIET) return;
    char line[2048];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    int n = (int)strftime(line, sizeof line, "%Y-%m-%d %H:%M:%S", &tm);
    n += snprintf(line + n, sizeof line - (size_t)n, ".%03d [%s]%s%s ", (int)(tv.tv_usec / 1000),
                  level_names[level], prefix[0] ? " " : "", prefix);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    if (sink_fn) {
        sink_fn(level, line, sink_user);
    } else {
        fprintf(stderr, "%s\n", line);
        fflush(stderr);
    }
}

double al_wtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
