/*
 * The DTC sparse-GP solver against direct dense linear algebra on small problems: weights
 * against the normal equations, independence of the block size, variances against the
 * explicit formula, exact interpolation, bit-identical repeats and bad input.
 */
#include <lapacke.h>
#include <stdlib.h>

#include "core/rng.h"
#include "gp/sparse_gp.h"
#include "tests/harness/al_test.h"

/* A 1-D squared-exponential problem: sparse points xs, observations at x with noise. */
typedef struct problem {
    size_t m, n;
    double *kmm, *knm, *y, *sigma;
} problem;

static double se(double a, double b) { return exp(-0.5 * (a - b) * (a - b) / 0.49); }

static problem make_problem(size_t m, size_t n, al_rng *rng, double noise, int sparse_are_data)
{
    problem p = {m, n, malloc(m * m * 8), malloc(n * m * 8), malloc(n * 8), malloc(n * 8)};
    double *xs = malloc(m * 8), *x = malloc(n * 8);
    for (size_t i = 0; i < n; i++) x[i] = 6.0 * al_rng_uniform(rng);
    for (size_t j = 0; j < m; j++) xs[j] = sparse_are_data ? x[j] : 6.0 * (j + 0.5) / m;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) p.kmm[i * m + j] = se(xs[i], xs[j]);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < m; j++) p.knm[i * m + j] = se(x[i], xs[j]);
        p.y[i] = sin(x[i]) + noise * al_rng_normal(rng);
        p.sigma[i] = noise > 0 ? noise * (1.0 + al_rng_uniform(rng)) : 1e-6;
    }
    free(xs);
    free(x);
    return p;
}

static void free_problem(problem *p)
{
    free(p->kmm);
    free(p->knm);
    free(p->y);
    free(p->sigma);
}

static void fit(const problem *p, double jitter, size_t block, double *alpha, gp_dtc **keep, al_err *err)
{
    gp_dtc *g = NULL;
    gp_dtc_create(p->m, p->kmm, jitter, &g, err);
    for (size_t i = 0; i < p->n; i += block) {
        size_t k = i + block <= p->n ? block : p->n - i;
        gp_dtc_add_rows(g, k, p->knm + i * p->m, p->y + i, p->sigma + i, err);
    }
    gp_dtc_solve(g, alpha, err);
    if (keep) *keep = g;
    else gp_dtc_destroy(g);
}

/* α from the normal equations (K_MM + K_MN Λ⁻¹ K_NM) α = K_MN Λ⁻¹ y, solved densely. */
static void normal_equations(const problem *p, double jitter, double *alpha, double *a_out)
{
    size_t m = p->m;
    double *a = calloc(m * m, 8);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) a[i * m + j] = p->kmm[i * m + j] + (i == j ? jitter : 0);
    for (size_t j = 0; j < m; j++) alpha[j] = 0;
    for (size_t r = 0; r < p->n; r++) {
        double w = 1.0 / (p->sigma[r] * p->sigma[r]);
        for (size_t i = 0; i < m; i++) {
            alpha[i] += p->knm[r * m + i] * w * p->y[r];
            for (size_t j = 0; j < m; j++) a[i * m + j] += p->knm[r * m + i] * w * p->knm[r * m + j];
        }
    }
    if (a_out) memcpy(a_out, a, m * m * 8);
    LAPACKE_dposv(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, 1, a, (lapack_int)m, alpha, 1);
    free(a);
}

static void test_weights_match_normal_equations(al_test *t)
{
    al_err err;
    al_rng rng;
    al_rng_seed(&rng, 5, 0);
    problem p = make_problem(8, 60, &rng, 0.1, 0);
    double alpha[8], ref[8];
    fit(&p, 1e-8, 60, alpha, NULL, &err);
    normal_equations(&p, 1e-8, ref, NULL);
    for (int j = 0; j < 8; j++) AL_CHECK_REL(t, alpha[j], ref[j], 1e-8, 1e-10);
    free_problem(&p);
}

