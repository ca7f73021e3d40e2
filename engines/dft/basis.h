/*
 * Plane-wave basis and FFT grid (data structures in scf_state.h).
 *
 * Basis of k-point k: all G with |k+G|²/2 ≤ ecut (Ha). Density sphere: |G| ≤ 2·√(2·ecut),
 * where ρ(G), the Hartree and the local potentials live (ABINIT's gsqcut with boxcut 2).
 * FFT grid (pw_basis_choose_grid): along a_d the density sphere reaches |m_d| ≤ R|a_d|/(2π)
 * with R = 2√(2 ecut); n_d is the smallest 2,3,5-smooth integer ≥ 2·R|a_d|/(2π), so that
 * products of two wavefunctions are represented without aliasing (ABINIT's boxcutmin = 2;
 * Si8 a = 10.263 bohr at 15 Ha gives 36³, fcc Al a = 7.653 bohr at 10 Ha gives 16³).
 */
#ifndef PW_BASIS_H
#define PW_BASIS_H

#include "engines/dft/kpoints.h"
#include "engines/dft/scf_state.h"

/* Reciprocal vectors (rows, a_i·b_j = 2π δ_ij) and volume. AL_EINVAL for a degenerate cell. */
al_status pw_cell_reciprocal(const double cell[3][3], double recip[3][3], double *omega,
                             al_err *err);

/* The FFT grid for ecut (Ha) as described above. */
void pw_basis_choose_grid(const double cell[3][3], double ecut, int n[3]);

/*
 * Builds the basis for the k-points kp (reduced coordinates, weights) on the grid `ngrid`
 * (NULL or zeros: choose automatically). Errors: AL_EINVAL when ecut ≤ 0 or a given grid is
 * too small for the wavefunction sphere (the message names the grid and the minimum);
 * AL_ENOMEM. *out is NULL on failure.
 */
al_status pw_basis_create(const pw_system *sys, double ecut, const int ngrid[3],
                          const pw_kpoints *kp, pw_basis **out, al_err *err);
void pw_basis_destroy(pw_basis *b);

/* Adds scale·box[G] into c (the sphere's coefficients from a transformed box). */
void pw_basis_gather_add(const pw_kbasis *kb, const double complex *box, double scale,
                         double complex *c);

#endif
