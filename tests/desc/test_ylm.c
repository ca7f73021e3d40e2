/* Real spherical harmonics: the addition theorem against Legendre polynomials, and gradients
 * against finite differences. */
#include "core/rng.h"
#include "core/units.h"
#include "gp/desc/ylm.h"
#include "tests/harness/al_test.h"

static double legendre(int l, double x)
{
    double p0 = 1.0, p1 = x;
    if (l == 0) return p0;
    for (int k = 1; k < l; k++) {
        double p2 = ((2 * k + 1) * x * p1 - k * p0) / (k + 1);
        p0 = p1, p1 = p2;
    }
    return p1;
}

static void test_addition_theorem(al_test *t)
{
    al_rng rng;
    al_rng_seed(&rng, 41, 0);
    const int lmax = 10;
    double ya[DESC_YLM_COUNT(10)], yb[DESC_YLM_COUNT(10)];
    for (int rep = 0; rep < 20; rep++) {
        double a[3], b[3];
        for (int c = 0; c < 3; c++) a[c] = al_rng_normal(&rng), b[c] = 2.5 * al_rng_normal(&rng);
        desc_ylm(lmax, a, ya, NULL);
        desc_ylm(lmax, b, yb, NULL);
        double ra = sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]), rb = sqrt(b[0] * b[0] + b[1] * b[1] + b[2] * b[2]);
        double cosg = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (ra * rb);
        for (int l = 0; l <= lmax; l++) {
            double sum = 0;
            for (int m = -l; m <= l; m++) sum += ya[l * l + l + m] * yb[l * l + l + m];
            AL_CHECK_CLOSE(t, sum, (2 * l + 1) / (4 * AL_PI) * legendre(l, cosg), 1e-12);
        }
    }
    double z[3] = {0, 0, 2.0};
    desc_ylm(1, z, ya, NULL);
    AL_CHECK_CLOSE(t, ya[0], 1 / sqrt(4 * AL_PI), 1e-15);
    AL_CHECK_CLOSE(t, fabs(ya[2]), sqrt(3 / (4 * AL_PI)), 1e-15);   /* (l, m) = (1, 0) along z */
}

static void test_gradients(al_test *t)
{
    al_rng rng;
    al_rng_seed(&rng, 42, 0);
    const int lmax = 8, n = DESC_YLM_COUNT(8);
    double y[DESC_YLM_COUNT(8)], g[3 * DESC_YLM_COUNT(8)], yp[DESC_YLM_COUNT(8)], ym[DESC_YLM_COUNT(8)];
    for (int rep = 0; rep < 10; rep++) {
        double d[3];
        for (int c = 0; c < 3; c++) d[c] = 1.5 * al_rng_normal(&rng);
        desc_ylm(lmax, d, y, g);
        for (int c = 0; c < 3; c++) {
            const double h = 1e-6;
            double dp[3] = {d[0], d[1], d[2]}, dm[3] = {d[0], d[1], d[2]};
            dp[c] += h, dm[c] -= h;
            desc_ylm(lmax, dp, yp, NULL);
            desc_ylm(lmax, dm, ym, NULL);
            for (int k = 0; k < n; k++) AL_CHECK_CLOSE(t, g[3 * k + c], (yp[k] - ym[k]) / (2 * h), 1e-7);
        }
    }
}

static const al_test_case cases[] = {
    {"addition_theorem", test_addition_theorem, AL_TEST_FAST},
    {"gradients", test_gradients, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
