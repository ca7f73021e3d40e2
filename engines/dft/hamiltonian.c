/*
 * Application of the Kohn–Sham Hamiltonian (see hamiltonian.h).
 */
#include "engines/dft/hamiltonian.h"

#include "engines/dft/basis.h"
#include "engines/dft/terms/term.h"

al_status pw_ham_apply(const pw_ham *h, size_t nb, const double complex *psi,
                       double complex *hpsi, al_err *err)
{
    const pw_kbasis *kb = h->kb;
    size_t npw = kb->npw, nf = h->basis->nfft;
    for (size_t n = 0; n < nb; n++) {
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
