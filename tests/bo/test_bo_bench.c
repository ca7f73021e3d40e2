/*
 * Bayesian optimisation against random search on the standard test functions Branin (2-D)
 * and Hartmann-6, with fixed seeds: trials until the best value is within 1 % of the known
 * minimum (docs/bayesopt.md quotes the ten-seed numbers).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/rng.h"
#include "core/units.h"
#include "gp/bo/bo.h"
#include "tests/harness/al_test.h"

/* Branin–Hoo on [−5, 10] × [0, 15]; minimum 0.397887 at three points (Dixon and Szegő 1978). */
static double branin(const double *x)
{
    double a = 1, b = 5.1 / (4 * AL_PI * AL_PI), c = 5 / AL_PI, r = 6, s = 10, tt = 1 / (8 * AL_PI);
    double q = x[1] - b * x[0] * x[0] + c * x[0] - r;
    return a * q * q + s * (1 - tt) * cos(x[0]) + s;
}
static const double branin_min = 0.397887357729739;

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

/* Trials until the best is within 1 % of the minimum (budget + 1 when never). */
static size_t trials_to_1pc(const bo_log *log, size_t budget)
{
    for (size_t i = 0; i < log->n; i++)
        if (log->t[i].ok && log->t[i].value <= branin_min * 1.01) return i + 1;
    return budget + 1;
}

static void test_branin_vs_random(al_test *t)
{
    enum { SEEDS = 10, BUDGET = 40, RANDOM_CAP = 2000 };
    bo_space s;
    branin_space(&s);
    double bo_mean = 0, rs_mean = 0;
    size_t bo_hits = 0;
    al_err err;
    for (unsigned seed = 1; seed <= SEEDS; seed++) {
        bo_log log;
        bo_log_init(&log, &s);
        bo_opts o = bo_opts_default();
        o.seed = seed;
        o.budget = BUDGET;
        o.target = branin_min * 1.01;
        AL_CHECK_OK(t, bo_run(&log, &o, branin_obj, NULL, NULL, &err), &err);
        size_t nb = trials_to_1pc(&log, BUDGET);
        bo_hits += nb <= BUDGET;
        bo_mean += (double)nb / SEEDS;
        bo_log_fini(&log);
        /* Random search with the same seed: uniform points until within 1 %. */
        al_rng g;
        al_rng_seed(&g, seed, 0);
        size_t nr = RANDOM_CAP + 1;
        for (size_t i = 0; i < RANDOM_CAP; i++) {
            double u[2] = {al_rng_uniform(&g), al_rng_uniform(&g)}, x[2];
            bo_space_from_unit(&s, u, x);
            if (branin(x) <= branin_min * 1.01) { nr = i + 1; break; }
        }
        rs_mean += (double)nr / SEEDS;
    }
    printf("branin: trials to within 1%%: BO %.1f (%zu/%d seeds within %d), random %.1f\n", bo_mean,
           bo_hits, SEEDS, BUDGET, rs_mean);
    AL_CHECK_MSG(t, bo_hits == SEEDS, "BO reached 1%% in %zu of %d seeds", bo_hits, SEEDS);
    AL_CHECK_MSG(t, bo_mean < rs_mean / 4, "BO %.1f vs random %.1f trials", bo_mean, rs_mean);
}

/* Hartmann 6-D on [0, 1]^6; minimum −3.32237 at (0.20169, 0.150011, 0.476874, 0.275332,
 * 0.311652, 0.6573) (Dixon and Szegő 1978; constants as tabulated by Surjanovic and Bingham's
 * Virtual Library of Simulation Experiments). */
static double hartmann6(const double *x)
{
    static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
    static const double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14},
                                   {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
    static const double p[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                   {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                   {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                   {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    double f = 0;
    for (int i = 0; i < 4; i++) {
        double s = 0;
        for (int j = 0; j < 6; j++) s += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]);
        f -= alpha[i] * exp(-s);
    }
    return f;
}
static const double hartmann6_min = -3.32236801141551;

static al_status hartmann_obj(const double *x, bo_eval *out, void *user, al_err *err)
{
    (void)user, (void)err;
    out->value = hartmann6(x);
    out->energy_mae = out->force_mae = NAN;
    return AL_OK;
}

/* Seeds 1..3 by default (a few seconds under the sanitizers); GALORE_BO_SEEDS=10 for the
 * comparison over ten seeds quoted in docs/bayesopt.md. */
static void test_hartmann6_vs_random(al_test *t)
{
    enum { BUDGET = 100, RANDOM_CAP = 20000 };
    const char *env = getenv("GALORE_BO_SEEDS");
    const unsigned SEEDS = env && atoi(env) > 0 ? (unsigned)atoi(env) : 3;
    const double goal = hartmann6_min * 0.99;   /* within 1 % */
    bo_space s;
    bo_space_init(&s);
    const char *names[6] = {"x1", "x2", "x3", "x4", "x5", "x6"};
    for (int j = 0; j < 6; j++) bo_space_add(&s, names[j], 0, 1, 0, 0, NULL);
    double x0[6] = {0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573};
    AL_CHECK_CLOSE(t, hartmann6(x0), hartmann6_min, 1e-5);
    double bo_mean = 0, rs_mean = 0;
    size_t hits = 0;
    al_err err;
    for (unsigned seed = 1; seed <= SEEDS; seed++) {
        bo_log log;
        bo_log_init(&log, &s);
        bo_opts o = bo_opts_default();
        o.seed = seed;
        o.budget = BUDGET;
        o.target = goal;
        o.acq = BO_ACQ_UCB;   /* κ = 2: 7 of 10 seeds reach 1 %; EI: 5 of 10 (stuck at −3.20) */
        AL_CHECK_OK(t, bo_run(&log, &o, hartmann_obj, NULL, NULL, &err), &err);
        size_t nb = BUDGET + 1;
        for (size_t i = 0; i < log.n; i++)
            if (log.t[i].value <= goal) { nb = i + 1; break; }
        hits += nb <= BUDGET;
        bo_mean += (double)nb / SEEDS;
        long b = bo_log_best(&log);
        printf("  seed %u: best %.5f after %zu trials\n", seed, b >= 0 ? log.t[b].value : NAN, log.n);
        bo_log_fini(&log);
        al_rng g;
        al_rng_seed(&g, seed, 0);
        size_t nr = RANDOM_CAP + 1;
        for (size_t i = 0; i < RANDOM_CAP; i++) {
            double u[6];
            for (int j = 0; j < 6; j++) u[j] = al_rng_uniform(&g);
            if (hartmann6(u) <= goal) { nr = i + 1; break; }
        }
        rs_mean += (double)nr / SEEDS;
    }
    printf("hartmann6: trials to within 1%%: BO %.1f (%zu/%u seeds within %d), random %.1f\n",
           bo_mean, hits, SEEDS, BUDGET, rs_mean);
    /* The criterion: fewer evaluations than random search on average, a seed that
     * misses counting as budget + 1. How many seeds reach 1 % within the budget (7 of 10 with
     * UCB) is printed, not asserted: it depends on the last bits of the surrogate's
     * optimisation, which differ between compilers and BLAS builds. */
    AL_CHECK(t, hits >= 1);
    AL_CHECK_MSG(t, bo_mean < rs_mean / 10, "BO %.1f vs random %.1f trials", bo_mean, rs_mean);
}

static const al_test_case cases[] = {
    {"bo_branin_vs_random", test_branin_vs_random, AL_TEST_SLOW},
    {"bo_hartmann6_vs_random", test_hartmann6_vs_random, AL_TEST_SLOW},
    {0},
};
AL_TEST_MAIN(cases)
