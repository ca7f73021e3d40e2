/*
 * Real spherical harmonics (l ≤ 3): orthonormality by Gauss–Legendre × trapezoid quadrature on
 * the sphere, the addition theorem Σ_m Y_lm(a) Y_lm(b) = (2l+1)/(4π) P_l(â·b̂), a few closed-form
 * values, scale invariance, and gradients against central finite differences.
 */
#include <math.h>
#include <string.h>

#include "engines/dft/ylm_real.h"
#include "tests/harness/al_test.h"

#define PI 3.14159265358979323846

/* Gauss–Legendre nodes and weights on [−1, 1] by Newton iteration. */
static void gauss_legendre(int n, double *x, double *w)
{
    for (int i = 0; i < n; i++) {
        double z = cos(PI * (i + 0.75) / (n + 0.5)), dp = 0;
        for (int it = 0; it < 100; it++) {
            double p0 = 1, p1 = z;
            for (int k = 2; k <= n; k++) {
                double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
                p0 = p1, p1 = p2;
            }
            dp = n * (z * p1 - p0) / (z * z - 1);
            double dz = p1 / dp;
            z -= dz;
            if (fabs(dz) < 1e-15) break;
        }
        x[i] = z;
        w[i] = 2 / ((1 - z * z) * dp * dp);
    }
}

static void test_orthonormal(al_test *t)
{
    enum { NT = 12, NP = 16, NY = 16 };
    double x[NT], w[NT], s[NY][NY] = {{0}};
    gauss_legendre(NT, x, w);
    for (int i = 0; i < NT; i++)
        for (int j = 0; j < NP; j++) {
            double ph = 2 * PI * j / NP, st = sqrt(1 - x[i] * x[i]);
            double v[3] = {st * cos(ph), st * sin(ph), x[i]}, y[NY];
            for (int l = 0; l <= 3; l++) pw_ylm_real(l, v, y + l * l);
            for (int a = 0; a < NY; a++)
                for (int b = 0; b < NY; b++) s[a][b] += w[i] * 2 * PI / NP * y[a] * y[b];
        }
    for (int a = 0; a < NY; a++)
        for (int b = 0; b < NY; b++) AL_CHECK_CLOSE(t, s[a][b], a == b, 1e-13);
}

static double legendre(int l, double x)
{
    switch (l) {
    case 0: return 1;
    case 1: return x;
    case 2: return 1.5 * x * x - 0.5;
    default: return 2.5 * x * x * x - 1.5 * x;
    }
}

static void test_addition_theorem(al_test *t)
{
    const double a[3] = {0.3, -1.2, 0.7}, b[3] = {-2.0, 0.4, 1.1};
    double c = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) /
               sqrt((a[0] * a[0] + a[1] * a[1] + a[2] * a[2]) * (b[0] * b[0] + b[1] * b[1] + b[2] * b[2]));
    for (int l = 0; l <= 3; l++) {
        double ya[7], yb[7], s = 0;
        pw_ylm_real(l, a, ya);
        pw_ylm_real(l, b, yb);
        for (int m = 0; m < 2 * l + 1; m++) s += ya[m] * yb[m];
        AL_CHECK_CLOSE(t, s, (2 * l + 1) / (4 * PI) * legendre(l, c), 1e-14);
    }
}

static void test_values(al_test *t)
{
    double y[7];
    const double z[3] = {0, 0, 2.5}, xx[3] = {3, 0, 0}, zero[3] = {0, 0, 0};
    pw_ylm_real(1, z, y);
    AL_CHECK_CLOSE(t, y[1], sqrt(3 / (4 * PI)), 1e-15);
    AL_CHECK_CLOSE(t, y[0], 0, 0);
    pw_ylm_real(2, z, y);
    AL_CHECK_CLOSE(t, y[2], sqrt(5 / (4 * PI)), 1e-15);
    pw_ylm_real(3, xx, y);
    AL_CHECK_CLOSE(t, y[6], sqrt(35 / (32 * PI)), 1e-15);
    AL_CHECK_CLOSE(t, y[4], -sqrt(21 / (32 * PI)), 1e-15);
    pw_ylm_real(0, zero, y);
    AL_CHECK_CLOSE(t, y[0], 0.5 / sqrt(PI), 1e-15);
    pw_ylm_real(2, zero, y);
    AL_CHECK(t, y[0] == 0 && y[2] == 0 && y[4] == 0);
    /* depends on the direction only */
    const double v[3] = {0.4, -0.3, 0.8}, v3[3] = {1.2, -0.9, 2.4};
    for (int l = 0; l <= 3; l++) {
        double a[7], b[7];
        pw_ylm_real(l, v, a);
        pw_ylm_real(l, v3, b);
        for (int m = 0; m < 2 * l + 1; m++) AL_CHECK_CLOSE(t, a[m], b[m], 1e-15);
    }
}

static void test_gradient_fd(al_test *t)
{
    const double v[3] = {0.45, -0.7, 1.3}, h = 1e-6;
    for (int l = 0; l <= 3; l++) {
        double y[7], g[7][3];
        pw_ylm_real_grad(l, v, y, g);
        for (int a = 0; a < 3; a++) {
            double vp[3], vm[3], yp[7], ym[7];
            memcpy(vp, v, sizeof vp);
            memcpy(vm, v, sizeof vm);
            vp[a] += h, vm[a] -= h;
            pw_ylm_real(l, vp, yp);
            pw_ylm_real(l, vm, ym);
            for (int m = 0; m < 2 * l + 1; m++)
                AL_CHECK_CLOSE(t, g[m][a], (yp[m] - ym[m]) / (2 * h), 1e-8);
        }
        /* radial derivative vanishes: v·∇Y = 0 */
        for (int m = 0; m < 2 * l + 1; m++)
            AL_CHECK_CLOSE(t, g[m][0] * v[0] + g[m][1] * v[1] + g[m][2] * v[2], 0, 1e-14);
    }
}

static const al_test_case cases[] = {
    {"ylm_real_orthonormal", test_orthonormal, AL_TEST_FAST},
    {"ylm_real_addition_theorem", test_addition_theorem, AL_TEST_FAST},
    {"ylm_real_values", test_values, AL_TEST_FAST},
    {"ylm_real_gradient_fd", test_gradient_fd, AL_TEST_FAST},
    {0}};
AL_TEST_MAIN(cases)
