/*
 * SOAP against the independent implementation of QUIP's definitions
 * (tests/data/gp/soap_reference.txt, made by make_soap_fixtures.py), gradients against finite
 * differences for positions and strain, invariances, and the scaled Bessel functions.
 */
#include <stdlib.h>

#include "core/cell.h"
#include "core/extxyz.h"
#include "core/rng.h"
#include "gp/desc/soap.h"
#include "tests/harness/al_test.h"

static void test_bessel(al_test *t)
{
    /* e^{−x} i_l(x) from closed forms: i_0 = sinh x / x, i_1 = cosh x / x − sinh x / x². */
    double v[8], dv[8];
    for (double x = 0.3; x < 60; x *= 1.7) {
        desc_bessel_il_scaled(6, x, v, dv);
        double e = exp(-x), sh = 0.5 * (1 - exp(-2 * x)), ch = 0.5 * (1 + exp(-2 * x));
        AL_CHECK_REL(t, v[0], sh / x, 1e-13, 0);
        AL_CHECK_REL(t, v[1], ch / x - sh / (x * x), 1e-12, 1e-300);
        /* i_2 = i_0 − 3 i_1 / x */
        AL_CHECK_REL(t, v[2], sh / x - 3 * (ch / x - sh / (x * x)) / x, 1e-9, 1e-300);
        double vp[8], vm[8], h = 1e-6 * x;
        desc_bessel_il_scaled(6, x + h, vp, NULL);
        desc_bessel_il_scaled(6, x - h, vm, NULL);
        for (int l = 0; l <= 6; l++) AL_CHECK_REL(t, dv[l], (vp[l] - vm[l]) / (2 * h), 1e-6, 1e-12);
        (void)e;
    }
}

static void test_matches_reference(al_test *t)
{
    al_err err;
    al_frame *f = NULL;
    size_t nf = 0;
    AL_CHECK_OK(t, al_xyz_read_all(al_test_path(al_test_data_dir(), "md/sw_frames.xyz"), &f, &nf, &err), &err);
    FILE *fp = fopen(al_test_path(al_test_data_dir(), "gp/soap_reference.txt"), "r");
    char line[256];
    AL_CHECK(t, fp && fgets(line, sizeof line, fp));
    double rc, w, sig, ref[300];
    int nmax, lmax, fi, atom, dim, rows = 0;
    while (fp && fscanf(fp, "%lf %lf %d %d %lf %d %d %d", &rc, &w, &nmax, &lmax, &sig, &fi, &atom, &dim) == 8) {
        for (int k = 0; k < dim; k++) AL_CHECK(t, fscanf(fp, "%lf", &ref[k]) == 1);
        desc_soap_spec spec = {14, rc, w, sig, nmax, lmax};
        desc_soap *s = NULL;
        AL_CHECK_OK(t, desc_soap_create(&spec, &s, &err), &err);
        AL_CHECK(t, desc_soap_dim(s) == (size_t)dim);
        al_nlist nl;
        desc_values v;
        al_nlist_init(&nl);
        desc_values_init(&v);
        AL_CHECK_OK(t, al_nlist_build(&nl, &f[fi], rc, 0.0, &err), &err);
        AL_CHECK_OK(t, desc_soap_compute(s, &f[fi], &nl, &v, &err), &err);
        double worst = 0;
        for (int k = 0; k < dim; k++) worst = fmax(worst, fabs(v.x[(size_t)atom * dim + k] - ref[k]));
        AL_CHECK_MSG(t, worst < 1e-12, "frame %d atom %d (n_max %d l_max %d): max |diff| %.3g", fi, atom, nmax, lmax, worst);
        desc_values_fini(&v);
        al_nlist_fini(&nl);
        desc_soap_destroy(s);
        rows++;
    }
    AL_CHECK(t, rows == 12);
    if (fp) fclose(fp);
    al_frames_free(f, nf);
}

/* Σ_k w_k v_k(frame) as a scalar test function of the positions, and its gradient from the
 * descriptor's ∂v/∂d. */
static double weighted(const desc_values *v, const double *w)
{
    double e = 0;
    for (size_t q = 0; q < v->n; q++)
        for (size_t k = 0; k < v->dim; k++) e += w[(q * 7 + k) % 97] * v->x[q * v->dim + k];
    return e;
}

