/* Internal layout of gp_model shared by the GAP fit and prediction (gp/gap_*.c). */
#ifndef GP_GAP_MODEL_H
#define GP_GAP_MODEL_H

#include <math.h>

#include "core/neighbors.h"
#include "gp/gap.h"
#include "gp/sparse_gp.h"

struct gp_model {
    gp_gap_spec spec;
    size_t m;                  /* all sparse points */
    size_t first[GP_MAX_2B];   /* index of each descriptor's first sparse point */
    double *xs;                /* sparse descriptor values (1-D for 2-body), m */
    double *ws;                /* sparse cutoff weights, m */
    double *alpha;             /* m */
    gp_dtc *dtc;               /* factors kept for the predictive variance */
    al_nlist nl;               /* reused between predictions */
    desc_values dv;
};

/* The largest descriptor cutoff of a spec (Å). */
double gp__max_cutoff(const gp_gap_spec *s);

/* Squared-exponential kernel of 2-body descriptor h and its derivative with respect to x. */
static inline double gp__k2b(const gp_2b_hyper *h, double x, double xs, double *dk_dx)
{
    double u = (x - xs) / h->theta;
    double k = h->delta * h->delta * exp(-0.5 * u * u);
    if (dk_dx) *dk_dx = -k * u / h->theta;
    return k;
}

#endif
