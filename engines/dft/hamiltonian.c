/*
 * Application of the Kohn–Sham Hamiltonian (see hamiltonian.h), with two bands per FFT pair at
 * Γ where the wavefunctions are real.
 */
#include "engines/dft/hamiltonian.h"

#include <cblas.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/alloc.h"
#include "engines/dft/basis.h"
#include "engines/dft/terms/term.h"

/* The box before the coefficients are set: zero where the sphere transforms read it. */
static void clear_box(const pw_ham *h)
{
    if (h->veff_slab) pw_fft_clear_box(h->basis->fft, h->box);
    else memset(h->box, 0, h->basis->nfft * sizeof *h->box);
}

/* box ← the local potential applied to the sphere coefficients in it (normalised forward). */
static void apply_local(const pw_ham *h)
{
    pw_fft *fft = h->basis->fft;
    if (h->veff_slab) {
        pw_fft_sphere_local(fft, h->box, h->veff_slab);
        return;
    }
    size_t nf = h->basis->nfft;
    pw_fft_backward_sphere(fft, h->box);
    for (size_t i = 0; i < nf; i++) h->box[i] *= h->veff[i];
    pw_fft_forward_sphere(fft, h->box);
}

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
    clear_box(h);
    for (size_t g = 0; g < kb->npw; g++) h->box[kb->fft_index[g]] = ca[g] + I * cb[g];
    apply_local(h);
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
    size_t npw = kb->npw;
    size_t first = 0;
    if (kb->minus) {
        for (; first + 1 < nb; first += 2)
            local_pair(h, psi + first * npw, psi + (first + 1) * npw, hpsi + first * npw,
                       hpsi + (first + 1) * npw);
    }
    for (size_t n = first; n < nb; n++) {
        const double complex *c = psi + n * npw;
        double complex *hc = hpsi + n * npw;
        clear_box(h);
        for (size_t g = 0; g < npw; g++) h->box[kb->fft_index[g]] = c[g];
        apply_local(h);
        for (size_t g = 0; g < npw; g++) hc[g] = kb->kin[g] * c[g] + h->box[kb->fft_index[g]];
    }
    double complex *work = nb <= h->nl_work_cols ? h->nl_work : NULL;
    AL_TRY(err, pw_nonlocal_apply_work(h->nl, npw, nb, psi, hpsi, NULL, work, err));
    return AL_OK;
}

/* ---- Γ-point half-sphere form (hamiltonian.h) ---- */

static const double SQRT2 = 1.41421356237309504880, SQRT1_2 = 0.70710678118654752440;

al_status pw_ham_real_init(const pw_ham *h, pw_ham_real *r, al_err *err)
{
    const pw_kbasis *kb = h->kb;
    memset(r, 0, sizeof *r);
    r->h = h;
    if (!kb->minus) return al_fail(err, AL_EINVAL, "half-sphere form: not a Γ-point basis");
    size_t npw = kb->npw, np = h->nl->nproj;
    r->n = npw + 1 + (npw % 2 == 0); /* npw is odd (G = 0 plus pairs); keep n even anyway */
    r->rep = al_malloc((npw / 2 + 1) * sizeof *r->rep);
    r->kin = al_calloc(r->n, sizeof *r->kin);
    if (np) r->beta = al_malloc(r->n * np * sizeof *r->beta);
    if (!r->rep || !r->kin || (np && !r->beta)) {
        pw_ham_real_fini(r);
        return al_fail(err, AL_ENOMEM, "half-sphere form: out of memory");
    }
    r->g0 = (size_t)-1;
    for (size_t g = 0; g < npw; g++) {
        if (kb->minus[g] == g) r->g0 = g;
        else if (kb->minus[g] > g) r->rep[r->npair++] = g;
    }
    if (r->g0 == (size_t)-1 || 1 + 2 * r->npair != npw) {
        pw_ham_real_fini(r);
        return al_fail(err, AL_EINVAL, "half-sphere form: the sphere is not symmetric under G -> -G");
    }
    r->kin[0] = kb->kin[r->g0];
    for (size_t p = 0; p < r->npair; p++)
        r->kin[2 * p + 1] = r->kin[2 * p + 2] = kb->kin[r->rep[p]];
    if (np) pw_ham_real_pack(r, np, h->nl->beta, r->beta);
    return AL_OK;
}

void pw_ham_real_fini(pw_ham_real *r)
{
    al_free(r->rep);
    al_free(r->kin);
    al_free(r->beta);
    al_free(r->scratch);
    r->rep = NULL;
    r->kin = r->beta = r->scratch = NULL;
    r->scratch_cols = 0;
}

/* Reals of work space for nb bands: project's packed copy and projections, which also covers
 * apply's projections P and D P. */
static size_t scratch_size(const pw_ham_real *r, size_t nb)
{
    size_t np = r->h->nl->nproj;
    return (r->n + np) * nb > 2 * np * nb ? (r->n + np) * nb : 2 * np * nb;
}

al_status pw_ham_real_reserve(pw_ham_real *r, size_t nb, al_err *err)
{
    if (nb <= r->scratch_cols) return AL_OK;
    double *p = al_malloc((scratch_size(r, nb) ? scratch_size(r, nb) : 1) * sizeof *p);
    if (!p) return al_fail(err, AL_ENOMEM, "half-sphere form: out of memory for %zu bands", nb);
    al_free(r->scratch);
    r->scratch = p;
    r->scratch_cols = nb;
    return AL_OK;
}

/* The reserved work space when it is large enough, else a new buffer (*owned set). */
static double *work_space(const pw_ham_real *r, size_t nb, bool *owned)
{
    *owned = nb > r->scratch_cols;
    return *owned ? al_malloc(scratch_size(r, nb) * sizeof(double)) : r->scratch;
}

