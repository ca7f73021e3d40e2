/*
 * Block Davidson with a non-orthogonal basis (Davidson, J. Comput. Phys. 17, 87 (1975); the
 * block form with overlap used by plane-wave codes, e.g. Kresse and Furthmüller, PRB 54, 11169
 * (1996), sec. V.A): the basis V grows by the preconditioned residuals of the bands not yet
 * converged, and Rayleigh–Ritz solves the generalized problem (VᴴHV) c = ε (VᴴV) c, so that
 * no vector is ever orthonormalised against the basis. Per added block this costs the two new
 * columns of VᴴHV and VᴴV, against LOBPCG's three orthonormalisations and its larger
 * Rayleigh–Ritz; converged bands get no new vectors and are not looked at again. When the
 * basis is full it restarts from the current Ritz vectors.
 *
 * A correction that is almost inside the span of the basis would make VᴴV ill-conditioned;
 * the Cholesky factor shows it (a small pivot is the part of a new unit vector outside the
 * span of the previous ones). Then the basis restarts from the Ritz vectors and the block is
 * orthonormalised against them explicitly, dropping the dependent directions.
 */
#include "engines/dft/davidson.h"

#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "engines/dft/subspace.h"

/* Basis size, in blocks of nb vectors (QE's diago_david_ndim default is 2; a third block
 * halves the number of restarts for ~30 % more memory). */
enum { BASIS_BLOCKS = 4 };

/* Smallest accepted Cholesky pivot of the overlap of unit vectors: the component of a new
 * vector outside the previous ones. Above it the Ritz vectors are orthonormal to ~1e-12. */
static const double MIN_PIVOT = 1e-4;


struct pw_davidson_ws {
    pw_blk s;
    size_t npw_max, nb, nmax;
    pw_dc *v, *hv;   /* npw × nmax: basis and H times it */
    double *hs, *ss; /* nmax × nmax (leading dimension nmax): VᴴHV, VᴴV, real parts */
    double *hsi, *ssi; /* their imaginary parts (zero at Γ) */
    pw_dc *c;        /* nmax × nmax Ritz coefficients, leading dimension nmax */
    double *e;       /* nmax Ritz values */
    pw_dc *red;      /* nmax² scratch for the reduced matrices */
    int *conv;       /* nb flags */
    double *kin;     /* 2·npw_max: the preconditioner's kinetic energies off Γ */
    /* per call */
    pw_blk_ham bh;
    size_t nbase;
    bool ritz;       /* the basis is the nb Ritz vectors themselves (c = I) */
};
typedef pw_davidson_ws dav;

static pw_dc mat(const dav *d, const double *re, const double *im, size_t i, size_t j)
{
    size_t k = j * d->nmax + i;
    return d->s.real ? re[k] : re[k] + I * im[k];
}

/*
 * Generalized eigenproblem of the leading k × k blocks of hs and ss by Cholesky reduction:
 * ss = UᴴU, A = U⁻ᴴ hs U⁻¹, A y = ε y, c = U⁻¹ y. Returns 0, 1 for a pivot below MIN_PIVOT
 * (nearly dependent basis) or -1 if LAPACK fails.
 */
static int ritz(dav *d, size_t k)
{
    pw_blk *s = &d->s;
    pw_dc *u = s->small2, *a = s->small;
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; i < k; i++) {
            u[j * k + i] = mat(d, d->ss, d->ssi, i, j);
            a[j * k + i] = mat(d, d->hs, d->hsi, i, j);
        }
    lapack_int info;
    if (s->real) {
        double *ur = s->r1, *ar = s->r2;
        for (size_t i = 0; i < k * k; i++) ur[i] = creal(u[i]), ar[i] = creal(a[i]);
        info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (int)k, ur, (int)k);
        for (size_t i = 0; info == 0 && i < k; i++)
            if (!(ur[i * k + i] > MIN_PIVOT)) return 1;
        if (info > 0) return 1;
        if (info == 0) info = LAPACKE_dsygst(LAPACK_COL_MAJOR, 1, 'U', (int)k, ar, (int)k, ur, (int)k);
        for (size_t i = 0; i < k * k; i++) u[i] = ur[i], a[i] = ar[i];
    } else {
        info = LAPACKE_zpotrf(LAPACK_COL_MAJOR, 'U', (int)k, u, (int)k);
        for (size_t i = 0; info == 0 && i < k; i++)
            if (!(creal(u[i * k + i]) > MIN_PIVOT)) return 1;
        if (info > 0) return 1;
        if (info == 0) info = LAPACKE_zhegst(LAPACK_COL_MAJOR, 1, 'U', (int)k, a, (int)k, u, (int)k);
    }
    if (info != 0) return -1;
    for (size_t j = 0; j < k; j++) /* the reduction wrote the upper triangle only */
        for (size_t i = j + 1; i < k; i++) a[j * k + i] = conj(a[i * k + j]);
    if (pw_blk_heev(s, k, a, d->e) != 0) return -1;
    /* c = U⁻¹ y, column by column into the leading-dimension-nmax coefficient array */
    if (s->real) { /* the eigensolver used r1: U comes back from its complex copy */
        double *ur = s->r1, *yr = s->r2;
        for (size_t i = 0; i < k * k; i++) ur[i] = creal(u[i]), yr[i] = creal(a[i]);
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, (int)k,
                    (int)k, 1.0, ur, (int)k, yr, (int)k);
        for (size_t j = 0; j < k; j++)
            for (size_t i = 0; i < k; i++) d->c[j * d->nmax + i] = yr[j * k + i];
    } else {
        pw_dc one = 1.0;
        cblas_ztrsm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, (int)k,
                    (int)k, &one, u, (int)k, a, (int)k);
        for (size_t j = 0; j < k; j++)
            for (size_t i = 0; i < k; i++) d->c[j * d->nmax + i] = a[j * k + i];
    }
    return 0;
}

