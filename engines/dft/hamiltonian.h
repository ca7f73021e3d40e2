/*
 * The Kohn–Sham Hamiltonian at one k-point, H = −½∇² + v_eff(r) + V_nl, applied to blocks of
 * plane-wave coefficient vectors: the kinetic part is diagonal in G, the local effective
 * potential is applied on the FFT grid (ψ(G) → ψ(r), multiply, back), the non-local part by
 * two matrix products (terms/nonlocal.c). Payne et al., RMP 64, 1045 (1992), sec. III.
 */
#ifndef PW_HAMILTONIAN_H
#define PW_HAMILTONIAN_H

#include "engines/dft/scf_state.h"

typedef struct pw_ham {
    const pw_basis *basis;     /* borrowed */
    const pw_kbasis *kb;       /* borrowed */
    const pw_nonlocal_k *nl;   /* borrowed */
    const double *veff;        /* borrowed, nfft real-space values (Ha) */
    double complex *box;       /* work buffer of nfft values from pw_fft_alloc (borrowed) */
} pw_ham;

/* hpsi = H psi for nb bands (npw × nb column-major). At Γ (kb->minus set) the bands must be
 * real functions, c(−G) = c(G)*, as the eigensolver keeps them. */
al_status pw_ham_apply(const pw_ham *h, size_t nb, const double complex *psi,
                       double complex *hpsi, al_err *err);

#endif
