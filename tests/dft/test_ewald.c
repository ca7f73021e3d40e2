/*
 * Ewald sum: Madelung constants of NaCl and CsCl (1.747564594633, 1.762674773070; e.g.
 * Zucker, J. Phys. A 8, 1734 (1975)), ABINIT 9.6.2 ion–ion energies of the galore DFT
 * reference cases (numbers and provenance in tests/data/dft/ewald_README.md), forces and stress
 * against central finite differences in a triclinic cell, and independence of the splitting
 * parameter η and of a rigid translation.
 */
#include <math.h>
#include <string.h>

#include "core/rng.h"
#include "engines/dft/ewald.h"
#include "tests/harness/al_test.h"

static double energy_of(const double cell[3][3], size_t n, const double (*pos)[3],
                        const double *q)
{
    double e = NAN;
    al_err err = {0};
    if (pw_ewald(cell, n, pos, q, &e, NULL, NULL, &err)) return NAN;
    return e;
}

static void test_madelung_nacl(al_test *t)
{
    /* Conventional rock-salt cube with nearest-neighbour distance 1: E = −4 M. */
    const double cell[3][3] = {{2, 0, 0}, {0, 2, 0}, {0, 0, 2}};
    const double pos[8][3] = {{0, 0, 0}, {1, 1, 0}, {1, 0, 1}, {0, 1, 1},
                              {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}};
    const double q[8] = {1, 1, 1, 1, -1, -1, -1, -1};
    AL_CHECK_CLOSE(t, -energy_of(cell, 8, pos, q) / 4, 1.747564594633, 1e-11);
    /* Primitive fcc cell (triclinic axes), two ions: E = −M. */
    const double pcell[3][3] = {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}};
    const double ppos[2][3] = {{0, 0, 0}, {1, 1, 1}};
    AL_CHECK_CLOSE(t, -energy_of(pcell, 2, ppos, q + 3), 1.747564594633, 1e-11);
}

static void test_madelung_cscl(al_test *t)
{
    /* Simple cubic a = 1, nearest-neighbour distance √3/2: E = −M/r0. */
    const double cell[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    const double pos[2][3] = {{0, 0, 0}, {0.5, 0.5, 0.5}};
    const double q[2] = {1, -1};
    AL_CHECK_CLOSE(t, -energy_of(cell, 2, pos, q) * sqrt(3.0) / 2, 1.762674773070, 1e-11);
}

/* Diamond Si8 conventional cell of the ABINIT reference (a = 10.263102627702 bohr). */
static void si8(double cell[3][3], double pos[8][3], int displaced)
{
    const double a = 10.263102627702;
    const double f[8][3] = {{0, 0, 0},          {0, .5, .5},        {.5, 0, .5},
                            {.5, .5, 0},        {.25, .25, .25},    {.25, .75, .75},
                            {.75, .25, .75},    {.75, .75, .25}};
    memset(cell, 0, 9 * sizeof(double));
    for (int i = 0; i < 3; i++) cell[i][i] = a;
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 3; k++) pos[i][k] = f[i][k] * a;
    if (displaced) {
        /* (0.10, 0.05, −0.07) Å with 1 bohr = 0.52917720859 Å, as in the ABINIT input */
        pos[0][0] = 0.188972613289, pos[0][1] = 0.094486306644, pos[0][2] = -0.132280829302;
    }
}

static void test_abinit_si8(al_test *t)
{
    double cell[3][3], pos[8][3], q[8];
    for (int i = 0; i < 8; i++) q[i] = 4;
    si8(cell, pos, 0);
    AL_CHECK_CLOSE(t, energy_of(cell, 8, (const double(*)[3])pos, q), -33.5917010022, 1e-9);
    si8(cell, pos, 1);
    AL_CHECK_CLOSE(t, energy_of(cell, 8, (const double(*)[3])pos, q), -33.5792391054, 1e-9);
}

static void test_abinit_si64(al_test *t)
{
    double cell8[3][3], pos8[8][3], cell[3][3] = {{0}}, pos[64][3], q[64];
    si8(cell8, pos8, 0);
    size_t n = 0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 2; c++)
                for (int i = 0; i < 8; i++, n++) {
                    const int s[3] = {a, b, c};
                    for (int k = 0; k < 3; k++) pos[n][k] = pos8[i][k] + s[k] * cell8[k][k];
                    q[n] = 4;
                }
    for (int k = 0; k < 3; k++) cell[k][k] = 2 * cell8[k][k];
    pos[0][0] = 0.188972613289, pos[0][1] = 0.094486306644, pos[0][2] = -0.132280829302;
    AL_CHECK_CLOSE(t, energy_of(cell, 64, (const double(*)[3])pos, q), -268.7194614351, 1e-9);
}

