/*
 * Initial campaign frames: supercells, the strain and rattle statistics they are made with,
 * random structures at a density with a minimum distance (checked by brute force over periodic
 * images), reproducibility from the seed, and the messages for impossible requests.
 */
#include "core/cell.h"
#include "core/units.h"
#include "orchestrator/initial.h"
#include "tests/harness/al_test.h"

/* Diamond silicon, conventional 8-atom cubic cell, a = 5.431 Å. */
static void diamond(al_frame *f)
{
    static const double s[8][3] = {{0, 0, 0},          {0, 0.5, 0.5},      {0.5, 0, 0.5},
                                   {0.5, 0.5, 0},      {0.25, 0.25, 0.25}, {0.25, 0.75, 0.75},
                                   {0.75, 0.25, 0.75}, {0.75, 0.75, 0.25}};
    al_frame_alloc(f, 8, NULL);
    for (int k = 0; k < 3; k++) {
        f->cell[k][k] = 5.431;
        f->pbc[k] = true;
    }
    for (int i = 0; i < 8; i++) {
        f->z[i] = 14;
        for (int k = 0; k < 3; k++) f->pos[i][k] = 5.431 * s[i][k];
    }
}

static void free_frames(al_frame *f, size_t n)
{
    for (size_t i = 0; i < n; i++) al_frame_fini(&f[i]);
}

static void test_supercell_without_noise(al_test *t)
{
    al_err err;
    al_rng rng;
    al_frame s, out[1];
    al_frame_init(&s);
    al_frame_init(&out[0]);
    diamond(&s);
    al_rng_seed(&rng, 3, 0);
    const int rep[3] = {2, 1, 3};
    AL_CHECK_OK(t, orc_initial_rattle(&s, rep, 1, 0.0, 0.0, &rng, out, &err), &err);
    AL_CHECK(t, out[0].n_atoms == 48);
    AL_CHECK_CLOSE(t, out[0].cell[0][0], 10.862, 1e-12);
    AL_CHECK_CLOSE(t, out[0].cell[2][2], 16.293, 1e-12);
    /* The last atom is atom 7 of the image (1, 0, 2). */
    AL_CHECK_CLOSE(t, out[0].pos[47][0], 5.431 * 1.75, 1e-12);
    AL_CHECK_CLOSE(t, out[0].pos[47][2], 5.431 * 2.25, 1e-12);
    AL_CHECK_STR(t, al_info_get_str(&out[0].info, "config_type"), "initial_rattle");
    AL_CHECK(t, out[0].labels == 0);
    free_frames(out, 1);
    al_frame_fini(&s);
}

/* The strain is symmetric and bounded; displacements from the strained ideal positions have
 * the requested standard deviation (2400 samples: 0.1 Å within 6 %). */
static void test_rattle_statistics(al_test *t)
{
    enum { N = 50 };
    al_err err;
    al_rng rng;
    al_frame s, out[N];
    al_frame_init(&s);
    for (int f = 0; f < N; f++) al_frame_init(&out[f]);
    diamond(&s);
    al_rng_seed(&rng, 11, 0);
    const int rep[3] = {2, 1, 1};
    AL_CHECK_OK(t, orc_initial_rattle(&s, rep, N, 0.1, 0.03, &rng, out, &err), &err);
    double sum2 = 0, max_strain = 0, asym = 0;
    size_t count = 0;
    for (int f = 0; f < N; f++) {
        double super[3][3] = {{10.862, 0, 0}, {0, 5.431, 0}, {0, 0, 5.431}}, inv[3][3], m[3][3];
        al_mat3_inv(super, inv, NULL);
        al_mat3_mul(inv, out[f].cell, m);
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                max_strain = fmax(max_strain, fabs(m[a][b] - (a == b)));
                asym = fmax(asym, fabs(m[a][b] - m[b][a]));
            }
        for (size_t i = 0; i < out[f].n_atoms; i++) {
            const double *r0 = s.pos[i % 8];
            double ideal[3] = {r0[0] + (i >= 8) * 5.431, r0[1], r0[2]};
            for (int k = 0; k < 3; k++) {
                double strained = ideal[0] * m[0][k] + ideal[1] * m[1][k] + ideal[2] * m[2][k];
                double d = out[f].pos[i][k] - strained;
                sum2 += d * d;
                count++;
            }
        }
    }
    AL_CHECK(t, max_strain <= 0.03 && max_strain > 0.02);
    AL_CHECK(t, asym < 1e-15);
    AL_CHECK_REL(t, sqrt(sum2 / count), 0.1, 0.06, 0);
    free_frames(out, N);
    al_frame_fini(&s);
}

