/*
 * CUR row selection by statistical leverage (Mahoney and Drineas, PNAS 106, 697 (2009)).
 *
 * For the survivors' descriptor rows A (n × dim) with thin SVD A = U Σ Vᵀ, the leverage of row i
 * with respect to the top r singular directions is π_i = (1/r) Σ_{j<r} U_ij² (Σ_i π_i = 1):
 * how much of the dominant row space row i carries on its own.
 *
 * Deterministic variant (greedy with deflation; Imbalzano et al., JCP 148, 241730 (2018)):
 * take the row with the largest π, remove its direction v = a_p/|a_p| from every row
 * (a_i ← a_i − (a_i·v) v), recompute π on the residual with r = min(residual rank, picks left),
 * repeat. Each pick adds a direction not spanned by the earlier ones, so k picks from a rank-k
 * matrix span its row space and A is reproduced exactly from them (A = A Cᵀ(C Cᵀ)⁺ C). When the
 * residual vanishes before k picks (k > rank), the rest are the remaining rows of highest
 * leverage in the original matrix.
 *
 * Randomised variant: k draws without replacement, each with probability ∝ π_i among the rows
 * left (π from the original matrix with r = min(rank, k)), from the caller's seeded generator.
 */
#include "selectors/sel_impl.h"

#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"

/* Relative size (to the largest singular value of the original matrix, times max(n, dim)) below
 * which a singular value counts as zero. Deflation leaves residuals of order 1e-15·σ_max. */
static const double rank_rtol = 1e-12;

/* Leverage with an absolute singular-value threshold `tol`; see sel_leverage. */
static al_status leverage_abs(size_t n, size_t dim, const double *a, size_t rank, double tol,
                              double *lev, size_t *rank_out, double *smax, al_err *err)
{
    size_t m = n < dim ? n : dim;
    double *w = al_malloc(n * dim * sizeof *w);
    double *s = al_malloc(m * sizeof *s);
    double *u = al_malloc(n * m * sizeof *u);
    double *vt = al_malloc(m * dim * sizeof *vt);
    al_status st = AL_OK;
    if (!w || !s || !u || !vt) {
        st = al_fail(err, AL_ENOMEM, "CUR: out of memory for a %zu x %zu SVD", n, dim);
        goto done;
    }
    memcpy(w, a, n * dim * sizeof *w);
    lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)n, (lapack_int)dim, w,
                                     (lapack_int)dim, s, u, (lapack_int)m, vt, (lapack_int)dim);
    if (info != 0) {
        st = al_fail(err, AL_ENOCONV, "CUR: SVD of the %zu x %zu descriptor matrix failed (info %d)",
                     n, dim, (int)info);
        goto done;
    }
    if (smax) *smax = s[0];
    if (tol < 0) tol = rank_rtol * s[0] * (double)(n > dim ? n : dim);
    size_t r = 0;
    while (r < m && s[r] > tol) r++;
    if (rank > 0 && rank < r) r = rank;
    for (size_t i = 0; i < n; i++) {
        double acc = 0;
        for (size_t j = 0; j < r; j++) acc += u[i * m + j] * u[i * m + j];
        lev[i] = r ? acc / (double)r : 0.0;
    }
    if (rank_out) *rank_out = r;
done:
    al_free(w);
    al_free(s);
    al_free(u);
    al_free(vt);
    return st;
}

al_status sel_leverage(size_t n, size_t dim, const double *a, size_t rank, double *lev,
                       size_t *rank_out, al_err *err)
{
    if (n == 0 || dim == 0)
        return al_fail(err, AL_EINVAL, "CUR: empty matrix (%zu x %zu)", n, dim);
    return leverage_abs(n, dim, a, rank, -1.0, lev, rank_out, NULL, err);
}

/* The free entry of largest value; values within a relative 1e-12 of each other count as
 * tied (round-off of the SVD or of the distances) and the lower index wins. */
static size_t argmax_free(size_t n, const double *v, const unsigned char *taken)
{
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (!taken[i] && (best == n || v[i] > v[best] + 1e-12 * fabs(v[best]))) best = i;
    return best;
}

static void deflate(size_t n, size_t dim, double *r, size_t p)
{
    double norm = 0;
    for (size_t j = 0; j < dim; j++) norm += r[p * dim + j] * r[p * dim + j];
    norm = sqrt(norm);
    if (norm == 0) return;
    double *v = r + p * dim;
    for (size_t i = 0; i < n; i++) {
        if (i == p) continue;
        double dot = 0;
        for (size_t j = 0; j < dim; j++) dot += r[i * dim + j] * v[j];
        dot /= norm * norm;
        for (size_t j = 0; j < dim; j++) r[i * dim + j] -= dot * v[j];
    }
    for (size_t j = 0; j < dim; j++) v[j] = 0;
}