/* Columns [from, to) of VᴴHV and VᴴV (rows 0..to), and their Hermitian mirror. */
static void extend_matrices(dav *d, size_t from, size_t to)
{
    pw_blk *s = &d->s;
    size_t npw = s->npw, nm = d->nmax, nw = to - from;
    pw_dc *blk = d->red;
    for (int which = 0; which < 2; which++) {
        const pw_dc *rhs = which == 0 ? d->hv + from * npw : d->v + from * npw;
        double *re = which == 0 ? d->hs : d->ss, *im = which == 0 ? d->hsi : d->ssi;
        pw_blk_gemm(s, CblasConjTrans, to, nw, npw, 1.0, d->v, npw, rhs, npw, 0.0, blk, to);
        for (size_t j = 0; j < nw; j++)
            for (size_t i = 0; i < to; i++) {
                pw_dc x = blk[j * to + i];
                size_t col = from + j;
                if (i >= from && i > col) continue; /* the mirror of (col, i) sets it */
                if (i >= from && i == col) x = creal(x);
                re[col * nm + i] = re[i * nm + col] = creal(x);
                im[col * nm + i] = cimag(x), im[i * nm + col] = -cimag(x);
            }
    }
}

/* The basis becomes the nb Ritz vectors: V ← V c, HV ← HV c (unless only V is wanted, at the
 * end of a call: H changes before the next), VᴴHV = diag ε, VᴴV = 1. */
static void restart(dav *d, bool with_hv)
{
    pw_blk *s = &d->s;
    size_t npw = s->npw, nb = d->nb, nm = d->nmax;
    if (!d->ritz) {
        pw_dc *arr[2] = {d->v, d->hv};
        for (int a = 0; a < (with_hv ? 2 : 1); a++) {
            pw_blk_gemm(s, CblasNoTrans, npw, nb, d->nbase, 1.0, arr[a], npw, d->c, nm, 0.0, s->tmp, npw);
            memcpy(arr[a], s->tmp, npw * nb * sizeof *s->tmp);
        }
    }
    for (size_t j = 0; j < nb; j++)
        for (size_t i = 0; i < nb; i++) {
            d->hs[j * nm + i] = i == j ? d->e[i] : 0.0;
            d->ss[j * nm + i] = i == j;
            d->c[j * nm + i] = i == j;
            d->hsi[j * nm + i] = d->ssi[j * nm + i] = 0.0;
        }
    d->nbase = nb;
    d->ritz = true;
}

/*
 * Residuals of the bands not yet converged; those still above tol become the preconditioned,
 * normalised corrections in columns nbase.. of V. Returns their number; resid and conv are
 * updated. The Ritz vectors of the bands looked at go to tmp (their kinetic energy scales the
 * preconditioner).
 */
