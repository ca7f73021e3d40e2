/*
 * GAP with 2-body and SOAP descriptors for two species (Si, O) in random triclinic cells:
 * forces and virial against finite differences of the predicted energy, invariances (rotation,
 * translation, permutation of same-species atoms, periodic images and supercells), exact
 * interpolation with all environments sparse, per-frame sigma overrides, bit-identical refits,
 * the predictive variance at and away from the data, the memory refusal and bad input.
 * Labels are random numbers: these properties hold for any data.
 */
#include <stdlib.h>

#include "core/cell.h"
#include "core/rng.h"
#include "gp/gap.h"
#include "tests/harness/al_test.h"

enum { NF = 4 };

/* A random triclinic cell (~7 Å) with n atoms, half Si half O, no pair closer than 1.6 Å. */
static void random_frame(al_frame *f, size_t n, uint64_t seed)
{
    al_err err;
    al_rng r;
    al_rng_seed(&r, seed, 0);
    al_frame_alloc(f, n, &err);
    double cell[3][3] = {{7.0, 0, 0}, {0.9, 6.6, 0}, {-0.7, 0.5, 6.9}};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) f->cell[a][b] = cell[a][b] + 0.2 * (al_rng_uniform(&r) - 0.5);
    for (int a = 0; a < 3; a++) f->pbc[a] = true;
    for (size_t i = 0; i < n; i++) {
        f->z[i] = i % 2 ? 8 : 14;
        for (int tries = 0; tries < 1000; tries++) {
            double s[3] = {al_rng_uniform(&r), al_rng_uniform(&r), al_rng_uniform(&r)};
            al_cell_cart(f->cell, s, f->pos[i]);
            int ok = 1;
            for (size_t j = 0; j < i && ok; j++) {
                double d2 = 0;
                for (int a = 0; a < 3; a++) d2 += (f->pos[i][a] - f->pos[j][a]) * (f->pos[i][a] - f->pos[j][a]);
                ok = d2 > 1.6 * 1.6;
            }
            if (ok) break;
        }
    }
    f->labels = AL_LBL_ENERGY | AL_LBL_FORCES | AL_LBL_VIRIAL;
    f->energy = -5.0 * n + al_rng_normal(&r);
    al_frame_alloc_forces(f, &err);
    double mean[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++)
        for (int a = 0; a < 3; a++) f->forces[i][a] = 0.5 * al_rng_normal(&r), mean[a] += f->forces[i][a] / n;
    for (size_t i = 0; i < n; i++)   /* no net force, as for any energy invariant under translation */
        for (int a = 0; a < 3; a++) f->forces[i][a] -= mean[a];
    for (int a = 0; a < 3; a++)
        for (int b = 0; b <= a; b++) f->virial[a][b] = f->virial[b][a] = al_rng_normal(&r);
}

static al_frame *training(size_t n_atoms)
{
    al_frame *f = calloc(NF, sizeof *f);
    for (size_t k = 0; k < NF; k++) {
        al_frame_init(&f[k]);
        random_frame(&f[k], n_atoms, 100 + k);
    }
    return f;
}

static gp_gap_spec spec_si_o(size_t n_sparse_soap)
{
    al_err err;
    gp_gap_spec s = gp_gap_spec_default();
    gp_gap_spec_add_2b(&s, 14, 14, 4.0, 0.5, 0.5, 1.0, 8, &err);
    gp_gap_spec_add_2b(&s, 14, 8, 4.0, 0.5, 0.5, 1.0, 8, &err);
    gp_gap_spec_add_2b(&s, 8, 8, 4.0, 0.5, 0.5, 1.0, 8, &err);
    gp_gap_spec_add_soap(&s, 14, 3.5, 1.0, 4, 3, 0.5, 4, 0.2, n_sparse_soap, &err);
    gp_gap_spec_add_soap(&s, 8, 3.5, 1.0, 4, 3, 0.5, 2, 0.3, n_sparse_soap, &err);
    s.e0[14] = -1.5, s.e0[8] = -0.7;
    s.sigma_energy = 0.01, s.sigma_force = 0.1, s.sigma_virial = 0.1;
    s.sparse_jitter = 1e-8;
    return s;
}

static double energy(gp_model *m, const al_frame *f)
{
    al_err err;
    al_pot_result r = {0};
    gp_model_predict(m, f, &r, &err);
    return r.energy;
}

