/*
 * Structure and dynamics analysis against analytic results and ASE: ideal gas g(r) → 1,
 * diamond silicon shells, coordination and angles, g(r) against ASE's rdf on the same frame,
 * S(k) from g(r) against the Debye pair sum, direct S(q) Bragg intensities of diamond, form
 * factors at k = 0, Q^n of a known cluster, MSD of ballistic and Brownian motion, and R_chi.
 */
#include <stdlib.h>

#include "core/extxyz.h"
#include "core/units.h"
#include "core/neighbors.h"
#include "core/rng.h"
#include "engines/analysis/dynamics.h"
#include "engines/analysis/local.h"
#include "engines/analysis/rdf.h"
#include "engines/analysis/sq.h"
#include "tests/harness/al_test.h"

static void diamond(al_frame *f, int reps)
{
    const double a = 5.431;
    const double basis[8][3] = {{0, 0, 0},       {0, .5, .5},     {.5, 0, .5},     {.5, .5, 0},
                                {.25, .25, .25}, {.25, .75, .75}, {.75, .25, .75}, {.75, .75, .25}};
    al_frame_alloc(f, (size_t)8 * reps * reps * reps, NULL);
    size_t n = 0;
    for (int x = 0; x < reps; x++)
        for (int y = 0; y < reps; y++)
            for (int z = 0; z < reps; z++)
                for (int b = 0; b < 8; b++, n++) {
                    f->z[n] = 14;
                    f->pos[n][0] = (basis[b][0] + x) * a;
                    f->pos[n][1] = (basis[b][1] + y) * a;
                    f->pos[n][2] = (basis[b][2] + z) * a;
                }
    for (int k = 0; k < 3; k++) f->cell[k][k] = reps * a, f->pbc[k] = true;
}

static void test_ideal_gas(al_test *t)
{
    al_err err;
    al_rng rng;
    al_rng_seed(&rng, 31, 0);
    an_rdf *g = NULL;
    AL_CHECK_OK(t, an_rdf_create(8.0, 40, &g, &err), &err);
    al_frame f;
    al_frame_init(&f);
    al_frame_alloc(&f, 1500, &err);
    for (int k = 0; k < 3; k++) f.cell[k][k] = 20.0, f.pbc[k] = true;
    for (int frame = 0; frame < 20; frame++) {
        for (size_t i = 0; i < f.n_atoms; i++) {
            f.z[i] = i % 3 ? 8 : 14;
            for (int k = 0; k < 3; k++) f.pos[i][k] = 20.0 * al_rng_uniform(&rng);
        }
        AL_CHECK_OK(t, an_rdf_add_frame(g, &f, &err), &err);
    }
    double tot[40], so[40];
    an_rdf_total(g, tot);
    an_rdf_partial(g, 0, 1, so);
    /* Pairs per bin at r >= 2 Å are >= ~2e4: g = 1 within a few percent. */
    for (int k = 10; k < 40; k++) {
        AL_CHECK_CLOSE(t, tot[k], 1.0, 0.03);
        AL_CHECK_CLOSE(t, so[k], 1.0, 0.05);
    }
    an_rdf_destroy(g);
    al_frame_fini(&f);
}

