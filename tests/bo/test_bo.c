/*
 * Bayesian optimisation: the surrogate's likelihood gradient and predictive gradients against
 * central finite differences, the Matérn 5/2 value and EI/UCB against hand/SciPy values, the
 * search-space map, the trial log's CSV round trip and bad files, constant-liar batches,
 * resume, exhaustion of an integer space, and the batch search spread over MPI ranks.
 * Branin and Hartmann-6 against random search: tests/bo/test_bo_bench.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/comm.h"
#include "core/rng.h"
#include "core/units.h"
#include "gp/bo/bo.h"
#include "gp/bo/bo_impl.h"
#include "tests/harness/al_test.h"

static void random_data(size_t d, size_t n, unsigned seed, double *u, double *y)
{
    al_rng g;
    al_rng_seed(&g, seed, 0);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < d; j++) {
            u[i * d + j] = al_rng_uniform(&g);
            s += sin(3 * u[i * d + j] + j);
        }
        y[i] = s + 0.1 * al_rng_normal(&g);
    }
}

static void test_lml_gradient(al_test *t)
{
    enum { D = 3, N = 14 };
    double u[N * D], y[N], theta[D + 2] = {0.3, log(0.4), log(0.9), log(0.2), log(0.01)};
    double grad[D + 2], lml;
    al_err err;
    random_data(D, N, 5, u, y);
    AL_CHECK_OK(t, bo_gp_lml(D, N, u, y, theta, &lml, grad, &err), &err);
    for (int k = 0; k < D + 2; k++) {
        double h = 1e-5, tp[D + 2], tm[D + 2], lp, lm;
        memcpy(tp, theta, sizeof tp);
        memcpy(tm, theta, sizeof tm);
        tp[k] += h, tm[k] -= h;
        bo_gp_lml(D, N, u, y, tp, &lp, NULL, &err);
        bo_gp_lml(D, N, u, y, tm, &lm, NULL, &err);
        AL_CHECK_REL(t, grad[k], (lp - lm) / (2 * h), 1e-6, 1e-7);
    }
    /* One point, unit variance, no noise: log p = −½y² − ½ log(σ_f² + σ_n²) − ½ log 2π. */
    double u1[D] = {0.5, 0.5, 0.5}, y1 = 0.7, th1[D + 2] = {log(2.0), 0, 0, 0, log(0.5)};
    AL_CHECK_OK(t, bo_gp_lml(D, 1, u1, &y1, th1, &lml, NULL, &err), &err);
    AL_CHECK_CLOSE(t, lml, -0.5 * 0.49 / 2.5 - 0.5 * log(2.5) - 0.5 * log(2 * AL_PI), 1e-14);
}

static void test_matern_value(al_test *t)
{
    double u[2] = {0, 0}, v[2] = {0.3, 0.4}, ell[2] = {0.5, 0.5}, c;
    /* r = 1: (1 + √5 + 5/3) e^{−√5} = 0.5239941088318203 (evaluated by hand in Python). */
    AL_CHECK_CLOSE(t, bo__matern52(2, u, v, 1.0, ell, &c), 0.5239941088318203, 1e-15);
    AL_CHECK_CLOSE(t, bo__matern52(2, u, u, 2.5, ell, NULL), 2.5, 1e-15);
}

