/*
 * Sparse points of a GAP fit, chosen from the training environments:
 *  - 2-body, uniform: n_sparse distances evenly spaced between the smallest and largest distance
 *    the descriptor sees in the data (a 1-D grid; QUIP bins the same range);
 *  - CUR: leverage scores of the environments in the rank-k SVD of the descriptor matrix
 *    X (N × d) = U S Vᵀ, lev_j = Σ_{i<k} U_ji² / k with k = ⌊#{s_i > 1e-13}/2⌋ (QUIP's rank rule;
 *    Mahoney and Drineas, PNAS 106, 697 (2009)), and p_j = min(1, n_sparse·lev_j). CUR is
 *    deterministic: every environment with p_j = 1, then systematic sampling of the others in
 *    proportion to p_j (the expected outcome of QUIP's draw without its randomness); CUR_RANDOM
 *    is QUIP's randomised draw: the n_sparse smallest u_j − p_j, u_j uniform from the seeded
 *    generator;
 *  - RANDOM: a seeded uniform draw without replacement.
 * Chosen environments are kept in training order. Cutoff weights: f_c(r_s) for 2-body, 1 for SOAP.
 */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/rng.h"
#include "gp/gap_model.h"

/* Environments seen by one descriptor: all vectors (n × dim), grown as frames are read. */
typedef struct env_set {
    size_t n, cap, dim;
    double *x;
} env_set;

static al_status env_push(env_set *e, const desc_values *v, al_err *err)
{
    if (v->n == 0) return AL_OK;
    if (e->n + v->n > e->cap) {
        size_t cap = e->cap ? e->cap : 1024;
        while (cap < e->n + v->n) cap *= 2;
        double *x = al_realloc(e->x, cap * e->dim * sizeof *x);
        if (!x) return al_fail(err, AL_ENOMEM, "GAP: out of memory for %zu training environments", cap);
        e->x = x;
        e->cap = cap;
    }
    memcpy(e->x + e->n * e->dim, v->x, v->n * e->dim * sizeof *e->x);
    e->n += v->n;
    return AL_OK;
}

typedef struct scored {
    double key;
    size_t idx;
} scored;

static int by_key(const void *a, const void *b)
{
    const scored *p = a, *q = b;
    if (p->key != q->key) return p->key < q->key ? -1 : 1;
    return p->idx < q->idx ? -1 : p->idx > q->idx;
}

static int by_size(const void *a, const void *b)
{
    size_t p = *(const size_t *)a, q = *(const size_t *)b;
    return p < q ? -1 : p > q;
}

/* Leverage scores of the rows of x (n × dim) into lev. */
static al_status leverage(const env_set *e, double *lev, al_err *err)
{
    size_t n = e->n, d = e->dim, r = n < d ? n : d;
    double *a = al_malloc(n * d * sizeof *a), *u = al_malloc(n * r * sizeof *u);
    double *s = al_malloc(r * sizeof *s), *vt = al_malloc(r * d * sizeof *vt);
    al_status st = a && u && s && vt ? AL_OK
                                     : al_fail(err, AL_ENOMEM, "GAP CUR: out of memory for the SVD of %zu × %zu", n, d);
    if (!st) {
        memcpy(a, e->x, n * d * sizeof *a);
        lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)n, (lapack_int)d, a, (lapack_int)d, s, u,
                                         (lapack_int)r, vt, (lapack_int)d);
        if (info != 0) st = al_fail(err, AL_EINVAL, "GAP CUR: SVD of the %zu × %zu descriptor matrix failed (LAPACK info %d)",
                                    n, d, (int)info);
    }
    if (!st) {
        size_t k = 0;
        for (size_t i = 0; i < r; i++) k += s[i] > 1e-13;
        k = k / 2 ? k / 2 : 1;
        for (size_t j = 0; j < n; j++) {
            double sum = 0;
            for (size_t i = 0; i < k; i++) sum += u[j * r + i] * u[j * r + i];
            lev[j] = sum / (double)k;
        }
    }
    al_free(a);
    al_free(u);
    al_free(s);
    al_free(vt);
    return st;
}

/* Deterministic leverage sampling: every environment with p_j = min(1, ns·lev_j) = 1, then
 * systematic sampling (offset ½) of the rest with probabilities scaled to the remaining count,
 * in training order; keys put the chosen first (largest leverage first among them). */
static void systematic_keys(const double *lev, size_t n, size_t ns, scored *sc)
{
    size_t c1 = 0;
    double rest = 0;
    for (size_t j = 0; j < n; j++) {
        double p = fmin(1.0, (double)ns * lev[j]);
        sc[j].idx = j;
        sc[j].key = -lev[j];
        if (p >= 1.0) sc[j].key -= 4.0, c1++;
        else rest += p;
    }
    if (c1 >= ns || !(rest > 0)) return;
    double scale = (double)(ns - c1) / rest, cum = 0;
    for (size_t j = 0; j < n; j++) {
        if (sc[j].key < -2.0) continue;
        double before = cum;
        cum += fmin(1.0, (double)ns * lev[j]) * scale;
        if (floor(cum + 0.5) > floor(before + 0.5)) sc[j].key -= 2.0;
    }
}

