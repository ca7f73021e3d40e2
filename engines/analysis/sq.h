/*
 * Structure factors from pair correlations and directly from positions.
 *
 * Faber–Ziman partials (T. E. Faber and J. M. Ziman, Phil. Mag. 11, 153 (1965)):
 *     S_ab(k) = 1 + 4πρ ∫_0^{r_max} r² [g_ab(r) − 1] sin(kr)/(kr) W(r) dr,
 * with ρ the total number density and W the optional Lorch window sin(πr/r_max)/(πr/r_max)
 * (E. Lorch, J. Phys. C 2, 229 (1969)) that damps truncation ripples. The integral is a sum
 * over the g(r) bins with their exact shell volumes.
 * Bhatia–Thornton (A. B. Bhatia and D. E. Thornton, PRB 2, 3004 (1970)), binary systems:
 *     S_NN = Σ_ab c_a c_b S_ab,  S_NC = c1c2[c1(S11 − S12) − c2(S22 − S12)],
 *     S_CC = c1c2[1 + c1c2(S11 + S22 − 2S12)].
 * Total neutron and X-ray structure factors (Faber–Ziman form):
 *     S(k) = 1 + Σ_ab c_a c_b w_a w_b [S_ab(k) − 1] / (Σ_a c_a w_a)²,
 * with w the coherent scattering length (neutrons) or the atomic form factor f(k) (X-rays).
 * Direct: S(q) = |Σ_j exp(i q·r_j)|² / N for q on the reciprocal lattice of the cell.
 */
#ifndef AN_SQ_H
#define AN_SQ_H

#include <stdbool.h>
#include <stddef.h>

#include "core/frame.h"
#include "engines/analysis/rdf.h"

/* S_ab at nk wavenumbers k (Å⁻¹) into out. */
void an_sk_partial(const an_rdf *g, int a, int b, const double *k, size_t nk, bool lorch, double *out);

/* The same transform of a tabulated g at n ascending points r (Å) and number density rho
 * (Å⁻³): each point stands for the shell between the midpoints to its neighbours (the first and
 * last extend by half their spacing), so g(r) bins of an_rdf give exactly an_sk_partial. Points
 * where g is NaN contribute nothing; r_max of the Lorch window is the last shell's edge. */
void an_sk_tabulated(const double *r, const double *g, size_t n, double rho, const double *k, size_t nk,
                     bool lorch, double *out);
/* Bhatia–Thornton of a binary system from its partials (species 0 and 1). */
al_status an_sk_bhatia_thornton(const an_rdf *g, const double *k, size_t nk, bool lorch,
                                double *s_nn, double *s_nc, double *s_cc, al_err *err);

/* Coherent neutron scattering length of element z (fm); AL_ENOTFOUND when not tabulated. */
al_status an_neutron_length(int z, double *b_fm, al_err *err);
/* X-ray atomic form factor of element z at wavenumber k (Å⁻¹), in electrons. */
al_status an_xray_form_factor(int z, double k, double *f, al_err *err);

/* Total neutron (xray = false) or X-ray (xray = true) structure factor. */
al_status an_sk_total(const an_rdf *g, const double *k, size_t nk, bool lorch, bool xray, double *out,
                      al_err *err);

/* S(q) = |Σ exp(iq·r)|²/N for q = h·b1 + k·b2 + l·b3 (2π-scaled reciprocal vectors), and |q|. */
double an_sq_direct(const al_frame *f, const int hkl[3], double *q_norm);

#endif
