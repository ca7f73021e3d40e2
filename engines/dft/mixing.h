/*
 * Density mixing for the SCF fixed point ρ = F(ρ): Pulay/DIIS extrapolation over the last m
 * steps (Pulay, Chem. Phys. Lett. 73, 393 (1980); Kresse and Furthmüller, PRB 54, 11169
 * (1996), sec. V) with Kerker preconditioning of the residual (Kerker, PRB 23, 3082 (1981)):
 *   R_i = F(ρ_i) − ρ_i,  α = argmin ‖Σ α_i R_i‖ with Σ α_i = 1,
 *   ρ_next = Σ α_i ρ_i + K(Σ α_i R_i),  K(G) = β G²/(G² + q0²)  (K(0) = β).
 * The preconditioner is kept apart from the acceleration, as in DFTK's scf/mixing.jl.
 * With spin the mixed vector is (ρ, m): one Pulay history over both, Kerker on ρ only, plain
 * β on the magnetisation m = ρ↑ − ρ↓.
 */
#ifndef PW_MIXING_H
#define PW_MIXING_H

#include "engines/dft/scf_state.h"

typedef struct pw_mix_opts {
    double beta;   /* damping, 0 < β ≤ 1 */
    double q0;     /* Kerker wave vector (1/bohr); 0 disables Kerker */
    int history;   /* Pulay history length m (1 = simple preconditioned mixing) */
} pw_mix_opts;

pw_mix_opts pw_mix_opts_default(void); /* β 0.7, q0 0.8 bohr⁻¹, m 8 */

typedef struct pw_mixer pw_mixer;

al_status pw_mixer_create(const pw_mix_opts *o, size_t nfft, pw_mixer **out, al_err *err);
/* nspin = 2 mixes vectors of 2 × nfft values, ρ then m (scf_state.h's layout). */
al_status pw_mixer_create_spin(const pw_mix_opts *o, size_t nfft, int nspin, pw_mixer **out,
                               al_err *err);
void pw_mixer_destroy(pw_mixer *m);
/* Next input density from this step's input rho_in and output rho_out (real space, nspin ×
 * nfft); writes rho_next. Uses the basis' FFT and G vectors for Kerker. */
al_status pw_mixer_next(pw_mixer *m, const pw_basis *b, const double *rho_in,
                        const double *rho_out, double *rho_next, al_err *err);

#endif
