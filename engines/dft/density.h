/*
 * Electron density and starting points of the SCF.
 *   ρ(r) = (1/Ω) Σ_σ Σ_k w_k Σ_n f_nkσ |Σ_G c_nkσ(G) e^{i(k+G)·r}|²   (∫_Ω ρ = N_el)
 * and with spin the magnetisation m = ρ↑ − ρ↓ (∫_Ω m = total moment in μB for g = 2).
 * Initial density: a superposition of Gaussian atomic charges Z_ion exp(−r²/2σ²) with
 * σ = max(2 r_loc, 0.6 bohr), restricted to the density sphere and normalised to N_el; the
 * initial magnetisation puts the same Gaussians with the starting moments m_a (μB) in place of
 * Z_ion, so atom a starts with (Z_ion ± m_a)/2 electrons per channel.
 * Initial wavefunctions: seeded random coefficients damped by 1/(1 + |k+G|²)², reproducible.
 */
#ifndef PW_DENSITY_H
#define PW_DENSITY_H

#include "engines/dft/scf_state.h"

/* Allocates a state for nbands bands per k-point and spin channel (nspin 1 or 2; zeroed
 * arrays). Errors: AL_EINVAL (nspin), AL_ENOMEM. */
al_status pw_state_create(const pw_system *sys, const pw_basis *b, size_t nbands, int nspin,
                          pw_state **out, al_err *err);
void pw_state_destroy(pw_state *s);

/* Shares the (spin, k) pairs of s among the ranks of comm (borrowed; NULL: none), as
 * scf_state.h describes. Every rank then runs the SCF, forces and stress together. */
void pw_state_set_comm(pw_state *s, const al_comm *comm);
/* ρ from the wavefunctions and occupations of s into rho (nfft), and with spin m into
 * rho + nfft; box (from pw_fft_alloc) and slab: nfft work values each. With a distributed
 * state, the part of this rank's pairs (pw_state_reduce adds them up). */
void pw_density_from_psi(const pw_system *sys, const pw_basis *b, const pw_state *s,
                         double *rho, double complex *box, double *slab);
/* The Gaussian superposition into rho. */
void pw_density_guess(const pw_system *sys, const pw_basis *b, double *rho, double complex *box);
/*
 * Adds ρ_at(sys) − ρ_at(prev) to rho (nfft): the change of the superposition of atomic
 * Gaussians (the unnormalised form of pw_density_guess) when the atoms move from prev's to
 * sys's positions. Both systems must have the same cell, atoms and species. A previous self-
 * consistent density moved this way keeps its bonding part and follows the atoms (the
 * atomic-density extrapolation of QE's pot_extrapolation = 'atomic'; Alfè, Comput. Phys.
 * Commun. 118, 31 (1999) extrapolates the same difference over several steps).
 */
void pw_density_move_atoms(const pw_system *prev, const pw_system *sys, const pw_basis *b,
                           double *rho, double complex *box);
/* The starting magnetisation of sys->magmom (zero when NULL) into mag, |m| ≤ rho. */
void pw_magnetization_guess(const pw_system *sys, const pw_basis *b, const double *rho,
                            double *mag, double complex *box);
/* Random starting wavefunctions for every k-point. */
void pw_psi_guess(const pw_basis *b, pw_state *s, unsigned long seed);

#endif
