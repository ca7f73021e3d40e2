/*
 * The Bayesian-optimisation loop: proposals (Latin hypercube first, then the surrogate and the
 * acquisition, batches by the constant liar) and the run with budget and early stop (bo.h).
 *
 * Data given to the surrogate: every successful trial at its (rounded) parameters mapped to
 * the unit cube; failed trials enter with the worst value seen, so the search moves away from
 * them; pending proposals of the current batch enter with the best value seen (the "CL-min"
 * liar of Ginsbourger et al. 2010), with the hyperparameters fitted on the real data.
 */
#include "gp/bo/acq_impl.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"

bo_opts bo_opts_default(void)
{
    bo_opts o;
    memset(&o, 0, sizeof o);
    o.seed = 1;
    o.budget = 20;
    o.batch = 1;
    o.n_init = 0;
    o.acq = BO_ACQ_EI;
    o.xi = 0.0;
    o.kappa = 2.0;
    o.hyper_starts = 4;
    o.acq_samples = 1000;
    o.acq_starts = 5;
    o.patience = 0;
    o.min_improvement = 0.0;
    o.target = -INFINITY;
    return o;
}

static size_t n_init_of(const bo_log *log, const bo_opts *o)
{
    size_t d = log->space.d;
    return o->n_init ? o->n_init : (d + 1 > 5 ? d + 1 : 5);
}

/* Point i of the seeded Latin hypercube of m points (stream 0 of the seed). */
static void lhs_point(const bo_opts *o, size_t d, size_t m, size_t i, double *u)
{
    al_rng g;
    al_rng_seed(&g, o->seed, 0);
    size_t *perm = al_malloc(m * sizeof *perm);
    double jit = 0.5;
    for (size_t j = 0; j < d; j++) {
        for (size_t k = 0; k < m; k++) perm[k] = k;
        al_rng_shuffle(&g, perm, m);
        for (size_t k = 0; k < m; k++) {
            double r = al_rng_uniform(&g);
            if (k == i) jit = r;
        }
        u[j] = ((double)perm[i] + jit) / (double)m;
    }
    al_free(perm);
}

static int seen(const bo_log *log, const double *pend, size_t np, const double *x)
{
    if (bo_log_contains(log, x)) return 1;
    size_t d = log->space.d;
    for (size_t p = 0; p < np; p++) {
        size_t j = 0;
        for (; j < d; j++)
            if (fabs(pend[p * d + j] - x[j]) > 1e-9 * fmax(fabs(pend[p * d + j]), fabs(x[j]))) break;
        if (j == d) return 1;
    }
    return 0;
}

/* A uniformly random untried point (1000 attempts), else AL_ENOTFOUND. */
static al_status random_new(const bo_log *log, const double *pend, size_t np, al_rng *g, double *x,
                            al_err *err)
{
    double u[BO_MAX_DIM];
    for (int a = 0; a < 1000; a++) {
        for (size_t j = 0; j < log->space.d; j++) u[j] = al_rng_uniform(g);
        bo_space_from_unit(&log->space, u, x);
        if (!seen(log, pend, np, x)) return AL_OK;
    }
    return al_fail(err, AL_ENOTFOUND, "Bayesian optimisation: no untried point left in the "
                                      "search space after %zu trials", log->n + np);
}

/* Surrogate data: trials (failed ones at the worst value) plus pending points at the best. */
static double model_value(const bo_opts *o, double v)
{
    return o->log_value ? log(fmax(v, 1e-300)) : v;
}

static size_t gather(const bo_log *log, const bo_opts *o, const double *pend, size_t np,
                     double *u, double *y, double *best, double *worst, size_t *n_ok)
{
    size_t d = log->space.d, n = 0;
    *best = INFINITY, *worst = -INFINITY, *n_ok = 0;
    for (size_t i = 0; i < log->n; i++)
        if (log->t[i].ok) {
            double v = model_value(o, log->t[i].value);
            *best = fmin(*best, v), *worst = fmax(*worst, v);
            (*n_ok)++;
        }
    for (size_t i = 0; i < log->n; i++) {
        if (!log->t[i].ok && *n_ok == 0) continue;
        bo_space_to_unit(&log->space, log->t[i].x, u + n * d);
        y[n++] = log->t[i].ok ? model_value(o, log->t[i].value) : *worst;
    }
    for (size_t p = 0; p < np; p++) {
        bo_space_to_unit(&log->space, pend + p * d, u + n * d);
        y[n++] = *best;
    }
    return n;
}

