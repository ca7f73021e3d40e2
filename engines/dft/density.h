/*
 * Electron density and starting points of the SCF.
 *   ρ(r) = (1/Ω) Σ_k w_k Σ_n f_nk |Σ_G c_nk(G) e^{i(k+G)·r}|²   (∫_Ω ρ = N_el)
 * Initial density: a superposition of Gaussian atomic charges Z_ion exp(−r²/2σ²) with
 * σ = max(2 r_loc, 0.6 bohr), restricted to the density sphere and normalised to N_el.
 * Initial wavefunctions: seeded random coefficients damped by 1/(1 + |k+G|²)², reproducible.
 */
#ifndef PW_DENSITY_H
#define PW_DENSITY_H

#include "engines/dft/scf_state.h"

/* Allocates a state for nbands bands per k-point (zeroed arrays). */
al_status pw_state_create(const pw_system *sys, const pw_basis *b, size_t nbands,
                          pw_state **out, al_err *err);
void pw_state_destroy(pw_state *s);

/* ρ from the wavefunctions and occupations of s into rho (nfft); box: nfft work values. */
void pw_density_from_psi(const pw_system *sys, const pw_basis *b, const pw_state *s,
                         double *rho, double complex *box);
/* The Gaussian superposition into rho. */
void pw_density_guess(const pw_system *sys, const pw_basis *b, double *rho, double complex *box);
/* Random starting wavefunctions for every k-point. */
void pw_psi_guess(const pw_basis *b, pw_state *s, unsigned long seed);

#endif