static size_t corrections(dav *d, double tol, double *resid)
{
    pw_blk *s = &d->s;
    size_t npw = s->npw, nm = d->nmax, na = 0;
    size_t *act = (size_t *)d->red; /* nb indices fit in the nmax² scratch */
    for (size_t n = 0; n < d->nb; n++)
        if (!d->conv[n]) act[na++] = n;
    pw_dc *r = d->v + d->nbase * npw, *y = s->tmp;
    for (size_t j = 0; j < na; j++) {
        size_t n = act[j];
        if (d->ritz) {
            memcpy(y + j * npw, d->v + n * npw, npw * sizeof *y);
            memcpy(r + j * npw, d->hv + n * npw, npw * sizeof *r);
        } else {   /* one column at a time would be BLAS-2: gather the coefficients */
            memcpy(s->small2 + j * d->nbase, d->c + n * nm, d->nbase * sizeof *d->c);
        }
    }
    if (!d->ritz && na > 0) {
        pw_blk_gemm(s, CblasNoTrans, npw, na, d->nbase, 1.0, d->v, npw, s->small2, d->nbase, 0.0, y, npw);
        pw_blk_gemm(s, CblasNoTrans, npw, na, d->nbase, 1.0, d->hv, npw, s->small2, d->nbase, 0.0, r, npw);
    }
    size_t nw = 0;
    for (size_t j = 0; j < na; j++) {
        size_t n = act[j];
        pw_dc *rj = r + j * npw, *yj = y + j * npw, f = -d->e[n];
        cblas_zaxpy((int)npw, &f, yj, 1, rj, 1);
        resid[n] = cblas_dznrm2((int)npw, rj, 1);
        if (!(resid[n] > tol)) {
            d->conv[n] = 1;
            continue;
        }
        pw_dc *t = r + nw * npw; /* nw ≤ j: compacting in place is safe */
        pw_blk_precondition(2 * npw, d->bh.kin, (const double *)yj, (const double *)rj, (double *)t);
        double nrm = cblas_dznrm2((int)npw, t, 1);
        pw_dc sc = nrm > 0 ? 1.0 / nrm : 1.0;
        cblas_zscal((int)npw, &sc, t, 1);
        nw++;
    }
    return nw;
}

/* Rare path: the new block was nearly dependent on the basis. Restart from the Ritz vectors
 * and orthonormalise the block against them (dropping what is dependent); the block's H
 * products follow along. Returns the number of vectors kept. */
static size_t add_orthonormal(dav *d, size_t nw)
{
    size_t npw = d->s.npw, nb = d->nb;
    pw_dc *t = d->v + d->nbase * npw, *ht = d->hv + d->nbase * npw;
    /* move the block out of the way of the restart's copies */
    pw_dc *bt = d->v + (d->nmax - nw) * npw, *bht = d->hv + (d->nmax - nw) * npw;
    memmove(bt, t, nw * npw * sizeof *t);
    memmove(bht, ht, nw * npw * sizeof *ht);
    restart(d, true);
    memmove(d->v + nb * npw, bt, nw * npw * sizeof *t);
    memmove(d->hv + nb * npw, bht, nw * npw * sizeof *ht);
    nw = pw_blk_orth(&d->s, d->v, d->hv, nb, d->v + nb * npw, d->hv + nb * npw, nw);
    d->ritz = false;
    return nw;
}

al_status pw_davidson_ws_create(size_t npw_max, size_t nb, pw_davidson_ws **out, al_err *err)
{
    dav *d = al_calloc(1, sizeof *d);
    *out = NULL;
    if (!d) return al_fail(err, AL_ENOMEM, "eigensolver: out of memory");
    size_t nm = BASIS_BLOCKS * nb;
    d->npw_max = npw_max;
    d->nb = nb;
    d->nmax = nm;
    al_status st = pw_blk_init(&d->s, npw_max, false, nb, nm, err);
    d->v = al_malloc(npw_max * nm * sizeof *d->v);
    d->hv = al_malloc(npw_max * nm * sizeof *d->hv);
    d->hs = al_calloc(nm * nm, sizeof *d->hs);
    d->ss = al_calloc(nm * nm, sizeof *d->ss);
    d->hsi = al_calloc(nm * nm, sizeof *d->hsi);
    d->ssi = al_calloc(nm * nm, sizeof *d->ssi);
    d->c = al_malloc(nm * nm * sizeof *d->c);
    d->e = al_malloc(nm * sizeof *d->e);
    d->red = al_malloc(nm * nm * sizeof *d->red);
    d->conv = al_calloc(nb ? nb : 1, sizeof *d->conv);
    d->kin = al_malloc((2 * npw_max + 1) * sizeof *d->kin);
    if (!st && !(d->v && d->hv && d->hs && d->ss && d->hsi && d->ssi && d->c && d->e && d->red &&
                 d->conv && d->kin))
        st = al_fail(err, AL_ENOMEM, "eigensolver: out of memory (%zu plane waves, %zu bands)",
                     npw_max, nb);
    if (st) {
        pw_davidson_ws_destroy(d);
        return st;
    }
    *out = d;
    return AL_OK;
}