/* Smallest distance between atoms over all periodic images within one cell of the origin. */
static double min_image_distance(const al_frame *f)
{
    double best = INFINITY;
    for (size_t i = 0; i < f->n_atoms; i++)
        for (size_t j = 0; j < f->n_atoms; j++)
            for (int a = -1; a <= 1; a++)
                for (int b = -1; b <= 1; b++)
                    for (int c = -1; c <= 1; c++) {
                        if (i == j && !a && !b && !c) continue;
                        double d2 = 0;
                        for (int k = 0; k < 3; k++) {
                            double d = f->pos[j][k] - f->pos[i][k] + a * f->cell[0][k] +
                                       b * f->cell[1][k] + c * f->cell[2][k];
                            d2 += d * d;
                        }
                        best = fmin(best, sqrt(d2));
                    }
    return best;
}

static void test_random_structures(al_test *t)
{
    enum { N = 4 };
    al_err err;
    al_rng rng;
    al_frame out[N], again[N];
    for (int f = 0; f < N; f++) al_frame_init(&out[f]), al_frame_init(&again[f]);
    const int z[2] = {32, 34};
    const double count[2] = {8, 16};
    al_rng_seed(&rng, 5, 1);
    AL_CHECK_OK(t, orc_initial_random(z, count, 2, 4.3, 2.2, N, &rng, out, &err), &err);
    /* GeSe2 at 4.3 g/cm³: mass 8·72.630 + 16·78.971 amu; 1 amu = 1.66053906660e-24 g. */
    double mass_g = (8 * 72.630 + 16 * 78.971) * 1.66053906660e-24;
    double edge = cbrt(mass_g / 4.3 * 1e24);
    al_rng_seed(&rng, 5, 1);
    AL_CHECK_OK(t, orc_initial_random(z, count, 2, 4.3, 2.2, N, &rng, again, &err), &err);
    for (int f = 0; f < N; f++) {
        AL_CHECK(t, out[f].n_atoms == 24 && out[f].z[7] == 32 && out[f].z[8] == 34);
        AL_CHECK_REL(t, out[f].cell[0][0], edge, 1e-9, 0);
        AL_CHECK_REL(t, al_frame_volume(&out[f]), edge * edge * edge, 1e-9, 0);
        AL_CHECK(t, min_image_distance(&out[f]) >= 2.2);
        AL_CHECK(t, memcmp(out[f].pos, again[f].pos, 24 * sizeof *out[f].pos) == 0);
        AL_CHECK_STR(t, al_info_get_str(&out[f].info, "config_type"), "initial_random");
    }
    AL_CHECK(t, memcmp(out[0].pos, out[1].pos, 24 * sizeof *out[0].pos) != 0);
    free_frames(out, N);
    free_frames(again, N);
}

static void test_impossible_requests(al_test *t)
{
    al_err err;
    al_rng rng;
    al_frame s, out[1];
    al_frame_init(&s);
    al_frame_init(&out[0]);
    al_rng_seed(&rng, 1, 0);
    diamond(&s);
    const int bad_rep[3] = {1, 0, 1};
    AL_CHECK(t, orc_initial_rattle(&s, bad_rep, 1, 0.1, 0.0, &rng, out, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "initial set: supercell[1] = 0, must be >= 1");
    s.pbc[2] = false;
    const int rep[3] = {1, 1, 1};
    AL_CHECK(t, orc_initial_rattle(&s, rep, 1, 0.1, 0.0, &rng, out, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg,
                 "initial set: the start structure must be periodic in a, b and c with a "
                 "non-degenerate cell (pbc=\"T T T\" and a Lattice)");
    const int z[1] = {14};
    const double half[1] = {2.5}, many[1] = {64}, none[1] = {0};
    AL_CHECK(t, orc_initial_random(z, half, 1, 2.33, 1.5, 1, &rng, out, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg,
                 "initial set: composition of Si is 2.5; it must be a whole number of atoms");
    AL_CHECK(t, orc_initial_random(z, none, 1, 2.33, 1.5, 1, &rng, out, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, "random structures need a composition with atoms");
    /* 64 Si (28.085 amu) at 2.33 g/cm³ fill a 1281.0 Å³ = (10.860 Å)³ cube: 4 Å spheres cannot
     * be packed (random insertion jams far below that). */
    AL_CHECK(t, orc_initial_random(z, many, 1, 2.33, 4.0, 1, &rng, out, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, "initial set: random structure 0: could not place atom ");
    AL_CHECK_CONTAINS(t, err.msg, "(Si) at least 4 Å from the others in a 10.860 Å cube after "
                                  "10000 attempts; lower system.min_distance or system.density");
    const double one[1] = {1};
    AL_CHECK(t, orc_initial_random(z, one, 1, 2.33, 3.5, 1, &rng, out, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg,
                 "initial set: min_distance 3.5 Å exceeds the 2.715 Å cell of 1 atoms at 2.33 "
                 "g/cm3: an atom would overlap its own periodic image");
    free_frames(out, 1);
    al_frame_fini(&s);
}

static const al_test_case cases[] = {
    {"supercell_without_noise", test_supercell_without_noise, AL_TEST_FAST},
    {"rattle_statistics", test_rattle_statistics, AL_TEST_FAST},
    {"random_structures", test_random_structures, AL_TEST_FAST},
    {"impossible_requests", test_impossible_requests, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
