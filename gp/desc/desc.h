/*
 * Descriptors of atomic environments for GAP, with gradients.
 *
 * A descriptor turns a frame into instances; instance q has a vector x_q (dim values), a
 * cutoff weight c_q, a centre atom, and depends on interatomic vectors d = r_j + S·cell − r_i.
 * For each such vector it provides ∂x_q/∂d (dim × 3) and ∂c_q/∂d (3). Forces follow from
 * ∂/∂r_j = +∂/∂d and ∂/∂r_i = −∂/∂d, and the virial from −Σ d ⊗ ∂E/∂d; no separate cell
 * derivative is needed because x and c depend on positions only through the vectors d.
 *
 * The energy model (QUIP's): E = Σ_Z N_Z e0_Z + Σ_descriptors Σ_q c_q Σ_s α_s k(x_q, x_s) w_s,
 * with w_s the sparse point's own cutoff weight (docs/gap.md).
 */
#ifndef DESC_DESC_H
#define DESC_DESC_H

#include <stddef.h>

#include "core/frame.h"
#include "core/neighbors.h"
#include "core/status.h"

/* Instances with gradients; arrays owned by the struct (desc_values_fini). */
typedef struct desc_values {
    size_t n, dim;           /* instances and vector length */
    double *x;               /* n × dim */
    double *c;               /* n: cutoff weights */
    int *centre;             /* n: centre atom */
    size_t *goff;            /* n + 1: gradient entries of instance q are goff[q]..goff[q+1]−1 */
    size_t n_grad, cap_grad, cap, cap_dim;
    int *g_atom;             /* per entry: the atom j at the far end of vector d (centre is i) */
    double (*g_d)[3];        /* per entry: the vector d */
    double *g_dx;            /* per entry: ∂x/∂d, dim × 3 (row-major) */
    double (*g_dc)[3];       /* per entry: ∂c/∂d */
} desc_values;

void desc_values_init(desc_values *v);
void desc_values_fini(desc_values *v);

/* The cutoff function of libAtoms (thesis eq. 2.54): 1 below rc − w, ½[1 + cos(π(r − rc + w)/w)]
 * in the transition region, 0 beyond rc. Returns f and sets *df = df/dr. */
double desc_cutoff(double r, double rc, double w, double *df);

/* distance_2b between species z1 and z2: one instance per ordered pair (i, j, image) with
 * z_i = z1, z_j = z2 (both orders when z1 ≠ z2, as QUIP counts them) and r < cutoff; x = r,
 * c = desc_cutoff(r). nl must be built with at least this cutoff. */
typedef struct desc_2b_spec {
    int z1, z2;
    double cutoff, transition_width;   /* Å */
} desc_2b_spec;

al_status desc_2b_compute(const desc_2b_spec *s, const al_frame *f, const al_nlist *nl,
                          desc_values *out, al_err *err);
/* As desc_2b_compute, for the centres i with mask[i] != 0 only (mask: n_atoms flags, borrowed). */
al_status desc_2b_compute_some(const desc_2b_spec *s, const al_frame *f, const al_nlist *nl,
                               const unsigned char *mask, desc_values *out, al_err *err);

#endif
