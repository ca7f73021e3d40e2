/*
 * GTH pseudopotentials: the CP2K-format reader (values, aliases, spin-orbit rows, error
 * messages with file:line) and the reciprocal-space form factors against numerical
 * Fourier–Bessel transforms of the real-space formulas (GTH PRB 54, 1703 (1996) eq. 1;
 * HGH PRB 58, 3641 (1998) eq. 3), ABINIT's epsatm, Parseval normalisation and q-derivatives.
 */
#include <math.h>
#include <string.h>

#include "tests/harness/al_test.h"
#include "engines/dft/gth.h"

#define PI 3.14159265358979323846

static const char *data(const char *name)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%sdft/%s", al_test_data_dir(), name);
    return buf[k];
}

static void load_ok(al_test *t, int z, const char *entry, pw_gth *p)
{
    al_err err = {0};
    AL_CHECK_OK(t, pw_gth_load(data("GTH_POTENTIALS_test"), z, entry, p, &err), &err);
}

static void test_read_si_pade(al_test *t)
{
    pw_gth p;
    load_ok(t, 14, "GTH-PADE-q4", &p);
    AL_CHECK(t, p.zion == 4 && p.n_c == 1 && p.n_l == 2);
    AL_CHECK_CLOSE(t, p.rloc, 0.44, 0);
    AL_CHECK_CLOSE(t, p.c[0], -7.33610297, 0);
    AL_CHECK_CLOSE(t, p.c[1], 0, 0);
    AL_CHECK(t, p.n_proj[0] == 2 && p.n_proj[1] == 1);
    AL_CHECK_CLOSE(t, p.r[0], 0.42273813, 0);
    AL_CHECK_CLOSE(t, p.h[0][0][0], 5.90692831, 0);
    AL_CHECK_CLOSE(t, p.h[0][0][1], -1.26189397, 0);
    AL_CHECK_CLOSE(t, p.h[0][1][0], -1.26189397, 0);
    AL_CHECK_CLOSE(t, p.h[0][1][1], 3.25819622, 0);
    AL_CHECK_CLOSE(t, p.r[1], 0.48427842, 0);
    AL_CHECK_CLOSE(t, p.h[1][0][0], 2.72701346, 0);
    AL_CHECK_STR(t, p.entry, "GTH-PADE-q4");
    /* Header of the Si PADE entry is line 51 of the excerpt. */
    AL_CHECK_CONTAINS(t, p.source, "GTH_POTENTIALS_test:51");
    AL_CHECK(t, pw_gth_nproj_total(&p) == 2 + 3);
}

/* The same entry is found by any alias, case-insensitively, and other elements are skipped. */
static void test_read_aliases(al_test *t)
{
    pw_gth a, b, c;
    load_ok(t, 14, "GTH-LDA-q4", &a);
    load_ok(t, 14, "gth-pade", &b);
    load_ok(t, 14, "GTH-PBE", &c);
    AL_CHECK_CLOSE(t, a.c[0], -7.33610297, 0);
    AL_CHECK_CLOSE(t, b.c[0], -7.33610297, 0);
    AL_CHECK_CLOSE(t, c.c[0], -6.26928833, 0);
    AL_CHECK_CLOSE(t, c.h[0][0][1], -2.70627082, 0);
    pw_gth al;
    load_ok(t, 13, "GTH-PADE", &al);
    AL_CHECK(t, al.zion == 3);
    AL_CHECK_CLOSE(t, al.h[0][1][1], 2.67969975, 0);
}

