/*
 * DTC sparse GP by tall-skinny QR (see sparse_gp.h). Storage is column-major for LAPACK:
 * the factor R is m×m upper triangular, qtb = Qᵀb restricted to its first m rows.
 */
#include "gp/sparse_gp.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"

struct gp_dtc {
    size_t m;
    double *l;      /* Cholesky factor of K_MM + jitter (lower, column-major) */
    double *r;      /* R (upper, column-major) */
    double *qtb;    /* m */
    size_t n_obs;
    double *work;   /* (m + k) × m stack, grown on demand */
    double *rhs;    /* m + k */
    double *tau;    /* m */
    size_t work_rows;
};

void gp_dtc_destroy(gp_dtc *g)
{
    if (!g) return;
    al_free(g->l);
    al_free(g->r);
    al_free(g->qtb);
    al_free(g->work);
    al_free(g->rhs);
    al_free(g->tau);
    al_free(g);
}

al_status gp_dtc_create(size_t m, const double *kmm, double jitter, gp_dtc **out, al_err *err)
{
    *out = NULL;
    if (m == 0) return al_fail(err, AL_EINVAL, "sparse GP: no sparse points");
    gp_dtc *g = al_calloc(1, sizeof *g);
    if (!g) return al_fail(err, AL_ENOMEM, "sparse GP: out of memory");
    g->m = m;
    g->l = al_malloc(m * m * sizeof *g->l);
    g->r = al_calloc(m * m, sizeof *g->r);
    g->qtb = al_calloc(m, sizeof *g->qtb);
    g->tau = al_malloc(m * sizeof *g->tau);
    if (!g->l || !g->r || !g->qtb || !g->tau) {
        gp_dtc_destroy(g);
        return al_fail(err, AL_ENOMEM, "sparse GP: out of memory for %zu sparse points", m);
    }
    /* Row-major symmetric input equals its column-major transpose. */
    for (size_t i = 0; i < m * m; i++) g->l[i] = kmm[i];
    for (size_t i = 0; i < m; i++) g->l[i * m + i] += jitter;
    lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)m, g->l, (lapack_int)m);
    if (info != 0) {
        gp_dtc_destroy(g);
        return al_fail(err, AL_EINVAL,
                       "sparse GP: the sparse-point covariance plus jitter %g is not positive "
                       "definite (pivot %d of %zu); raise sparse_jitter or remove duplicate "
                       "sparse points", jitter, (int)info, m);
    }
    /* The prior rows Lᵀ start the factor: R = Lᵀ, Qᵀb = 0. */
    for (size_t j = 0; j < m; j++)
        for (size_t i = 0; i <= j; i++) g->r[j * m + i] = g->l[i * m + j];
    *out = g;
    return AL_OK;
}

static al_status grow_work(gp_dtc *g, size_t rows, al_err *err)
{
    if (rows <= g->work_rows) return AL_OK;
    double *w = al_realloc(g->work, rows * g->m * sizeof *w);
    if (w) g->work = w;
    double *b = al_realloc(g->rhs, rows * sizeof *b);
    if (b) g->rhs = b;
    if (!w || !b) return al_fail(err, AL_ENOMEM, "sparse GP: out of memory for a block of %zu rows", rows);
    g->work_rows = rows;
    return AL_OK;
}

al_status gp_dtc_add_rows(gp_dtc *g, size_t k, const double *rows, const double *y,
                          const double *sigma, al_err *err)
{
    size_t m = g->m, ld = m + k;
    if (k == 0) return AL_OK;
    for (size_t i = 0; i < k; i++)
        if (!(sigma[i] > 0.0) || !isfinite(sigma[i]) || !isfinite(y[i]))
            return al_fail(err, AL_EINVAL, "sparse GP: observation %zu has sigma %g and target %g",
                           g->n_obs + i, sigma[i], y[i]);
    AL_TRY(err, grow_work(g, ld, err));
    double *w = g->work, *b = g->rhs;
    /* Stack [R ; Λ^-½ rows] column by column, and [Qᵀb ; Λ^-½ y]. */
    for (size_t j = 0; j < m; j++) {
        double *col = w + j * ld;
        memcpy(col, g->r + j * m, m * sizeof *col);
        for (size_t i = 0; i < k; i++) {
            double v = rows[i * m + j] / sigma[i];
            if (!isfinite(v)) return al_fail(err, AL_EINVAL, "sparse GP: row %zu is not finite", g->n_obs + i);
            col[m + i] = v;
        }
    }
    memcpy(b, g->qtb, m * sizeof *b);
    for (size_t i = 0; i < k; i++) b[m + i] = y[i] / sigma[i];
    lapack_int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)ld, (lapack_int)m, w, (lapack_int)ld, g->tau);
    if (info == 0)
        info = LAPACKE_dormqr(LAPACK_COL_MAJOR, 'L', 'T', (lapack_int)ld, 1, (lapack_int)m, w,
                              (lapack_int)ld, g->tau, b, (lapack_int)ld);
    if (info != 0) return al_fail(err, AL_EINVAL, "sparse GP: QR update failed (LAPACK info %d)", (int)info);
    for (size_t j = 0; j < m; j++)
        for (size_t i = 0; i < m; i++) g->r[j * m + i] = i <= j ? w[j * ld + i] : 0.0;
    memcpy(g->qtb, b, m * sizeof *b);
    g->n_obs += k;
    return AL_OK;
}