static void test_diamond_shells(al_test *t)
{
    al_err err;
    al_frame f;
    al_frame_init(&f);
    diamond(&f, 2);
    an_rdf *g = NULL;
    AL_CHECK_OK(t, an_rdf_create(5.0, 500, &g, &err), &err);
    AL_CHECK_OK(t, an_rdf_add_frame(g, &f, &err), &err);
    AL_CHECK_CLOSE(t, an_rdf_coordination(g, 0, 0, 2.5), 4.0, 1e-12);
    AL_CHECK_CLOSE(t, an_rdf_coordination(g, 0, 0, 4.0), 16.0, 1e-12);
    double rmin = an_rdf_first_minimum(g, 0, 0);
    AL_CHECK(t, rmin > 2.36 && rmin < 3.84);
    double v[500];
    an_rdf_partial(g, 0, 0, v);
    int first = 0;
    while (first < 499 && v[first] == 0.0) first++;
    AL_CHECK_CLOSE(t, an_rdf_r(g, first), 5.431 * sqrt(3.0) / 4, 0.005);
    an_angles ang;
    AL_CHECK_OK(t, an_angles_init(&ang, 180, &err), &err);
    AL_CHECK_OK(t, an_angles_add(&ang, &f, 14, 14, 14, 2.5, 2.5, &err), &err);
    AL_CHECK_CLOSE(t, ang.total, 64 * 6, 0);           /* 6 angles per tetrahedral centre */
    AL_CHECK_CLOSE(t, ang.hist[109], 64 * 6, 0);       /* all at 109.47° */
    an_counts c = {{0}, 0};
    AL_CHECK_OK(t, an_coordination_add(&c, &f, 14, 14, 2.5, &err), &err);
    AL_CHECK(t, c.count[4] == 64 && c.total == 64);
    an_angles_fini(&ang);
    an_rdf_destroy(g);
    al_frame_fini(&f);
}

static void test_rdf_matches_ase(al_test *t)
{
    al_err err;
    al_frame *f = NULL;
    size_t n = 0;
    AL_CHECK_OK(t, al_xyz_read_all(al_test_path(al_test_data_dir(), "ana/binary.xyz"), &f, &n, &err), &err);
    an_rdf *g = NULL;
    AL_CHECK_OK(t, an_rdf_create(6.0, 60, &g, &err), &err);
    AL_CHECK_OK(t, an_rdf_add_frame(g, &f[0], &err), &err);
    double tot[60], gese[60], c_se;
    an_rdf_total(g, tot);
    an_rdf_partial(g, 0, 1, gese);
    an_rdf_species(g, 1, &c_se);
    FILE *fp = fopen(al_test_path(al_test_data_dir(), "ana/ase_rdf.txt"), "r");
    char line[256];
    AL_CHECK(t, fp && fgets(line, sizeof line, fp));
    for (int k = 0; fp && k < 60; k++) {
        double r, at, ap;
        AL_CHECK(t, fscanf(fp, "%lf %lf %lf", &r, &at, &ap) == 3);
        AL_CHECK_CLOSE(t, an_rdf_r(g, k), r, 1e-12);
        AL_CHECK_REL(t, tot[k], at, 1e-10, 1e-12);
        AL_CHECK_REL(t, c_se * gese[k], ap, 1e-10, 1e-12);
    }
    if (fp) fclose(fp);
    an_rdf_destroy(g);
    al_frames_free(f, n);
}

/* S(k) from binned g(r) against the Debye sum over the same pairs, minus the same background. */
static void test_sk_debye(al_test *t)
{
    al_err err;
    al_rng rng;
    al_rng_seed(&rng, 32, 0);
    al_frame f;
    al_frame_init(&f);
    al_frame_alloc(&f, 200, &err);
    for (int k = 0; k < 3; k++) f.cell[k][k] = 15.0, f.pbc[k] = true;
    for (size_t i = 0; i < f.n_atoms; i++) {
        f.z[i] = 18;
        for (int k = 0; k < 3; k++) f.pos[i][k] = 15.0 * al_rng_uniform(&rng);
    }
    const double rmax = 10.0;
    const int nb = 4000;
    an_rdf *g = NULL;
    AL_CHECK_OK(t, an_rdf_create(rmax, nb, &g, &err), &err);
    AL_CHECK_OK(t, an_rdf_add_frame(g, &f, &err), &err);
    al_nlist nl;
    al_nlist_init(&nl);
    AL_CHECK_OK(t, al_nlist_build(&nl, &f, rmax, 0, &err), &err);
    double rho = f.n_atoms / 3375.0;
    for (double k = 1.0; k <= 8.0; k += 1.75) {
        double s;
        an_sk_partial(g, 0, 0, &k, 1, false, &s);
        double pairs = 0, background = 0;
        for (size_t p = 0; p < nl.n_pairs; p++)
            if (nl.r[p] < rmax) pairs += sin(k * nl.r[p]) / (k * nl.r[p]);
        /* ∫_0^rmax 4π r² sin(kr)/(kr) dr, analytically. */
        background = 4 * AL_PI / (k * k * k) * (sin(k * rmax) - k * rmax * cos(k * rmax));
        double debye = 1.0 + pairs / f.n_atoms - rho * background;
        AL_CHECK_CLOSE(t, s, debye, 2e-3);
    }
    al_nlist_fini(&nl);
    an_rdf_destroy(g);
    al_frame_fini(&f);
}

