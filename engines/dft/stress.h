/*
 * Stress tensor of the plane-wave engine (Nielsen and Martin, PRB 32, 3780 (1985)), with
 * ABINIT's sign σ_ab = (1/Ω) ∂E/∂ε_ab under the homogeneous strain r → (1+ε)r (negative
 * diagonal = the cell wants to expand = positive pressure P = −tr σ/3). Under strain the
 * Miller indices of every plane wave, the coefficients c_G, the occupations and Ω·ρ(G) stay
 * fixed, while k+G → (1−ε)(k+G) and Ω → (1+tr ε)Ω. Terms (each 1/Ω times):
 *   kinetic   −Σ_k w Σ_n f Σ_G |c_G|² q_a q_b                         (q = k+G)
 *   Hartree   −δ_ab E_H + Ω Σ_{G≠0} 4π |ρ(G)|² G_a G_b / G⁴
 *   XC        δ_ab (E_xc − ∫ v_xc ρ) − 2 ∫ (∂f/∂σ) ∂_aρ ∂_bρ          (σ = |∇ρ|², GGA only)
 *             with spin: δ_ab (E_xc − Σ_σ ∫ v_σ ρ_σ)
 *                        − Σ_{στ} ∫ (∂f/∂σ_στ)(∂_aρ_σ ∂_bρ_τ + ∂_bρ_σ ∂_aρ_τ), σ_στ = ∇ρ_σ·∇ρ_τ,
 *             over the three channels ↑↑, ↑↓, ↓↓ (libxc's polarised σ)
 *   local     −δ_ab E_loc − Σ_G Σ_a V_a'(|G|) (G_a G_b/|G|) Re[e^{−iG·R_a} ρ(G)*]
 *   non-local −δ_ab E_nl + Σ_k w Σ_n f 2 Re Σ_ij h_ij ⟨ψ|β_i⟩ ⟨∂_ab β_j|ψ⟩,
 *             ∂_ab β = −[f'(q) Y q_a q_b/q + ½ f (∂_a Y q_b + ∂_b Y q_a)] e^{−iq·R}/√Ω
 *   psp_core  −δ_ab E_psp_core                       (E_psp_core = Σ epsatm · N_el / Ω)
 *   Ewald     from pw_ewald
 * The kinetic and non-local sums run over both spin channels (occupations 0..1) with spin.
 * The smearing entropy has no explicit strain dependence. Units: Ha/bohr³.
 * With the (spin, k) pairs distributed over ranks (scf_state.h), the kinetic and non-local
 * helpers sum over this rank's pairs and pw_stress adds the ranks' parts (every rank must call
 * it); the other terms depend on the density only and are taken once.
 */
#ifndef PW_STRESS_H
#define PW_STRESS_H

#include <complex.h>

#include "engines/dft/scf_state.h"

typedef struct pw_stress_terms {
    double kinetic[3][3], hartree[3][3], xc[3][3], local[3][3], nonlocal[3][3];
    double ewald[3][3], psp_core[3][3];
} pw_stress_terms;

/* ∂E/∂ε of single terms (Ha, NOT divided by Ω), for tests and for pw_stress. */
void pw_stress_kinetic(const pw_basis *b, const pw_state *st, double s[3][3]);
/* Also returns E_H (Ha) of rho_g over b->in_sphere. */
void pw_stress_hartree(const pw_basis *b, double omega, const double complex *rho_g,
                       double *e_hartree, double s[3][3]);
al_status pw_stress_local(const pw_system *sys, const pw_basis *b,
                          const double complex *rho_g, double s[3][3], al_err *err);
al_status pw_stress_nonlocal(const pw_system *sys, const pw_basis *b, const pw_state *st,
                             double s[3][3], al_err *err);
/*
 * XC: exc = E_xc (Ha), vxc and rho on the grid; vsigma = ∂f/∂σ on the grid (libxc's vsigma,
 * σ = |∇ρ|²) for GGA, NULL for LDA. ∇ρ = FFT⁻¹[iG ρ(G)] over the whole grid with the
 * Nyquist planes left out. Errors: AL_ENOMEM.
 */
al_status pw_stress_xc(const pw_basis *b, double omega, const double *rho, const double *vxc,
                       double exc, const double *vsigma, double s[3][3], al_err *err);
/* The same for nspin channels: rho = [ρ, m] (nspin × nfft, scf_state.h), vxc = [v↑, v↓],
 * vsigma = [↑↑, ↑↓, ↓↓] (3 × nfft) with nspin = 2; nspin = 1 is pw_stress_xc. */
al_status pw_stress_xc_spin(const pw_basis *b, double omega, int nspin, const double *rho,
                            const double *vxc, double exc, const double *vsigma, double s[3][3],
                            al_err *err);

/*
 * Total stress (Ha/bohr³, ABINIT sign) of a converged state: st->rho (and m with spin), vxc,
 * energies st->e (xc, psp_core) and wavefunctions; vsigma as for pw_stress_xc_spin with the
 * state's nspin (NULL for LDA). Per-term
 * stresses (Ha/bohr³) into terms unless NULL. Errors: AL_ENOMEM, AL_EINVAL.
 */
al_status pw_stress(const pw_system *sys, const pw_basis *b, const pw_state *st,
                    const double *vsigma, double stress[3][3], pw_stress_terms *terms,
                    al_err *err);

/*
 * Label conversions (core/units.h, CODATA 2018): stress in GPa with the same sign (ASE's and
 * extxyz's stress, σ = (1/V)∂E/∂ε), and the virial in eV, W = −σ·Ω.
 */
void pw_stress_to_gpa(const double s[3][3], double gpa[3][3]);
void pw_stress_to_virial_ev(const double s[3][3], double omega, double virial_ev[3][3]);

#endif
