/*
 * The SOAP power spectrum, defined exactly as QUIP/GAP computes it so that models are
 * interchangeable (Bartók, Kondor, Csányi, PRB 87, 184115 (2013); the QUIP conventions are
 * spelled out in docs/gap.md):
 *  - radial basis: n_max Gaussians of the atoms' width σ centred at r_k = (k − 1)·r_b/n_max,
 *    r_b = r_c + σ sqrt(2·10·ln 10), orthonormalised with T = C⁻¹L (S = LLᵀ the overlap,
 *    C_kl = exp(−α(r_k − r_l)²), α = 1/2σ²); the neighbour density is interpolated on the grid:
 *    c_jln = f_c(r) Σ_k exp(−α(r² + r_k²)) i_l(2α r r_k) T_kn;
 *  - one density per neighbour species s of the list species_z (QUIP's species_Z; neighbours
 *    of other species are ignored): X_lm,(s,n) = Σ_{j of species s} c_jln Y_lm(r̂_j), plus the
 *    centre atom's Gaussian L_1n/sqrt(4π) in X_00,(s,n) for s the centre's own species (or for
 *    every s: QUIP's central_reference_all_species, its default when there is one species);
 *  - channels A = (s, n) are numbered s·n_max + n (species outer, as QUIP's rs_index);
 *    p_{A B l} = (2l+1)^(−1/2) Σ_m X_lm,A X_lm,B for B ≤ A, ×√2 when A ≠ B, ordered
 *    (A, B) = (1,1), (2,1), (2,2), … with l fastest, plus one trailing element;
 *  - normalised to unit length with the trailing element 0 (covariance_sigma0 = 0).
 * Dimension (l_max + 1)·K(K + 1)/2 + 1 with K = n_species·n_max channels.
 */
#ifndef DESC_SOAP_H
#define DESC_SOAP_H

#include "gp/desc/desc.h"

enum { DESC_SOAP_MAX_SPECIES = 8 };

/* Where the centre atom's own Gaussian goes (QUIP's central_reference_all_species). */
typedef enum desc_soap_central {
    DESC_SOAP_CENTRAL_DEFAULT = 0,   /* QUIP's default: every channel for one species, else OWN */
    DESC_SOAP_CENTRAL_OWN,           /* only the channel of the centre's species (F) */
    DESC_SOAP_CENTRAL_ALL            /* every species channel (T) */
} desc_soap_central;

/* Radial and angular resolution; the centre species z is also the only neighbour species
 * unless a species list is given (desc_soap_create_species). */
typedef struct desc_soap_spec {
    int z;                       /* species of the centres */
    double cutoff, transition_width, atom_sigma;   /* Å */
    int n_max, l_max;
} desc_soap_spec;

/* Neighbour species, in channel order (QUIP's n_species and species_Z), and where the centre
 * atom's Gaussian goes. n = 0 means the single species spec.z. */
typedef struct desc_soap_species {
    int n;
    int z[DESC_SOAP_MAX_SPECIES];
    desc_soap_central central;
} desc_soap_species;

typedef struct desc_soap desc_soap;

/* A single-species descriptor (neighbours of species spec->z only). */
al_status desc_soap_create(const desc_soap_spec *spec, desc_soap **out, al_err *err);
/* With the neighbour species list sp (borrowed; NULL or sp->n = 0: single species). AL_EINVAL
 * for more than DESC_SOAP_MAX_SPECIES species, repeated or invalid atomic numbers. */
al_status desc_soap_create_species(const desc_soap_spec *spec, const desc_soap_species *sp, desc_soap **out,
                                   al_err *err);
void desc_soap_destroy(desc_soap *s);
size_t desc_soap_dim(const desc_soap *s);
/* Length of one centre's coefficients X_lm,A: (l_max + 1)²·K values. */
size_t desc_soap_coef_len(const desc_soap *s);

/* One instance per atom of species z (c = 1), with gradients with respect to each neighbour
 * vector within the cutoff whose species is in the list. nl must cover the cutoff. */
al_status desc_soap_compute(desc_soap *s, const al_frame *f, const al_nlist *nl, desc_values *out,
                            al_err *err);

/*
 * The same instances with gradients contracted on the fly, for prediction: for each instance q
 * (centre atom `centre`, unit vector v), fn(user, q, centre, v, u) must write u = ∂ε_q/∂v (dim
 * values) for some scalar ε_q of the instance; then each gradient entry e of q receives
 * ∂ε_q/∂d_e (3 values at out->g_dx + 3e) instead of the dim × 3 Jacobian. Much cheaper than
 * desc_soap_compute when only forces and virials of an energy are needed.
 * coef: NULL, or room for one row of desc_soap_coef_len(s) values per atom of species z; row q
 * receives instance q's coefficients X, for desc_soap_columns on the same frame.
 */
typedef void (*desc_soap_weight_fn)(void *user, size_t q, int centre, const double *v, double *u);
al_status desc_soap_contract(desc_soap *s, const al_frame *f, const al_nlist *nl, desc_soap_weight_fn fn,
                             void *user, double *coef, desc_values *out, al_err *err);

/*
 * Jacobian columns of a few chosen atoms (chosen: n_atoms flags, borrowed), for the force
 * uncertainty: one instance per centre of species z that a chosen atom moves (a chosen centre,
 * or a centre with a chosen neighbour within the cutoff), in atom order, with one gradient entry
 * per chosen atom a that moves it: g_atom = a and g_dx = ∂x_q/∂r_a (dim × 3), summed over a's
 * periodic images in the environment; for the centre's own atom, minus the sum over its other
 * neighbours (its own images do not move). Unlike desc_soap_compute's entries, these are
 * derivatives with respect to atom positions, not vectors; g_d and g_dc are zero.
 * coef: NULL, or the coefficients desc_soap_contract kept for this frame and neighbour list;
 * then only the chosen atoms' own terms are evaluated, not whole environments.
 */
al_status desc_soap_columns(desc_soap *s, const al_frame *f, const al_nlist *nl, const unsigned char *chosen,
                            const double *coef, desc_values *out, al_err *err);

/* e^{−x} i_l(x) for l = 0..l_max (modified spherical Bessel functions of the first kind), and
 * their derivatives with respect to x when dout is not NULL. x >= 0. */
void desc_bessel_il_scaled(int l_max, double x, double *out, double *dout);

#endif
