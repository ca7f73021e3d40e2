/*
 * LOBPCG with soft locking (converged bands get no new search direction) and a numerically
 * careful subspace: the blocks X, W (preconditioned residuals) and P (previous step) are made
 * orthonormal to each other twice over, dropping directions that have become linearly
 * dependent (the usual failure of LOBPCG close to convergence; Hetmaniuk and Lehoucq,
 * J. Comput. Phys. 218, 324 (2006)), so that Rayleigh–Ritz is a standard Hermitian problem.
 */
#include "engines/dft/lobpcg.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/alloc.h"

typedef double complex dc;

typedef struct ws {
    size_t npw; /* complex values per vector (in real mode: half the packed length) */
    bool real;  /* Γ: vectors in the packed half-sphere form of hamiltonian.h */
    dc *tmp;    /* npw × 3nb */
    dc *small;  /* (3nb)² */
    dc *small2; /* (3nb)² */
    double *w;  /* 3nb */
    double *r1, *r2; /* (3nb)² real scratch */
} ws;

/*
 * The two products of the solver, c = AᴴB (small result) and c = α A·C + β c (update).
 * In real mode (Γ) the vectors are packed real half-sphere vectors (hamiltonian.h) whose
 * Euclidean products are the Hermitian ones, so AᴴB and the subspace coefficients C are real;
 * a column is held as npw complex numbers = 2·npw reals and both products are real DGEMMs
 * over the packed length, a quarter of the flops of ZGEMM on the full sphere.
 */
static void gemm(const ws *s, CBLAS_TRANSPOSE ta, size_t m, size_t n, size_t k, double alpha,
                 const dc *a, size_t lda, const dc *b, size_t ldb, double beta, dc *c, size_t ldc)
{
    if (!s->real) {
        dc al = alpha, be = beta;
        cblas_zgemm(CblasColMajor, ta, CblasNoTrans, (int)m, (int)n, (int)k, &al, a, (int)lda, b,
                    (int)ldb, &be, c, (int)ldc);
        return;
    }
    if (ta == CblasConjTrans) { /* m × n small result, k = npw */
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)m, (int)n, (int)(2 * k), alpha,
                    (const double *)a, (int)(2 * lda), (const double *)b, (int)(2 * ldb), 0.0,
                    s->r1, (int)m);
        for (size_t j = 0; j < n; j++)
            for (size_t i = 0; i < m; i++)
                c[j * ldc + i] = (beta == 0.0 ? 0.0 : beta * c[j * ldc + i]) + s->r1[j * m + i];
        return;
    }
    /* Update: A is npw × k (vectors), B is k × n (real coefficients). */
    for (size_t j = 0; j < n; j++)
        for (size_t i = 0; i < k; i++) s->r2[j * k + i] = creal(b[j * ldb + i]);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)(2 * m), (int)n, (int)k, alpha,
                (const double *)a, (int)(2 * lda), s->r2, (int)k, beta, (double *)c,
                (int)(2 * ldc));
}

/* Gram matrix c = YᴴY of k columns (k × k): in real mode one DSYRK, half the flops of the
 * general product. */
static void gram(ws *s, size_t k, const dc *y, dc *c)
{
    if (!s->real) {
        gemm(s, CblasConjTrans, k, k, s->npw, 1.0, y, s->npw, y, s->npw, 0.0, c, k);
        return;
    }
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (int)k, (int)(2 * s->npw), 1.0,
                (const double *)y, (int)(2 * s->npw), 0.0, s->r1, (int)k);
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; i <= j; i++) c[j * k + i] = c[i * k + j] = s->r1[j * k + i];
}

/* Real symmetric eigenproblem of the k×k matrix a (real parts of the complex array; the
 * eigenvectors are written back as complex numbers), by divide and conquer (LAPACK dsyevd),
 * several times faster than the QR iteration of zheev for the Γ-point subspace matrices. */
static int syev_real(ws *s, size_t k, dc *a, double *w)
{
    double *r = s->r1;
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; i <= j; i++)
            r[j * k + i] = 0.5 * (creal(a[j * k + i]) + creal(a[i * k + j]));
    double wq;
    lapack_int iq, info;
    info = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, 'V', 'U', (int)k, r, (int)k, w, &wq, -1, &iq, -1);
    if (info != 0) return info;
    /* generous workspace (see heev) */
    size_t lwork = (size_t)wq + 64 * (k + 1), liwork = (size_t)iq + 64;
    double *work = al_malloc(lwork * sizeof *work);
    lapack_int *iwork = al_malloc(liwork * sizeof *iwork);
    info = -1;
    if (work && iwork)
        info = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, 'V', 'U', (int)k, r, (int)k, w, work,
                                   (lapack_int)lwork, iwork, (lapack_int)liwork);
    al_free(work);
    al_free(iwork);
    if (info == 0)
        for (size_t i = 0; i < k * k; i++) a[i] = r[i];
    return info;
}

