/*
 * Band occupations (spin-degenerate, 0 ≤ f ≤ 2, or per spin channel, 0 ≤ f ≤ 1): fixed (insulators), Fermi–Dirac, Gaussian
 * (Fu and Ho, PRB 28, 5480 (1983)) and Marzari–Vanderbilt cold smearing (Marzari, Vanderbilt,
 * De Vita, Payne, PRL 82, 3296 (1999)). With x = (ε − μ)/σ, per spin:
 *   Fermi–Dirac  f = 1/(1+eˣ),          s(x) = f ln f + (1−f) ln(1−f)
 *   Gaussian     f = ½ erfc(x),         s(x) = −e^{−x²}/(2√π)
 *   cold (MV)    f = ½ erfc(u) + e^{−u²}/√(2π), s(x) = −u e^{−u²}/√(2π),  u = x + 1/√2
 * and the smearing term of the free energy F = E + entropy is entropy = −TS = 2σ Σ_k w_k Σ_n
 * s(x_nk) without spin, σ Σ_spin Σ_k w_k Σ_n s(x_nkσ) with two channels (one μ for both). Zero-width estimate: (E + F)/2 for Fermi–Dirac and Gaussian (Gillan, J. Phys.
 * Condens. Matter 1, 689 (1989)), F for cold smearing (whose F is already σ-insensitive),
 * E for fixed occupations.
 */
#ifndef PW_OCCUPATION_H
#define PW_OCCUPATION_H

#include <stddef.h>

#include "core/status.h"

typedef enum pw_smearing {
    PW_SMEAR_NONE = 0,    /* fixed occupations: the lowest N_el/2 bands of every k-point */
    PW_SMEAR_FERMI_DIRAC,
    PW_SMEAR_GAUSSIAN,
    PW_SMEAR_COLD
} pw_smearing;

/*
 * Occupations occ[k·nb + n] for eigenvalues eig (same layout, Ha) of nk k-points with weights
 * w (sum 1), so that Σ w_k Σ_n occ = n_el. Sets *fermi (μ; the highest occupied eigenvalue for
 * fixed occupations) and *entropy (−TS, Ha; 0 when fixed). Errors: AL_EINVAL when the bands
 * cannot hold n_el electrons, or σ ≤ 0 with smearing.
 */
al_status pw_occupations(pw_smearing kind, double sigma, double n_el, size_t nk, const double *w,
                         size_t nb, const double *eig, double *occ, double *fermi,
                         double *entropy, al_err *err);

/*
 * The same for nspin = 1 (as above) or 2 channels: eig and occ hold nspin × nk × nb values,
 * spin-major, with w per k-point (nk). With spin each band holds at most one electron; fixed
 * occupations (N_el a whole number) fill n↑ and n↓ bands at every k-point with n↑ + n↓ = N_el,
 * choosing the split of lowest band energy (so the moment follows from the eigenvalues).
 */
al_status pw_occupations_spin(pw_smearing kind, double sigma, double n_el, int nspin, size_t nk,
                              const double *w, size_t nb, const double *eig, double *occ,
                              double *fermi, double *entropy, al_err *err);

/* Per-spin occupation f(x) and entropy function s(x) of the kind (exposed for tests). */
double pw_smear_occ(pw_smearing kind, double x);
double pw_smear_entropy(pw_smearing kind, double x);

/* Zero-width energy estimate from internal energy e and free energy f. */
double pw_smear_zero_width(pw_smearing kind, double e, double f);

#endif