static al_status push_pick(const sel_input *in, const sel_result *cand, size_t i, double score,
                           sel_result *out, al_err *err)
{
    sel_pick pk = cand->picks[i];
    pk.reason = SEL_REASON_LEVERAGE;
    pk.score = score;
    pk.uncertainty = in->uncertainty ? in->uncertainty[pk.index] : NAN;
    return sel_result_push(out, pk, err);
}

static al_status cur_greedy(const sel_input *in, const sel_params *p, const sel_result *cand,
                            size_t k, double *res, double *lev0, double *lev,
                            unsigned char *taken, sel_result *out, al_err *err)
{
    size_t n = cand->n, dim = in->dim, r0 = 0, picked = 0;
    double smax = 0;
    size_t rank0 = p->cur_rank ? p->cur_rank : k;
    AL_TRY(err, leverage_abs(n, dim, res, rank0, -1.0, lev0, &r0, &smax, err));
    double tol = rank_rtol * smax * (double)(n > dim ? n : dim);
    memcpy(lev, lev0, n * sizeof *lev);
    size_t r = r0;
    while (picked < k && r > 0) {
        size_t i = argmax_free(n, lev, taken);
        AL_TRY(err, push_pick(in, cand, i, lev[i], out, err));
        taken[i] = 1;
        picked++;
        if (picked == k) break;
        deflate(n, dim, res, i);
        size_t rk = p->cur_rank ? p->cur_rank : k - picked;
        AL_TRY(err, leverage_abs(n, dim, res, rk, tol, lev, &r, NULL, err));
    }
    /* Row space exhausted (k > rank): the remaining rows by their original leverage. */
    while (picked < k) {
        size_t i = argmax_free(n, lev0, taken);
        AL_TRY(err, push_pick(in, cand, i, lev0[i], out, err));
        taken[i] = 1;
        picked++;
    }
    return AL_OK;
}

static al_status cur_random(const sel_input *in, const sel_params *p, const sel_result *cand,
                            size_t k, const double *a, double *lev, unsigned char *taken,
                            sel_result *out, al_err *err)
{
    size_t n = cand->n;
    if (!p->rng)
        return al_fail(err, AL_EINVAL, "selection cur: the randomised variant needs a seeded "
                                       "generator (rng is NULL)");
    AL_TRY(err, leverage_abs(n, in->dim, a, p->cur_rank ? p->cur_rank : k, -1.0, lev, NULL, NULL,
                             err));
    for (size_t t = 0; t < k; t++) {
        double total = 0;
        size_t left = 0;
        for (size_t i = 0; i < n; i++)
            if (!taken[i]) total += lev[i], left++;
        double x = al_rng_uniform(p->rng);
        size_t pick = n;
        if (total > 0) {   /* probability ∝ leverage */
            double acc = 0, target = x * total;
            for (size_t i = 0; i < n; i++) {
                if (taken[i]) continue;
                pick = i;
                acc += lev[i];
                if (acc > target && lev[i] > 0) break;
            }
        } else {           /* no leverage left: uniform among the rest */
            size_t j = (size_t)(x * (double)left), c = 0;
            for (size_t i = 0; i < n; i++)
                if (!taken[i] && c++ == j) { pick = i; break; }
        }
        AL_TRY(err, push_pick(in, cand, pick, lev[pick], out, err));
        taken[pick] = 1;
    }
    return AL_OK;
}

al_status sel_cur_select(const sel_input *in, const sel_params *p, const sel_result *cand,
                         size_t k, sel_result *out, al_err *err)
{
    out->n = 0;
    AL_TRY(err, sel__need_desc("cur", in, err));
    AL_TRY(err, sel__check_k("cur", k, cand->n, err));
    size_t n = cand->n, dim = in->dim;
    double *a = al_malloc(n * dim * sizeof *a);
    double *lev0 = al_malloc(n * sizeof *lev0);
    double *lev = al_malloc(n * sizeof *lev);
    unsigned char *taken = al_calloc(n, 1);
    al_status st = AL_OK;
    if (!a || !lev0 || !lev || !taken) {
        st = al_fail(err, AL_ENOMEM, "selection cur: out of memory for %zu x %zu rows", n, dim);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(a + i * dim, in->desc + cand->picks[i].index * dim, dim * sizeof *a);
    if (p->cur_mode == SEL_CUR_RANDOM)
        st = cur_random(in, p, cand, k, a, lev, taken, out, err);
    else
        st = cur_greedy(in, p, cand, k, a, lev0, lev, taken, out, err);
done:
    if (st) AL_TRACE(err);
    al_free(a);
    al_free(lev0);
    al_free(lev);
    al_free(taken);
    return st;
}