static void test_direct_sq_bragg(al_test *t)
{
    al_frame f;
    al_frame_init(&f);
    diamond(&f, 1);
    double q;
    /* Diamond structure factor: |F(111)|² = 32, |F(220)|² = 64, F(200) = 0, over N = 8. */
    AL_CHECK_CLOSE(t, an_sq_direct(&f, (int[3]){1, 1, 1}, &q), 4.0, 1e-12);
    AL_CHECK_CLOSE(t, q, 2 * AL_PI * sqrt(3.0) / 5.431, 1e-12);
    AL_CHECK_CLOSE(t, an_sq_direct(&f, (int[3]){2, 2, 0}, &q), 8.0, 1e-12);
    AL_CHECK_CLOSE(t, an_sq_direct(&f, (int[3]){2, 0, 0}, &q), 0.0, 1e-12);
    al_frame_fini(&f);
}

static void test_scattering_tables(al_test *t)
{
    al_err err;
    /* At k = 0 the form factor counts the electrons of the neutral atom (the fit holds to
     * about 0.05 %). */
    const int zs[] = {8, 11, 14, 15, 23, 32, 34};
    for (int i = 0; i < 7; i++) {
        double f0;
        AL_CHECK_OK(t, an_xray_form_factor(zs[i], 0.0, &f0, &err), &err);
        AL_CHECK_REL(t, f0, zs[i], 6e-4, 0);
    }
    double b;
    AL_CHECK_OK(t, an_neutron_length(23, &b, &err), &err);
    AL_CHECK(t, b < 0);   /* vanadium scatters neutrons with a negative length */
    AL_CHECK(t, an_neutron_length(79, &b, &err) == AL_ENOTFOUND);
    AL_CHECK_STR(t, err.msg, "no neutron scattering length tabulated for Z=79");
}

static void test_qn_cluster(al_test *t)
{
    al_err err;
    al_frame f;
    al_frame_init(&f);
    /* Two P tetrahedra sharing one O (a pyrophosphate-like P2O7 unit): each P is Q^1. */
    const double p1[3] = {0, 0, 0}, p2[3] = {3.0, 0, 0};
    al_frame_alloc(&f, 9, &err);
    f.z[0] = f.z[1] = 15;
    memcpy(f.pos[0], p1, sizeof p1);
    memcpy(f.pos[1], p2, sizeof p2);
    f.z[2] = 8, f.pos[2][0] = 1.5;                          /* bridging */
    const double dirs[3][3] = {{-0.5, 1.4, 0}, {-0.5, -0.7, 1.2}, {-0.5, -0.7, -1.2}};
    for (int k = 0; k < 3; k++) {
        f.z[3 + k] = f.z[6 + k] = 8;
        for (int a = 0; a < 3; a++) {
            f.pos[3 + k][a] = p1[a] + dirs[k][a];
            f.pos[6 + k][a] = p2[a] - dirs[k][a];
        }
    }
    an_counts c = {{0}, 0};
    AL_CHECK_OK(t, an_qn_add(&c, &f, 15, 8, 1.8, &err), &err);
    AL_CHECK(t, c.total == 2 && c.count[1] == 2);
    an_counts co = {{0}, 0};
    AL_CHECK_OK(t, an_coordination_add(&co, &f, 15, 8, 1.8, &err), &err);
    AL_CHECK(t, co.count[4] == 2);
    al_frame_fini(&f);
}

static void make_traj(al_frame *fr, size_t n, double box)
{
    for (size_t t = 0; t < n; t++) {
        al_frame_init(&fr[t]);
        al_frame_alloc(&fr[t], 50, NULL);
        for (int k = 0; k < 3; k++) fr[t].cell[k][k] = box, fr[t].pbc[k] = true;
        for (size_t i = 0; i < 50; i++) fr[t].z[i] = 18;
    }
}