static void test_abinit_al_fcc(al_test *t)
{
    const double s = 3.826695419093;
    const double cell[3][3] = {{0, s, s}, {s, 0, s}, {s, s, 0}};
    const double pos[1][3] = {{0, 0, 0}}, q[1] = {3};
    AL_CHECK_CLOSE(t, energy_of(cell, 1, pos, q), -2.6957827935, 1e-9);
}

/* A triclinic cell with five charges of mixed sign and non-zero total. */
enum { NQ = 5 };
static void triclinic(double cell[3][3], double pos[NQ][3], double q[NQ])
{
    const double c[3][3] = {{7.1, 0.3, -0.4}, {1.6, 6.4, 0.2}, {-0.9, 1.3, 8.2}};
    memcpy(cell, c, sizeof c);
    al_rng rng;
    al_rng_seed(&rng, 42, 0);
    for (int i = 0; i < NQ; i++) {
        double f[3] = {al_rng_uniform(&rng), al_rng_uniform(&rng), al_rng_uniform(&rng)};
        for (int k = 0; k < 3; k++) pos[i][k] = f[0] * c[0][k] + f[1] * c[1][k] + f[2] * c[2][k];
        q[i] = (i % 2 ? -1.5 : 3.0) + 0.1 * i;
    }
}

static void test_forces_fd(al_test *t)
{
    double cell[3][3], pos[NQ][3], q[NQ], f[NQ][3], e;
    al_err err = {0};
    triclinic(cell, pos, q);
    AL_CHECK_OK(t, pw_ewald(cell, NQ, (const double(*)[3])pos, q, &e, f, NULL, &err), &err);
    const double h = 1e-4;
    double sum[3] = {0};
    for (int i = 0; i < NQ; i++)
        for (int k = 0; k < 3; k++) {
            double p[NQ][3];
            memcpy(p, pos, sizeof p);
            p[i][k] += h;
            double ep = energy_of(cell, NQ, (const double(*)[3])p, q);
            p[i][k] -= 2 * h;
            double em = energy_of(cell, NQ, (const double(*)[3])p, q);
            AL_CHECK_CLOSE(t, f[i][k], -(ep - em) / (2 * h), 1e-7);
            sum[k] += f[i][k];
        }
    for (int k = 0; k < 3; k++) AL_CHECK_CLOSE(t, sum[k], 0, 1e-10); /* Newton's third law */
}

/* σ_ab = (1/Ω) ∂E/∂ε_ab under r → (1+ε) r of cell and positions. */
static void test_stress_fd(al_test *t)
{
    double cell[3][3], pos[NQ][3], q[NQ], s[3][3], e;
    al_err err = {0};
    triclinic(cell, pos, q);
    AL_CHECK_OK(t, pw_ewald(cell, NQ, (const double(*)[3])pos, q, &e, NULL, s, &err), &err);
    double omega = cell[0][0] * (cell[1][1] * cell[2][2] - cell[1][2] * cell[2][1]) -
                   cell[0][1] * (cell[1][0] * cell[2][2] - cell[1][2] * cell[2][0]) +
                   cell[0][2] * (cell[1][0] * cell[2][1] - cell[1][1] * cell[2][0]);
    const double h = 1e-5;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            double ed[2];
            for (int sg = 0; sg < 2; sg++) {
                double eps = sg ? -h : h, c2[3][3], p2[NQ][3];
                memcpy(c2, cell, sizeof c2);
                memcpy(p2, pos, sizeof p2);
                for (int r = 0; r < 3; r++) c2[r][a] += eps * cell[r][b];
                for (int i = 0; i < NQ; i++) p2[i][a] += eps * pos[i][b];
                ed[sg] = energy_of((const double(*)[3])c2, NQ, (const double(*)[3])p2, q);
            }
            AL_CHECK_CLOSE(t, s[a][b], (ed[0] - ed[1]) / (2 * h) / fabs(omega), 1e-8);
        }
    AL_CHECK_CLOSE(t, s[0][1], s[1][0], 1e-12);
    AL_CHECK_CLOSE(t, s[1][2], s[2][1], 1e-12);
}

static void test_eta_invariance(al_test *t)
{
    double cell[3][3], pos[NQ][3], q[NQ], e0, f0[NQ][3], s0[3][3];
    al_err err = {0};
    triclinic(cell, pos, q);
    AL_CHECK_OK(t, pw_ewald(cell, NQ, (const double(*)[3])pos, q, &e0, f0, s0, &err), &err);
    const double etas[] = {0.2, 0.45, 0.9, 1.6};
    for (int k = 0; k < 4; k++) {
        double e, f[NQ][3], s[3][3];
        AL_CHECK_OK(t, pw_ewald_eta(cell, NQ, (const double(*)[3])pos, q, etas[k], &e, f, s, &err), &err);
        AL_CHECK_CLOSE(t, e, e0, 1e-10);
        for (int i = 0; i < NQ; i++)
            for (int a = 0; a < 3; a++) AL_CHECK_CLOSE(t, f[i][a], f0[i][a], 1e-10);
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) AL_CHECK_CLOSE(t, s[a][b], s0[a][b], 1e-11);
    }
}