static void test_block_size_does_not_matter(al_test *t)
{
    al_err err;
    al_rng rng;
    al_rng_seed(&rng, 6, 0);
    problem p = make_problem(10, 97, &rng, 0.05, 0);
    double a1[10], a7[10], a97[10], again[10];
    fit(&p, 1e-8, 1, a1, NULL, &err);
    fit(&p, 1e-8, 7, a7, NULL, &err);
    fit(&p, 1e-8, 97, a97, NULL, &err);
    fit(&p, 1e-8, 7, again, NULL, &err);
    for (int j = 0; j < 10; j++) {
        AL_CHECK_REL(t, a1[j], a97[j], 1e-9, 1e-11);
        AL_CHECK_REL(t, a7[j], a97[j], 1e-9, 1e-11);
    }
    AL_CHECK(t, memcmp(a7, again, sizeof a7) == 0);   /* bit-identical repeat */
    free_problem(&p);
}

static void test_variance_matches_formula(al_test *t)
{
    al_err err;
    al_rng rng;
    al_rng_seed(&rng, 7, 0);
    const size_t m = 6;
    problem p = make_problem(m, 40, &rng, 0.2, 0);
    double alpha[6], sigma_inv[36], kmm_j[36];
    gp_dtc *g = NULL;
    fit(&p, 1e-6, 13, alpha, &g, &err);
    /* Explicit: var = kxx − kᵀ K_MM⁻¹ k + kᵀ Σ k with Σ = (K_MM + K_MN Λ⁻¹ K_NM)⁻¹. */
    double dummy[6];
    normal_equations(&p, 1e-6, dummy, sigma_inv);
    LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, sigma_inv, (lapack_int)m);
    LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, sigma_inv, (lapack_int)m);
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < m; j++) kmm_j[i * m + j] = p.kmm[i * m + j] + (i == j ? 1e-6 : 0);
    }
    LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, kmm_j, (lapack_int)m);
    LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'L', (lapack_int)m, kmm_j, (lapack_int)m);
    for (double x = -1.0; x < 7.5; x += 0.7) {
        double k[6], kxx = 1.0, var = 0, ref = kxx;
        for (size_t j = 0; j < m; j++) k[j] = se(x, 6.0 * (j + 0.5) / m);
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < m; j++) {
                size_t lo = i > j ? i * m + j : j * m + i;   /* lower triangle holds the inverse */
                ref += k[i] * (sigma_inv[lo] - kmm_j[lo]) * k[j];
            }
        AL_CHECK_OK(t, gp_dtc_variance(g, 1, k, &kxx, &var, &err), &err);
        AL_CHECK_CLOSE(t, var, ref, 1e-9);
        AL_CHECK(t, var >= 0.0);
    }
    gp_dtc_destroy(g);
    free_problem(&p);
}

static void test_exact_interpolation(al_test *t)
{
    al_err err;
    al_rng rng;
    al_rng_seed(&rng, 8, 0);
    problem p = make_problem(12, 12, &rng, 0.0, 1);   /* sparse points are the data */
    double alpha[12];
    fit(&p, 1e-12, 5, alpha, NULL, &err);
    for (size_t i = 0; i < p.n; i++) {
        double pred = 0;
        for (size_t j = 0; j < p.m; j++) pred += p.knm[i * p.m + j] * alpha[j];
        AL_CHECK_CLOSE(t, pred, p.y[i], 1e-5);
    }
    free_problem(&p);
}

static void test_bad_input(al_test *t)
{
    al_err err;
    gp_dtc *g = NULL;
    double kmm[4] = {1, 1, 1, 1};   /* two identical sparse points */
    AL_CHECK(t, gp_dtc_create(2, kmm, 0.0, &g, &err) == AL_EINVAL && g == NULL);
    AL_CHECK_CONTAINS(t, err.msg, "not positive definite (pivot 2 of 2); raise sparse_jitter");
    AL_CHECK_OK(t, gp_dtc_create(2, kmm, 1e-8, &g, &err), &err);
    double row[2] = {0.5, 0.5}, y = 1.0, sigma = 0.0;
    AL_CHECK(t, gp_dtc_add_rows(g, 1, row, &y, &sigma, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "sparse GP: observation 0 has sigma 0 and target 1");
    gp_dtc_destroy(g);
}

static const al_test_case cases[] = {
    {"weights_match_normal_equations", test_weights_match_normal_equations, AL_TEST_FAST},
    {"block_size_does_not_matter", test_block_size_does_not_matter, AL_TEST_FAST},
    {"variance_matches_formula", test_variance_matches_formula, AL_TEST_FAST},
    {"exact_interpolation", test_exact_interpolation, AL_TEST_FAST},
    {"bad_input", test_bad_input, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
