/*
 * The dense GP surrogate of Bayesian optimisation: Matérn 5/2 kernel with ARD lengths and a
 * noise term (bo.h), its log marginal likelihood with analytic gradients (Rasmussen and
 * Williams, GPML, eqs. 5.8–5.9):
 *     log p(y|θ) = −½ yᵀα − Σ_i log L_ii − (n/2) log 2π,   α = K⁻¹y, K = L Lᵀ,
 *     ∂/∂θ_k = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ_k),
 * with ∂K/∂log σ_f² = K − σ_n² I, ∂K/∂log σ_n² = σ_n² I and, for the Matérn 5/2 kernel,
 *     ∂k/∂log ℓ_j = σ_f² (5/3)(1 + √5 r) e^{−√5 r} (Δ_j/ℓ_j)²,
 * and the predictive mean and latent standard deviation with their gradients in u:
 *     μ = k*ᵀα,  σ² = σ_f² − k*ᵀK⁻¹k*,  ∂k*_i/∂u_j = −σ_f² (5/3)(1 + √5 r_i) e^{−√5 r_i} Δ_ij/ℓ_j².
 */
#include "gp/bo/bo_impl.h"

#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/units.h"
#include "core/rng.h"

struct bo_gp {
    size_t d, n;
    double *u;            /* n × d */
    double *alpha;        /* K⁻¹ ys */
    double *chol;         /* n × n, lower Cholesky factor of K (row-major) */
    double *work;         /* 2n scratch values for predictions (one thread per surrogate) */
    double ymean, ystd;
    double theta[BO_MAX_DIM + 2];
    double ell[BO_MAX_DIM], sf2, sn2;
};

double bo__matern52(size_t d, const double *u, const double *v, double sf2, const double *ell,
                    double *c_out)
{
    double r2 = 0;
    for (size_t j = 0; j < d; j++) {
        double t = (u[j] - v[j]) / ell[j];
        r2 += t * t;
    }
    double r = sqrt(r2), s5r = sqrt(5.0) * r, e = exp(-s5r);
    if (c_out) *c_out = sf2 * (5.0 / 3.0) * (1 + s5r) * e;
    return sf2 * (1 + s5r + 5.0 * r2 / 3.0) * e;
}

void bo__theta_bounds(size_t d, double *lo, double *hi)
{
    lo[0] = log(1e-2), hi[0] = log(1e2);           /* σ_f², data standardised */
    for (size_t j = 0; j < d; j++) lo[1 + j] = log(1e-2), hi[1 + j] = log(2e1);   /* ℓ in u */
    lo[d + 1] = log(1e-6), hi[d + 1] = log(1.0);   /* σ_n² */
}

static void unpack(size_t d, const double *theta, double *sf2, double *ell, double *sn2)
{
    *sf2 = exp(theta[0]);
    for (size_t j = 0; j < d; j++) ell[j] = exp(theta[1 + j]);
    *sn2 = exp(theta[d + 1]);
}

/* K (n × n) of the points with noise; lower Cholesky in place. 0 on success. */
static int build_chol(size_t d, size_t n, const double *u, double sf2, const double *ell, double sn2,
                      double *k)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double v = bo__matern52(d, u + i * d, u + j * d, sf2, ell, NULL);
            k[i * n + j] = k[j * n + i] = v + (i == j ? sn2 : 0.0);
        }
    return LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, k, (lapack_int)n) != 0;
}

