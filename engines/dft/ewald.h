/*
 * Ewald sum of point charges in a periodic cell with a neutralising uniform background
 * (Ewald, Ann. Phys. 369, 253 (1921); the forms used here follow Nielsen and Martin,
 * PRB 32, 3780 (1985), for the stress).
 *
 * Units: Hartree atomic units. Cell rows are the lattice vectors (bohr), positions bohr,
 * charges in e (positive for ions: Z_ion), energy Ha, forces Ha/bohr, stress Ha/bohr³ with
 * ABINIT's sign σ_ab = (1/Ω) ∂E/∂ε_ab (negative diagonal = the ions push the cell outwards).
 *
 *   E = ½ Σ'_{i,j,L} q_i q_j erfc(η|r_ij+L|)/|r_ij+L|                       (real space)
 *     + (2π/Ω) Σ_{G≠0} exp(−G²/4η²)/G² |Σ_j q_j e^{iG·r_j}|²                (reciprocal)
 *     − (η/√π) Σ_i q_i²                                                     (self)
 *     − π (Σ_i q_i)² / (2 Ω η²)                                             (background)
 * G = 0 convention: the divergent G = 0 term is dropped and the background term makes E
 * independent of η; this is the ion–ion energy ABINIT and Quantum ESPRESSO report ("Ewald"),
 * and matches a Hartree energy without its G = 0 term and the local-pseudopotential G = 0
 * term (epsatm) accounted for separately (see gth.h).
 * Both sums are truncated where the neglected terms are below 1e-16 relative to their scale,
 * so E is converged to better than 1e-10 Ha for any triclinic cell.
 */
#ifndef PW_EWALD_H
#define PW_EWALD_H

#include <stddef.h>

#include "core/status.h"

/*
 * Ewald energy (and optionally forces and stress; pass NULL for those not wanted) of n
 * charges. Chooses η from the cell. Errors: AL_EINVAL for a degenerate cell, n == 0 or two
 * charges at the same position (modulo lattice vectors); AL_ENOMEM.
 */
al_status pw_ewald(const double cell[3][3], size_t n, const double (*pos)[3],
                   const double *charge, double *energy, double (*forces)[3],
                   double stress[3][3], al_err *err);

/* Same with an explicit splitting parameter η (1/bohr, > 0); the result must not depend on it. */
al_status pw_ewald_eta(const double cell[3][3], size_t n, const double (*pos)[3],
                       const double *charge, double eta, double *energy, double (*forces)[3],
                       double stress[3][3], al_err *err);

#endif
