/*
 * Hartree term: v_H(G) = 4π ρ(G)/G² for G ≠ 0 in the density sphere (the G = 0 term is
 * cancelled by the ionic background, scf_state.h), E_H = (Ω/2) Σ_G 4π |ρ(G)|²/G².
 */
#include "engines/dft/terms/term.h"
#include "core/units.h"

void pw_hartree(const pw_system *sys, const pw_basis *b, const double complex *rho_g,
                double *vh_r, double *energy, double complex *work)
{
    double e = 0.0;
    for (size_t i = 0; i < b->nfft; i++) {
        work[i] = 0.0;
        if (!b->in_sphere[i]) continue;
        double k = 4.0 * AL_PI / b->g2[i];
        work[i] = k * rho_g[i];
        e += k * (creal(rho_g[i]) * creal(rho_g[i]) + cimag(rho_g[i]) * cimag(rho_g[i]));
    }
    *energy = 0.5 * sys->omega * e;
    pw_fft_backward(b->fft, work);
    for (size_t i = 0; i < b->nfft; i++) vh_r[i] = creal(work[i]);
}