static void test_gradients_finite_differences(al_test *t)
{
    al_err err;
    al_rng rng;
    al_rng_seed(&rng, 51, 0);
    al_frame f;
    al_frame_init(&f);
    al_frame_alloc(&f, 12, &err);
    for (int a = 0; a < 3; a++) {
        f.pbc[a] = true;
        for (int b = 0; b < 3; b++) f.cell[a][b] = a == b ? 6.5 : 0.8 * (al_rng_uniform(&rng) - 0.5);
    }
    for (size_t i = 0; i < f.n_atoms; i++) {
        f.z[i] = 14;
        double s[3] = {al_rng_uniform(&rng), al_rng_uniform(&rng), al_rng_uniform(&rng)};
        al_cell_cart(f.cell, s, f.pos[i]);
    }
    double w[97];
    for (int k = 0; k < 97; k++) w[k] = al_rng_normal(&rng);
    desc_soap_spec spec = {14, 4.0, 1.0, 0.5, 5, 4};
    desc_soap *s = NULL;
    AL_CHECK_OK(t, desc_soap_create(&spec, &s, &err), &err);
    al_nlist nl;
    desc_values v;
    al_nlist_init(&nl);
    desc_values_init(&v);
    AL_CHECK_OK(t, al_nlist_build(&nl, &f, 4.0, 0.0, &err), &err);
    AL_CHECK_OK(t, desc_soap_compute(s, &f, &nl, &v, &err), &err);
    /* Analytic: ∂E/∂r_a = Σ_entries (±) Σ_k w_k ∂v_k/∂d. */
    double grad[12][3] = {{0}};
    for (size_t q = 0; q < v.n; q++)
        for (size_t e = v.goff[q]; e < v.goff[q + 1]; e++)
            for (int c = 0; c < 3; c++) {
                double g = 0;
                for (size_t k = 0; k < v.dim; k++) g += w[(q * 7 + k) % 97] * v.g_dx[(e * v.dim + k) * 3 + c];
                grad[v.g_atom[e]][c] += g;
                grad[v.centre[q]][c] -= g;
            }
    const double h = 1e-6;
    for (size_t i = 0; i < f.n_atoms; i += 3)
        for (int c = 0; c < 3; c++) {
            double x0 = f.pos[i][c], ep, em;
            f.pos[i][c] = x0 + h;
            al_nlist_build(&nl, &f, 4.0, 0.0, &err);
            desc_soap_compute(s, &f, &nl, &v, &err);
            ep = weighted(&v, w);
            f.pos[i][c] = x0 - h;
            al_nlist_build(&nl, &f, 4.0, 0.0, &err);
            desc_soap_compute(s, &f, &nl, &v, &err);
            em = weighted(&v, w);
            f.pos[i][c] = x0;
            AL_CHECK_CLOSE(t, grad[i][c], (ep - em) / (2 * h), 1e-7);
        }
    desc_values_fini(&v);
    al_nlist_fini(&nl);
    desc_soap_destroy(s);
    al_frame_fini(&f);
}

static void test_invariance(al_test *t)
{
    al_err err;
    al_frame *f = NULL;
    size_t nf = 0;
    AL_CHECK_OK(t, al_xyz_read_all(al_test_path(al_test_data_dir(), "md/sw_frames.xyz"), &f, &nf, &err), &err);
    desc_soap_spec spec = {14, 5.0, 1.0, 0.5, 6, 6};
    desc_soap *s = NULL;
    AL_CHECK_OK(t, desc_soap_create(&spec, &s, &err), &err);
    al_nlist nl;
    desc_values a, b;
    al_nlist_init(&nl);
    desc_values_init(&a);
    desc_values_init(&b);
    al_nlist_build(&nl, &f[1], 5.0, 0.0, &err);
    desc_soap_compute(s, &f[1], &nl, &a, &err);
    /* Rotate everything by an arbitrary rotation (about (1,2,2)/3 by 0.7 rad). */
    double u[3] = {1 / 3.0, 2 / 3.0, 2 / 3.0}, th = 0.7, R[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double eps = (i == j) ? 0 : ((j == (i + 1) % 3) ? -u[3 - i - j] : u[3 - i - j]);
            R[i][j] = cos(th) * (i == j) + sin(th) * eps + (1 - cos(th)) * u[i] * u[j];
        }
    al_frame g;
    al_frame_init(&g);
    al_frame_copy(&g, &f[1], &err);
    for (int a3 = 0; a3 < 3; a3++)
        for (int c = 0; c < 3; c++) g.cell[a3][c] = R[c][0] * f[1].cell[a3][0] + R[c][1] * f[1].cell[a3][1] + R[c][2] * f[1].cell[a3][2];
    for (size_t i = 0; i < g.n_atoms; i++)
        for (int c = 0; c < 3; c++) g.pos[i][c] = R[c][0] * f[1].pos[i][0] + R[c][1] * f[1].pos[i][1] + R[c][2] * f[1].pos[i][2];
    al_nlist_build(&nl, &g, 5.0, 0.0, &err);
    desc_soap_compute(s, &g, &nl, &b, &err);
    double worst = 0;
    for (size_t k = 0; k < a.n * a.dim; k++) worst = fmax(worst, fabs(a.x[k] - b.x[k]));
    AL_CHECK_MSG(t, worst < 1e-12, "rotation changes SOAP by %.3g", worst);
    al_frame_fini(&g);
    desc_values_fini(&a);
    desc_values_fini(&b);
    al_nlist_fini(&nl);
    desc_soap_destroy(s);
    al_frames_free(f, nf);
}

static const al_test_case cases[] = {
    {"bessel", test_bessel, AL_TEST_FAST},
    {"matches_reference", test_matches_reference, AL_TEST_FAST},
    {"gradients_finite_differences", test_gradients_finite_differences, AL_TEST_FAST},
    {"invariance", test_invariance, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