/* Indices of the chosen environments (ns of e->n) into idx, in ascending order. */
static al_status select_envs(const gp_desc_hyper *h, const env_set *e, size_t ns, al_rng *rng, size_t *idx,
                             al_err *err)
{
    size_t n = e->n;
    scored *sc = al_malloc(n * sizeof *sc);
    double *lev = al_malloc(n * sizeof *lev);
    al_status st = sc && lev ? AL_OK : al_fail(err, AL_ENOMEM, "GAP: out of memory for sparse-point selection");
    gp_sparse_method meth = h->sparse_method == GP_SPARSE_AUTO ? GP_SPARSE_CUR : h->sparse_method;
    if (!st && meth != GP_SPARSE_RANDOM) st = leverage(e, lev, err);
    for (size_t j = 0; !st && j < n; j++) {
        sc[j].idx = j;
        if (meth == GP_SPARSE_RANDOM) sc[j].key = al_rng_uniform(rng);
        else if (meth == GP_SPARSE_CUR) continue;
        else sc[j].key = al_rng_uniform(rng) - fmin(1.0, (double)ns * lev[j]);
    }
    if (!st && meth == GP_SPARSE_CUR) systematic_keys(lev, n, ns, sc);
    if (!st) {
        qsort(sc, n, sizeof *sc, by_key);
        for (size_t t = 0; t < ns; t++) idx[t] = sc[t].idx;
        qsort(idx, ns, sizeof *idx, by_size);
    }
    al_free(sc);
    al_free(lev);
    return st;
}

static al_status choose_vectors(gp_model *m, size_t d, const env_set *e, al_rng *rng, al_err *err)
{
    const gp_desc_hyper *h = &m->spec.desc[d];
    if (h->sparse_method == GP_SPARSE_UNIFORM)
        return al_fail(err, AL_EINVAL, "GAP SOAP %s: sparse method uniform is only for 2-body descriptors; use cur, "
                       "cur_random or random", al_element_symbol(h->soap.z));
    if (e->n == 0)
        return al_fail(err, AL_EINVAL, "GAP: no %s atom in the training frames for its SOAP descriptor",
                       al_element_symbol(h->soap.z));
    size_t ns = h->n_sparse < e->n ? h->n_sparse : e->n;
    if (ns < h->n_sparse)
        al_info("GAP SOAP %s: %zu environments, all taken as sparse points (n_sparse %zu)", al_element_symbol(h->soap.z),
                e->n, h->n_sparse);
    size_t *idx = al_malloc(ns * sizeof *idx);
    if (!idx) return al_fail(err, AL_ENOMEM, "GAP: out of memory");
    al_status st = ns == e->n ? AL_OK : select_envs(h, e, ns, rng, idx, err);
    if (!st) st = gp__sparse_alloc(m, d, ns, err);
    for (size_t t = 0; !st && t < ns; t++) {
        size_t j = ns == e->n ? t : idx[t];
        memcpy(m->d[d].xs + t * e->dim, e->x + j * e->dim, e->dim * sizeof(double));
        m->d[d].ws[t] = 1.0;
    }
    al_free(idx);
    return st;
}

/* 2-body: a grid (uniform) or a random draw (random) over the observed distances. */
static al_status choose_distances(gp_model *m, size_t d, const env_set *e, al_rng *rng, al_err *err)
{
    const gp_desc_hyper *h = &m->spec.desc[d];
    if (e->n == 0)
        return al_fail(err, AL_EINVAL, "GAP: no %s-%s pair within %g Å in the training frames",
                       al_element_symbol(h->b2.z1), al_element_symbol(h->b2.z2), h->b2.cutoff);
    if (h->sparse_method == GP_SPARSE_CUR || h->sparse_method == GP_SPARSE_CUR_RANDOM)
        return al_fail(err, AL_EINVAL, "GAP 2-body %s-%s: CUR needs a vector descriptor; use uniform or random",
                       al_element_symbol(h->b2.z1), al_element_symbol(h->b2.z2));
    size_t ns = h->n_sparse;
    AL_TRY(err, gp__sparse_alloc(m, d, ns, err));
    double lo = INFINITY, hi = -INFINITY, unused;
    for (size_t q = 0; q < e->n; q++) lo = fmin(lo, e->x[q]), hi = fmax(hi, e->x[q]);
    for (size_t t = 0; t < ns; t++) {
        double x = ns > 1 ? lo + (hi - lo) * t / (ns - 1) : 0.5 * (lo + hi);
        if (h->sparse_method == GP_SPARSE_RANDOM) x = e->x[al_rng_below(rng, e->n)];
        m->d[d].xs[t] = x;
        m->d[d].ws[t] = desc_cutoff(x, h->b2.cutoff, h->b2.transition_width, &unused);
    }
    return AL_OK;
}

al_status gp__choose_sparse(gp_model *m, const al_frame *frames, size_t n, al_err *err)
{
    const gp_gap_spec *s = &m->spec;
    env_set env[GP_MAX_DESC];
    memset(env, 0, sizeof env);
    for (size_t d = 0; d < s->n_desc; d++) env[d].dim = m->d[d].dim;
    al_status st = AL_OK;
    for (size_t k = 0; !st && k < n; k++) {
        if (!frames[k].labels) continue;
        st = al_nlist_build(&m->nl, &frames[k], gp__max_cutoff(s), 0.0, err);
        for (size_t d = 0; !st && d < s->n_desc; d++)
            if (!(st = gp__describe(m, d, &frames[k], err))) st = env_push(&env[d], &m->dv, err);
        if (st) al_fail_wrap(err, "training frame %zu: ", k);
    }
    al_rng rng;
    al_rng_seed(&rng, s->seed, 0);
    for (size_t d = 0; !st && d < s->n_desc; d++)
        st = s->desc[d].kind == GP_KIND_2B ? choose_distances(m, d, &env[d], &rng, err)
                                            : choose_vectors(m, d, &env[d], &rng, err);
    for (size_t d = 0; d < s->n_desc; d++) al_free(env[d].x);
    if (!st) st = gp__alpha_alloc(m, err);
    return st;
}