static void free_frames(al_frame *f, size_t n)
{
    for (size_t k = 0; k < n; k++) al_frame_fini(&f[k]);
    free(f);
}

static void test_forces_virial_fd(al_test *t)
{
    al_err err;
    al_frame *f = training(16), g;
    gp_gap_spec s = spec_si_o(12);
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, NF, &m, &err), &err);
    al_frame_init(&g);
    random_frame(&g, 16, 7);
    size_t na = g.n_atoms;
    double (*forces)[3] = calloc(na, sizeof *forces), virial[9];
    al_pot_result r = {.forces = forces, .virial = virial};
    AL_CHECK_OK(t, gp_model_predict(m, &g, &r, &err), &err);
    const double h = 1e-4;
    for (size_t i = 0; i < na; i += 3)
        for (int a = 0; a < 3; a++) {
            double x0 = g.pos[i][a];
            g.pos[i][a] = x0 + h;
            double ep = energy(m, &g);
            g.pos[i][a] = x0 - h;
            double em = energy(m, &g);
            g.pos[i][a] = x0;
            AL_CHECK_REL(t, forces[i][a], -(ep - em) / (2 * h), 1e-6, 1e-7);
        }
    const double hs = 1e-5;
    al_frame s1;
    al_frame_init(&s1);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            double e[2];
            for (int sg = 0; sg < 2; sg++) {   /* general (non-symmetric) strain: the full virial */
                double mtx[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
                mtx[a][b] += sg ? -hs : hs;
                al_frame_copy(&s1, &g, &err);
                al_mat3_mul(g.cell, mtx, s1.cell);
                for (size_t i = 0; i < na; i++)
                    for (int c = 0; c < 3; c++)
                        s1.pos[i][c] = g.pos[i][0] * mtx[0][c] + g.pos[i][1] * mtx[1][c] + g.pos[i][2] * mtx[2][c];
                e[sg] = energy(m, &s1);
            }
            AL_CHECK_REL(t, virial[3 * a + b], -(e[0] - e[1]) / (2 * hs), 1e-6, 1e-6);
        }
    al_frame_fini(&s1);
    al_frame_fini(&g);
    free(forces);
    gp_model_destroy(m);
    free_frames(f, NF);
}

static void test_invariances(al_test *t)
{
    al_err err;
    al_frame *f = training(16), g, h;
    gp_gap_spec s = spec_si_o(12);
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, NF, &m, &err), &err);
    al_frame_init(&g);
    al_frame_init(&h);
    random_frame(&g, 16, 9);
    double e0 = energy(m, &g);
    /* Translation. */
    al_frame_copy(&h, &g, &err);
    for (size_t i = 0; i < h.n_atoms; i++) h.pos[i][0] += 0.77, h.pos[i][2] -= 1.3;
    AL_CHECK_REL(t, energy(m, &h), e0, 1e-12, 1e-9);
    /* Rotation by an arbitrary orthogonal matrix (cell rows and positions). */
    double c = cos(0.7), sn = sin(0.7), c2 = cos(-1.1), s2 = sin(-1.1);
    double rz[3][3] = {{c, -sn, 0}, {sn, c, 0}, {0, 0, 1}}, rx[3][3] = {{1, 0, 0}, {0, c2, -s2}, {0, s2, c2}}, rot[3][3];
    al_mat3_mul(rz, rx, rot);
    al_frame_copy(&h, &g, &err);
    al_mat3_mul(g.cell, rot, h.cell);
    for (size_t i = 0; i < h.n_atoms; i++)
        for (int a = 0; a < 3; a++) h.pos[i][a] = g.pos[i][0] * rot[0][a] + g.pos[i][1] * rot[1][a] + g.pos[i][2] * rot[2][a];
    AL_CHECK_REL(t, energy(m, &h), e0, 1e-12, 1e-9);
    /* Permutation of same-species atoms: reverse the Si atoms (even indices) among themselves. */
    al_frame_copy(&h, &g, &err);
    for (size_t i = 0; i < h.n_atoms; i += 2)
        for (int a = 0; a < 3; a++) h.pos[i][a] = g.pos[h.n_atoms - 2 - i][a];
    AL_CHECK_REL(t, energy(m, &h), e0, 1e-12, 1e-9);
    /* Periodic images: move atoms by lattice vectors. */
    al_frame_copy(&h, &g, &err);
    for (size_t i = 0; i < h.n_atoms; i += 3)
        for (int a = 0; a < 3; a++) h.pos[i][a] += 2 * g.cell[0][a] - g.cell[2][a];
    AL_CHECK_REL(t, energy(m, &h), e0, 1e-12, 1e-9);
    /* A 2×1×1 supercell has twice the energy (e0 included). */
    al_frame_alloc(&h, 2 * g.n_atoms, &err);
    for (int a = 0; a < 3; a++) {
        h.pbc[a] = true;
        for (int b = 0; b < 3; b++) h.cell[a][b] = (a == 0 ? 2.0 : 1.0) * g.cell[a][b];
    }
    for (size_t i = 0; i < 2 * g.n_atoms; i++) {
        size_t j = i % g.n_atoms;
        h.z[i] = g.z[j];
        for (int a = 0; a < 3; a++) h.pos[i][a] = g.pos[j][a] + (i >= g.n_atoms ? g.cell[0][a] : 0.0);
    }
    AL_CHECK_REL(t, energy(m, &h), 2 * e0, 1e-12, 1e-9);
    al_frame_fini(&g);
    al_frame_fini(&h);
    gp_model_destroy(m);
    free_frames(f, NF);
}

