/*
 * Analytic potentials: Stillinger–Weber against LAMMPS labels (tests/data/md/sw_frames.xyz),
 * forces and virial of both potentials against central finite differences of the energy on
 * random triclinic cells, invariance under translation and permutation, and bad options.
 */
#include <stdlib.h>

#include "core/cell.h"
#include "core/extxyz.h"
#include "core/rng.h"
#include "engines/md/analytic.h"
#include "tests/harness/al_test.h"

static double energy_of(al_potential *p, const al_frame *f)
{
    al_err err;
    al_pot_result r = {0};
    al_potential_compute(p, f, &r, &err);
    return r.energy;
}

static void test_sw_matches_lammps(al_test *t)
{
    al_err err;
    al_frame *f = NULL;
    size_t n = 0;
    al_potential sw;
    md_sw_opts o = md_sw_opts_default();
    AL_CHECK_OK(t, md_sw_create(&o, &sw, &err), &err);
    AL_CHECK_OK(t, al_xyz_read_all(al_test_path(al_test_data_dir(), "md/sw_frames.xyz"), &f, &n, &err), &err);
    AL_CHECK(t, n == 6);
    for (size_t k = 0; k < n; k++) {
        double (*forces)[3] = calloc(f[k].n_atoms, sizeof *forces), virial[9];
        al_pot_result r = {.forces = forces, .virial = virial};
        AL_CHECK_OK(t, al_potential_compute(&sw, &f[k], &r, &err), &err);
        /* LAMMPS printed energies and forces with 10 decimals. */
        AL_CHECK_CLOSE(t, r.energy, f[k].energy, 2e-6);
        double ferr = 0, vmax = 0;
        for (size_t i = 0; i < f[k].n_atoms; i++)
            for (int a = 0; a < 3; a++) ferr = fmax(ferr, fabs(forces[i][a] - f[k].forces[i][a]));
        for (int a = 0; a < 9; a++) vmax = fmax(vmax, fabs(virial[a] - (&f[k].virial[0][0])[a]));
        AL_CHECK_MSG(t, ferr < 1e-6, "frame %zu (%s): max force error %.3g eV/Å", k,
                     al_info_get_str(&f[k].info, "config_type"), ferr);
        AL_CHECK_MSG(t, vmax < 1e-5, "frame %zu (%s): max virial error %.3g eV", k,
                     al_info_get_str(&f[k].info, "config_type"), vmax);
        free(forces);
    }
    al_frames_free(f, n);
    al_potential_destroy(&sw);
}

/* A random triclinic cell of n atoms no closer than dmin. */
static void random_cell(al_frame *f, al_rng *rng, size_t n, double size, double dmin, int z)
{
    al_frame_alloc(f, n, NULL);
    for (int a = 0; a < 3; a++) {
        f->pbc[a] = true;
        for (int b = 0; b < 3; b++) f->cell[a][b] = a == b ? size : 0.2 * size * (al_rng_uniform(rng) - 0.5);
    }
    double inv[3][3];
    al_mat3_inv(f->cell, inv, NULL);
    for (size_t i = 0; i < n; i++) {
        f->z[i] = z;
        for (int tries = 0; tries < 1000; tries++) {
            double s[3] = {al_rng_uniform(rng), al_rng_uniform(rng), al_rng_uniform(rng)};
            al_cell_cart(f->cell, s, f->pos[i]);
            int ok = 1;
            for (size_t j = 0; j < i && ok; j++) {
                double d[3], ds[3];
                for (int a = 0; a < 3; a++) d[a] = f->pos[i][a] - f->pos[j][a];
                al_cell_frac(inv, d, ds);
                for (int a = 0; a < 3; a++) ds[a] -= round(ds[a]);
                al_cell_cart(f->cell, ds, d);
                ok = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) > dmin;
            }
            if (ok) break;
        }
    }
}

