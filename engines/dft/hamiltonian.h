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
    /* borrowed, optional: veff in the FFT's slab order (pw_fft_slab_potential), for the fused
     * local-potential step; NULL: the separate transforms and product */
    const double *veff_slab;
    /* borrowed, optional: room for the non-local projections of nl_work_cols bands (2·nproj
     * values each), so that applying H allocates nothing; NULL: allocated per call */
    double complex *nl_work;
    size_t nl_work_cols;
} pw_ham;

/* hpsi = H psi for nb bands (npw × nb column-major). At Γ (kb->minus set) the bands must be
 * real functions, c(−G) = c(G)*, as the eigensolver keeps them. */
al_status pw_ham_apply(const pw_ham *h, size_t nb, const double complex *psi,
                       double complex *hpsi, al_err *err);

/*
 * Γ-point half-sphere form. Real wavefunctions obey c(−G) = c(G)*, so c(0) (real) and one
 * member G_p of each pair (G_p, −G_p) determine a band. A packed band is a real vector of n =
 * npw + 1 values: u_0 = c(0), u_{2p+1} = √2 Re c(G_p), u_{2p+2} = √2 Im c(G_p), and a final
 * zero (n is even, so a column is also n/2 complex numbers for code that counts in those). The
 * √2 makes Euclidean products of packed vectors equal to the Hermitian products of the full
 * spheres, Σ_G a(G)* b(G) = a_0 b_0 + 2 Σ_p Re(a_p* b_p), so an eigensolver can work on them
 * with real BLAS and half the data (as in QE's and ABINIT's Γ-point storage, istwfk 2).
 */
typedef struct pw_ham_real {
    const pw_ham *h;      /* borrowed; h->kb->minus must be set */
    size_t n;             /* reals per packed band (npw + 1, even) */
    size_t g0;            /* sphere index of G = 0 */
    size_t npair;
    size_t *rep;          /* npair: sphere index of G_p */
    double *kin;          /* n: |G|²/2 of each packed entry (0 for the pad) */
    double *beta;         /* n × nproj packed projectors (β is real in real space); NULL if none */
    double *scratch;      /* pw_ham_real_reserve's buffer for up to scratch_cols bands, or NULL */
    size_t scratch_cols;
} pw_ham_real;

/* Errors: AL_EINVAL (not a Γ basis), AL_ENOMEM. */
al_status pw_ham_real_init(const pw_ham *h, pw_ham_real *r, al_err *err);
void pw_ham_real_fini(pw_ham_real *r);
/* Keeps the work space of apply and project for up to nb bands, so that an SCF loop calling
 * them does not allocate (copies of r share it: use them one at a time). AL_ENOMEM. */
al_status pw_ham_real_reserve(pw_ham_real *r, size_t nb, al_err *err);
/* Full sphere x (npw × nb) ↔ packed u (n × nb); pack keeps the real part of each band
 * (the average of c(G) and c(−G)*). */
void pw_ham_real_pack(const pw_ham_real *r, size_t nb, const double complex *x, double *u);
void pw_ham_real_unpack(const pw_ham_real *r, size_t nb, const double *u, double complex *x);
/* The projections ⟨β_j|ψ_n⟩ (nproj × nb, real at Γ, stored as complex numbers) of nb bands
 * given on the full sphere, by a real product on packed columns (pw_nonlocal_apply's proj at
 * a quarter of its cost). AL_ENOMEM. */
al_status pw_ham_real_project(const pw_ham_real *r, size_t nb, const double complex *psi,
                              double complex *proj, al_err *err);
/* hu = H u for nb packed bands. */
al_status pw_ham_real_apply(const pw_ham_real *r, size_t nb, const double *u, double *hu,
                            al_err *err);

#endif