static void test_read_many(al_test *t)
{
    pw_gth p;
    load_ok(t, 32, "GTH-PBE-q4", &p); /* Ge: three s projectors, no local coefficients */
    AL_CHECK(t, p.zion == 4 && p.n_c == 0 && p.n_l == 3);
    AL_CHECK(t, p.n_proj[0] == 3 && p.n_proj[1] == 2 && p.n_proj[2] == 1);
    AL_CHECK_CLOSE(t, p.h[0][0][2], -1.44797580, 0);
    AL_CHECK_CLOSE(t, p.h[0][2][0], -1.44797580, 0);
    AL_CHECK_CLOSE(t, p.h[0][1][2], 3.73865744, 0);
    AL_CHECK_CLOSE(t, p.h[0][2][2], -2.96746735, 0);
    AL_CHECK_CLOSE(t, p.h[1][1][1], -0.64707163, 0);
    AL_CHECK_CLOSE(t, p.h[2][0][0], 0.19717731, 0);
    AL_CHECK(t, pw_gth_nproj_total(&p) == 3 + 2 * 3 + 5);
    load_ok(t, 23, "GTH-PBE-q13", &p); /* V: d channel */
    AL_CHECK(t, p.zion == 13 && p.n_l == 3 && p.n_proj[2] == 1);
    AL_CHECK_CLOSE(t, p.c[1], -0.37026363, 0);
    AL_CHECK_CLOSE(t, p.h[1][1][1], -11.07329118, 0);
    AL_CHECK_CLOSE(t, p.h[2][0][0], -9.49989110, 0);
    load_ok(t, 11, "GTH-PBE-q9", &p);
    AL_CHECK(t, p.zion == 9 && p.n_proj[1] == 1);
    AL_CHECK_CLOSE(t, p.h[1][0][0], -14.27746168, 0);
    load_ok(t, 15, "GTH-PBE-q5", &p);
    AL_CHECK(t, p.zion == 5);
    AL_CHECK_CLOSE(t, p.h[0][1][1], 4.48021042, 0);
    load_ok(t, 34, "GTH-PBE-q6", &p);
    AL_CHECK(t, p.zion == 6 && p.n_proj[0] == 3);
    AL_CHECK_CLOSE(t, p.r[2], 0.62560034, 0);
    load_ok(t, 8, "GTH-PBE-q6", &p); /* O: an empty p channel */
    AL_CHECK(t, p.zion == 6 && p.n_l == 2 && p.n_proj[1] == 0);
    AL_CHECK_CLOSE(t, p.r[1], 0.21133247, 0);
    load_ok(t, 1, "GTH-PADE-q1", &p); /* H: no projectors */
    AL_CHECK(t, p.zion == 1 && p.n_l == 0 && p.n_c == 2);
    AL_CHECK_CLOSE(t, p.c[1], 0.72507482, 0);
}

static void test_read_soc_skipped(al_test *t)
{
    pw_gth a, b;
    al_err err = {0};
    AL_CHECK_OK(t, pw_gth_load(data("gth_soc.gth"), 32, "GTH-PBE-q4-SOC", &a, &err), &err);
    load_ok(t, 32, "GTH-PBE-q4", &b);
    AL_CHECK(t, a.n_l == 3 && a.zion == 4);
    AL_CHECK(t, memcmp(a.h, b.h, sizeof a.h) == 0 && memcmp(a.r, b.r, sizeof a.r) == 0);
}

static void expect_error(al_test *t, const char *file, int z, const char *entry, al_status code,
                         const char *msg)
{
    al_err err = {0};
    pw_gth p;
    char want[1024];
    al_status st = pw_gth_load(data(file), z, entry, &p, &err);
    AL_CHECK_MSG(t, st == code, "%s: status %s, want %s", file, al_status_name(st), al_status_name(code));
    snprintf(want, sizeof want, "%s%s", data(file), msg);
    AL_CHECK_STR(t, err.msg, want);
    AL_CHECK(t, p.zion == 0);
}

static void test_read_errors(al_test *t)
{
    expect_error(t, "GTH_POTENTIALS_test", 14, "GTH-BLYP-q4", AL_ENOTFOUND,
                 ": no entry 'GTH-BLYP-q4' for element Si (entries: GTH-PADE-q4, GTH-PBE-q4)");
    expect_error(t, "GTH_POTENTIALS_test", 26, "GTH-PBE-q16", AL_ENOTFOUND,
                 ": no pseudopotential for element Fe");
    expect_error(t, "gth_bad_count.gth", 14, "GTH-PADE-q4", AL_EFORMAT,
                 ":7: expected 2 values of h_ij for l=0 (row 1), found 1");
    expect_error(t, "gth_bad_value.gth", 13, "GTH-PADE-q3", AL_EFORMAT,
                 ":5: expected the local coefficients C_i, found '-8.4913x116'");
    expect_error(t, "gth_missing_channel.gth", 8, "GTH-PBE-q6", AL_EFORMAT,
                 ":9: expected 'r_l n_proj h_1j...' for l=1");
    expect_error(t, "gth_extra_line.gth", 11, "GTH-PBE-q9", AL_EFORMAT,
                 ":8: expected the next entry or end of file after 1 projector channel, "
                 "found '0.12993224'");
    expect_error(t, "gth_nlcc.gth", 13, "GTH-NLCC-PBE-q3", AL_EFORMAT,
                 ":6: NLCC entries (non-linear core correction) are not supported; choose an "
                 "entry without it");
    expect_error(t, "gth_allelectron.gth", 1, "ALL", AL_EFORMAT,
                 ":3: H ALL is an all-electron entry, not a GTH pseudopotential");
    al_err err = {0};
    pw_gth p;
    AL_CHECK(t, pw_gth_load("/nonexistent/GTH", 14, "GTH-PBE", &p, &err) == AL_EIO);
    AL_CHECK_STR(t, err.msg, "cannot open pseudopotential file /nonexistent/GTH");
}

