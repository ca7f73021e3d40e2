/*
 * Application of the Kohn–Sham Hamiltonian (see hamiltonian.h), with two bands per FFT pair at
 * Γ where the wavefunctions are real.
 */
#include "engines/dft/hamiltonian.h"

#include <string.h>

#include "engines/dft/basis.h"
#include "engines/dft/terms/term.h"

/*
 * Γ with real wavefunctions (c(−G) = c(G)*, kb->minus set): two bands share one pair of FFTs.
 * ψ_a + iψ_b is transformed to real space, multiplied by the real v_eff, and transformed back
 * to F = A + iB, where A and B are the transforms of the real functions v_eff ψ_a and v_eff ψ_b:
 * A(G) = [F(G) + F(−G)*]/2, B(G) = [F(G) − F(−G)*]/(2i).
 */
static void local_pair(const pw_ham *h, const double complex *ca, const double complex *cb,
                       double complex *ha, double complex *hb)
{
    const pw_kbasis *kb = h->kb;
    size_t nf = h->basis->nfft;
    memset(h->box, 0, nf * sizeof *h->box);
    for (size_t g = 0; g < kb->npw; g++) h->box[kb->fft_index[g]] = ca[g] + I * cb[g];
    pw_fft_backward(h->basis->fft, h->box);
    for (size_t i = 0; i < nf; i++) h->box[i] *= h->veff[i];
    pw_fft_forward(h->basis->fft, h->box);
    for (size_t g = 0; g < kb->npw; g++) {
        double complex f = h->box[kb->fft_index[g]];
        double complex fm = conj(h->box[kb->fft_index[kb->minus[g]]]);
        ha[g] = kb->kin[g] * ca[g] + 0.5 * (f + fm);
        hb[g] = kb->kin[g] * cb[g] - 0.5 * I * (f - fm);
    }
}

al_status pw_ham_apply(const pw_ham *h, size_t nb, const double complex *psi,
                       double complex *hpsi, al_err *err)
{
    const pw_kbasis *kb = h->kb;
    size_t npw = kb->npw, nf = h->basis->nfft;
    size_t first = 0;
    if (kb->minus) {
        for (; first + 1 < nb; first += 2)
            local_pair(h, psi + first * npw, psi + (first + 1) * npw, hpsi + first * npw,
                       hpsi + (first + 1) * npw);
    }
    for (size_t n = first; n < nb; n++) {
        const double complex *c = psi + n * npw;
        double complex *hc = hpsi + n * npw;
        pw_basis_scatter(kb, c, h->box, nf);
        pw_fft_backward(h->basis->fft, h->box);
        for (size_t i = 0; i < nf; i++) h->box[i] *= h->veff[i];
        pw_fft_forward(h->basis->fft, h->box);
        for (size_t g = 0; g < npw; g++) hc[g] = kb->kin[g] * c[g] + h->box[kb->fft_index[g]];
    }
    AL_TRY(err, pw_nonlocal_apply(h->nl, npw, nb, psi, hpsi, NULL, err));
    return AL_OK;
}
