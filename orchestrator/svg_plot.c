/* SVG line plots (see svg_plot.h). */
#include "orchestrator/svg_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { W = 720, H = 440, LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 55 };

static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                      "#8c564b", "#e377c2", "#7f7f7f"};

/* A "nice" tick step for a range (1, 2 or 5 times a power of ten). */
static double nice_step(double range, int ticks)
{
    double raw = range / ticks, p = pow(10.0, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static void put_text(FILE *fp, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", fp);
        else if (*s == '>') fputs("&gt;", fp);
        else if (*s == '&') fputs("&amp;", fp);
        else fputc(*s, fp);
    }
}

static void range_of(const orc_plot *p, double *x0, double *x1, double *y0, double *y1)
{
    *x0 = *y0 = INFINITY;
    *x1 = *y1 = -INFINITY;
    for (size_t s = 0; s < p->n_series; s++)
        for (size_t i = 0; i < p->series[s].n; i++) {
            double x = p->series[s].x[i], y = p->series[s].y[i];
            if (!isfinite(x) || !isfinite(y)) continue;
            *x0 = fmin(*x0, x), *x1 = fmax(*x1, x), *y0 = fmin(*y0, y), *y1 = fmax(*y1, y);
        }
    if (!(*x1 > *x0)) *x0 -= 0.5, *x1 += 0.5;
    if (!(*y1 > *y0)) *y0 -= 0.5, *y1 += 0.5;
    double pad = 0.05 * (*y1 - *y0);
    *y0 -= pad, *y1 += pad;
}

static void axes(FILE *fp, const orc_plot *p, double x0, double x1, double y0, double y1)
{
    double pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
    fprintf(fp, "<rect x='%d' y='%d' width='%g' height='%g' fill='none' stroke='#333'/>\n", LEFT, TOP, pw, ph);
    double sx = nice_step(x1 - x0, 8), sy = nice_step(y1 - y0, 6);
    for (double v = ceil(x0 / sx) * sx; v <= x1 + 1e-9 * sx; v += sx) {
        double X = LEFT + (v - x0) / (x1 - x0) * pw;
        fprintf(fp, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#ddd'/>"
                    "<text x='%.1f' y='%d' font-size='12' text-anchor='middle'>%g</text>\n",
                X, TOP, X, H - BOTTOM, X, H - BOTTOM + 16, fabs(v) < 1e-12 * sx ? 0.0 : v);
    }
    for (double v = ceil(y0 / sy) * sy; v <= y1 + 1e-9 * sy; v += sy) {
        double Y = H - BOTTOM - (v - y0) / (y1 - y0) * ph;
        fprintf(fp, "<line x1='%d' y1='%.1f' x2='%g' y2='%.1f' stroke='#ddd'/>"
                    "<text x='%d' y='%.1f' font-size='12' text-anchor='end'>%g</text>\n",
                LEFT, Y, LEFT + pw, Y, LEFT - 6, Y + 4, fabs(v) < 1e-12 * sy ? 0.0 : v);
    }
    fprintf(fp, "<text x='%g' y='%d' font-size='14' text-anchor='middle'>", LEFT + pw / 2, H - 12);
    put_text(fp, p->xlabel);
    fprintf(fp, "</text>\n<text x='16' y='%g' font-size='14' text-anchor='middle' "
                "transform='rotate(-90 16 %g)'>", TOP + ph / 2, TOP + ph / 2);
    put_text(fp, p->ylabel);
    fprintf(fp, "</text>\n<text x='%g' y='24' font-size='15' text-anchor='middle'>", LEFT + pw / 2);
    put_text(fp, p->title);
    fputs("</text>\n", fp);
}

al_status orc_svg_write(const char *path, const orc_plot *p, al_err *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp) return al_fail(err, AL_EIO, "cannot write %s", tmp);
    double x0, x1, y0, y1, pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
    range_of(p, &x0, &x1, &y0, &y1);
    fprintf(fp, "<?xml version='1.0' encoding='UTF-8'?>\n<svg xmlns='http://www.w3.org/2000/svg' "
                "width='%d' height='%d' viewBox='0 0 %d %d' font-family='sans-serif'>\n"
                "<rect width='100%%' height='100%%' fill='white'/>\n", W, H, W, H);
    axes(fp, p, x0, x1, y0, y1);
    for (size_t s = 0; s < p->n_series; s++) {
        const orc_series *ser = &p->series[s];
        const char *c = colours[s % 8];
        if (ser->markers) {
            for (size_t i = 0; i < ser->n; i++) {
                if (!isfinite(ser->x[i]) || !isfinite(ser->y[i])) continue;
                fprintf(fp, "<circle cx='%.2f' cy='%.2f' r='2.5' fill='%s' fill-opacity='0.6'/>\n",
                        LEFT + (ser->x[i] - x0) / (x1 - x0) * pw,
                        H - BOTTOM - (ser->y[i] - y0) / (y1 - y0) * ph, c);
            }
        } else {
            fprintf(fp, "<polyline fill='none' stroke='%s' stroke-width='1.6'%s points='", c,
                    ser->dashed ? " stroke-dasharray='6 4'" : "");
            for (size_t i = 0; i < ser->n; i++) {
                if (!isfinite(ser->x[i]) || !isfinite(ser->y[i])) continue;
                fprintf(fp, "%.2f,%.2f ", LEFT + (ser->x[i] - x0) / (x1 - x0) * pw,
                        H - BOTTOM - (ser->y[i] - y0) / (y1 - y0) * ph);
            }
            fputs("'/>\n", fp);
        }
        double ly = TOP + 16 + 18.0 * s;
        if (ser->markers)
            fprintf(fp, "<circle cx='%g' cy='%g' r='3' fill='%s'/>", LEFT + pw - 137.5, ly, c);
        else
            fprintf(fp, "<line x1='%g' y1='%g' x2='%g' y2='%g' stroke='%s' stroke-width='2'%s/>",
                    LEFT + pw - 150, ly, LEFT + pw - 125, ly, c, ser->dashed ? " stroke-dasharray='6 4'" : "");
        fprintf(fp, "<text x='%g' y='%g' font-size='12'>", LEFT + pw - 118, ly + 4);
        put_text(fp, ser->label ? ser->label : "");
        fputs("</text>\n", fp);
    }
    fputs("</svg>\n", fp);
    if (fclose(fp) != 0 || rename(tmp, path) != 0) {
        remove(tmp);
        return al_fail(err, AL_EIO, "cannot write %s", path);
    }
    return AL_OK;
}
