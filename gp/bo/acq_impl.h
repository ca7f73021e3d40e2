/*
 * Internals of the acquisition maximisation (gp/bo/acquisition.c), used by gp/bo/bo.c.
 */
#ifndef BO_ACQ_IMPL_H
#define BO_ACQ_IMPL_H

#include "gp/bo/bo_impl.h"

typedef struct bo__acq_ctx {
    size_t d;
    const bo_gp *gp;
    const bo_opts *opts;
    double best;          /* f*: lowest value observed (raw units) */
    double xi;            /* EI margin in raw units: opts->xi × standard deviation of the data */
} bo__acq_ctx;

typedef struct bo__cand {
    double u[BO_MAX_DIM];
    double value;         /* acquisition */
    size_t order;         /* tie-break: generation order */
} bo__cand;

/* Acquisition at u (to be maximised) and its gradient (d values, may be NULL). */
double bo__acq_value(const bo__acq_ctx *c, const double *u, double *grad);

/* Candidates in order of decreasing acquisition: local optima first, then every scored
 * random point (see acquisition.c). *out is allocated (al_free). u_best: n_best × d. */
al_status bo__acq_maximize(const bo__acq_ctx *c, const double *u_best, size_t n_best,
                           al_rng *rng, bo__cand **out, size_t *n_out, al_err *err);

#endif
