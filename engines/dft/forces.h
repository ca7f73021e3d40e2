/*
 * Hellmann–Feynman forces of the plane-wave engine: local pseudopotential, non-local
 * projectors and the ion–ion Ewald sum (Ihm, Zunger and Cohen, J. Phys. C 12, 4409 (1979);
 * Payne et al., Rev. Mod. Phys. 64, 1045 (1992), sec. V). With a complete SCF the density
 * and wavefunctions are stationary, so only the explicit dependence on the positions counts;
 * with smearing the occupations are those of the free-energy minimum, which needs no extra
 * term.
 *
 * Units: Hartree atomic units (Ha/bohr). Conventions of the data: scf_state.h.
 *   E_loc = Σ_{G∈sphere} Σ_a V_a(|G|) Re[e^{−iG·R_a} ρ(G)*]        (V_a = pw_gth_vloc_q)
 *   F_a^loc = −Σ_G V_a(|G|) Re[−iG e^{−iG·R_a} ρ(G)*]
 *   E_nl = Σ_k w_k Σ_n f_nk Σ_{a,l,m} Σ_ij h^l_ij ⟨ψ|β_ilm^a⟩⟨β_jlm^a|ψ⟩,
 *   ∂⟨β_j^a|ψ⟩/∂R_a = Σ_G i(k+G) β_j^a(G)* c_G            (β ∝ e^{−i(k+G)·R_a})
 *   F_a^nl = −Σ_k w_k Σ_n f_nk 2 Re Σ_ij h_ij ⟨ψ|β_i⟩ ∂⟨β_j|ψ⟩/∂R_a
 * The projectors are rebuilt here from gth.h and ylm_real.h (the (−i)^l phase is dropped, see
 * gth.h), so the result does not depend on how the SCF stores them.
 * Like ABINIT and Quantum ESPRESSO, pw_forces removes the average force so Σ_a F_a = 0 (on a
 * finite FFT grid the energy is not exactly invariant under translation; the drift is that
 * part). Assumptions on the state: every k-point stores the full plane-wave sphere (no
 * half-sphere storage at Γ), occupations are 0..2 without spin and 0..1 per channel with it
 * (the non-local sum runs over both channels; the local term needs the total density only);
 * st->rho is the density
 * the forces are taken for (the SCF's last input density, equal to the output one at
 * convergence). With the (spin, k) pairs distributed over ranks (scf_state.h),
 * pw_nonlocal_energy_forces sums over this rank's pairs and pw_forces adds the ranks' parts
 * (every rank must call it); the local and Ewald terms depend on the density and positions
 * only.
 */
#ifndef PW_FORCES_H
#define PW_FORCES_H

#include <complex.h>

#include "engines/dft/scf_state.h"

/* Per-term forces (Ha/bohr), each n_atoms × 3, owned by the caller (NULL = not wanted). */
typedef struct pw_force_terms {
    double (*local)[3];
    double (*nonlocal)[3];
    double (*ewald)[3];
} pw_force_terms;

/*
 * ρ(G) on the FFT grid (f(G) = (1/N) Σ_r f(r) e^{−iG·r}, fft.h) of the real density rho
 * (nfft values). rho_g holds b->nfft values. Errors: AL_ENOMEM.
 */
al_status pw_density_to_g(const pw_basis *b, const double *rho, double complex *rho_g,
                          al_err *err);

/*
 * Local-pseudopotential energy (Ha, G≠0 part, ABINIT's `local_psp`) of the density rho_g
 * over the G of b->in_sphere, and its forces, added into forces (n_atoms × 3) unless NULL.
 * Errors: AL_ENOMEM.
 */
al_status pw_local_energy_forces(const pw_system *sys, const pw_basis *b,
                                 const double complex *rho_g, double *energy,
                                 double (*forces)[3], al_err *err);
/* Internal (stress.c): energy, forces (added, may be NULL) and ∂E/∂ε (s, may be NULL). */
al_status pw__local_work(const pw_system *sys, const pw_basis *b, const double complex *rho_g,
                         double *energy, double (*forces)[3], double s[3][3], al_err *err);

/*
 * Non-local energy (Ha) of the wavefunctions and occupations of st (st->k[k].psi, occ; weights
 * from b->k[k].weight), with projectors rebuilt from sys, and its forces, added into forces
 * unless NULL. Errors: AL_ENOMEM.
 */
al_status pw_nonlocal_energy_forces(const pw_system *sys, const pw_basis *b,
                                    const pw_state *st, double *energy, double (*forces)[3],
                                    al_err *err);

/*
 * Total Hellmann–Feynman forces (Ha/bohr, n_atoms × 3, drift removed) of a converged state:
 * local (from st->rho), non-local and Ewald; per-term forces (before the drift is removed)
 * into terms unless NULL. Errors: AL_ENOMEM, AL_EINVAL (overlapping atoms in the Ewald sum).
 */
al_status pw_forces(const pw_system *sys, const pw_basis *b, const pw_state *st,
                    double (*forces)[3], pw_force_terms *terms, al_err *err);

#endif