/* The three best successful trials in the unit cube (for perturbed acquisition starts). */
static size_t best_points(const bo_log *log, double *ub)
{
    size_t d = log->space.d, nb = 0;
    long used[3] = {-1, -1, -1};
    for (; nb < 3; nb++) {
        long b = -1;
        for (size_t i = 0; i < log->n; i++) {
            if (!log->t[i].ok || (long)i == used[0] || (long)i == used[1]) continue;
            if (b < 0 || log->t[i].value < log->t[b].value) b = (long)i;
        }
        if (b < 0) break;
        used[nb] = b;
        bo_space_to_unit(&log->space, log->t[b].x, ub + nb * d);
    }
    return nb;
}

static al_status propose_one(const bo_log *log, const bo_opts *o, const double *theta,
                             const double *pend, size_t np, al_rng *g, double *x, al_err *err)
{
    size_t d = log->space.d, cap = log->n + np, n_ok;
    double *u = al_malloc(cap * d * sizeof *u + cap * sizeof(double));
    if (!u) return al_fail(err, AL_ENOMEM, "Bayesian optimisation: out of memory");
    double *y = u + cap * d, best, worst, ub[3 * BO_MAX_DIM];
    size_t n = gather(log, o, pend, np, u, y, &best, &worst, &n_ok);
    bo_gp *gp = NULL;
    bo__cand *cand = NULL;
    size_t nc = 0;
    al_status st = bo_gp_create(d, n, u, y, theta, o->hyper_starts, o->seed, &gp, err);
    if (st) goto done;
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++) m += y[i] / (double)n;
    for (size_t i = 0; i < n; i++) v += (y[i] - m) * (y[i] - m) / (double)(n > 1 ? n - 1 : 1);
    bo__acq_ctx c = {d, gp, o, best, o->xi * sqrt(v)};
    if ((st = bo__acq_maximize(&c, ub, best_points(log, ub), g, &cand, &nc, err))) goto done;
    for (size_t i = 0; i < nc; i++) {
        bo_space_from_unit(&log->space, cand[i].u, x);
        if (!seen(log, pend, np, x)) goto done;
    }
    st = random_new(log, pend, np, g, x, err);
done:
    bo_gp_destroy(gp);
    al_free(cand);
    al_free(u);
    return st;
}

/* θ fitted once per round on the real data (trials only), reused for the liar points. */
static al_status fit_theta_round(const bo_log *log, const bo_opts *o, double *theta, al_err *err)
{
    size_t d = log->space.d, n_ok;
    double *u = al_malloc(log->n * (d + 1) * sizeof *u), best, worst;
    if (!u) return al_fail(err, AL_ENOMEM, "Bayesian optimisation: out of memory");
    size_t n = gather(log, o, NULL, 0, u, u + log->n * d, &best, &worst, &n_ok);
    bo_gp *gp = NULL;
    al_status st = bo_gp_create(d, n, u, u + log->n * d, NULL, o->hyper_starts,
                                o->seed ^ (unsigned long long)log->n, &gp, err);
    if (!st) memcpy(theta, bo_gp_theta(gp), (d + 2) * sizeof *theta);
    bo_gp_destroy(gp);
    al_free(u);
    return st;
}

al_status bo_propose(const bo_log *log, const bo_opts *o, size_t q, double *out, al_err *err)
{
    size_t d = log->space.d, m = n_init_of(log, o), n_ok = 0;
    if (d == 0) return al_fail(err, AL_EINVAL, "Bayesian optimisation: empty search space");
    al_rng g;
    al_rng_seed(&g, o->seed, 1 + log->n);
    for (size_t i = 0; i < log->n; i++) n_ok += log->t[i].ok != 0;
    double theta[BO_MAX_DIM + 2];
    int have_theta = 0;
    for (size_t b = 0; b < q; b++) {
        size_t idx = log->n + b;
        double *x = out + b * d, u[BO_MAX_DIM];
        if (idx < m || n_ok < 2) {
            if (idx < m) {
                lhs_point(o, d, m, idx, u);
                bo_space_from_unit(&log->space, u, x);
                if (!seen(log, out, b, x)) continue;
            }
            AL_TRY(err, random_new(log, out, b, &g, x, err));
            continue;
        }
        if (!have_theta) {
            AL_TRY(err, fit_theta_round(log, o, theta, err));
            have_theta = 1;
        }
        AL_TRY(err, propose_one(log, o, theta, out, b, &g, x, err));
    }
    return AL_OK;
}

