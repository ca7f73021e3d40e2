/*
 * Block operations shared by the plane-wave eigensolvers (lobpcg.c, davidson.c): products of
 * blocks of vectors with BLAS-3, Gram matrices, small Hermitian eigenproblems, orthonormalisation
 * with rank control, the kinetic preconditioner and H applied to a block. At Γ the vectors are
 * packed real half-sphere vectors (hamiltonian.h) and every product is a real one.
 */
#include "engines/dft/subspace.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"


/*
 * The two products of the solver, c = AᴴB (small result) and c = α A·C + β c (update).
 * In real mode (Γ) the vectors are packed real half-sphere vectors (hamiltonian.h) whose
 * Euclidean products are the Hermitian ones, so AᴴB and the subspace coefficients C are real;
 * a column is held as npw complex numbers = 2·npw reals and both products are real DGEMMs
 * over the packed length, a quarter of the flops of ZGEMM on the full sphere.
 */
void pw_blk_gemm(const pw_blk *s, CBLAS_TRANSPOSE ta, size_t m, size_t n, size_t k, double alpha,
                 const pw_dc *a, size_t lda, const pw_dc *b, size_t ldb, double beta, pw_dc *c, size_t ldc)
{
    if (!s->real) {
        pw_dc al = alpha, be = beta;
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
void pw_blk_gram(pw_blk *s, size_t k, const pw_dc *y, pw_dc *c)
{
    if (!s->real) {
        pw_blk_gemm(s, CblasConjTrans, k, k, s->npw, 1.0, y, s->npw, y, s->npw, 0.0, c, k);
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
static int syev_real(pw_blk *s, size_t k, pw_dc *a, double *w)
{
    double *r = s->r1;
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; i <= j; i++)
            r[j * k + i] = 0.5 * (creal(a[j * k + i]) + creal(a[i * k + j]));
    lapack_int info = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, 'V', 'U', (int)k, r, (int)k, w,
                                          s->lwork, (lapack_int)s->n_lwork, s->iwork,
                                          (lapack_int)s->n_iwork);
    if (info == 0)
        for (size_t i = 0; i < k * k; i++) a[i] = r[i];
    return info;
}

/* Hermitian eigenproblem of the k×k matrix a (overwritten by eigenvectors); ascending w. */
int pw_blk_heev(pw_blk *s, size_t k, pw_dc *a, double *w)
{
    if (s->real) return syev_real(s, k, a, w);
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < i; j++) {
            pw_dc v = 0.5 * (a[j * k + i] + conj(a[i * k + j]));
            a[j * k + i] = v;
            a[i * k + j] = conj(v);
        }
    for (size_t i = 0; i < k; i++) a[i * k + i] = creal(a[i * k + i]);
    return LAPACKE_zheev_work(LAPACK_COL_MAJOR, 'V', 'U', (int)k, (lapack_complex_double *)a,
                              (int)k, w, (lapack_complex_double *)s->lwork,
                              (lapack_int)(s->n_lwork / 2), s->rwork);
}

/*
 * LAPACK workspace for eigenproblems up to k × k, given generously: dsyevd's own size query
 * plus a block of 64 columns, and for zheev 66 (k + 1) complex values (block size 64 + 2) —
 * with the size LAPACKE's query returns, OpenBLAS 0.3.21's blocked zhetrd reads past the end
 * of it for k > 32 (found by AddressSanitizer as a SEGV in zgemv_n under zlatrd).
 */
static bool lapack_workspace(pw_blk *s, size_t k)
{
    double wq = 0.0;
    lapack_int iq = 0;
    double one = 0.0;
    if (LAPACKE_dsyevd_work(LAPACK_COL_MAJOR, 'V', 'U', (int)k, &one, (int)(k ? k : 1), &one, &wq,
                            -1, &iq, -1) != 0)
        return false;
    size_t real_work = (size_t)wq + 64 * (k + 1), complex_work = 2 * 66 * (k + 1);
    s->n_lwork = real_work > complex_work ? real_work : complex_work;
    s->n_iwork = (size_t)iq + 64;
    s->lwork = al_malloc(s->n_lwork * sizeof *s->lwork);
    s->iwork = al_malloc(s->n_iwork * sizeof *s->iwork);
    s->rwork = al_malloc((3 * k + 1) * sizeof *s->rwork);
    return s->lwork && s->iwork && s->rwork;
}

/*
 * Orthonormalises the k columns of y against the m orthonormal columns of q and among
 * themselves (two passes); hy (may be NULL) receives the same linear combinations, hq = H q.
 * Returns the number of columns kept (moved to the front).
 */
size_t pw_blk_orth(pw_blk *s, const pw_dc *q, const pw_dc *hq, size_t m, pw_dc *y, pw_dc *hy, size_t k)
{
    size_t npw = s->npw;
    /* Unit columns first: residuals of different bands differ by orders of magnitude, and the
     * rank cut below must judge directions, not lengths. */
    for (size_t j = 0; j < k; j++) {
        double nrm = cblas_dznrm2((int)npw, y + j * npw, 1);
        if (nrm > 0) {
            pw_dc f = 1.0 / nrm;
            cblas_zscal((int)npw, &f, y + j * npw, 1);
            if (hy) cblas_zscal((int)npw, &f, hy + j * npw, 1);
        }
    }
    for (int pass = 0; pass < 2 && k > 0; pass++) {
        if (m > 0) {
            pw_blk_gemm(s, CblasConjTrans, m, k, npw, 1.0, q, npw, y, npw, 0.0, s->small, m);
            pw_blk_gemm(s, CblasNoTrans, npw, k, m, -1.0, q, npw, s->small, m, 1.0, y, npw);
            if (hy) pw_blk_gemm(s, CblasNoTrans, npw, k, m, -1.0, hq, npw, s->small, m, 1.0, hy, npw);
        }
        pw_blk_gram(s, k, y, s->small);
        if (pw_blk_heev(s, k, s->small, s->w) != 0) return 0;
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
        pw_blk_gemm(s, CblasNoTrans, npw, r, k, 1.0, y, npw, s->small2, k, 0.0, s->tmp, npw);
        memcpy(y, s->tmp, npw * r * sizeof *y);
        if (hy) {
            pw_blk_gemm(s, CblasNoTrans, npw, r, k, 1.0, hy, npw, s->small2, k, 0.0, s->tmp, npw);
            memcpy(hy, s->tmp, npw * r * sizeof *hy);
        }
        k = r;
        if (well) break;
    }
    return k;
}

/* Teter–Payne–Allan: K(x) = (27+18x+12x²+8x³)/(27+18x+12x²+8x³+16x⁴), x = T_G / ⟨T⟩_n.
 * Works on n reals (a complex vector as re, im pairs) with kin the kinetic energy per real. */
void pw_blk_precondition(size_t n, const double *kin, const double *xn, const double *rn,
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
al_status pw_blk_apply(const pw_blk_ham *bh, size_t nb, const pw_dc *x, pw_dc *hx, al_err *err)
{
    if (bh->hr) return pw_ham_real_apply(bh->hr, nb, (const double *)x, (double *)hx, err);
    return pw_ham_apply(bh->h, nb, x, hx, err);
}

/* Off Γ: the kinetic energy of each real of a complex vector, into kin (2·npw values). */
static void complex_kinetic(const pw_ham *h, pw_blk_ham *bh, double *kin)
{
    bh->npw = h->kb->npw;
    bh->kin = kin;
    for (size_t g = 0; g < bh->npw; g++) kin[2 * g] = kin[2 * g + 1] = h->kb->kin[g];
}

al_status pw_blk_ham_init(const pw_ham *h, pw_blk_ham *bh, al_err *err)
{
    memset(bh, 0, sizeof *bh);
    bh->h = h;
    if (h->kb->minus) {
        AL_TRY(err, pw_ham_real_init(h, &bh->real, err));
        bh->hr = &bh->real;
        bh->kin = bh->real.kin;
        bh->npw = bh->real.n / 2;
        return AL_OK;
    }
    double *kin = al_malloc(2 * h->kb->npw * sizeof *kin);
    if (!kin)
        return al_fail(err, AL_ENOMEM, "eigensolver: out of memory (%zu plane waves)", h->kb->npw);
    complex_kinetic(h, bh, kin);
    return AL_OK;
}

al_status pw_blk_ham_borrow(const pw_ham *h, const pw_ham_real *real, double *kin,
                            pw_blk_ham *bh, al_err *err)
{
    if (!h->kb->minus && kin) {
        memset(bh, 0, sizeof *bh);
        bh->h = h;
        complex_kinetic(h, bh, kin);
        bh->borrowed = true;
        return AL_OK;
    }
    if (!real || !h->kb->minus) return pw_blk_ham_init(h, bh, err);
    memset(bh, 0, sizeof *bh);
    bh->h = h;
    bh->real = *real;
    bh->real.h = h;
    bh->hr = &bh->real;
    bh->kin = bh->real.kin;
    bh->npw = bh->real.n / 2;
    bh->borrowed = true;
    return AL_OK;
}

void pw_blk_ham_fini(pw_blk_ham *bh)
{
    if (bh->borrowed) {
        memset(bh, 0, sizeof *bh);
        return;
    }
    if (bh->hr) pw_ham_real_fini(bh->hr);
    else al_free(bh->kin);
    memset(bh, 0, sizeof *bh);
}

void pw_blk_ham_load(const pw_blk_ham *bh, size_t nb, const pw_dc *x, pw_dc *v)
{
    if (bh->hr) pw_ham_real_pack(bh->hr, nb, x, (double *)v);
    else memcpy(v, x, bh->npw * nb * sizeof *v);
}

void pw_blk_ham_store(const pw_blk_ham *bh, size_t nb, const pw_dc *v, pw_dc *x)
{
    if (bh->hr) pw_ham_real_unpack(bh->hr, nb, (const double *)v, x);
    else memcpy(x, v, bh->npw * nb * sizeof *x);
}

al_status pw_blk_init(pw_blk *s, size_t npw, bool real, size_t ntmp, size_t nsmall, al_err *err)
{
    *s = (pw_blk){.npw = npw, .real = real, .ntmp = ntmp, .nsmall = nsmall};
    /* Room beyond the largest k × k matrix: Debian's OpenBLAS 0.3.21 complex kernels under
     * zheev have been seen to read past the arrays they are given (see pw_blk_heev). */
    size_t n2 = nsmall * nsmall + 64 * (nsmall + 1);
    s->tmp = al_malloc(npw * ntmp * sizeof *s->tmp);
    s->small = al_malloc(n2 * sizeof *s->small);
    s->small2 = al_malloc(n2 * sizeof *s->small2);
    s->w = al_malloc(nsmall * sizeof *s->w);
    s->r1 = al_malloc(n2 * sizeof *s->r1);
    s->r2 = al_malloc(n2 * sizeof *s->r2);
    if (s->tmp && s->small && s->small2 && s->w && s->r1 && s->r2 && lapack_workspace(s, nsmall))
        return AL_OK;
    pw_blk_fini(s);
    return al_fail(err, AL_ENOMEM, "eigensolver: out of memory (%zu plane waves, subspace of %zu)",
                   npw, nsmall);
}

void pw_blk_fini(pw_blk *s)
{
    al_free(s->tmp);
    al_free(s->small);
    al_free(s->small2);
    al_free(s->w);
    al_free(s->r1);
    al_free(s->r2);
    al_free(s->lwork);
    al_free(s->iwork);
    al_free(s->rwork);
    *s = (pw_blk){0};
}