static void test_predict_gradient(al_test *t)
{
    enum { D = 2, N = 10 };
    double u[N * D], y[N], theta[D + 2] = {0.1, log(0.3), log(0.5), log(1e-3)};
    al_err err;
    random_data(D, N, 9, u, y);
    bo_gp *g = NULL;
    AL_CHECK_OK(t, bo_gp_create(D, N, u, y, theta, 0, 0, &g, &err), &err);
    if (!g) return;
    al_rng r;
    al_rng_seed(&r, 3, 0);
    for (int p = 0; p < 5; p++) {
        double x[D] = {al_rng_uniform(&r), al_rng_uniform(&r)}, mu, s, dmu[D], ds[D];
        bo_gp_predict(g, x, &mu, &s, dmu, ds);
        for (int j = 0; j < D; j++) {
            double h = 1e-6, xp[D], xm[D], mp, sp, mm, sm;
            memcpy(xp, x, sizeof xp), memcpy(xm, x, sizeof xm);
            xp[j] += h, xm[j] -= h;
            bo_gp_predict(g, xp, &mp, &sp, NULL, NULL);
            bo_gp_predict(g, xm, &mm, &sm, NULL, NULL);
            AL_CHECK_REL(t, dmu[j], (mp - mm) / (2 * h), 1e-6, 1e-7);
            AL_CHECK_REL(t, ds[j], (sp - sm) / (2 * h), 1e-5, 1e-7);
        }
    }
    /* With little noise the mean passes close to the data and σ is small there. */
    double mu, s;
    bo_gp_predict(g, u, &mu, &s, NULL, NULL);
    AL_CHECK_CLOSE(t, mu, y[0], 0.05);
    bo_gp_destroy(g);
}

/* The fitted θ is a stationary point of the likelihood (or on a bound). */
static void test_hyper_fit(al_test *t)
{
    enum { D = 2, N = 20 };
    double u[N * D], y[N], lml, grad[D + 2], lo[D + 2], hi[D + 2];
    al_err err;
    random_data(D, N, 21, u, y);
    bo_gp *g = NULL;
    AL_CHECK_OK(t, bo_gp_create(D, N, u, y, NULL, 4, 7, &g, &err), &err);
    if (!g) return;
    const double *th = bo_gp_theta(g);
    double ys[N], m = 0, v = 0;
    for (int i = 0; i < N; i++) m += y[i] / N;
    for (int i = 0; i < N; i++) v += (y[i] - m) * (y[i] - m) / (N - 1);
    for (int i = 0; i < N; i++) ys[i] = (y[i] - m) / sqrt(v);
    AL_CHECK_OK(t, bo_gp_lml(D, N, u, ys, th, &lml, grad, &err), &err);
    bo__theta_bounds(D, lo, hi);
    for (int k = 0; k < D + 2; k++) {
        int at_bound = th[k] <= lo[k] + 1e-9 || th[k] >= hi[k] - 1e-9;
        AL_CHECK_MSG(t, at_bound || fabs(grad[k]) < 1e-3, "gradient %d = %g at θ = %g", k, grad[k],
                     th[k]);
    }
    /* Better than the fixed start (σ_f² = 1, ℓ = 0.3, σ_n² = 1e-4). */
    double th0[D + 2] = {0, log(0.3), log(0.3), log(1e-4)}, lml0;
    bo_gp_lml(D, N, u, ys, th0, &lml0, NULL, &err);
    AL_CHECK(t, lml >= lml0);
    bo_gp_destroy(g);
}

static void test_ei_ucb(al_test *t)
{
    /* Reference values from scipy.stats.norm: a Φ(a/σ) + σ φ(a/σ), a = f* − μ − ξ. */
    double dm, ds;
    AL_CHECK_CLOSE(t, bo_ei(0.5, 1.0, 0.0, 0.0, &dm, &ds), 0.19779655740130603, 1e-15);
    AL_CHECK_CLOSE(t, dm, -0.3085375387259869, 1e-15);
    AL_CHECK_CLOSE(t, ds, 0.35206532676429947, 1e-15);
    AL_CHECK_CLOSE(t, bo_ei(-0.3, 0.2, 0.1, 0.01, &dm, &ds), 0.3919395980003242, 1e-15);
    AL_CHECK_CLOSE(t, dm, -0.9744119404783614, 1e-15);
    AL_CHECK_CLOSE(t, ds, 0.059594706068816075, 1e-15);
    AL_CHECK_CLOSE(t, bo_ei(2.0, 0.5, 1.0, 0.0, NULL, NULL), 0.00424535130841483, 1e-16);
    /* σ = 0: the improvement itself, or 0. */
    AL_CHECK_CLOSE(t, bo_ei(0.2, 0.0, 0.5, 0.1, &dm, NULL), 0.2, 1e-15);
    AL_CHECK(t, dm == -1.0);
    AL_CHECK(t, bo_ei(0.7, 0.0, 0.5, 0.0, NULL, NULL) == 0.0);
    AL_CHECK_CLOSE(t, bo_ucb(0.5, 0.25, 2.0, &dm, &ds), 0.0, 1e-16);
    AL_CHECK(t, dm == -1.0 && ds == 2.0);
    /* Derivatives against central differences. */
    double h = 1e-6, a = bo_ei(0.3, 0.4, 0.1, 0.0, &dm, &ds);
    (void)a;
    AL_CHECK_CLOSE(t, dm, (bo_ei(0.3 + h, 0.4, 0.1, 0, 0, 0) - bo_ei(0.3 - h, 0.4, 0.1, 0, 0, 0)) / (2 * h), 1e-8);
    AL_CHECK_CLOSE(t, ds, (bo_ei(0.3, 0.4 + h, 0.1, 0, 0, 0) - bo_ei(0.3, 0.4 - h, 0.1, 0, 0, 0)) / (2 * h), 1e-8);
}