void pw_davidson_ws_destroy(pw_davidson_ws *d)
{
    if (!d) return;
    pw_blk_fini(&d->s);
    al_free(d->v); al_free(d->hv); al_free(d->hs); al_free(d->ss); al_free(d->hsi);
    al_free(d->ssi); al_free(d->c); al_free(d->e); al_free(d->red); al_free(d->conv);
    al_free(d->kin);
    al_free(d);
}

/* Binds the workspace to this call's operator (the cached real form at Γ, if given). */
static al_status bind(dav *d, const pw_ham *h, const pw_ham_real *real, size_t nb, al_err *err)
{
    if (nb != d->nb)
        return al_fail(err, AL_EINVAL, "eigensolver: workspace made for %zu bands, called for %zu", d->nb, nb);
    if (!h->kb->minus && h->kb->npw > d->npw_max)
        return al_fail(err, AL_EINVAL, "eigensolver: workspace made for %zu plane waves, called for %zu",
                       d->npw_max, h->kb->npw);
    AL_TRY(err, pw_blk_ham_borrow(h, real, d->kin, &d->bh, err));
    if (d->bh.npw > d->npw_max) {
        pw_blk_ham_fini(&d->bh);
        return al_fail(err, AL_EINVAL, "eigensolver: workspace made for %zu plane waves, called for %zu",
                       d->npw_max, d->bh.npw);
    }
    d->s.npw = d->bh.npw;
    d->s.real = d->bh.hr != NULL;
    memset(d->conv, 0, nb * sizeof *d->conv);
    d->nbase = 0;
    d->ritz = false;
    return AL_OK;
}

/* The start: the given vectors (orthonormalised only if they are nearly dependent). */
static al_status start(dav *d, const pw_dc *x, al_err *err)
{
    size_t nb = d->nb;
    pw_blk_ham_load(&d->bh, nb, x, d->v);
    for (int attempt = 0;; attempt++) {
        AL_TRY(err, pw_blk_apply(&d->bh, nb, d->v, d->hv, err));
        d->nbase = nb;
        extend_matrices(d, 0, nb);
        int r = ritz(d, nb);
        if (r == 0) return AL_OK;
        if (r < 0) return al_fail(err, AL_EINVAL, "eigensolver: LAPACK failed in Rayleigh-Ritz");
        if (attempt > 0 || pw_blk_orth(&d->s, NULL, NULL, 0, d->v, NULL, nb) != nb)
            return al_fail(err, AL_EINVAL, "eigensolver: the %zu start vectors are linearly dependent", nb);
    }
}

al_status pw_davidson(const pw_ham *h, const pw_ham_real *real, pw_davidson_ws *d, size_t nb,
                      size_t nconv, pw_dc *x, double *eig, double *resid, double tol, int maxiter,
                      int *iters, al_err *err)
{
    *iters = 0;
    AL_TRY(err, bind(d, h, real, nb, err));
    al_status st = start(d, x, err);
    size_t npw = d->bh.npw;
    for (int it = 0; !st; it++) {
        memcpy(eig, d->e, nb * sizeof *eig);
        *iters = it;
        /* After the last block the residuals would only be reported: not worth their two
         * products over the whole basis (resid keeps the previous check's values). */
        if (it >= maxiter) break;
        size_t nact = 0;
        for (size_t n = 0; n < nb; n++) nact += !d->conv[n];
        if (d->nbase + nact > d->nmax) restart(d, true);
        size_t nw = corrections(d, tol, resid);
        bool open = false;
        for (size_t n = 0; n < nconv; n++) open |= !d->conv[n];
        if (!open || nw == 0) break;
        size_t from = d->nbase;
        if ((st = pw_blk_apply(&d->bh, nw, d->v + from * npw, d->hv + from * npw, err))) break;
        extend_matrices(d, from, from + nw);
        d->nbase = from + nw;
        d->ritz = false;
        int r = ritz(d, d->nbase);
        if (r > 0) {
            d->nbase = from;  /* back to the basis whose Ritz pairs c, e still hold */
            if (ritz(d, d->nbase) != 0) r = -1;
            else {
                nw = add_orthonormal(d, nw);
                extend_matrices(d, nb, nb + nw);
                d->nbase = nb + nw;
                r = ritz(d, d->nbase);
            }
        }
        if (r != 0) st = al_fail(err, AL_EINVAL, "eigensolver: the Davidson basis became singular");
    }
    if (!st) {
        if (!d->ritz) restart(d, false);
        pw_blk_ham_store(&d->bh, nb, d->v, x);
    }
    pw_blk_ham_fini(&d->bh);
    return st;
}
