/*
 * Monkhorst–Pack k-point grids (Monkhorst and Pack, PRB 13, 5188 (1976)), Γ-centred or
 * shifted, reduced by time reversal (ψ_{−k} = ψ_k*, so k and −k give the same energy).
 *
 * k-points are in reduced coordinates (units of the reciprocal lattice vectors b_i, with
 * a_i·b_j = 2π δ_ij), each component in (−½, ½]. Grid point n (0 ≤ n_i < grid_i) is
 *   k_i = (n_i + shift_i) / grid_i,
 * so shift = 0 gives the Γ-centred grid and shift = ½ the half-step shift (ABINIT's shiftk,
 * and the original Monkhorst–Pack grid for even grid_i). Weights sum to 1.
 */
#ifndef PW_KPOINTS_H
#define PW_KPOINTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

typedef struct pw_kpoints {
    size_t n;
    double (*k)[3];  /* reduced coordinates, owned */
    double *w;       /* weights, sum 1, owned */
    bool gamma_only; /* true when the set is the single point k = 0 (real wavefunctions) */
} pw_kpoints;

/*
 * Fills *out (caller storage; release with pw_kpoints_fini) with the grid grid[0]×grid[1]×grid[2]
 * shifted by shift (NULL = no shift, units of one grid step, each in [0, 1)), merging k with
 * −k (modulo reciprocal lattice vectors) when time_reversal is true. Order: first occurrence
 * in the loop n_0 outer, n_2 inner. Errors: AL_EINVAL for grid_i < 1 or a shift out of range.
 */
al_status pw_kpoints_mp(const int grid[3], const double shift[3], bool time_reversal,
                        pw_kpoints *out, al_err *err);

/* The Γ point alone (weight 1, gamma_only true). */
al_status pw_kpoints_gamma(pw_kpoints *out, al_err *err);

/* Frees the arrays and zeroes *kp (NULL-safe; fini twice is allowed). */
void pw_kpoints_fini(pw_kpoints *kp);

#endif