static void test_msd_ballistic_and_brownian(al_test *t)
{
    al_err err;
    enum { N = 200 };
    static al_frame fr[N];
    const double box = 10.0, dt = 2.0;
    make_traj(fr, N, box);
    /* Ballistic: constant velocities, positions wrapped into the box. MSD = v² τ². */
    double v[50][3];
    al_rng rng;
    al_rng_seed(&rng, 33, 0);
    double v2 = 0;
    for (int i = 0; i < 50; i++)
        for (int a = 0; a < 3; a++) v[i][a] = 0.2 * al_rng_normal(&rng), v2 += v[i][a] * v[i][a] / 50;
    for (size_t s = 0; s < N; s++)
        for (int i = 0; i < 50; i++)
            for (int a = 0; a < 3; a++) fr[s].pos[i][a] = fmod(1.0 + v[i][a] * dt * s + 100 * box, box);
    an_msd m;
    AL_CHECK_OK(t, an_msd_compute(fr, N, dt, 18, 5, &m, &err), &err);
    for (size_t lag = 0; lag < N; lag += 37) AL_CHECK_REL(t, m.msd[lag], v2 * (lag * dt) * (lag * dt), 1e-9, 1e-12);
    an_msd_fini(&m);
    /* Brownian: steps of variance s² per direction per frame; MSD = 3 s² lag, D = s²/(2 dt). */
    const double s = 0.1;
    for (int i = 0; i < 50; i++)
        for (int a = 0; a < 3; a++) fr[0].pos[i][a] = box * al_rng_uniform(&rng);
    for (size_t k = 1; k < N; k++)
        for (int i = 0; i < 50; i++)
            for (int a = 0; a < 3; a++) fr[k].pos[i][a] = fmod(fr[k - 1].pos[i][a] + s * al_rng_normal(&rng) + box, box);
    AL_CHECK_OK(t, an_msd_compute(fr, N, dt, 0, 1, &m, &err), &err);
    double d, c0;
    AL_CHECK_OK(t, an_msd_diffusion(&m, 0.0, 40 * dt, &d, &c0, &err), &err);
    AL_CHECK_REL(t, d, s * s / (2 * dt), 0.1, 0);
    an_msd_fini(&m);
    AL_CHECK(t, an_msd_compute(fr, 1, dt, 0, 1, &m, &err) == AL_EINVAL);
    for (size_t k = 0; k < N; k++) al_frame_fini(&fr[k]);
}

static void test_rchi(al_test *t)
{
    al_err err;
    double x[5] = {1, 2, 3, 4, 5}, y[5] = {1, 2, 3, 4, 5}, xr[3] = {1.5, 2.5, 9.0}, yr[3] = {1.5, 2.0, 7.0};
    double r;
    size_t used;
    AL_CHECK_OK(t, an_rchi(x, y, 5, xr, yr, 3, &r, &used, &err), &err);
    /* Points 1.5 (exact) and 2.5 (calc 2.5 vs 2.0) overlap; 9.0 is outside. */
    AL_CHECK(t, used == 2);
    AL_CHECK_CLOSE(t, r, sqrt(0.25 / (1.5 * 1.5 + 4.0)), 1e-14);
}

static const al_test_case cases[] = {
    {"ideal_gas", test_ideal_gas, AL_TEST_FAST},
    {"diamond_shells", test_diamond_shells, AL_TEST_FAST},
    {"rdf_matches_ase", test_rdf_matches_ase, AL_TEST_FAST},
    {"sk_debye", test_sk_debye, AL_TEST_FAST},
    {"direct_sq_bragg", test_direct_sq_bragg, AL_TEST_FAST},
    {"scattering_tables", test_scattering_tables, AL_TEST_FAST},
    {"qn_cluster", test_qn_cluster, AL_TEST_FAST},
    {"msd_ballistic_and_brownian", test_msd_ballistic_and_brownian, AL_TEST_FAST},
    {"rchi", test_rchi, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