/* ---- form factors against quadrature ---- */

/* Spherical Bessel j_l(x), l ≤ 3; series for small x where the closed forms cancel. */
static double sph_bessel(int l, double x)
{
    if (fabs(x) < 0.05) {
        double x2 = x * x, df = 1;
        for (int k = 1; k <= l; k++) df *= 2 * k + 1;
        return pow(x, l) / df *
               (1 - x2 / (2 * (2 * l + 3)) + x2 * x2 / (8 * (2 * l + 3) * (2 * l + 5)));
    }
    double s = sin(x), c = cos(x);
    switch (l) {
    case 0: return s / x;
    case 1: return s / (x * x) - c / x;
    case 2: return (3 / (x * x) - 1) * s / x - 3 * c / (x * x);
    default: return (15 / (x * x * x) - 6 / x) * s / x - (15 / (x * x) - 1) * c / x;
    }
}

/* HGH projector in real space (HGH 1998 eq. 3), i 0-based. */
static double proj_r(double rl, int l, int i, double r)
{
    double e = l + (4 * i + 3) / 2.0;
    return sqrt(2.0) * pow(r, l + 2 * i) * exp(-r * r / (2 * rl * rl)) /
           (pow(rl, e) * sqrt(tgamma(e)));
}

/* V_loc(r) + Z/r of GTH 1996 eq. 1 (short-ranged; the Coulomb tail removed), r > 0. */
static double vloc_short_r(const pw_gth *p, double r)
{
    double x = r / p->rloc, x2 = x * x;
    double poly = p->c[0] + p->c[1] * x2 + p->c[2] * x2 * x2 + p->c[3] * x2 * x2 * x2;
    return p->zion * erfc(r / (sqrt(2.0) * p->rloc)) / r + exp(-x2 / 2) * poly;
}

/* 4π ∫_0^R r² f(r) j_l(qr) dr by Simpson's rule. */
static double hankel(double (*f)(const void *, double), const void *ctx, int l, double q, double rmax)
{
    int n = 20000;
    double h = rmax / n, s = 0;
    for (int k = 0; k <= n; k++) {
        double r = k * h, w = (k == 0 || k == n) ? 1 : (k % 2 ? 4 : 2);
        s += w * r * r * f(ctx, r) * sph_bessel(l, q * r);
    }
    return 4 * PI * s * h / 3;
}

static double f_vloc(const void *ctx, double r)
{
    return r == 0 ? 0 : vloc_short_r(ctx, r);
}

typedef struct pctx { double rl; int l, i; } pctx;
static double f_proj(const void *ctx, double r)
{
    const pctx *c = ctx;
    return proj_r(c->rl, c->l, c->i, r);
}

static void test_vloc_quadrature(al_test *t)
{
    pw_gth p;
    const char *entries[] = {"GTH-PADE-q4", "GTH-PBE-q6", "GTH-PBE-q9"};
    const int zs[] = {14, 8, 11};
    for (int e = 0; e < 3; e++) {
        load_ok(t, zs[e], entries[e], &p);
        if (zs[e] == 14) p.c[1] = 0.7, p.c[2] = -0.3, p.c[3] = 0.05; /* exercise C2..C4 */
        for (double q = 0.1; q < 12; q *= 1.7) {
            double num = hankel(f_vloc, &p, 0, q, 12);
            double ana = pw_gth_vloc_q(&p, q) + 4 * PI * p.zion / (q * q);
            AL_CHECK_CLOSE(t, ana, num, 1e-8 * (1 + fabs(num)));
        }
        AL_CHECK_CLOSE(t, pw_gth_vloc_g0(&p), hankel(f_vloc, &p, 0, 0, 12), 1e-8);
    }
}