static void test_exact_interpolation(al_test *t)
{
    al_err err;
    al_frame *f = training(8);
    for (size_t k = 0; k < NF; k++) f[k].labels = AL_LBL_ENERGY;
    gp_gap_spec s = gp_gap_spec_default();
    gp_gap_spec_add_soap(&s, 14, 3.5, 1.0, 4, 3, 0.5, 2, 1.0, 1000, &err);   /* all environments sparse */
    gp_gap_spec_add_soap(&s, 8, 3.5, 1.0, 4, 3, 0.5, 2, 1.0, 1000, &err);
    s.sigma_energy = 1e-7;
    s.sparse_jitter = 1e-10;
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, NF, &m, &err), &err);
    AL_CHECK(t, gp_model_n_sparse(m, 0) == NF * 4 && gp_model_n_sparse(m, 1) == NF * 4);
    for (size_t k = 0; k < NF; k++) AL_CHECK_CLOSE(t, energy(m, &f[k]), f[k].energy, 1e-5);
    gp_model_destroy(m);
    free_frames(f, NF);
}

/* The fit's force and virial rows must be the derivatives that prediction uses. Model A is
 * fitted to energies; its forces and virials become the labels of model B, which has the same
 * sparse points (all environments, the same distance grid), so A is exactly representable:
 * fitted to forces (and virials) of one frame and all labels of another, with tiny noise, B
 * must reproduce them. */
static void test_rows_match_prediction(al_test *t)
{
    al_err err;
    al_frame *f = training(8);
    gp_gap_spec s = spec_si_o(1000);
    s.sigma_energy = 1e-3, s.sigma_force = 1e-6, s.sigma_virial = 1e-6, s.sparse_jitter = 1e-10;
    for (size_t k = 0; k < 2; k++) f[k].labels = AL_LBL_ENERGY;
    gp_model *a = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, 2, &a, &err), &err);
    for (size_t k = 0; k < 2; k++) {
        double vir[9];
        al_pot_result r = {.forces = f[k].forces, .virial = vir};
        AL_CHECK_OK(t, gp_model_predict(a, &f[k], &r, &err), &err);
        memcpy(f[k].virial, vir, sizeof vir);
    }
    for (int kind = 0; kind < 2; kind++) {
        /* kind 1 has all labels: the virial rows then sit where the packed force rows go */
        for (size_t k = 0; k < 2; k++) f[k].labels = AL_LBL_ENERGY | AL_LBL_FORCES | (kind ? AL_LBL_VIRIAL : 0u);
        f[0].labels &= ~(unsigned)AL_LBL_ENERGY;   /* frame 0: derivative labels only */
        gp_model *m = NULL;
        AL_CHECK_OK(t, gp_gap_fit(&s, f, 2, &m, &err), &err);
        double (*fo)[3] = calloc(f[0].n_atoms, sizeof *fo), vir[9], fbig = 0, vmax = 0;
        al_pot_result r = {.forces = fo, .virial = vir};
        AL_CHECK_OK(t, gp_model_predict(m, &f[0], &r, &err), &err);
        for (size_t i = 0; i < f[0].n_atoms; i++)
            for (int c = 0; c < 3; c++) fbig = fmax(fbig, fabs(f[0].forces[i][c]));
        for (int c = 0; c < 9; c++) vmax = fmax(vmax, fabs(f[0].virial[c / 3][c % 3]));
        if (kind)
            for (int c = 0; c < 9; c++) AL_CHECK_CLOSE(t, vir[c], f[0].virial[c / 3][c % 3], 1e-4 * vmax);
        for (size_t i = 0; i < f[0].n_atoms; i++)
                for (int c = 0; c < 3; c++) AL_CHECK_CLOSE(t, fo[i][c], f[0].forces[i][c], 1e-4 * fbig);
        free(fo);
        gp_model_destroy(m);
    }
    gp_model_destroy(a);
    free_frames(f, NF);
}

