/*
 * Leveled logging with timestamps. The only global mutable state in galore (DESIGN.md):
 * the threshold level, the sink, and an optional rank prefix for MPI runs.
 * The default sink writes "2026-11-24 11:02:03.123 [info] message" to stderr.
 */
#ifndef AL_LOG_H
#define AL_LOG_H

#include <stdio.h>

typedef enum al_log_level {
    AL_LOG_DEBUG = 0,
    AL_LOG_INFO = 1,
    AL_LOG_WARN = 2,
    AL_LOG_ERROR = 3,
    AL_LOG_QUIET = 4
} al_log_level;

/* A sink receives every message at or above the threshold, already formatted (no newline). */
typedef void (*al_log_sink)(al_log_level level, const char *line, void *user);

void al_log_set_level(al_log_level level);
al_log_level al_log_get_level(void);
/* Replaces the sink; NULL restores the default stderr sink. */
void al_log_set_sink(al_log_sink sink, void *user);
/* Prefix added to every line, e.g. "rank 3"; NULL or "" for none. Copied. */
void al_log_set_prefix(const char *prefix);
/* Parses "debug", "info", "warn", "error", "quiet"; returns -1 when unknown. */
int al_log_level_parse(const char *name);
const char *al_log_level_name(al_log_level level);

void al_log(al_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define al_debug(...) al_log(AL_LOG_DEBUG, __VA_ARGS__)
#define al_info(...) al_log(AL_LOG_INFO, __VA_ARGS__)
#define al_warn(...) al_log(AL_LOG_WARN, __VA_ARGS__)
#define al_error(...) al_log(AL_LOG_ERROR, __VA_ARGS__)

/* Wall-clock seconds since an arbitrary fixed point (monotonic), for timing phases. */
double al_wtime(void);

#endif