al_status bo_gp_lml(size_t d, size_t n, const double *u, const double *y, const double *theta,
                    double *lml, double *grad, al_err *err)
{
    double sf2, sn2, ell[BO_MAX_DIM];
    unpack(d, theta, &sf2, ell, &sn2);
    double *k = al_malloc(n * n * sizeof *k), *a = al_malloc(n * sizeof *a);
    al_status st = AL_OK;
    if (!k || !a) {
        st = al_fail(err, AL_ENOMEM, "surrogate: out of memory for %zu points", n);
        goto done;
    }
    if (build_chol(d, n, u, sf2, ell, sn2, k)) {
        st = al_fail(err, AL_EINVAL, "surrogate: covariance of %zu points not positive definite "
                                     "(noise %g)", n, sn2);
        goto done;
    }
    memcpy(a, y, n * sizeof *a);
    LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, 1, k, (lapack_int)n, a, 1);
    double v = 0;
    for (size_t i = 0; i < n; i++) v += -0.5 * y[i] * a[i] - log(k[i * n + i]);
    *lml = v - 0.5 * (double)n * log(2 * AL_PI);
    if (!grad) goto done;
    /* K⁻¹ from the factor (lower triangle), then W = ααᵀ − K⁻¹ contracted with ∂K. */
    LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, k, (lapack_int)n);
    memset(grad, 0, (d + 2) * sizeof *grad);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double w = a[i] * a[j] - k[i * n + j], c;
            double mult = (i == j) ? 0.5 : 1.0;   /* symmetric pairs counted twice, halved */
            double kij = bo__matern52(d, u + i * d, u + j * d, sf2, ell, &c);
            grad[0] += mult * w * kij;
            for (size_t q = 0; q < d; q++) {
                double t = (u[i * d + q] - u[j * d + q]) / ell[q];
                grad[1 + q] += mult * w * c * t * t;
            }
            if (i == j) grad[d + 1] += 0.5 * w * sn2;
        }
done:
    al_free(k);
    al_free(a);
    return st;
}

typedef struct lml_ctx {
    size_t d, n;
    const double *u, *y;
    int out_of_memory;    /* an evaluation failed for lack of memory, not of definiteness */
} lml_ctx;

static double neg_lml(const double *theta, double *grad, void *user)
{
    lml_ctx *c = user;
    double v;
    al_status st = bo_gp_lml(c->d, c->n, c->u, c->y, theta, &v, grad, NULL);
    if (st == AL_ENOMEM) c->out_of_memory = 1;
    if (st) return NAN;
    for (size_t i = 0; i < c->d + 2; i++) grad[i] = -grad[i];
    return -v;
}

/* Multi-start maximisation of the likelihood: a fixed start (σ_f² = 1, ℓ = 0.3, σ_n² = 1e-4),
 * then starts drawn uniformly in the bounds from a generator derived from the seed. */
static al_status fit_theta(size_t d, size_t n, const double *u, const double *y, size_t starts,
                           unsigned long long seed, double *theta, al_err *err)
{
    double lo[BO_MAX_DIM + 2], hi[BO_MAX_DIM + 2], x[BO_MAX_DIM + 2];
    bo__theta_bounds(d, lo, hi);
    lml_ctx c = {d, n, u, y, 0};
    al_rng g;
    /* A generator of its own, derived from the seed (a distinct seed rather than a far stream:
     * reaching stream k costs k jumps). */
    al_rng_seed(&g, seed * 0x9e3779b97f4a7c15ULL + 0x5eedULL, 0);
    double best = INFINITY;
    for (size_t s = 0; s < (starts ? starts : 1); s++) {
        if (s == 0) {
            x[0] = 0;
            for (size_t j = 0; j < d; j++) x[1 + j] = log(0.3);
            x[d + 1] = log(1e-4);
        } else {
            for (size_t j = 0; j < d + 2; j++) x[j] = lo[j] + al_rng_uniform(&g) * (hi[j] - lo[j]);
        }
        double v = bo__minimize(d + 2, neg_lml, &c, lo, hi, x, 100);
        if (isfinite(v) && v < best) {
            best = v;
            memcpy(theta, x, (d + 2) * sizeof *x);
        }
    }
    if (c.out_of_memory)
        return al_fail(err, AL_ENOMEM, "surrogate: out of memory fitting %zu points", n);
    if (!isfinite(best))
        return al_fail(err, AL_ENOCONV, "surrogate: no hyperparameters with a positive definite "
                                        "covariance for %zu points", n);
    return AL_OK;
}

void bo_gp_destroy(bo_gp *g)
{
    if (!g) return;
    al_free(g->u);
    al_free(g->alpha);
    al_free(g->chol);
    al_free(g->work);
    al_free(g);
}

const double *bo_gp_theta(const bo_gp *g) { return g->theta; }