static void test_space(al_test *t)
{
    bo_space s;
    al_err err;
    bo_space_init(&s);
    AL_CHECK_OK(t, bo_space_add(&s, "delta", 0.01, 1.0, 1, 0, &err), &err);
    AL_CHECK_OK(t, bo_space_add(&s, "n_max", 2, 9, 0, 1, &err), &err);
    AL_CHECK_OK(t, bo_space_add(&s, "n_sparse", 100, 1600, 1, 1, &err), &err);
    double u[3] = {0.5, 0.5, 0.5}, x[3], back[3];
    bo_space_from_unit(&s, u, x);
    AL_CHECK_CLOSE(t, x[0], 0.1, 1e-15);        /* geometric mean of 0.01 and 1 */
    AL_CHECK(t, x[1] == 6.0);                   /* 5.5 rounds to 6 */
    AL_CHECK(t, x[2] == 400.0);                 /* √(100·1600) */
    bo_space_to_unit(&s, x, back);
    AL_CHECK_CLOSE(t, back[0], 0.5, 1e-15);
    AL_CHECK_CLOSE(t, back[1], 4.0 / 7.0, 1e-15);
    double u0[3] = {0, 1, -0.2};
    bo_space_from_unit(&s, u0, x);
    AL_CHECK(t, x[0] == 0.01 && x[1] == 9 && x[2] == 100);
    AL_CHECK(t, bo_space_find(&s, "n_max") == 1 && bo_space_find(&s, "zeta") == -1);

    AL_CHECK(t, bo_space_add(&s, "delta", 1, 2, 0, 0, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "search space: parameter 'delta' given twice");
    AL_CHECK(t, bo_space_add(&s, "sigma", 0, 1, 1, 0, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "search space: 'sigma' on a log scale needs min > 0 (got 0)");
    AL_CHECK(t, bo_space_add(&s, "zeta", 3, 2, 0, 1, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "search space: 'zeta' needs finite bounds min < max (got 3, 2)");
    AL_CHECK(t, bo_space_add(&s, "l_max", 2.2, 2.8, 0, 1, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "search space: integer 'l_max' has no integer in [2.2, 2.8]");
}

/* Branin–Hoo on [−5, 10] × [0, 15]; minimum 0.397887 at three points (Dixon and Szegő 1978). */
static double branin(const double *x)
{
    double a = 1, b = 5.1 / (4 * AL_PI * AL_PI), c = 5 / AL_PI, r = 6, s = 10, tt = 1 / (8 * AL_PI);
    double q = x[1] - b * x[0] * x[0] + c * x[0] - r;
    return a * q * q + s * (1 - tt) * cos(x[0]) + s;
}

static al_status branin_obj(const double *x, bo_eval *out, void *user, al_err *err)
{
    (void)err;
    if (user) (*(int *)user)++;
    out->value = branin(x);
    out->energy_mae = out->force_mae = NAN;
    return AL_OK;
}

static void branin_space(bo_space *s)
{
    bo_space_init(s);
    bo_space_add(s, "x1", -5, 10, 0, 0, NULL);
    bo_space_add(s, "x2", 0, 15, 0, 0, NULL);
}

static al_status quad1d(const double *x, bo_eval *out, void *user, al_err *err)
{
    (void)user, (void)err;
    out->value = (x[0] - 0.3) * (x[0] - 0.3) + 0.1 * sin(12 * x[0]);
    out->energy_mae = 2 * x[0];
    out->force_mae = x[0] / 3;
    return AL_OK;
}

static void test_batch_distinct(al_test *t)
{
    bo_space s;
    branin_space(&s);
    bo_log log;
    bo_log_init(&log, &s);
    bo_opts o = bo_opts_default();
    o.budget = 8;
    al_err err;
    AL_CHECK_OK(t, bo_run(&log, &o, branin_obj, NULL, NULL, &err), &err);
    double x[4 * 2], u[4][2];
    AL_CHECK_OK(t, bo_propose(&log, &o, 4, x, &err), &err);
    for (int i = 0; i < 4; i++) {
        AL_CHECK(t, !bo_log_contains(&log, x + 2 * i));
        bo_space_to_unit(&s, x + 2 * i, u[i]);
        for (int j = 0; j < i; j++) {
            double dist = hypot(u[i][0] - u[j][0], u[i][1] - u[j][1]);
            AL_CHECK_MSG(t, dist > 0.01, "proposals %d and %d only %g apart", i, j, dist);
        }
    }
    /* The first proposal of a batch is the sequential proposal. */
    double x1[2];
    AL_CHECK_OK(t, bo_propose(&log, &o, 1, x1, &err), &err);
    AL_CHECK(t, x1[0] == x[0] && x1[1] == x[1]);
    /* A batch run fills the budget exactly. */
    o.batch = 3;
    o.budget = 15;
    AL_CHECK_OK(t, bo_run(&log, &o, branin_obj, NULL, NULL, &err), &err);
    AL_CHECK(t, log.n == 15);
    bo_log_fini(&log);
}

static void test_resume(al_test *t)
{
    bo_space s;
    bo_space_init(&s);
    bo_space_add(&s, "x", 0, 1, 0, 0, NULL);
    al_err err;
    bo_opts o = bo_opts_default();
    o.seed = 4;
    o.budget = 12;
    bo_log full, part, back;
    bo_log_init(&full, &s);
    bo_log_init(&part, &s);
    bo_log_init(&back, &s);
    AL_CHECK_OK(t, bo_run(&full, &o, quad1d, NULL, NULL, &err), &err);
    o.budget = 7;
    AL_CHECK_OK(t, bo_run(&part, &o, quad1d, NULL, NULL, &err), &err);
    const char *path = al_test_path(al_test_tmp_dir(t), "trials.csv");
    AL_CHECK_OK(t, bo_log_save(&part, path, &err), &err);
    AL_CHECK_OK(t, bo_log_load(&back, path, &err), &err);
    AL_CHECK(t, back.n == 7);
    double p1, p2;
    AL_CHECK_OK(t, bo_propose(&part, &o, 1, &p1, &err), &err);
    AL_CHECK_OK(t, bo_propose(&back, &o, 1, &p2, &err), &err);
    AL_CHECK(t, p1 == p2);
    o.budget = 12;
    AL_CHECK_OK(t, bo_run(&back, &o, quad1d, NULL, NULL, &err), &err);
    AL_CHECK(t, back.n == 12);
    for (size_t i = 0; i < 12 && i < back.n; i++) {
        AL_CHECK(t, back.t[i].x[0] == full.t[i].x[0]);
        for (size_t j = 0; j < i; j++) AL_CHECK(t, back.t[i].x[0] != back.t[j].x[0]);
    }
    /* The minimum of (x − 0.3)² + 0.1 sin 12x on [0, 1], x = 0.381364, f = −0.0924562 (SciPy's
     * bounded Brent), is found within 12 trials. */
    long b = bo_log_best(&full);
    AL_CHECK(t, b >= 0);
    if (b >= 0) {
        AL_CHECK_CLOSE(t, full.t[b].x[0], 0.381364, 0.01);
        AL_CHECK_CLOSE(t, full.t[b].value, -0.0924562, 1e-3);
    }
    bo_log_fini(&full);
    bo_log_fini(&part);
    bo_log_fini(&back);
}

static void test_log_csv(al_test *t)
{
    bo_space s;
    bo_space_init(&s);
    bo_space_add(&s, "delta", 0.01, 1, 1, 0, NULL);
    bo_space_add(&s, "n_max", 2, 9, 0, 1, NULL);
    bo_log log, back;
    bo_log_init(&log, &s);
    bo_log_init(&back, &s);
    bo_trial a = {{0.1 / 3, 4}, 0.123456789012345678, 0.002, 0.1, 12.5, 1};
    bo_trial f = {{0.5, 9}, NAN, NAN, NAN, 0.25, 0};
    al_err err;
    AL_CHECK_OK(t, bo_log_add(&log, &a, &err), &err);
    AL_CHECK_OK(t, bo_log_add(&log, &f, &err), &err);
    const char *dir = al_test_tmp_dir(t), *path = al_test_path(dir, "log.csv");
    AL_CHECK_OK(t, bo_log_save(&log, path, &err), &err);
    AL_CHECK_OK(t, bo_log_load(&back, path, &err), &err);
    AL_CHECK(t, back.n == 2);
    if (back.n == 2) {
        AL_CHECK(t, memcmp(back.t[0].x, a.x, 2 * sizeof(double)) == 0);
        AL_CHECK(t, back.t[0].value == a.value && back.t[0].fit_time == 12.5 && back.t[0].ok);
        AL_CHECK(t, !back.t[1].ok && isnan(back.t[1].value));
    }
    AL_CHECK(t, bo_log_best(&back) == 0);
    FILE *fp = fopen(path, "r");
    char line[256] = "";
    if (fp) {
        AL_CHECK(t, fgets(line, sizeof line, fp) != NULL);
        AL_CHECK(t, fgets(line, sizeof line, fp) != NULL);
        fclose(fp);
    }
    AL_CHECK_STR(t, line, "trial,delta,n_max,value,energy_mae,force_mae,fit_time_s,status\n");

    /* A log of another space, a bad status, a value outside the box. */
    const char *bad = al_test_path(dir, "bad.csv");
    const char *texts[] = {
        "# galore bayesopt trial log, version 1\ntrial,delta,l_max,value,energy_mae,force_mae,fit_time_s,status\n",
        "# galore bayesopt trial log, version 1\ntrial,delta,n_max,value,energy_mae,force_mae,fit_time_s,status\n"
        "0,0.1,4,0.5,nan,nan,1,maybe\n",
        "# galore bayesopt trial log, version 1\ntrial,delta,n_max,value,energy_mae,force_mae,fit_time_s,status\n"
        "0,0.1,4,0.5,nan,nan,1,ok\n1,2.5,4,0.5,nan,nan,1,ok\n",
        "trial,delta\n"};
    const char *msgs[] = {
        "column 3 is 'l_max' but the search space's parameter 2 is 'n_max'",
        ":3: status must be 'ok' or 'failed' and the last column",
        ":4: delta = 2.5 is outside [0.01, 1]",
        ":1: not a galore trial log"};
    for (int i = 0; i < 4; i++) {
        fp = fopen(bad, "w");
        if (!fp) continue;
        fputs(texts[i], fp);
        fclose(fp);
        bo_log tmp;
        bo_log_init(&tmp, &s);
        AL_CHECK(t, bo_log_load(&tmp, bad, &err) == AL_EFORMAT);
        AL_CHECK_CONTAINS(t, err.msg, msgs[i]);
        bo_log_fini(&tmp);
    }
    bo_log_fini(&log);
    bo_log_fini(&back);
}

static al_status int_obj(const double *x, bo_eval *out, void *user, al_err *err)
{
    (void)user;
    if (x[0] == 3 && x[1] == 1) return al_fail(err, AL_EINVAL, "fit failed");
    out->value = (x[0] - 2) * (x[0] - 2) + x[1];
    return AL_OK;
}

static void test_integer_space(al_test *t)
{
    bo_space s;
    bo_space_init(&s);
    bo_space_add(&s, "a", 1, 3, 0, 1, NULL);
    bo_space_add(&s, "b", 0, 1, 0, 1, NULL);
    bo_log log;
    bo_log_init(&log, &s);
    bo_opts o = bo_opts_default();
    o.budget = 10;
    int stopped = 0;
    al_err err;
    AL_CHECK_OK(t, bo_run(&log, &o, int_obj, NULL, &stopped, &err), &err);
    /* Six points exist; each is tried once, the failing one recorded as failed. */
    AL_CHECK(t, log.n == 6 && stopped == 1);
    /* In batches of 4 as well: the last round proposes the two points left. */
    bo_log b4;
    bo_log_init(&b4, &s);
    o.batch = 4;
    AL_CHECK_OK(t, bo_run(&b4, &o, int_obj, NULL, &stopped, &err), &err);
    AL_CHECK(t, b4.n == 6 && stopped == 1);
    bo_log_fini(&b4);
    int failed = 0;
    for (size_t i = 0; i < log.n; i++) {
        AL_CHECK(t, log.t[i].x[0] == round(log.t[i].x[0]) && log.t[i].x[1] == round(log.t[i].x[1]));
        failed += !log.t[i].ok;
        for (size_t j = 0; j < i; j++)
            AL_CHECK(t, log.t[i].x[0] != log.t[j].x[0] || log.t[i].x[1] != log.t[j].x[1]);
    }
    AL_CHECK(t, failed == 1);
    long b = bo_log_best(&log);
    AL_CHECK(t, b >= 0 && log.t[b].x[0] == 2 && log.t[b].x[1] == 0);
    bo_log_fini(&log);
}

static void test_early_stop(al_test *t)
{
    bo_space s;
    bo_space_init(&s);
    bo_space_add(&s, "x", 0, 1, 0, 0, NULL);
    bo_log log;
    bo_log_init(&log, &s);
    bo_opts o = bo_opts_default();
    o.budget = 50;
    o.patience = 4;
    o.min_improvement = 1e-3;
    int stopped = 0;
    al_err err;
    AL_CHECK_OK(t, bo_run(&log, &o, quad1d, NULL, &stopped, &err), &err);
    AL_CHECK(t, stopped == 1 && log.n < 50);
    /* It stopped right after `patience` trials without an improvement above min_improvement. */
    double best = INFINITY;
    size_t last = 0;
    for (size_t i = 0; i < log.n; i++)
        if (log.t[i].value < best - 1e-3) best = log.t[i].value, last = i;
    AL_CHECK_MSG(t, log.n - 1 - last == 4, "last improvement at %zu of %zu trials", last, log.n);
    bo_log_fini(&log);
}

/* Under mpiexec -n 2 (label mpi): a batch of two runs one trial per rank, and every rank ends
 * with the trials of the serial batch search. */
static void test_batch_mpi(al_test *t)
{
    al_err err;
    int argc = 0;
    char **argv = NULL;
    AL_CHECK_OK(t, al_comm_init(&argc, &argv, &err), &err);
    al_comm *w = al_comm_world();
    int size = al_comm_size(w);
    bo_space s;
    branin_space(&s);
    bo_opts o = bo_opts_default();
    o.budget = 12;
    o.batch = 2;
    bo_log serial, par;
    bo_log_init(&serial, &s);
    bo_log_init(&par, &s);
    AL_CHECK_OK(t, bo_run(&serial, &o, branin_obj, NULL, NULL, &err), &err);
    int calls = 0;
    o.comm = w;
    AL_CHECK_OK(t, bo_run(&par, &o, branin_obj, &calls, NULL, &err), &err);
    AL_CHECK(t, par.n == 12 && serial.n == 12);
    AL_CHECK_MSG(t, calls == 12 / (size < 2 ? 1 : 2), "%d objective calls on this rank", calls);
    for (size_t i = 0; i < 12 && i < par.n; i++) {
        AL_CHECK(t, memcmp(par.t[i].x, serial.t[i].x, 2 * sizeof(double)) == 0);
        AL_CHECK(t, par.t[i].value == serial.t[i].value);
    }
    bo_log_fini(&serial);
    bo_log_fini(&par);
}

/* Out-of-memory sweep over the surrogate fit, a proposal and loading a log: the k-th
 * allocation fails, for every k until the call succeeds; each attempt returns AL_ENOMEM or
 * succeeds, and nothing leaks (checked under ASan). */
static int alloc_budget;
static void *fail_malloc(size_t n) { return alloc_budget-- > 0 ? malloc(n) : NULL; }
static void *fail_calloc(size_t c, size_t n) { return alloc_budget-- > 0 ? calloc(c, n) : NULL; }
static void *fail_realloc(void *p, size_t n) { return alloc_budget-- > 0 ? realloc(p, n) : NULL; }

static void test_oom_sweep(al_test *t)
{
    static const al_allocator failing = {fail_malloc, fail_calloc, fail_realloc, free};
    bo_space s;
    branin_space(&s);
    bo_log log;
    bo_log_init(&log, &s);
    bo_opts o = bo_opts_default();
    o.budget = 8;
    o.hyper_starts = 2;
    o.acq_samples = 50;
    al_err err;
    AL_CHECK_OK(t, bo_run(&log, &o, branin_obj, NULL, NULL, &err), &err);
    const char *path = al_test_path(al_test_tmp_dir(t), "oom.csv");
    AL_CHECK_OK(t, bo_log_save(&log, path, &err), &err);
    for (int what = 0; what < 3; what++) {
        int ok = 0;
        /* Every allocation of the first 40, then every 7th (the loop is quadratic). */
        for (int k = 0; k < 1000 && !ok; k += k < 40 ? 1 : 7) {
            double x[4];
            bo_gp *g = NULL;
            bo_log back;
            bo_log_init(&back, &s);
            double u[8 * 2], y[8];
            for (int i = 0; i < 8; i++) {
                bo_space_to_unit(&s, log.t[i].x, u + 2 * i);
                y[i] = log.t[i].value;
            }
            alloc_budget = k;
            al_set_allocator(&failing);
            al_status st = what == 0   ? bo_gp_create(2, 8, u, y, NULL, 2, 1, &g, &err)
                           : what == 1 ? bo_propose(&log, &o, 2, x, &err)
                                       : bo_log_load(&back, path, &err);
            al_set_allocator(NULL);
            AL_CHECK_MSG(t, st == AL_OK || st == AL_ENOMEM, "case %d: status %d at k = %d", what,
                         (int)st, k);
            ok = st == AL_OK;
            bo_gp_destroy(g);
            bo_log_fini(&back);
        }
        AL_CHECK_MSG(t, ok, "case %d never succeeded", what);
    }
    bo_log_fini(&log);
}

static const al_test_case cases[] = {
    {"bo_lml_gradient", test_lml_gradient, AL_TEST_FAST},
    {"bo_matern_value", test_matern_value, AL_TEST_FAST},
    {"bo_predict_gradient", test_predict_gradient, AL_TEST_FAST},
    {"bo_hyper_fit", test_hyper_fit, AL_TEST_FAST},
    {"bo_ei_ucb", test_ei_ucb, AL_TEST_FAST},
    {"bo_space", test_space, AL_TEST_FAST},
    {"bo_log_csv", test_log_csv, AL_TEST_FAST},
    {"bo_batch_distinct", test_batch_distinct, AL_TEST_FAST},
    {"bo_resume", test_resume, AL_TEST_FAST},
    {"bo_integer_space", test_integer_space, AL_TEST_FAST},
    {"bo_early_stop", test_early_stop, AL_TEST_FAST},
    {"bo_batch_mpi", test_batch_mpi, AL_TEST_MPI},
    {"bo_oom_sweep", test_oom_sweep, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