static void test_sigma_override_and_refit(al_test *t)
{
    al_err err;
    al_frame *f = training(16);
    gp_gap_spec s = spec_si_o(12);
    s.sigma_energy = 1.0;   /* loose: energies are not reproduced ... */
    for (size_t k = 0; k < NF; k++) f[k].labels = AL_LBL_ENERGY;
    AL_CHECK_OK(t, al_info_set_real(&f[2].info, "energy_sigma", 1e-6, &err), &err);   /* ... except frame 2's */
    gp_model *m = NULL, *m2 = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, NF, &m, &err), &err);
    AL_CHECK_CLOSE(t, energy(m, &f[2]), f[2].energy, 1e-3);
    AL_CHECK_MSG(t, fabs(energy(m, &f[1]) - f[1].energy) > 0.01, "frame 1 is fitted as tightly as frame 2");
    /* A refit of the same data gives bit-identical predictions, also with a random sparse choice. */
    for (int pass = 0; pass < 2; pass++) {
        gp_model_destroy(m);
        s.desc[3].sparse_method = pass ? GP_SPARSE_CUR_RANDOM : GP_SPARSE_CUR;
        s.seed = 42;
        AL_CHECK_OK(t, gp_gap_fit(&s, f, NF, &m, &err), &err);
        AL_CHECK_OK(t, gp_gap_fit(&s, f, NF, &m2, &err), &err);
        size_t na = f[0].n_atoms;
        double (*f1)[3] = calloc(na, sizeof *f1), (*f2)[3] = calloc(na, sizeof *f2);
        al_pot_result r1 = {.forces = f1}, r2 = {.forces = f2};
        gp_model_predict(m, &f[0], &r1, &err);
        gp_model_predict(m2, &f[0], &r2, &err);
        AL_CHECK(t, r1.energy == r2.energy && !memcmp(f1, f2, na * sizeof *f1));
        free(f1);
        free(f2);
        gp_model_destroy(m2);
    }
    gp_model_destroy(m);
    free_frames(f, NF);
}

/* Cubic diamond Si (8 atoms) with lattice constant a: all atoms have the same environment. */
static void diamond(al_frame *f, double a)
{
    al_err err;
    static const double u[8][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0},
                                   {.25, .25, .25}, {.25, .75, .75}, {.75, .25, .75}, {.75, .75, .25}};
    al_frame_alloc(f, 8, &err);
    for (int k = 0; k < 3; k++) f->cell[k][k] = a, f->pbc[k] = true;
    for (size_t i = 0; i < 8; i++) {
        f->z[i] = 14;
        for (int k = 0; k < 3; k++) f->pos[i][k] = a * u[i][k] + 0.01 * k;
    }
    f->labels = AL_LBL_ENERGY;
    f->energy = -4.3 * 8 + 3.0 * (a - 5.43) * (a - 5.43);
}

/* With one environment per frame, the local energy is E/N and is determined by the data: the
 * predictive sigma vanishes at the training lattice constants, and is finite between and
 * grows beyond them. */