void pw_ham_real_pack(const pw_ham_real *r, size_t nb, const double complex *x, double *u)
{
    const pw_kbasis *kb = r->h->kb;
    size_t npw = kb->npw;
    for (size_t j = 0; j < nb; j++) {
        const double complex *c = x + j * npw;
        double *v = u + j * r->n;
        v[0] = creal(c[r->g0]);
        for (size_t p = 0; p < r->npair; p++) {
            size_t g = r->rep[p];
            double complex a = (c[g] + conj(c[kb->minus[g]])) * (0.5 * SQRT2);
            v[2 * p + 1] = creal(a);
            v[2 * p + 2] = cimag(a);
        }
        for (size_t i = 2 * r->npair + 1; i < r->n; i++) v[i] = 0.0;
    }
}

void pw_ham_real_unpack(const pw_ham_real *r, size_t nb, const double *u, double complex *x)
{
    const pw_kbasis *kb = r->h->kb;
    size_t npw = kb->npw;
    for (size_t j = 0; j < nb; j++) {
        double complex *c = x + j * npw;
        const double *v = u + j * r->n;
        c[r->g0] = v[0];
        for (size_t p = 0; p < r->npair; p++) {
            size_t g = r->rep[p];
            double complex a = (v[2 * p + 1] + I * v[2 * p + 2]) * SQRT1_2;
            c[g] = a;
            c[kb->minus[g]] = conj(a);
        }
    }
}

/* Local part plus kinetic energy of two packed bands (ub, hb NULL: one band), one FFT pair:
 * ψ_a + iψ_b to real space, times v_eff, back, and split as in local_pair. */
static void local_pair_real(const pw_ham_real *r, const double *ua, const double *ub, double *ha,
                            double *hb)
{
    const pw_ham *h = r->h;
    const pw_kbasis *kb = h->kb;
    const size_t *fi = kb->fft_index;
    double complex *box = h->box;
    clear_box(h);
    box[fi[r->g0]] = ua[0] + I * (ub ? ub[0] : 0.0);
    for (size_t p = 0; p < r->npair; p++) {
        size_t g = r->rep[p];
        double complex ca = (ua[2 * p + 1] + I * ua[2 * p + 2]) * SQRT1_2;
        double complex cb = ub ? (ub[2 * p + 1] + I * ub[2 * p + 2]) * SQRT1_2 : 0.0;
        box[fi[g]] = ca + I * cb;
        box[fi[kb->minus[g]]] = conj(ca) + I * conj(cb);
    }
    apply_local(h);
    double complex f0 = box[fi[r->g0]];
    ha[0] = r->kin[0] * ua[0] + creal(f0);
    if (hb) hb[0] = r->kin[0] * ub[0] + cimag(f0);
    for (size_t p = 0; p < r->npair; p++) {
        size_t g = r->rep[p], i1 = 2 * p + 1, i2 = 2 * p + 2;
        double complex f = box[fi[g]], fm = conj(box[fi[kb->minus[g]]]);
        double complex a = (f + fm) * (0.5 * SQRT2);
        ha[i1] = r->kin[i1] * ua[i1] + creal(a);
        ha[i2] = r->kin[i2] * ua[i2] + cimag(a);
        if (hb) {
            double complex bb = -I * (f - fm) * (0.5 * SQRT2);
            hb[i1] = r->kin[i1] * ub[i1] + creal(bb);
            hb[i2] = r->kin[i2] * ub[i2] + cimag(bb);
        }
    }
    for (size_t i = 2 * r->npair + 1; i < r->n; i++) {
        ha[i] = 0.0;
        if (hb) hb[i] = 0.0;
    }
}

al_status pw_ham_real_apply(const pw_ham_real *r, size_t nb, const double *u, double *hu,
                            al_err *err)
{
    size_t n = r->n;
    for (size_t j = 0; j < nb; j += 2) {
        bool two = j + 1 < nb;
        local_pair_real(r, u + j * n, two ? u + (j + 1) * n : NULL, hu + j * n,
                        two ? hu + (j + 1) * n : NULL);
    }
    const pw_nonlocal_k *nl = r->h->nl;
    size_t np = nl->nproj;
    if (np == 0 || nb == 0) return AL_OK;
    /* P = βᵀu (the projections ⟨β|ψ⟩, real at Γ), Q = D P, hu += β Q */
    bool owned;
    double *pq = work_space(r, nb, &owned);
    if (!pq) return al_fail(err, AL_ENOMEM, "non-local projectors: out of memory");
    double *q = pq + np * nb;
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)np, (int)nb, (int)n, 1.0, r->beta,
                (int)n, u, (int)n, 0.0, pq, (int)np);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)np, (int)nb, (int)np, 1.0, nl->d,
                (int)np, pq, (int)np, 0.0, q, (int)np);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)nb, (int)np, 1.0, r->beta,
                (int)n, q, (int)np, 1.0, hu, (int)n);
    if (owned) al_free(pq);
    return AL_OK;
}

al_status pw_ham_real_project(const pw_ham_real *r, size_t nb, const double complex *psi,
                              double complex *proj, al_err *err)
{
    size_t np = r->h->nl->nproj, n = r->n;
    if (np == 0 || nb == 0) return AL_OK;
    bool owned;
    double *u = work_space(r, nb, &owned);
    if (!u) return al_fail(err, AL_ENOMEM, "non-local projectors: out of memory");
    double *p = u + n * nb;
    pw_ham_real_pack(r, nb, psi, u);
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)np, (int)nb, (int)n, 1.0, r->beta,
                (int)n, u, (int)n, 0.0, p, (int)np);
    for (size_t i = 0; i < np * nb; i++) proj[i] = p[i];
    if (owned) al_free(u);
    return AL_OK;
}
