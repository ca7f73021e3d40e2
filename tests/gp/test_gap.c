/*
 * GAP with the 2-body descriptor: forces and virial against finite differences of the predicted
 * energy, invariances, exact interpolation of training energies, a fit to Stillinger-Weber
 * labels (LAMMPS) whose predictions beat the labels' spread, uncertainty that grows away from
 * the training data, and bad input.
 */
#include <stdlib.h>

#include "core/cell.h"
#include "core/extxyz.h"
#include "gp/gap.h"
#include "tests/harness/al_test.h"

static al_frame *sw_frames(size_t *n)
{
    al_err err;
    al_frame *f = NULL;
    al_xyz_read_all(al_test_path(al_test_data_dir(), "md/sw_frames.xyz"), &f, n, &err);
    return f;
}

static const char *ctype(const al_frame *f) { return al_info_get_str(&f->info, "config_type"); }

static gp_gap_spec si_spec(double sigma_e)
{
    al_err err;
    gp_gap_spec s = gp_gap_spec_default();
    gp_gap_spec_add_2b(&s, 14, 14, 5.0, 0.5, 1.0, 1.0, 20, &err);
    s.sigma_energy = sigma_e;
    return s;
}

static double energy(gp_model *m, const al_frame *f)
{
    al_err err;
    al_pot_result r = {0};
    gp_model_predict(m, f, &r, &err);
    return r.energy;
}

static void test_forces_virial_finite_differences(al_test *t)
{
    al_err err;
    size_t n = 0;
    al_frame *f = sw_frames(&n);
    /* A well-conditioned model (few sparse points, some jitter) keeps the large, cancelling
     * weights of a near-singular fit from drowning the finite differences in round-off. */
    gp_gap_spec s = si_spec(0.002);
    s.desc[0].n_sparse = 8;
    s.sparse_jitter = 1e-6;
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, 4, &m, &err), &err);
    al_frame *g = &f[5];
    /* A sheared cell so that the virial's off-diagonal terms are exercised. */
    g->cell[1][0] += 0.4;
    g->cell[2][1] -= 0.3;
    size_t na = g->n_atoms;
    double (*forces)[3] = calloc(na, sizeof *forces), virial[9];
    al_pot_result r = {.forces = forces, .virial = virial};
    AL_CHECK_OK(t, gp_model_predict(m, g, &r, &err), &err);
    const double h = 1e-4;
    for (size_t i = 0; i < na; i += 7)
        for (int a = 0; a < 3; a++) {
            double x0 = g->pos[i][a];
            g->pos[i][a] = x0 + h;
            double ep = energy(m, g);
            g->pos[i][a] = x0 - h;
            double em = energy(m, g);
            g->pos[i][a] = x0;
            AL_CHECK_REL(t, forces[i][a], -(ep - em) / (2 * h), 1e-6, 2e-7);
        }
    const double hs = 1e-5;   /* strain step: the energy's curvature in strain is large */
    al_frame s1;
    al_frame_init(&s1);
    for (int a = 0; a < 3; a++)
        for (int b = a; b < 3; b++) {
            double e[2];
            for (int sg = 0; sg < 2; sg++) {
                double eps = sg ? -hs : hs, mtx[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
                mtx[a][b] += 0.5 * eps, mtx[b][a] += 0.5 * eps;
                al_frame_copy(&s1, g, &err);
                al_mat3_mul(g->cell, mtx, s1.cell);
                for (size_t i = 0; i < na; i++)
                    for (int c = 0; c < 3; c++)
                        s1.pos[i][c] = g->pos[i][0] * mtx[0][c] + g->pos[i][1] * mtx[1][c] + g->pos[i][2] * mtx[2][c];
                e[sg] = energy(m, &s1);
            }
            AL_CHECK_REL(t, virial[3 * a + b], -(e[0] - e[1]) / (2 * hs), 1e-6, 1e-6);
        }
    al_frame_fini(&s1);
    free(forces);
    gp_model_destroy(m);
    al_frames_free(f, n);
}