/* A strongly sheared cell (angles near 20°) and the same lattice in a reduced basis: the
 * energy is a property of the lattice, not of its basis vectors. */
static void test_skewed_cell(al_test *t)
{
    const double red[3][3] = {{6.0, 0, 0}, {0.7, 5.5, 0}, {-0.4, 0.9, 7.0}};
    /* sheared basis: a' = a, b' = b + 3a, c' = c − 2b + a (same lattice, unimodular change) */
    double sk[3][3];
    for (int k = 0; k < 3; k++) {
        sk[0][k] = red[0][k];
        sk[1][k] = red[1][k] + 3 * red[0][k];
        sk[2][k] = red[2][k] - 2 * red[1][k] + red[0][k];
    }
    const double pos[3][3] = {{0.3, 0.2, 0.1}, {2.9, 3.1, 3.3}, {4.1, 1.0, 5.2}};
    const double q[3] = {4, 6, -2.5};
    double e0 = NAN, e1 = NAN, e2 = NAN, f0[3][3], f1[3][3], s0[3][3], s1[3][3];
    al_err err = {0};
    AL_CHECK_OK(t, pw_ewald(red, 3, pos, q, &e0, f0, s0, &err), &err);
    AL_CHECK_OK(t, pw_ewald(sk, 3, pos, q, &e1, f1, s1, &err), &err);
    AL_CHECK_OK(t, pw_ewald_eta(sk, 3, pos, q, 1.3, &e2, NULL, NULL, &err), &err);
    AL_CHECK_CLOSE(t, e1, e0, 1e-10);
    AL_CHECK_CLOSE(t, e2, e0, 1e-10);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            AL_CHECK_CLOSE(t, f1[a][b], f0[a][b], 1e-10);
            AL_CHECK_CLOSE(t, s1[a][b], s0[a][b], 1e-12);
        }
}

static void test_translation_invariance(al_test *t)
{
    double cell[3][3], pos[NQ][3], q[NQ];
    triclinic(cell, pos, q);
    double e0 = energy_of(cell, NQ, (const double(*)[3])pos, q);
    for (int i = 0; i < NQ; i++) {
        pos[i][0] += 3.7, pos[i][1] -= 11.2, pos[i][2] += 0.05;
        if (i == 2) for (int k = 0; k < 3; k++) pos[i][k] += cell[1][k] - 2 * cell[2][k];
    }
    AL_CHECK_CLOSE(t, energy_of(cell, NQ, (const double(*)[3])pos, q), e0, 1e-10);
}

static void test_errors(al_test *t)
{
    const double cell[3][3] = {{5, 0, 0}, {0, 5, 0}, {0, 0, 5}};
    const double pos[2][3] = {{0.5, 0.5, 0.5}, {5.5, 0.5, -4.5}}, q[2] = {1, 1};
    double e;
    al_err err = {0};
    AL_CHECK(t, pw_ewald(cell, 2, pos, q, &e, NULL, NULL, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg,
                 "ewald: charges 0 and 1 are at the same position (modulo a lattice vector)");
    const double flat[3][3] = {{5, 0, 0}, {0, 5, 0}, {5, 5, 0}};
    AL_CHECK(t, pw_ewald(flat, 1, pos, q, &e, NULL, NULL, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "ewald: degenerate cell (volume 0)");
    AL_CHECK(t, pw_ewald_eta(cell, 1, pos, q, -1, &e, NULL, NULL, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "ewald: splitting parameter eta=-1 must be > 0");
}

static const al_test_case cases[] = {
    {"ewald_madelung_nacl", test_madelung_nacl, AL_TEST_FAST},
    {"ewald_madelung_cscl", test_madelung_cscl, AL_TEST_FAST},
    {"ewald_abinit_si8", test_abinit_si8, AL_TEST_FAST},
    {"ewald_abinit_si64", test_abinit_si64, AL_TEST_FAST},
    {"ewald_abinit_al_fcc", test_abinit_al_fcc, AL_TEST_FAST},
    {"ewald_forces_fd", test_forces_fd, AL_TEST_FAST},
    {"ewald_stress_fd", test_stress_fd, AL_TEST_FAST},
    {"ewald_eta_invariance", test_eta_invariance, AL_TEST_FAST},
    {"ewald_translation_invariance", test_translation_invariance, AL_TEST_FAST},
    {"ewald_skewed_cell", test_skewed_cell, AL_TEST_FAST},
    {"ewald_errors", test_errors, AL_TEST_FAST},
    {0}};
AL_TEST_MAIN(cases)