/* Forces = −dE/dr and virial = −dE/dε (symmetric strain of cell and positions), central differences. */
static void check_fd(al_test *t, al_potential *p, al_frame *f, double h, double tol_f, double tol_v)
{
    al_err err;
    size_t n = f->n_atoms;
    double (*forces)[3] = calloc(n, sizeof *forces), virial[9];
    al_pot_result r = {.forces = forces, .virial = virial};
    AL_CHECK_OK(t, al_potential_compute(p, f, &r, &err), &err);
    for (size_t i = 0; i < n; i += 3)
        for (int a = 0; a < 3; a++) {
            double x0 = f->pos[i][a];
            f->pos[i][a] = x0 + h;
            double ep = energy_of(p, f);
            f->pos[i][a] = x0 - h;
            double em = energy_of(p, f);
            f->pos[i][a] = x0;
            AL_CHECK_CLOSE(t, forces[i][a], -(ep - em) / (2 * h), tol_f);
        }
    al_frame g;
    al_frame_init(&g);
    for (int a = 0; a < 3; a++)
        for (int b = a; b < 3; b++) {
            double e[2];
            for (int sgn = 0; sgn < 2; sgn++) {
                double eps = sgn ? -h : h, m[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
                m[a][b] += 0.5 * eps;
                m[b][a] += 0.5 * eps;
                al_frame_copy(&g, f, &err);
                al_mat3_mul(f->cell, m, g.cell);
                for (size_t i = 0; i < n; i++)
                    for (int c = 0; c < 3; c++)
                        g.pos[i][c] = f->pos[i][0] * m[0][c] + f->pos[i][1] * m[1][c] + f->pos[i][2] * m[2][c];
                e[sgn] = energy_of(p, &g);
            }
            /* dE/dε_ab for the symmetric strain equals −(W_ab + W_ba)/2 ... and W is symmetric. */
            AL_CHECK_CLOSE(t, virial[3 * a + b], -(e[0] - e[1]) / (2 * h), tol_v);
            AL_CHECK_CLOSE(t, virial[3 * a + b], virial[3 * b + a], 1e-9);
        }
    al_frame_fini(&g);
    free(forces);
}

static void test_sw_finite_differences(al_test *t)
{
    al_err err;
    al_rng rng;
    al_rng_seed(&rng, 21, 0);
    al_potential sw;
    md_sw_opts o = md_sw_opts_default();
    AL_CHECK_OK(t, md_sw_create(&o, &sw, &err), &err);
    for (int rep = 0; rep < 2; rep++) {
        al_frame f;
        al_frame_init(&f);
        random_cell(&f, &rng, 24, 7.5, 2.0, 14);
        check_fd(t, &sw, &f, 1e-5, 1e-6, 1e-5);
        al_frame_fini(&f);
    }
    al_potential_destroy(&sw);
}

static void test_lj_finite_differences(al_test *t)
{
    al_err err;
    al_rng rng;
    al_rng_seed(&rng, 22, 0);
    al_potential lj;
    md_lj_opts o = md_lj_opts_default();
    AL_CHECK_OK(t, md_lj_create(&o, &lj, &err), &err);
    al_frame f;
    al_frame_init(&f);
    random_cell(&f, &rng, 30, 11.0, 3.0, 18);
    check_fd(t, &lj, &f, 1e-5, 1e-8, 1e-7);
    al_frame_fini(&f);
    al_potential_destroy(&lj);
}

static void test_invariance(al_test *t)
{
    al_err err;
    al_rng rng;
    al_rng_seed(&rng, 23, 0);
    al_potential sw;
    md_sw_opts o = md_sw_opts_default();
    AL_CHECK_OK(t, md_sw_create(&o, &sw, &err), &err);
    al_frame f, g;
    al_frame_init(&f);
    al_frame_init(&g);
    random_cell(&f, &rng, 20, 7.0, 2.1, 14);
    double e0 = energy_of(&sw, &f);
    al_frame_copy(&g, &f, &err);
    for (size_t i = 0; i < g.n_atoms; i++)
        for (int a = 0; a < 3; a++) g.pos[i][a] += 1.234 * (a + 1);      /* translation */
    AL_CHECK_CLOSE(t, energy_of(&sw, &g), e0, 1e-9);
    al_frame_copy(&g, &f, &err);
    for (size_t i = 0; i < g.n_atoms; i++)
        for (int a = 0; a < 3; a++) g.pos[i][a] = f.pos[g.n_atoms - 1 - i][a];   /* reversal */
    AL_CHECK_CLOSE(t, energy_of(&sw, &g), e0, 1e-9);
    al_frame_fini(&f);
    al_frame_fini(&g);
    al_potential_destroy(&sw);
}

static void test_bad_options(al_test *t)
{
    al_err err;
    al_potential p;
    md_lj_opts lo = md_lj_opts_default();
    lo.sigma = -1;
    AL_CHECK(t, md_lj_create(&lo, &p, &err) == AL_EINVAL && p.self == NULL);
    AL_CHECK_STR(t, err.msg, "Lennard-Jones: epsilon, sigma and cutoff must be > 0 and skin >= 0 "
                             "(got 0.0104 eV, -1 Å, 8.5 Å, 0.5 Å)");
    md_sw_opts so = md_sw_opts_default();
    so.a = 0.5;
    AL_CHECK(t, md_sw_create(&so, &p, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, "a > 1");
}

static const al_test_case cases[] = {
    {"sw_matches_lammps", test_sw_matches_lammps, AL_TEST_FAST},
    {"sw_finite_differences", test_sw_finite_differences, AL_TEST_FAST},
    {"lj_finite_differences", test_lj_finite_differences, AL_TEST_FAST},
    {"invariance", test_invariance, AL_TEST_FAST},
    {"bad_options", test_bad_options, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
