/*
 * Exchange–correlation on the FFT grid: the potential is the functional derivative of the
 * energy, ∫ v_xc φ = dE_xc[ρ + hφ]/dh, checked by central differences along smooth
 * band-limited directions φ for LDA (Padé, PZ) and PBE. For PBE this tests the reciprocal-space
 * gradient and divergence (the discrete functional and its derivative must be consistent).
 * Plus PBE on a uniform gas, where it must reduce to Slater exchange,
 * ε_x = −(3/4)(3ρ/π)^{1/3}, plus Perdew–Wang 1992 correlation from the published formula.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/units.h"
#include "engines/dft/basis.h"
#include "engines/dft/terms/term.h"
#include "tests/harness/al_test.h"

typedef struct fixture {
    pw_system sys;
    pw_basis *b;
    double *rho, *phi, *v, *tmp;
    double complex *work;
} fixture;

static void setup(al_test *t, fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    double cell[3][3] = {{6.0, 0.3, 0}, {0, 5.5, 0.2}, {0.4, 0, 6.5}};
    memcpy(fx->sys.cell, cell, sizeof cell);
    pw_cell_reciprocal(fx->sys.cell, fx->sys.recip, &fx->sys.omega, NULL);
    double k[1][3] = {{0, 0, 0}}, w = 1;
    pw_kpoints kp = {1, k, &w, true};
    al_err err = {0};
    AL_CHECK_OK(t, pw_basis_create(&fx->sys, 6.0, NULL, &kp, &fx->b, &err), &err);
    size_t nf = fx->b->nfft;
    fx->rho = calloc(nf, sizeof(double));
    fx->phi = calloc(nf, sizeof(double));
    fx->v = calloc(nf, sizeof(double));
    fx->tmp = calloc(nf, sizeof(double));
    fx->work = pw_fft_alloc(4 * nf);
    /* ρ = 0.08 + smooth modulation (min 0.025 > 0); φ another smooth field. */
    size_t idx = 0;
    const int *n = fx->b->ngrid;
    for (int i0 = 0; i0 < n[0]; i0++)
        for (int i1 = 0; i1 < n[1]; i1++)
            for (int i2 = 0; i2 < n[2]; i2++, idx++) {
                double x = 2 * AL_PI * i0 / n[0], y = 2 * AL_PI * i1 / n[1], z = 2 * AL_PI * i2 / n[2];
                fx->rho[idx] = 0.08 + 0.03 * cos(x) * cos(y) + 0.015 * sin(2 * z + y) + 0.01 * cos(x + z);
                fx->phi[idx] = cos(x - y) + 0.5 * sin(z) + 0.3 * cos(2 * x + z);
            }
}

static void teardown(fixture *fx)
{
    free(fx->rho); free(fx->phi); free(fx->v); free(fx->tmp);
    pw_fft_free(fx->work);
    pw_basis_destroy(fx->b);
}

static double energy(al_test *t, fixture *fx, const pw_xc *xc, double h)
{
    for (size_t i = 0; i < fx->b->nfft; i++) fx->tmp[i] = fx->rho[i] + h * fx->phi[i];
    double e = 0;
    double *vv = calloc(fx->b->nfft, sizeof(double));
    al_err err = {0};
    AL_CHECK_OK(t, pw_xc_eval(xc, &fx->sys, fx->b, fx->tmp, vv, NULL, &e, fx->work, &err), &err);
    free(vv);
    return e;
}

static void check_derivative(al_test *t, pw_xc_kind kind)
{
    fixture fx;
    setup(t, &fx);
    if (!fx.b) return;
    pw_xc *xc = NULL;
    al_err err = {0};
    AL_CHECK_OK(t, pw_xc_create(kind, &xc, &err), &err);
    double e0;
    AL_CHECK_OK(t, pw_xc_eval(xc, &fx.sys, fx.b, fx.rho, fx.v, NULL, &e0, fx.work, &err), &err);
    double dv = 0;
    for (size_t i = 0; i < fx.b->nfft; i++) dv += fx.v[i] * fx.phi[i];
    dv *= fx.sys.omega / (double)fx.b->nfft;
    const double h = 1e-5;
    double fd = (energy(t, &fx, xc, h) - energy(t, &fx, xc, -h)) / (2 * h);
    AL_CHECK_REL(t, fd, dv, 1e-7, 1e-10);
    AL_CHECK(t, e0 < 0);
    pw_xc_destroy(xc);
    teardown(&fx);
}

static void test_lda_pade(al_test *t) { check_derivative(t, PW_XC_LDA_PADE); }
static void test_lda_pz(al_test *t) { check_derivative(t, PW_XC_LDA_PZ); }
static void test_pbe(al_test *t) { check_derivative(t, PW_XC_PBE); }

/* Uniform density: no gradient, so PBE = Slater exchange + PW92 correlation. */
static double pw92_ec(double rho)
{
    /* Perdew and Wang, PRB 45, 13244 (1992), unpolarised parameters. */
    const double A = 0.031091, a1 = 0.21370, b1 = 7.5957, b2 = 3.5876, b3 = 1.6382, b4 = 0.49294;
    double rs = pow(3.0 / (4.0 * AL_PI * rho), 1.0 / 3.0), s = sqrt(rs);
    return -2 * A * (1 + a1 * rs) * log(1 + 1 / (2 * A * (b1 * s + b2 * rs + b3 * rs * s + b4 * rs * rs)));
}

static void test_pbe_uniform(al_test *t)
{
    fixture fx;
    setup(t, &fx);
    if (!fx.b) return;
    for (size_t i = 0; i < fx.b->nfft; i++) fx.rho[i] = 0.02;
    pw_xc *xc = NULL;
    al_err err = {0};
    AL_CHECK_OK(t, pw_xc_create(PW_XC_PBE, &xc, &err), &err);
    double e;
    AL_CHECK_OK(t, pw_xc_eval(xc, &fx.sys, fx.b, fx.rho, fx.v, NULL, &e, fx.work, &err), &err);
    double ex = -0.75 * pow(3.0 / AL_PI, 1.0 / 3.0) * pow(0.02, 1.0 / 3.0);
    AL_CHECK_REL(t, e / fx.sys.omega / 0.02, ex + pw92_ec(0.02), 1e-6, 0);
    pw_xc_destroy(xc);
    teardown(&fx);
}

static const al_test_case cases[] = {
    {"xc_lda_pade_potential_fd", test_lda_pade, AL_TEST_FAST},
    {"xc_lda_pz_potential_fd", test_lda_pz, AL_TEST_FAST},
    {"xc_pbe_potential_fd", test_pbe, AL_TEST_FAST},
    {"xc_pbe_uniform_gas", test_pbe_uniform, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
