/*
 * Progress of long campaign stages (labels, MD, fits): on a terminal, a live bar on stderr
 * redrawn at most five times a second with the fraction done, the elapsed time and an
 * estimate of the time left; elsewhere (a batch job's log), a plain log line at every tenth of
 * the work once the work has taken more than a few seconds (short work stays quiet, its summary
 * line says enough). Log lines printed while a bar is shown first clear it (orc_progress_clear).
 */
#ifndef ORC_PROGRESS_H
#define ORC_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct orc_progress {
    char what[64];
    size_t total, done;
    double t0, last_draw;
    int last_tenth;
    double quiet_seconds;  /* no plain lines before this much time has passed (default 5 s) */
    bool bar;              /* drawing a live bar (stderr is a terminal and bars are enabled) */
} orc_progress;

/* Bars: 0 automatic (when stderr is a terminal), 1 always, 2 never (the campaign's
 * output.progress). */
void orc_progress_set_mode(int mode);

void orc_progress_begin(orc_progress *p, const char *what, size_t total);
void orc_progress_update(orc_progress *p, size_t done);
/* Ends the bar with one summary line in the log: "<what>: <total> in <time>". */
void orc_progress_end(orc_progress *p);
/* Erases a bar being shown, so that a log line can be printed in its place. */
void orc_progress_clear(void);

/* "1:02:03", "2:03" or "45 s". */
void orc_format_duration(double seconds, char *buf, size_t n);

#endif
