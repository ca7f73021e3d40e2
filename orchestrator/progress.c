/* Progress bars and lines for long stages (see progress.h). */
#include "orchestrator/progress.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

static int mode;              /* 0 auto, 1 on, 2 off */
static bool bar_shown;        /* a bar is on the terminal's last line */

void orc_progress_set_mode(int m) { mode = m; }

void orc_format_duration(double s, char *buf, size_t n)
{
    if (!isfinite(s) || s < 0) {
        snprintf(buf, n, "?");
        return;
    }
    long t = lround(s);
    if (t < 60)
        snprintf(buf, n, "%ld s", t);
    else if (t < 3600)
        snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
    else
        snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

void orc_progress_clear(void)
{
    if (!bar_shown) return;
    fputs("\r\033[K", stderr);
    bar_shown = false;
}

void orc_progress_begin(orc_progress *p, const char *what, size_t total)
{
    memset(p, 0, sizeof *p);
    snprintf(p->what, sizeof p->what, "%s", what);
    p->total = total;
    p->t0 = al_wtime();
    p->quiet_seconds = 5.0;
    p->bar = mode == 1 || (mode == 0 && isatty(STDERR_FILENO));
}

static void draw(orc_progress *p, double now)
{
    enum { WIDTH = 30 };
    double f = p->total ? (double)p->done / (double)p->total : 1.0;
    int filled = (int)(f * WIDTH);
    char bar[WIDTH + 1], el[32], eta[32];
    for (int i = 0; i < WIDTH; i++) bar[i] = i < filled ? '#' : '-';
    bar[WIDTH] = '\0';
    orc_format_duration(now - p->t0, el, sizeof el);
    orc_format_duration(p->done ? (now - p->t0) / (double)p->done * (double)(p->total - p->done) : NAN,
                        eta, sizeof eta);
    fprintf(stderr, "\r\033[K%s [%s] %zu/%zu  %s elapsed, %s left", p->what, bar, p->done, p->total, el, eta);
    fflush(stderr);
    bar_shown = true;
    p->last_draw = now;
}

void orc_progress_update(orc_progress *p, size_t done)
{
    p->done = done;
    double now = al_wtime();
    if (p->bar) {
        if (now - p->last_draw >= 0.2 || done == p->total) draw(p, now);
        return;
    }
    int tenth = p->total ? (int)(10 * done / p->total) : 10;
    if (tenth > p->last_tenth && done < p->total && now - p->t0 >= p->quiet_seconds) {
        char eta[32];
        orc_format_duration((now - p->t0) / (double)done * (double)(p->total - done), eta, sizeof eta);
        al_info("%s: %zu/%zu (%d %%), %s left", p->what, done, p->total, 10 * tenth, eta);
        p->last_tenth = tenth;
    }
}

void orc_progress_end(orc_progress *p)
{
    orc_progress_clear();
    char el[32];
    orc_format_duration(al_wtime() - p->t0, el, sizeof el);
    al_info("%s: %zu in %s", p->what, p->done, el);
}