/* Hermitian eigenproblem of the k×k matrix a (overwritten by eigenvectors); ascending w. */
static int heev(ws *s, size_t k, dc *a, double *w)
{
    if (s->real) return syev_real(s, k, a, w);
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < i; j++) {
            dc v = 0.5 * (a[j * k + i] + conj(a[i * k + j]));
            a[j * k + i] = v;
            a[i * k + j] = conj(v);
        }
    for (size_t i = 0; i < k; i++) a[i * k + i] = creal(a[i * k + i]);
    /* Workspace given explicitly and generously (block size 64 + 2 columns): with the size
     * LAPACKE's query returns, OpenBLAS 0.3.21's blocked zhetrd reads past the end of it for
     * k > 32 (found by AddressSanitizer as a SEGV in zgemv_n under zlatrd). */
    size_t lwork = 66 * (k + 1);
    dc *work = al_malloc(lwork * sizeof *work);
    double *rwork = al_malloc((3 * k + 1) * sizeof *rwork);
    int info = -1;
    if (work && rwork)
        info = LAPACKE_zheev_work(LAPACK_COL_MAJOR, 'V', 'U', (int)k, (lapack_complex_double *)a,
                                  (int)k, w, (lapack_complex_double *)work, (int)lwork, rwork);
    al_free(work);
    al_free(rwork);
    return info;
}


/*
 * Orthonormalises the k columns of y against the m orthonormal columns of q and among
 * themselves (two passes); hy (may be NULL) receives the same linear combinations, hq = H q.
 * Returns the number of columns kept (moved to the front).
 */
static size_t orth(ws *s, const dc *q, const dc *hq, size_t m, dc *y, dc *hy, size_t k)
{
    size_t npw = s->npw;
    /* Unit columns first: residuals of different bands differ by orders of magnitude, and the
     * rank cut below must judge directions, not lengths. */
    for (size_t j = 0; j < k; j++) {
        double nrm = cblas_dznrm2((int)npw, y + j * npw, 1);
        if (nrm > 0) {
            dc f = 1.0 / nrm;
            cblas_zscal((int)npw, &f, y + j * npw, 1);
            if (hy) cblas_zscal((int)npw, &f, hy + j * npw, 1);
        }
    }
    for (int pass = 0; pass < 2 && k > 0; pass++) {
        if (m > 0) {
            gemm(s, CblasConjTrans, m, k, npw, 1.0, q, npw, y, npw, 0.0, s->small, m);
            gemm(s, CblasNoTrans, npw, k, m, -1.0, q, npw, s->small, m, 1.0, y, npw);
            if (hy) gemm(s, CblasNoTrans, npw, k, m, -1.0, hq, npw, s->small, m, 1.0, hy, npw);
        }
        gram(s, k, y, s->small);
        if (heev(s, k, s->small, s->w) != 0) return 0;
        double smax = s->w[k - 1];
        /* A well-conditioned block (after unit normalisation) is orthonormal to rounding after
         * one pass; the second pass is for the ill-conditioned case only. One pass leaves
         * ‖YᵀY − I‖ ≈ ε s_max/s_min and ‖QᵀY‖ ≈ ε/√s_min (Stathopoulos and Wu, SIAM J. Sci.
         * Comput. 23, 2165 (2002)): both below 1e-12 for s_min > 1e-3 and s_min > 1e-3 s_max. */
        bool well = s->w[0] > 1e-3 && s->w[0] > 1e-3 * smax;
        size_t r = 0;
        /* Keep eigen-directions with s_i > 1e-10 s_max (condition ≤ 1e5 per pass). */
        for (size_t i = 0; i < k; i++) {
            if (!(s->w[i] > 1e-10 * smax && s->w[i] > 1e-28)) continue;
            double f = 1.0 / sqrt(s->w[i]);
            for (size_t j = 0; j < k; j++) s->small2[r * k + j] = s->small[i * k + j] * f;
            r++;
        }
        gemm(s, CblasNoTrans, npw, r, k, 1.0, y, npw, s->small2, k, 0.0, s->tmp, npw);
        memcpy(y, s->tmp, npw * r * sizeof *y);
        if (hy) {
            gemm(s, CblasNoTrans, npw, r, k, 1.0, hy, npw, s->small2, k, 0.0, s->tmp, npw);
            memcpy(hy, s->tmp, npw * r * sizeof *hy);
        }
        k = r;
        if (well) break;
    }
    return k;
}