static void test_invariances(al_test *t)
{
    al_err err;
    size_t n = 0;
    al_frame *f = sw_frames(&n);
    gp_gap_spec s = si_spec(0.002);
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, 3, &m, &err), &err);
    al_frame *g = &f[4], h;
    al_frame_init(&h);
    double e0 = energy(m, g);
    al_frame_copy(&h, g, &err);
    for (size_t i = 0; i < h.n_atoms; i++) h.pos[i][0] += 0.77, h.pos[i][2] -= 1.3;
    AL_CHECK_REL(t, energy(m, &h), e0, 1e-12, 1e-9);
    al_frame_copy(&h, g, &err);
    for (size_t i = 0; i < h.n_atoms; i++)
        for (int a = 0; a < 3; a++) h.pos[i][a] = g->pos[h.n_atoms - 1 - i][a];
    AL_CHECK_REL(t, energy(m, &h), e0, 1e-12, 1e-9);
    /* Rotation of cell and positions by 90° about z: (x, y, z) → (−y, x, z). */
    al_frame_copy(&h, g, &err);
    for (int a = 0; a < 3; a++) h.cell[a][0] = -g->cell[a][1], h.cell[a][1] = g->cell[a][0];
    for (size_t i = 0; i < h.n_atoms; i++) h.pos[i][0] = -g->pos[i][1], h.pos[i][1] = g->pos[i][0];
    AL_CHECK_REL(t, energy(m, &h), e0, 1e-12, 1e-9);
    al_frame_fini(&h);
    gp_model_destroy(m);
    al_frames_free(f, n);
}

static void test_exact_interpolation(al_test *t)
{
    al_err err;
    size_t n = 0;
    al_frame *f = sw_frames(&n);
    for (size_t k = 0; k < 3; k++) f[k].labels = AL_LBL_ENERGY;   /* energies only */
    gp_gap_spec s = si_spec(1e-7);
    s.desc[0].n_sparse = 40;
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, 3, &m, &err), &err);
    for (size_t k = 0; k < 3; k++) AL_CHECK_CLOSE(t, energy(m, &f[k]), f[k].energy, 1e-4);
    gp_model_destroy(m);
    al_frames_free(f, n);
}

static void test_fit_sw_and_uncertainty(al_test *t)
{
    al_err err;
    size_t n = 0;
    al_frame *f = sw_frames(&n);
    /* Train on the crystals (not the liquid, frame 1), test on all. */
    al_frame train[5];
    size_t nt = 0;
    int liquid = -1;
    for (size_t k = 0; k < n; k++) {
        if (!strcmp(ctype(&f[k]), "liquid_T2500")) liquid = (int)k;
        else train[nt++] = f[k];
    }
    AL_CHECK(t, liquid >= 0 && nt == 5);
    gp_gap_spec s = si_spec(0.002);
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, train, nt, &m, &err), &err);
    double sigma_train = 0;
    for (size_t k = 0; k < nt; k++) {
        al_pot_result r = {.want_uncertainty = true};
        AL_CHECK_OK(t, gp_model_predict(m, &train[k], &r, &err), &err);
        AL_CHECK(t, r.has_uncertainty);
        /* Training energies are reproduced far better than their spread (~0.5 eV/atom). */
        AL_CHECK_CLOSE(t, r.energy / 64, train[k].energy / 64, 0.02);
        sigma_train = fmax(sigma_train, r.sigma_mean);
    }
    al_pot_result r = {.want_uncertainty = true};
    AL_CHECK_OK(t, gp_model_predict(m, &f[liquid], &r, &err), &err);
    AL_CHECK_MSG(t, r.sigma_mean > 2 * sigma_train,
                 "liquid uncertainty %.4g eV is not clearly above the crystals' %.4g eV", r.sigma_mean, sigma_train);
    gp_model_destroy(m);
    al_frames_free(f, n);
}

static void test_bad_input(al_test *t)
{
    al_err err;
    gp_gap_spec s = gp_gap_spec_default();
    gp_model *m = NULL;
    size_t n = 0;
    al_frame *f = sw_frames(&n);
    AL_CHECK(t, gp_gap_fit(&s, f, n, &m, &err) == AL_EINVAL && m == NULL);
    AL_CHECK_STR(t, err.msg, "GAP: the model has no descriptor");
    AL_CHECK(t, gp_gap_spec_add_2b(&s, 14, 14, 5.0, 6.0, 1.0, 1.0, 20, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, "0 < transition width <= cutoff");
    AL_CHECK_OK(t, gp_gap_spec_add_2b(&s, 14, 8, 5.0, 0.5, 1.0, 1.0, 20, &err), &err);
    AL_CHECK(t, gp_gap_fit(&s, f, n, &m, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "GAP: no Si-O pair within 5 Å in the training frames");
    al_frames_free(f, n);
}

static const al_test_case cases[] = {
    {"forces_virial_finite_differences", test_forces_virial_finite_differences, AL_TEST_FAST},
    {"invariances", test_invariances, AL_TEST_FAST},
    {"exact_interpolation", test_exact_interpolation, AL_TEST_FAST},
    {"fit_sw_and_uncertainty", test_fit_sw_and_uncertainty, AL_TEST_FAST},
    {"bad_input", test_bad_input, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