/* 1 when the search should stop early (target reached, or no improvement for `patience`). */
static int early_stop(const bo_log *log, const bo_opts *o)
{
    long b = bo_log_best(log);
    if (b >= 0 && log->t[b].value <= o->target) return 1;
    if (o->patience == 0) return 0;
    double best = INFINITY;
    size_t last = 0;
    for (size_t i = 0; i < log->n; i++)
        if (log->t[i].ok && log->t[i].value < best - o->min_improvement) {
            best = log->t[i].value;
            last = i;
        }
    return log->n > n_init_of(log, o) && log->n - 1 - last >= o->patience;
}

/* Evaluates the q proposals xs (q × d) and appends them to the log. With a communicator of
 * several ranks, rank r evaluates trials b ≡ r (mod size) and a sum shares every result (the
 * others contribute zeros, and NaN + 0 stays NaN), so every rank appends the same trials. */
static al_status eval_batch(bo_log *log, const bo_opts *o, bo_objective f, void *user,
                            const double *xs, size_t q, al_err *err)
{
    enum { NV = 6 };   /* value, energy MAE, force MAE, time, ok, interrupted */
    size_t d = log->space.d;
    int rank = o->comm ? al_comm_rank(o->comm) : 0, size = o->comm ? al_comm_size(o->comm) : 1;
    double *res = al_calloc(q * NV, sizeof *res);
    if (!res) return al_fail(err, AL_ENOMEM, "Bayesian optimisation: out of memory");
    for (size_t b = 0; b < q; b++) {
        if ((int)(b % (size_t)size) != rank) continue;
        bo_eval ev = {NAN, NAN, NAN};
        double t0 = al_wtime();
        al_status fs = f(xs + b * d, &ev, user, err);
        double *r = res + b * NV;
        r[3] = al_wtime() - t0;
        r[4] = fs == AL_OK && isfinite(ev.value);
        r[5] = fs == AL_EINTERRUPT;
        if (!r[4] && !r[5])
            al_warn("Bayesian optimisation: trial %zu failed: %s", log->n + b,
                    fs ? (err ? err->msg : al_status_str(fs)) : "objective is not finite");
        r[0] = r[4] ? ev.value : NAN;
        r[1] = ev.energy_mae;
        r[2] = ev.force_mae;
    }
    al_status st = AL_OK;
    if (size > 1) st = al_comm_sum(o->comm, res, q * NV, err);
    for (size_t b = 0; b < q && !st; b++)
        if (res[b * NV + 5] != 0) st = al_fail(err, AL_EINTERRUPT, "Bayesian optimisation: interrupted");
    for (size_t b = 0; b < q && !st; b++) {
        bo_trial t;
        memset(&t, 0, sizeof t);
        memcpy(t.x, xs + b * d, d * sizeof *xs);
        const double *r = res + b * NV;
        t.value = r[0], t.energy_mae = r[1], t.force_mae = r[2], t.fit_time = r[3];
        t.ok = r[4] != 0;
        st = bo_log_add(log, &t, err);
    }
    al_free(res);
    return st;
}

al_status bo_run(bo_log *log, const bo_opts *o, bo_objective f, void *user, int *stopped_early,
                 al_err *err)
{
    size_t d = log->space.d, qmax = o->batch ? o->batch : 1;
    int multi = o->comm && al_comm_size(o->comm) > 1;
    if (stopped_early) *stopped_early = 0;
    double *xs = al_malloc(qmax * d * sizeof *xs);
    if (!xs) return al_fail(err, AL_ENOMEM, "Bayesian optimisation: out of memory");
    al_status st = AL_OK;
    while (log->n < o->budget) {
        if (log->n > 0 && early_stop(log, o)) {
            if (stopped_early) *stopped_early = 1;
            break;
        }
        size_t q = o->budget - log->n < qmax ? o->budget - log->n : qmax;
        st = bo_propose(log, o, q, xs, err);
        while (st == AL_ENOTFOUND && q > 1) st = bo_propose(log, o, --q, xs, err);   /* fewer left */
        /* Proposals depend on the log only, so ranks agree; rank 0's are used regardless. */
        if (multi) {
            st = al_comm_agree(o->comm, st);
            if (!st) st = al_comm_bcast(o->comm, xs, q * d * sizeof *xs, 0, err);
        }
        if (st) {
            if (st == AL_ENOTFOUND) {   /* every point of an integer space tried: done */
                al_info("Bayesian optimisation: %s", err ? err->msg : "search space exhausted");
                if (stopped_early) *stopped_early = 1;
                st = AL_OK;
            }
            break;
        }
        if ((st = eval_batch(log, o, f, user, xs, q, err))) break;
    }
    if (st) AL_TRACE(err);
    al_free(xs);
    return st;
}
