/* Internal layout of gp_model shared by the GAP fit, prediction and file readers (gp/gap_*.c). */
#ifndef GP_GAP_MODEL_H
#define GP_GAP_MODEL_H

#include <stdint.h>

#include "core/neighbors.h"
#include "gp/gap.h"
#include "gp/sparse_gp.h"

typedef struct gp_desc_model {
    size_t dim, ns, first;     /* vector length, sparse points, offset in α */
    double *xs;                /* ns × dim sparse vectors */
    double *ws;                /* ns sparse cutoff weights (QUIP's sparseCutoff) */
    desc_soap *soap;           /* SOAP workspace (GP_KIND_SOAP) */
    /* SOAP, kept by a prediction for its force sigma: each centre's coefficients X and dot
     * products with the sparse points (rows in atom order) */
    double *coef, *dots;
    size_t cap_coef, cap_dots;
} gp_desc_model;

struct gp_model {
    gp_gap_spec spec;
    size_t m;                  /* all sparse points */
    gp_desc_model d[GP_MAX_DESC];
    double *alpha;             /* m */
    gp_dtc *dtc;               /* factors for the predictive variance (NULL for imported models) */
    uint64_t train_hash;       /* FNV-1a of the training frames (0 when unknown) */
    size_t n_train;            /* training frames (0 when unknown) */
    al_nlist nl;               /* reused between calls */
    desc_values dv;
    double *buf;               /* prediction scratch, grown on demand */
    size_t cap_buf;
};

/* Allocates an empty model with spec and the SOAP workspaces. */
al_status gp__model_new(const gp_gap_spec *spec, gp_model **out, al_err *err);
/* Allocates the sparse storage of descriptor d (ns points) and, once all are set, α. */
al_status gp__sparse_alloc(gp_model *m, size_t d, size_t ns, al_err *err);
al_status gp__alpha_alloc(gp_model *m, al_err *err);
/* The largest descriptor cutoff of a spec (Å). */
double gp__max_cutoff(const gp_gap_spec *s);
/* Descriptor values of descriptor d into m->dv, for the frame whose neighbour list m->nl holds. */
al_status gp__describe(gp_model *m, size_t d, const al_frame *f, al_err *err);
/* Grows m->buf to n doubles. */
al_status gp__scratch(gp_model *m, size_t n, al_err *err);
/* x^n for n >= 0. */
static inline double gp__ipow(double x, int n)
{
    double r = 1.0;
    for (; n > 0; n--) r *= x;
    return r;
}
/* Prior covariance k(x, x') of descriptor d (without cutoff weights). */
double gp__kernel_pair(const gp_model *m, size_t d, const double *x, const double *y);
/* Exact force standard deviations of the out->force_sigma_atoms atoms with the largest atom_sd
 * (n_atoms local-energy standard deviations) into out's force_sigma fields (gap_force_sigma.c).
 * Only within a prediction of f (gap_predict.c): needs m->nl built for f and what that
 * pass kept in m->d[].coef and .dots; overwrites m->dv. */
al_status gp__force_sigma(gp_model *m, const al_frame *f, const double *atom_sd, al_pot_result *out, al_err *err);
/* The DTC variances of the force components of the k given atoms into var (3k, eV²/Å², atom
 * outer). Needs m->nl built for f (the SOAP environments are expanded here); overwrites m->dv. */
al_status gp__force_var(gp_model *m, const al_frame *f, const size_t *atoms, size_t k, double *var, al_err *err);
/* Sparse points of every descriptor from the training frames (gap_sparse.c). */
al_status gp__choose_sparse(gp_model *m, const al_frame *frames, size_t n, al_err *err);
/* The block-diagonal K_MM (m×m, row-major, allocated). */
al_status gp__build_kmm(const gp_model *m, double **kmm, al_err *err);

#endif
