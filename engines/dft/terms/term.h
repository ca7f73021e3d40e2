/*
 * Energy terms of the Kohn–Sham functional in a plane-wave basis, one file each (as in
 * DFTK's src/terms): kinetic.c, local.c, nonlocal.c, hartree.c, xc.c, psp_correction.c; the
 * ion–ion term is ewald.c. Conventions (normalisation, G = 0) are those of scf_state.h.
 *
 *   E_kin  = Σ_k w_k Σ_n f_nk Σ_G |c_nk(G)|² |k+G|²/2
 *   E_loc  = Ω Σ_{G≠0} ρ(G)* v_loc(G),  v_loc(G) = (1/Ω) Σ_s V_s(|G|) Σ_{a∈s} e^{−iG·R_a}
 *   E_nl   = Σ_k w_k Σ_n f_nk Σ_{ij} ⟨ψ_nk|β_i⟩ D_ij ⟨β_j|ψ_nk⟩
 *   E_H    = (Ω/2) Σ_{G≠0} 4π |ρ(G)|²/G²
 *   E_xc   = ∫ ρ ε_xc(ρ, |∇ρ|)  (libxc, on the FFT grid)
 *   E_psp_core = (Σ_a epsatm_a) N_el / Ω   (the G = 0 limit of the local part)
 * Ihm, Zunger and Cohen, J. Phys. C 12, 4409 (1979); Payne et al., RMP 64, 1045 (1992).
 * Potentials on the FFT grid are restricted to the density sphere (basis->in_sphere).
 */
#ifndef PW_TERM_H
#define PW_TERM_H

#include "engines/dft/scf_state.h"

/* Kinetic energy of the occupied bands (uses state->k[].psi and .occ). */
double pw_kinetic_energy(const pw_basis *b, const pw_state *s);

/* Local pseudopotential: Fourier coefficients vloc_g and real-space values vloc_r (nfft each). */
void pw_local_potential(const pw_system *sys, const pw_basis *b, double complex *vloc_g,
                        double *vloc_r, double complex *work);
/* Ω Σ_G ρ(G)* v(G) for the density coefficients rho_g. */
double pw_local_energy(const pw_system *sys, const pw_basis *b, const double complex *rho_g,
                       const double complex *vloc_g);

/* Hartree potential (real space) and energy from the density coefficients rho_g. */
void pw_hartree(const pw_system *sys, const pw_basis *b, const double complex *rho_g,
                double *vh_r, double *energy, double complex *work);

/* The G = 0 term of the local pseudopotential (Ha). */
double pw_psp_core_energy(const pw_system *sys);

/* Non-local projectors at one k-point (allocates *nl; pw_nonlocal_fini frees). */
al_status pw_nonlocal_build(const pw_system *sys, const pw_kbasis *kb, pw_nonlocal_k *nl,
                            al_err *err);
void pw_nonlocal_fini(pw_nonlocal_k *nl);
/* hpsi += V_nl psi for nb bands; proj (nproj × nb, may be NULL) receives ⟨β|ψ⟩. */
al_status pw_nonlocal_apply(const pw_nonlocal_k *nl, size_t npw, size_t nb,
                            const double complex *psi, double complex *hpsi,
                            double complex *proj, al_err *err);
/* The same with the caller's work space of 2·nproj·nb values (NULL: allocated per call). */
al_status pw_nonlocal_apply_work(const pw_nonlocal_k *nl, size_t npw, size_t nb,
                                 const double complex *psi, double complex *hpsi,
                                 double complex *proj, double complex *work, al_err *err);
/* Σ_n occ_n ⟨ψ_n|V_nl|ψ_n⟩ for nb bands from their projections proj (nproj × nb). */
double pw_nonlocal_band_energy(const pw_nonlocal_k *nl, size_t nb, const double complex *proj,
                               const double *occ);

/* Exchange–correlation functionals through libxc. */
typedef enum pw_xc_kind { PW_XC_LDA_PADE = 0, PW_XC_LDA_PZ = 1, PW_XC_PBE = 2 } pw_xc_kind;
typedef struct pw_xc pw_xc;
al_status pw_xc_create(pw_xc_kind kind, pw_xc **out, al_err *err); /* spin-unpolarised */
/* nspin 1: unpolarised; 2: libxc's XC_POLARIZED form, evaluated by pw_xc_eval_spin. */
al_status pw_xc_create_spin(pw_xc_kind kind, int nspin, pw_xc **out, al_err *err);
int pw_xc_nspin(const pw_xc *xc);
void pw_xc_destroy(pw_xc *xc);
bool pw_xc_is_gga(const pw_xc *xc);
/*
 * Energy and potential for the real-space density rho (nfft). For a GGA the gradient and the
 * divergence of ∂f/∂∇ρ are taken in reciprocal space (White and Bird, PRB 50, 4954 (1994),
 * as ABINIT does). work: 4·nfft complex values from pw_fft_alloc.
 */
/* vsigma (nfft, may be NULL): ∂f/∂σ summed over the functionals (zeros for an LDA), for the
 * GGA stress term. */
al_status pw_xc_eval(const pw_xc *xc, const pw_system *sys, const pw_basis *b, const double *rho,
                     double *vxc, double *vsigma, double *energy, double complex *work,
                     al_err *err);
/*
 * The spin-polarised form (xc created with nspin 2): total density rho and magnetisation mag
 * (nfft each, ρ_σ = (ρ ± m)/2); vxc receives v_↑ then v_↓ (2 × nfft); vsigma (may be NULL)
 * the channels ∂f/∂σ↑↑, ∂f/∂σ↑↓, ∂f/∂σ↓↓ (3 × nfft; zeros for an LDA). Errors: AL_ENOMEM,
 * AL_EINVAL (an unpolarised xc).
 */
al_status pw_xc_eval_spin(const pw_xc *xc, const pw_system *sys, const pw_basis *b,
                          const double *rho, const double *mag, double *vxc, double *vsigma,
                          double *energy, al_err *err);

#endif