al_status bo_gp_create(size_t d, size_t n, const double *u, const double *y, const double *theta,
                       size_t starts, unsigned long long seed, bo_gp **out, al_err *err)
{
    *out = NULL;
    if (n == 0 || d == 0 || d > BO_MAX_DIM)
        return al_fail(err, AL_EINVAL, "surrogate: needs at least one point in 1..%d dimensions "
                                       "(got %zu points, %zu dimensions)", BO_MAX_DIM, n, d);
    bo_gp *g = al_calloc(1, sizeof *g);
    al_status st = AL_OK;
    if (!g) return al_fail(err, AL_ENOMEM, "surrogate: out of memory");
    g->d = d, g->n = n;
    g->u = al_malloc(n * d * sizeof *g->u);
    g->alpha = al_malloc(n * sizeof *g->alpha);
    g->chol = al_malloc(n * n * sizeof *g->chol);
    g->work = al_malloc(2 * n * sizeof *g->work);
    if (!g->u || !g->alpha || !g->chol || !g->work) {
        st = al_fail(err, AL_ENOMEM, "surrogate: out of memory for %zu points", n);
        goto done;
    }
    memcpy(g->u, u, n * d * sizeof *u);
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++) m += y[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++) v += (y[i] - m) * (y[i] - m);
    v = n > 1 ? sqrt(v / (double)(n - 1)) : 0;
    g->ymean = m;
    g->ystd = v > 1e-12 * (1 + fabs(m)) ? v : 1.0;
    for (size_t i = 0; i < n; i++) g->alpha[i] = (y[i] - m) / g->ystd;
    if (theta) memcpy(g->theta, theta, (d + 2) * sizeof *theta);
    else if ((st = fit_theta(d, n, g->u, g->alpha, starts, seed, g->theta, err))) goto done;
    unpack(d, g->theta, &g->sf2, g->ell, &g->sn2);
    if (build_chol(d, n, g->u, g->sf2, g->ell, g->sn2, g->chol)) {
        st = al_fail(err, AL_EINVAL, "surrogate: covariance of %zu points not positive definite", n);
        goto done;
    }
    LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, 1, g->chol, (lapack_int)n, g->alpha, 1);
    *out = g;
    g = NULL;
done:
    if (st) AL_TRACE(err);
    bo_gp_destroy(g);
    return st;
}

void bo_gp_predict(const bo_gp *g, const double *u, double *mu, double *sigma, double *dmu,
                   double *dsigma)
{
    size_t n = g->n, d = g->d;
    double *k = g->work, *w = k + n;
    double dm[BO_MAX_DIM] = {0}, dv[BO_MAX_DIM] = {0};
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        k[i] = bo__matern52(d, u, g->u + i * d, g->sf2, g->ell, NULL);
        m += k[i] * g->alpha[i];
    }
    memcpy(w, k, n * sizeof *w);
    LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, 1, g->chol, (lapack_int)n, w, 1);
    double var = g->sf2;
    for (size_t i = 0; i < n; i++) var -= k[i] * w[i];
    if (dmu || dsigma)
        for (size_t i = 0; i < n; i++) {
            double c;
            bo__matern52(d, u, g->u + i * d, g->sf2, g->ell, &c);
            for (size_t j = 0; j < d; j++) {
                double dk = -c * (u[j] - g->u[i * d + j]) / (g->ell[j] * g->ell[j]);
                dm[j] += dk * g->alpha[i];
                dv[j] += -2.0 * dk * w[i];
            }
        }
    /* Round-off can make the latent variance slightly negative at a data point; below
     * 1e-12 σ_f² it is clipped and its gradient taken as zero. */
    double floor_var = 1e-12 * g->sf2, s = var > floor_var ? sqrt(var) : sqrt(floor_var);
    *mu = g->ymean + g->ystd * m;
    *sigma = g->ystd * s;
    for (size_t j = 0; j < d; j++) {
        if (dmu) dmu[j] = g->ystd * dm[j];
        if (dsigma) dsigma[j] = var > floor_var ? g->ystd * dv[j] / (2 * s) : 0.0;
    }
}