al_status gp_dtc_solve(const gp_dtc *g, double *alpha, al_err *err)
{
    memcpy(alpha, g->qtb, g->m * sizeof *alpha);
    lapack_int info = LAPACKE_dtrtrs(LAPACK_COL_MAJOR, 'U', 'N', 'N', (lapack_int)g->m, 1, g->r,
                                     (lapack_int)g->m, alpha, (lapack_int)g->m);
    if (info != 0)
        return al_fail(err, AL_EINVAL, "sparse GP: the factor is singular at %d; raise sparse_jitter",
                       (int)info);
    return AL_OK;
}

al_status gp_dtc_variance(const gp_dtc *g, size_t p, const double *kvec, const double *kxx,
                          double *out, al_err *err)
{
    size_t m = g->m, blk = p < 256 ? (p ? p : 1) : 256;
    double *a = al_malloc(blk * m * sizeof *a), *c = al_malloc(blk * m * sizeof *c);
    if (!a || !c) {
        al_free(a);
        al_free(c);
        return al_fail(err, AL_ENOMEM, "sparse GP: out of memory");
    }
    /* Blocks of points: the p×m row-major block is an m×p column-major matrix whose columns
     * are the points' k, so two triangular solves (BLAS-3) give a = L⁻¹k (the prior part the
     * sparse points explain) and c = R⁻ᵀk (the posterior part). */
    for (size_t q0 = 0; q0 < p; q0 += blk) {
        size_t nb = p - q0 < blk ? p - q0 : blk;
        memcpy(a, kvec + q0 * m, nb * m * sizeof *a);
        memcpy(c, kvec + q0 * m, nb * m * sizeof *c);
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)m, (int)nb, 1.0,
                    g->l, (int)m, a, (int)m);
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, (int)m, (int)nb, 1.0,
                    g->r, (int)m, c, (int)m);
        for (size_t q = 0; q < nb; q++) {
            double kk = kxx[q0 + q];
            double v = kk - cblas_ddot((int)m, a + q * m, 1, a + q * m, 1) + cblas_ddot((int)m, c + q * m, 1, c + q * m, 1);
            if (v < 0.0 && v > -1e-12 * fabs(kk)) v = 0.0;
            out[q0 + q] = v;
        }
    }
    al_free(a);
    al_free(c);
    return AL_OK;
}

size_t gp_dtc_m(const gp_dtc *g) { return g->m; }

void gp_dtc_factors(const gp_dtc *g, const double **l, const double **r)
{
    *l = g->l;
    *r = g->r;
}

al_status gp_dtc_from_factors(size_t m, const double *l, const double *r, gp_dtc **out, al_err *err)
{
    *out = NULL;
    if (m == 0) return al_fail(err, AL_EINVAL, "sparse GP: no sparse points");
    gp_dtc *g = al_calloc(1, sizeof *g);
    if (!g) return al_fail(err, AL_ENOMEM, "sparse GP: out of memory");
    g->m = m;
    g->l = al_malloc(m * m * sizeof *g->l);
    g->r = al_malloc(m * m * sizeof *g->r);
    g->qtb = al_calloc(m, sizeof *g->qtb);
    g->tau = al_malloc(m * sizeof *g->tau);
    if (!g->l || !g->r || !g->qtb || !g->tau) {
        gp_dtc_destroy(g);
        return al_fail(err, AL_ENOMEM, "sparse GP: out of memory for %zu sparse points", m);
    }
    memcpy(g->l, l, m * m * sizeof *g->l);
    memcpy(g->r, r, m * m * sizeof *g->r);
    for (size_t i = 0; i < m; i++)
        if (!(g->l[i * m + i] > 0) || !(g->r[i * m + i] != 0) || !isfinite(g->r[i * m + i])) {
            gp_dtc_destroy(g);
            return al_fail(err, AL_EINVAL, "sparse GP: stored factor has a bad diagonal at %zu", i);
        }
    *out = g;
    return AL_OK;
}

size_t gp_dtc_n_obs(const gp_dtc *g) { return g->n_obs; }

size_t gp_dtc_memory_bytes(size_t m, size_t k)
{
    return sizeof(double) * (2 * m * m + (m + k) * m + (m + k) + 2 * m);
}
