/*
 * Acquisition functions and their maximisation over the unit cube (bo.h for the formulas).
 *
 * Expected improvement for minimisation (Jones, Schonlau and Welch, J. Glob. Optim. 13, 455
 * (1998)), with a = f* − μ − ξ and z = a/σ:
 *     EI = a Φ(z) + σ φ(z),  ∂EI/∂μ = −Φ(z),  ∂EI/∂σ = φ(z);
 * the confidence bound UCB = κσ − μ (Srinivas et al., ICML 2010, for a minimised objective).
 * Maximisation: acq_samples uniform points plus Gaussian perturbations (σ = 0.05) of the three
 * best trials are scored; the acq_starts best seed local quasi-Newton searches with analytic
 * gradients (∂μ/∂u and ∂σ/∂u from the surrogate). The local optima, then every scored point,
 * are returned in order of decreasing acquisition, so the caller can skip repeats.
 */
#include "gp/bo/acq_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/units.h"

double bo_ei(double mu, double sigma, double best, double xi, double *d_mu, double *d_sigma)
{
    double a = best - mu - xi;
    if (!(sigma > 0)) {
        if (d_mu) *d_mu = a > 0 ? -1.0 : 0.0;
        if (d_sigma) *d_sigma = 0.0;
        return a > 0 ? a : 0.0;
    }
    double z = a / sigma;
    double cdf = 0.5 * erfc(-z / sqrt(2.0));
    double pdf = exp(-0.5 * z * z) / sqrt(2.0 * AL_PI);
    if (d_mu) *d_mu = -cdf;
    if (d_sigma) *d_sigma = pdf;
    return a * cdf + sigma * pdf;
}

double bo_ucb(double mu, double sigma, double kappa, double *d_mu, double *d_sigma)
{
    if (d_mu) *d_mu = -1.0;
    if (d_sigma) *d_sigma = kappa;
    return kappa * sigma - mu;
}

double bo__acq_value(const bo__acq_ctx *c, const double *u, double *grad)
{
    size_t d = c->d;
    double mu, sigma, dmu[BO_MAX_DIM], dsig[BO_MAX_DIM], amu, asig, v;
    bo_gp_predict(c->gp, u, &mu, &sigma, grad ? dmu : NULL, grad ? dsig : NULL);
    if (c->opts->acq == BO_ACQ_UCB)
        v = bo_ucb(mu, sigma, c->opts->kappa, &amu, &asig);
    else
        v = bo_ei(mu, sigma, c->best, c->xi, &amu, &asig);
    if (grad)
        for (size_t j = 0; j < d; j++) grad[j] = amu * dmu[j] + asig * dsig[j];
    return v;
}

static double neg_acq(const double *u, double *grad, void *user)
{
    double v = bo__acq_value(user, u, grad);
    for (size_t j = 0; j < ((const bo__acq_ctx *)user)->d; j++) grad[j] = -grad[j];
    return -v;
}

static int by_value_desc(const void *a, const void *b)
{
    const bo__cand *x = a, *y = b;
    if (x->value > y->value) return -1;
    if (x->value < y->value) return 1;
    return (x->order > y->order) - (x->order < y->order);
}

al_status bo__acq_maximize(const bo__acq_ctx *c, const double *u_best, size_t n_best,
                           al_rng *rng, bo__cand **out, size_t *n_out, al_err *err)
{
    size_t d = c->d, ns = c->opts->acq_samples ? c->opts->acq_samples : 1000;
    size_t nper = 20, starts = c->opts->acq_starts ? c->opts->acq_starts : 5;
    size_t total = ns + n_best * nper;
    if (starts > total) starts = total;
    bo__cand *cand = al_malloc((total + starts) * sizeof *cand);
    if (!cand) return al_fail(err, AL_ENOMEM, "acquisition: out of memory for %zu points", total);
    for (size_t i = 0; i < total; i++) {
        bo__cand *p = &cand[starts + i];
        for (size_t j = 0; j < d; j++) {
            if (i < ns) {
                p->u[j] = al_rng_uniform(rng);
            } else {
                double v = u_best[((i - ns) / nper) * d + j] + 0.05 * al_rng_normal(rng);
                p->u[j] = v < 0 ? 0 : v > 1 ? 1 : v;
            }
        }
        p->value = bo__acq_value(c, p->u, NULL);
        p->order = starts + i;
    }
    qsort(cand + starts, total, sizeof *cand, by_value_desc);
    double lo[BO_MAX_DIM], hi[BO_MAX_DIM];
    for (size_t j = 0; j < d; j++) lo[j] = 0, hi[j] = 1;
    for (size_t s = 0; s < starts; s++) {
        cand[s] = cand[starts + s];
        double v = bo__minimize(d, neg_acq, (void *)c, lo, hi, cand[s].u, 60);
        cand[s].value = isfinite(v) ? -v : cand[starts + s].value;
        if (!isfinite(v)) memcpy(cand[s].u, cand[starts + s].u, sizeof cand[s].u);
        cand[s].order = s;
    }
    qsort(cand, starts, sizeof *cand, by_value_desc);
    *out = cand;
    *n_out = total + starts;
    return AL_OK;
}