/* Rayleigh–Ritz on the m orthonormal columns of v: lowest nb Ritz vectors into the first nb
 * columns of v and hv; the non-X part of the update into p, hp (when want_p). When the first
 * nb columns are already Ritz vectors with values eig, only the new columns of VᴴHV are
 * computed (the X–X block is diag(eig), the rest follows from Hermitian symmetry), and
 * X_new = X C_X + P reuses the P product. */
static int rayleigh_ritz(ws *s, size_t nb, size_t m, dc *v, dc *hv, double *eig, dc *p, dc *hp,
                         int want_p, int x_is_ritz)
{
    size_t npw = s->npw;
    dc *a = s->small;
    if (x_is_ritz && m > nb) {
        gemm(s, CblasConjTrans, m, m - nb, npw, 1.0, v, npw, hv + nb * npw, npw, 0.0, a + nb * m, m);
        for (size_t c = 0; c < nb; c++) {
            for (size_t r = 0; r < nb; r++) a[c * m + r] = r == c ? eig[c] : 0.0;
            for (size_t r = nb; r < m; r++) a[c * m + r] = conj(a[r * m + c]);
        }
    } else {
        gemm(s, CblasConjTrans, m, m, npw, 1.0, v, npw, hv, npw, 0.0, a, m);
    }
    if (heev(s, m, a, s->w) != 0) return -1;
    memcpy(eig, s->w, nb * sizeof *eig);
    if (want_p && m > nb) {
        gemm(s, CblasNoTrans, npw, nb, m - nb, 1.0, v + nb * npw, npw, a + nb, m, 0.0, p, npw);
        gemm(s, CblasNoTrans, npw, nb, m - nb, 1.0, hv + nb * npw, npw, a + nb, m, 0.0, hp, npw);
        memcpy(s->tmp, p, npw * nb * sizeof *p);
        gemm(s, CblasNoTrans, npw, nb, nb, 1.0, v, npw, a, m, 1.0, s->tmp, npw);
        memcpy(v, s->tmp, npw * nb * sizeof *v);
        memcpy(s->tmp, hp, npw * nb * sizeof *hp);
        gemm(s, CblasNoTrans, npw, nb, nb, 1.0, hv, npw, a, m, 1.0, s->tmp, npw);
        memcpy(hv, s->tmp, npw * nb * sizeof *hv);
        return 0;
    }
    gemm(s, CblasNoTrans, npw, nb, m, 1.0, v, npw, a, m, 0.0, s->tmp, npw);
    memcpy(v, s->tmp, npw * nb * sizeof *v);
    gemm(s, CblasNoTrans, npw, nb, m, 1.0, hv, npw, a, m, 0.0, s->tmp, npw);
    memcpy(hv, s->tmp, npw * nb * sizeof *hv);
    return 0;
}

/* Teter–Payne–Allan: K(x) = (27+18x+12x²+8x³)/(27+18x+12x²+8x³+16x⁴), x = T_G / ⟨T⟩_n.
 * Works on n reals (a complex vector as re, im pairs) with kin the kinetic energy per real. */
static void precondition(size_t n, const double *kin, const double *xn, const double *rn,
                         double *out)
{
    double ek = 0.0;
    for (size_t i = 0; i < n; i++) ek += kin[i] * xn[i] * xn[i];
    if (ek < 1e-3) ek = 1e-3;
    for (size_t i = 0; i < n; i++) {
        double x = kin[i] / ek;
        double num = 27.0 + x * (18.0 + x * (12.0 + 8.0 * x));
        out[i] = rn[i] * num / (num + 16.0 * x * x * x * x);
    }
}

/* H applied to nb vectors of the solver's form. */
static al_status apply(const pw_ham *h, const pw_ham_real *hr, size_t nb, const dc *x, dc *hx,
                       al_err *err)
{
    if (hr) return pw_ham_real_apply(hr, nb, (const double *)x, (double *)hx, err);
    return pw_ham_apply(h, nb, x, hx, err);
}

