/*
 * Minimal SVG line plots for reports and `galore analyze`: axes with ticks, labelled series,
 * a legend. Self-contained files (no scripts, no external fonts), viewable in any browser.
 */
#ifndef ORC_SVG_PLOT_H
#define ORC_SVG_PLOT_H

#include <stddef.h>

#include "core/status.h"

typedef struct orc_series {
    const char *label;
    const double *x, *y;
    size_t n;
    int dashed;          /* reference curves are drawn dashed */
    int markers;         /* points (scatter, parity plots) instead of a line */
} orc_series;

typedef struct orc_plot {
    const char *title, *xlabel, *ylabel;   /* labels carry their units, e.g. "r (Å)" */
    const orc_series *series;
    size_t n_series;
} orc_plot;

/* Writes the plot to path (replaced atomically). */
al_status orc_svg_write(const char *path, const orc_plot *p, al_err *err);

#endif