static void test_uncertainty(al_test *t)
{
    al_err err;
    al_frame f[3], g;
    for (int k = 0; k < 3; k++) {
        al_frame_init(&f[k]);
        diamond(&f[k], 5.0 + 0.4 * k);
    }
    gp_gap_spec s = gp_gap_spec_default();
    gp_gap_spec_add_soap(&s, 14, 3.5, 1.0, 4, 3, 0.5, 4, 0.2, 1000, &err);
    s.sigma_energy = 1e-6, s.sparse_jitter = 1e-8;
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, 3, &m, &err), &err);
    double sig[8], at[5] = {5.0, 5.4, 5.2, 5.9, 6.4}, sd[5];
    al_frame_init(&g);
    for (int k = 0; k < 5; k++) {
        diamond(&g, at[k]);
        al_pot_result r = {.want_uncertainty = true, .atom_sigma = sig};
        AL_CHECK_OK(t, gp_model_predict(m, &g, &r, &err), &err);
        AL_CHECK(t, r.has_uncertainty);
        double mx = 0, mean = 0;
        for (size_t i = 0; i < 8; i++) mx = fmax(mx, sig[i]), mean += sig[i] / 8;
        AL_CHECK_CLOSE(t, r.sigma_max, mx, 1e-15);
        AL_CHECK_CLOSE(t, r.sigma_mean, mean, 1e-15);
        AL_CHECK_CLOSE(t, r.sigma_mean, r.sigma_max, 1e-9);   /* equivalent atoms */
        sd[k] = r.sigma_mean;
    }
    AL_CHECK_MSG(t, sd[0] < 1e-4 && sd[1] < 1e-4, "training sigmas %.3g, %.3g eV", sd[0], sd[1]);
    AL_CHECK_MSG(t, sd[2] > 10 * sd[1] && sd[3] > 10 * sd[1], "between %.3g, beyond %.3g eV", sd[2], sd[3]);
    AL_CHECK_MSG(t, sd[4] > sd[3] && sd[4] <= 0.2 + 1e-12, "far %.3g eV, prior 0.2 eV", sd[4]);
    al_frame_fini(&g);
    for (int k = 0; k < 3; k++) al_frame_fini(&f[k]);
    gp_model_destroy(m);
}

static void test_memory_refusal_and_bad_input(al_test *t)
{
    al_err err;
    al_frame *f = training(8);
    gp_gap_spec s = spec_si_o(12);
    s.max_memory_gib = 1e-6;
    gp_model *m = NULL;
    AL_CHECK(t, gp_gap_fit(&s, f, NF, &m, &err) == AL_ENOMEM && m == NULL);
    AL_CHECK_CONTAINS(t, err.msg, "GiB but only 0.00 GiB are available; reduce n_sparse");
    s = spec_si_o(12);
    s.desc[3].sparse_method = GP_SPARSE_UNIFORM;
    AL_CHECK(t, gp_gap_fit(&s, f, NF, &m, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "GAP SOAP Si: sparse method uniform is only for 2-body descriptors; use cur, cur_random or random");
    s = spec_si_o(12);
    AL_CHECK(t, gp_gap_spec_add_soap(&s, 6, 3.5, 1.0, 4, 3, 0.5, 0, 0.2, 10, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "GAP SOAP C: needs zeta >= 1, delta > 0 and n_sparse >= 1 (got 0, 0.2 eV, 10)");
    AL_CHECK_OK(t, gp_gap_spec_add_soap(&s, 6, 3.5, 1.0, 4, 3, 0.5, 2, 0.2, 10, &err), &err);
    AL_CHECK(t, gp_gap_fit(&s, f, NF, &m, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "GAP: no C atom in the training frames for its SOAP descriptor");
    for (size_t k = 0; k < NF; k++) f[k].labels = 0;
    AL_CHECK(t, gp_gap_fit(&s, f, NF, &m, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "GAP: none of the 4 training frames has labels");
    free_frames(f, NF);
}

static const al_test_case cases[] = {
    {"forces_virial_fd", test_forces_virial_fd, AL_TEST_FAST},
    {"invariances", test_invariances, AL_TEST_FAST},
    {"exact_interpolation", test_exact_interpolation, AL_TEST_FAST},
    {"rows_match_prediction", test_rows_match_prediction, AL_TEST_FAST},
    {"sigma_override_and_refit", test_sigma_override_and_refit, AL_TEST_FAST},
    {"uncertainty", test_uncertainty, AL_TEST_FAST},
    {"memory_refusal_and_bad_input", test_memory_refusal_and_bad_input, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