al_status pw_lobpcg(const pw_ham *h, size_t nb, size_t nconv, dc *x, double *eig, double *resid,
                    double tol, int maxiter, int *iters, al_err *err)
{
    size_t m3 = 3 * nb;
    al_status st = AL_OK;
    pw_ham_real hrs, *hr = NULL;
    double *kin = NULL; /* kinetic energy per real entry */
    if (h->kb->minus) {
        if ((st = pw_ham_real_init(h, &hrs, err))) return st;
        hr = &hrs;
        kin = hr->kin;
    }
    size_t npw = hr ? hr->n / 2 : h->kb->npw;
    ws s = {npw, hr != NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    if (!hr && !(kin = al_malloc(2 * npw * sizeof *kin))) {
        return al_fail(err, AL_ENOMEM, "eigensolver: out of memory (%zu plane waves, %zu bands)",
                       npw, nb);
    }
    for (size_t g = 0; !hr && g < npw; g++) kin[2 * g] = kin[2 * g + 1] = h->kb->kin[g];
    dc *v = al_malloc(npw * m3 * sizeof *v), *hv = al_malloc(npw * m3 * sizeof *hv);
    dc *p = al_malloc(npw * nb * sizeof *p), *hp = al_malloc(npw * nb * sizeof *hp);
    s.tmp = al_malloc(npw * m3 * sizeof *s.tmp);
    s.small = al_malloc(m3 * m3 * sizeof *s.small);
    s.small2 = al_malloc(m3 * m3 * sizeof *s.small2);
    s.w = al_malloc(m3 * sizeof *s.w);
    s.r1 = al_malloc(m3 * m3 * sizeof *s.r1);
    s.r2 = al_malloc(m3 * m3 * sizeof *s.r2);
    *iters = 0;
    if (!v || !hv || !p || !hp || !s.tmp || !s.small || !s.small2 || !s.w || !s.r1 || !s.r2) {
        st = al_fail(err, AL_ENOMEM, "eigensolver: out of memory (%zu plane waves, %zu bands)",
                     npw, nb);
        goto done;
    }
    if (hr) pw_ham_real_pack(hr, nb, x, (double *)v);
    else memcpy(v, x, npw * nb * sizeof *v);
    if (orth(&s, NULL, NULL, 0, v, NULL, nb) != nb) {
        st = al_fail(err, AL_EINVAL, "eigensolver: the %zu start vectors are linearly dependent", nb);
        goto done;
    }
    if ((st = apply(h, hr, nb, v, hv, err))) goto done;
    if (rayleigh_ritz(&s, nb, nb, v, hv, eig, NULL, NULL, 0, 0)) {
        st = al_fail(err, AL_EINVAL, "eigensolver: LAPACKE_zheev failed");
        goto done;
    }
    size_t np = 0;
    for (int it = 0;; it++) {
        /* Residuals R = HX − Xλ, and preconditioned directions W for unconverged bands. */
        dc *w = v + nb * npw;
        size_t nw = 0;
        double rmax = 0.0;
        for (size_t n = 0; n < nb; n++) {
            dc *r = s.tmp;
            double rn = 0.0;
            for (size_t g = 0; g < npw; g++) {
                r[g] = hv[n * npw + g] - eig[n] * v[n * npw + g];
                rn += creal(r[g]) * creal(r[g]) + cimag(r[g]) * cimag(r[g]);
            }
            resid[n] = sqrt(rn);
            if (n < nconv && resid[n] > rmax) rmax = resid[n];
            if (resid[n] > tol)
                precondition(2 * npw, kin, (const double *)(v + n * npw), (const double *)r,
                             (double *)(w + nw++ * npw));
        }
        *iters = it;
        if (nw == 0 || rmax <= tol || it >= maxiter) break;
        nw = orth(&s, v, hv, nb, w, NULL, nw);
        dc *hw = hv + nb * npw;
        if (nw > 0 && (st = apply(h, hr, nw, w, hw, err))) goto done;
        size_t m = nb + nw;
        if (np > 0) {
            /* Soft locking: previous directions only for the bands still being improved. */
            size_t nk = 0;
            for (size_t n = 0; n < nb; n++) {
                if (!(resid[n] > tol)) continue;
                memcpy(v + (m + nk) * npw, p + n * npw, npw * sizeof *p);
                memcpy(hv + (m + nk) * npw, hp + n * npw, npw * sizeof *hp);
                nk++;
            }
            np = orth(&s, v, hv, m, v + m * npw, hv + m * npw, nk);
            m += np;
        }
        if (rayleigh_ritz(&s, nb, m, v, hv, eig, p, hp, 1, 1)) {
            st = al_fail(err, AL_EINVAL, "eigensolver: LAPACKE_zheev failed in Rayleigh-Ritz");
            goto done;
        }
        np = m > nb ? nb : 0;
    }
    if (hr) pw_ham_real_unpack(hr, nb, (const double *)v, x);
    else memcpy(x, v, npw * nb * sizeof *x);
done:
    if (hr) pw_ham_real_fini(hr);
    else al_free(kin);
    al_free(v); al_free(hv); al_free(p); al_free(hp);
    al_free(s.tmp); al_free(s.small); al_free(s.small2); al_free(s.w);
    al_free(s.r1); al_free(s.r2);
    return st;
}