/* epsatm of ABINIT 9.6.2 for the same parameters (numbers in tests/data/dft/gth_README.md). */
static void test_vloc_epsatm_abinit(al_test *t)
{
    static const struct { int z; const char *entry; double epsatm; } ref[] = {
        {14, "GTH-PADE-q4", -4.9765254234}, {14, "GTH-PBE-q4", -3.5452711417},
        {13, "GTH-PADE-q3", -8.3696095096}, {8, "GTH-PADE-q6", 0.0653759294},
        {8, "GTH-PBE-q6", 0.1341904131},    {1, "GTH-PBE-q1", -0.0013606539},
        {1, "GTH-PADE-q1", -0.0012978860}};
    for (size_t k = 0; k < sizeof ref / sizeof ref[0]; k++) {
        pw_gth p;
        load_ok(t, ref[k].z, ref[k].entry, &p);
        AL_CHECK_CLOSE(t, pw_gth_vloc_g0(&p), ref[k].epsatm, 2e-10);
    }
}

static void test_proj_quadrature(al_test *t)
{
    pw_gth p = {.z = 1, .zion = 1, .rloc = 0.3, .n_l = 4};
    const double rl[4] = {0.42, 0.55, 0.38, 0.7};
    for (int l = 0; l < 4; l++) {
        p.r[l] = rl[l];
        p.n_proj[l] = 3;
        for (int i = 0; i < 3; i++) {
            pctx c = {rl[l], l, i};
            for (double q = 0.0; q < 15; q += 1.3) {
                double num = hankel(f_proj, &c, l, q, 14 * rl[l]);
                AL_CHECK_CLOSE(t, pw_gth_proj_q(&p, l, i, q), num, 1e-9 * (1 + fabs(num)));
            }
        }
    }
}

/* Parseval: ∫ |proj_q|² q² dq / (2π)³ = ∫ p² r² dr = 1 (HGH normalisation). */
static void test_proj_parseval(al_test *t)
{
    pw_gth p = {.n_l = 4, .r = {0.42, 0.55, 0.38, 0.7}, .n_proj = {3, 3, 3, 3}};
    for (int l = 0; l < 4; l++)
        for (int i = 0; i < 3; i++) {
            int n = 20000;
            double qmax = 14 / p.r[l], h = qmax / n, s = 0;
            for (int k = 0; k <= n; k++) {
                double q = k * h, w = (k == 0 || k == n) ? 1 : (k % 2 ? 4 : 2), f = pw_gth_proj_q(&p, l, i, q);
                s += w * f * f * q * q;
            }
            AL_CHECK_CLOSE(t, s * h / 3 / (8 * PI * PI * PI), 1.0, 1e-10);
        }
}

static void test_derivatives_fd(al_test *t)
{
    pw_gth p;
    load_ok(t, 32, "GTH-PBE-q4", &p);
    p.c[0] = -3.1, p.c[1] = 0.7, p.c[2] = -0.3, p.c[3] = 0.05, p.n_c = 4;
    double h = 1e-5;
    for (double q = 0.2; q < 10; q *= 1.6) {
        double fd = (pw_gth_vloc_q(&p, q + h) - pw_gth_vloc_q(&p, q - h)) / (2 * h);
        AL_CHECK_CLOSE(t, pw_gth_vloc_dq(&p, q), fd, 1e-6 * (1 + fabs(fd)));
        for (int l = 0; l < 3; l++)
            for (int i = 0; i < p.n_proj[l]; i++) {
                fd = (pw_gth_proj_q(&p, l, i, q + h) - pw_gth_proj_q(&p, l, i, q - h)) / (2 * h);
                AL_CHECK_CLOSE(t, pw_gth_proj_dq(&p, l, i, q), fd, 1e-7 * (1 + fabs(fd)));
            }
    }
}

static const al_test_case cases[] = {
    {"gth_read_si_pade", test_read_si_pade, AL_TEST_FAST},
    {"gth_read_aliases", test_read_aliases, AL_TEST_FAST},
    {"gth_read_many", test_read_many, AL_TEST_FAST},
    {"gth_read_soc_skipped", test_read_soc_skipped, AL_TEST_FAST},
    {"gth_read_errors", test_read_errors, AL_TEST_FAST},
    {"gth_vloc_quadrature", test_vloc_quadrature, AL_TEST_FAST},
    {"gth_vloc_epsatm_abinit", test_vloc_epsatm_abinit, AL_TEST_FAST},
    {"gth_proj_quadrature", test_proj_quadrature, AL_TEST_FAST},
    {"gth_proj_parseval", test_proj_parseval, AL_TEST_FAST},
    {"gth_derivatives_fd", test_derivatives_fd, AL_TEST_FAST},
    {0}};
AL_TEST_MAIN(cases)
