/*
 * Neighbour lists against a brute-force reference: every pair (i, j, image shift) within the
 * cutoff found by looping over all atoms and enough images, on random triclinic cells with
 * small and large cutoffs and mixed periodicity; diamond silicon shells; skin reuse; errors.
 */
#include <stdlib.h>

#include "core/cell.h"
#include "core/neighbors.h"
#include "core/rng.h"
#include "tests/harness/al_test.h"

typedef struct pair {
    int i, j, s[3];
    double r;
} pair;

static int pair_cmp(const void *a, const void *b)
{
    const pair *p = a, *q = b;
    if (p->i != q->i) return p->i - q->i;
    if (p->j != q->j) return p->j - q->j;
    for (int k = 0; k < 3; k++)
        if (p->s[k] != q->s[k]) return p->s[k] - q->s[k];
    return 0;
}

/* All pairs within rc by brute force over images |S_k| <= ceil(rc / width_k) + 2 (periodic). */
static pair *brute_force(const al_frame *f, double rc, size_t *n_out)
{
    double w[3];
    int lim[3];
    al_cell_widths(f->cell, w);
    double span = 0;
    for (size_t i = 0; i < f->n_atoms; i++)
        for (int k = 0; k < 3; k++) span = fmax(span, fabs(f->pos[i][k]));
    for (int k = 0; k < 3; k++) lim[k] = f->pbc[k] ? (int)ceil((rc + 2 * span) / w[k]) + 2 : 0;
    size_t cap = 1024, n = 0;
    pair *out = malloc(cap * sizeof *out);
    for (size_t i = 0; i < f->n_atoms; i++)
        for (size_t j = 0; j < f->n_atoms; j++)
            for (int a = -lim[0]; a <= lim[0]; a++)
                for (int b = -lim[1]; b <= lim[1]; b++)
                    for (int c = -lim[2]; c <= lim[2]; c++) {
                        if (i == j && !a && !b && !c) continue;
                        double d[3];
                        for (int k = 0; k < 3; k++)
                            d[k] = f->pos[j][k] - f->pos[i][k] + a * f->cell[0][k] +
                                   b * f->cell[1][k] + c * f->cell[2][k];
                        double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
                        if (r >= rc) continue;
                        if (n == cap) out = realloc(out, (cap *= 2) * sizeof *out);
                        out[n++] = (pair){(int)i, (int)j, {a, b, c}, r};
                    }
    qsort(out, n, sizeof *out, pair_cmp);
    *n_out = n;
    return out;
}

static pair *from_list(const al_nlist *nl, double rc, size_t *n_out)
{
    pair *out = malloc((nl->n_pairs + 1) * sizeof *out);
    size_t n = 0;
    for (size_t i = 0; i < nl->n_atoms; i++)
        for (size_t p = nl->offset[i]; p < nl->offset[i + 1]; p++)
            if (nl->r[p] < rc)
                out[n++] = (pair){(int)i, nl->j[p], {nl->shift[p][0], nl->shift[p][1], nl->shift[p][2]},
                                  nl->r[p]};
    qsort(out, n, sizeof *out, pair_cmp);
    *n_out = n;
    return out;
}

static void random_frame(al_frame *f, al_rng *rng, size_t n, double size, const bool pbc[3],
                         double outside)
{
    al_frame_alloc(f, n, NULL);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            f->cell[a][b] = (a == b ? size : 0.35 * size * (al_rng_uniform(rng) - 0.5));
    memcpy(f->pbc, pbc, 3 * sizeof *pbc);
    for (size_t i = 0; i < n; i++) {
        double s[3];
        for (int k = 0; k < 3; k++) s[k] = (1 + 2 * outside) * al_rng_uniform(rng) - outside;
        al_cell_cart(f->cell, s, f->pos[i]);
        f->z[i] = 14;
    }
}

/* Compares the list within rc with brute force; returns the number of pairs. */
static size_t compare(al_test *t, const al_frame *f, const al_nlist *nl, double rc)
{
    size_t na, nb;
    pair *a = brute_force(f, rc, &na), *b = from_list(nl, rc, &nb);
    AL_CHECK_MSG(t, na == nb, "brute force finds %zu pairs, the list %zu", na, nb);
    int same = na == nb;
    for (size_t k = 0; same && k < na; k++) {
        same = pair_cmp(&a[k], &b[k]) == 0 && fabs(a[k].r - b[k].r) < 1e-12;
        if (!same)
            AL_CHECK_MSG(t, 0, "pair %zu differs: (%d,%d,%d %d %d) r=%.15g vs (%d,%d,%d %d %d) r=%.15g", k,
                         a[k].i, a[k].j, a[k].s[0], a[k].s[1], a[k].s[2], a[k].r, b[k].i, b[k].j,
                         b[k].s[0], b[k].s[1], b[k].s[2], b[k].r);
    }
    AL_CHECK(t, same);
    free(a);
    free(b);
    return na;
}

static void check_case(al_test *t, al_rng *rng, size_t n, double size, const bool pbc[3],
                       double rc, double skin, double outside)
{
    al_err err;
    al_frame f;
    al_nlist nl;
    al_frame_init(&f);
    al_nlist_init(&nl);
    random_frame(&f, rng, n, size, pbc, outside);
    AL_CHECK_OK(t, al_nlist_build(&nl, &f, rc, skin, &err), &err);
    compare(t, &f, &nl, rc);
    compare(t, &f, &nl, rc + skin);
    al_nlist_fini(&nl);
    al_frame_fini(&f);
}

static void test_random_triclinic_small_cutoff(al_test *t)
{
    al_rng rng;
    al_rng_seed(&rng, 11, 0);
    const bool all[3] = {true, true, true};
    for (int rep = 0; rep < 4; rep++) check_case(t, &rng, 60, 12.0, all, 3.0, 0.3, 0.0);
    /* Unwrapped positions (up to half a cell outside) give the same pairs. */
    check_case(t, &rng, 50, 10.0, all, 3.5, 0.0, 0.5);
}

static void test_cutoff_larger_than_cell(al_test *t)
{
    al_rng rng;
    al_rng_seed(&rng, 12, 0);
    const bool all[3] = {true, true, true};
    check_case(t, &rng, 5, 3.0, all, 7.0, 0.5, 0.0);
    check_case(t, &rng, 1, 2.5, all, 6.0, 0.0, 0.0);   /* one atom and its own images */
    check_case(t, &rng, 12, 4.0, all, 5.0, 0.2, 0.3);
}

static void test_mixed_and_no_pbc(al_test *t)
{
    al_rng rng;
    al_rng_seed(&rng, 13, 0);
    const bool tft[3] = {true, false, true}, fft[3] = {false, false, true}, none[3] = {false, false, false};
    check_case(t, &rng, 40, 8.0, tft, 3.0, 0.4, 0.3);
    check_case(t, &rng, 40, 8.0, fft, 5.0, 0.4, 0.3);
    check_case(t, &rng, 40, 8.0, none, 4.0, 0.4, 0.5);
    /* A cluster without any cell. */
    al_err err;
    al_frame f;
    al_nlist nl;
    al_frame_init(&f);
    al_nlist_init(&nl);
    random_frame(&f, &rng, 30, 6.0, none, 0.0);
    memset(f.cell, 0, sizeof f.cell);
    AL_CHECK_OK(t, al_nlist_build(&nl, &f, 3.0, 0.0, &err), &err);
    compare(t, &f, &nl, 3.0);
    al_nlist_fini(&nl);
    al_frame_fini(&f);
}

static void test_diamond_silicon_shells(al_test *t)
{
    al_err err;
    al_frame f;
    al_nlist nl;
    al_frame_init(&f);
    al_nlist_init(&nl);
    const double a = 5.431;
    const double basis[8][3] = {{0, 0, 0},       {0, .5, .5},     {.5, 0, .5},     {.5, .5, 0},
                                {.25, .25, .25}, {.25, .75, .75}, {.75, .25, .75}, {.75, .75, .25}};
    al_frame_alloc(&f, 8, &err);
    for (int k = 0; k < 3; k++) f.cell[k][k] = a, f.pbc[k] = true;
    for (int i = 0; i < 8; i++) {
        f.z[i] = 14;
        for (int k = 0; k < 3; k++) f.pos[i][k] = basis[i][k] * a;
    }
    AL_CHECK_OK(t, al_nlist_build(&nl, &f, 4.0, 0.0, &err), &err);
    for (size_t i = 0; i < 8; i++) {
        int first = 0, second = 0;
        for (size_t p = nl.offset[i]; p < nl.offset[i + 1]; p++) {
            if (fabs(nl.r[p] - a * sqrt(3.0) / 4) < 1e-12) first++;
            else if (fabs(nl.r[p] - a / sqrt(2.0)) < 1e-12) second++;
        }
        AL_CHECK(t, first == 4 && second == 12);
        AL_CHECK(t, nl.offset[i + 1] - nl.offset[i] == 16);
    }
    al_nlist_fini(&nl);
    al_frame_fini(&f);
}

static void test_skin_reuse(al_test *t)
{
    al_err err;
    al_rng rng;
    al_rng_seed(&rng, 14, 0);
    al_frame f;
    al_nlist nl;
    al_frame_init(&f);
    al_nlist_init(&nl);
    const bool all[3] = {true, true, true};
    random_frame(&f, &rng, 80, 11.0, all, 0.0);
    const double rc = 3.2, skin = 0.6;
    AL_CHECK_OK(t, al_nlist_build(&nl, &f, rc, skin, &err), &err);
    /* Small moves (< skin/2) and a 0.5 % strain: the list is kept and refreshed, and still
     * holds every pair within rc. */
    for (size_t i = 0; i < f.n_atoms; i++)
        for (int k = 0; k < 3; k++) f.pos[i][k] += 0.1 * (al_rng_uniform(&rng) - 0.5);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) f.cell[a][b] *= 1.005;
    for (size_t i = 0; i < f.n_atoms; i++)
        for (int k = 0; k < 3; k++) f.pos[i][k] *= 1.005;
    AL_CHECK(t, !al_nlist_needs_rebuild(&nl, &f));
    size_t built_pairs = nl.n_pairs;
    AL_CHECK_OK(t, al_nlist_update(&nl, &f, rc, skin, &err), &err);
    AL_CHECK(t, nl.n_pairs == built_pairs);
    compare(t, &f, &nl, rc);
    /* A large move of one atom forces a rebuild. */
    f.pos[3][0] += 0.5;
    AL_CHECK(t, al_nlist_needs_rebuild(&nl, &f));
    AL_CHECK_OK(t, al_nlist_update(&nl, &f, rc, skin, &err), &err);
    compare(t, &f, &nl, rc);
    al_nlist_fini(&nl);
    al_frame_fini(&f);
}

/* The list is sorted by (j, shift) per atom, and a refresh after a rebuild-free update gives
 * exactly the vectors a fresh build gives (both evaluate d the same way). A change of pbc or a
 * list never built always asks for a rebuild. */
static void test_order_and_exact_refresh(al_test *t)
{
    al_err err;
    al_rng rng;
    al_rng_seed(&rng, 15, 0);
    al_frame f;
    al_nlist nl, fresh;
    al_frame_init(&f);
    al_nlist_init(&nl);
    al_nlist_init(&fresh);
    const bool all[3] = {true, true, true};
    random_frame(&f, &rng, 40, 7.0, all, 0.3);
    AL_CHECK(t, al_nlist_needs_rebuild(&nl, &f));
    AL_CHECK_OK(t, al_nlist_build(&nl, &f, 4.5, 0.5, &err), &err);
    int sorted = 1;
    for (size_t i = 0; i < f.n_atoms; i++)
        for (size_t p = nl.offset[i] + 1; p < nl.offset[i + 1]; p++) {
            pair a = {0, nl.j[p - 1], {nl.shift[p - 1][0], nl.shift[p - 1][1], nl.shift[p - 1][2]}, 0};
            pair b = {0, nl.j[p], {nl.shift[p][0], nl.shift[p][1], nl.shift[p][2]}, 0};
            if (pair_cmp(&a, &b) >= 0) sorted = 0;
        }
    AL_CHECK(t, sorted);
    for (size_t i = 0; i < f.n_atoms; i++)
        for (int k = 0; k < 3; k++) f.pos[i][k] += 0.05 * (al_rng_uniform(&rng) - 0.5);
    AL_CHECK(t, !al_nlist_needs_rebuild(&nl, &f));
    al_nlist_refresh(&nl, &f);
    AL_CHECK_OK(t, al_nlist_build(&fresh, &f, 4.5, 0.5, &err), &err);
    /* Same pairs within the cutoff, same vectors to the bit. */
    size_t matched = 0, within = 0;
    for (size_t i = 0; i < f.n_atoms; i++) {
        size_t q = fresh.offset[i];
        for (size_t p = nl.offset[i]; p < nl.offset[i + 1]; p++) {
            if (nl.r[p] >= 4.5) continue;
            within++;
            while (q < fresh.offset[i + 1] && fresh.r[q] >= 4.5) q++;
            if (q < fresh.offset[i + 1] && fresh.j[q] == nl.j[p] &&
                memcmp(fresh.shift[q], nl.shift[p], sizeof nl.shift[p]) == 0 &&
                memcmp(fresh.d[q], nl.d[p], sizeof nl.d[p]) == 0)
                matched++;
            q++;
        }
    }
    AL_CHECK(t, within > 0);
    AL_CHECK_MSG(t, matched == within, "%zu of %zu refreshed pairs equal the fresh build", matched, within);
    f.pbc[2] = false;
    AL_CHECK(t, al_nlist_needs_rebuild(&nl, &f));
    al_nlist_fini(&fresh);
    al_nlist_fini(&nl);
    al_frame_fini(&f);
}

static void test_bad_input(al_test *t)
{
    al_err err;
    al_frame f;
    al_nlist nl;
    al_frame_init(&f);
    al_nlist_init(&nl);
    al_frame_alloc(&f, 2, &err);
    f.pbc[0] = f.pbc[1] = f.pbc[2] = true;
    f.cell[0][0] = f.cell[1][1] = f.cell[2][2] = 5.0;
    AL_CHECK(t, al_nlist_build(&nl, &f, 0.0, 0.0, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "neighbour list: cutoff must be > 0 Å, got 0");
    AL_CHECK(t, al_nlist_build(&nl, &f, 3.0, -1.0, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "neighbour list: skin must be >= 0 Å, got -1");
    f.pos[1][2] = NAN;
    AL_CHECK(t, al_nlist_build(&nl, &f, 3.0, 0.0, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "neighbour list: atom 1 has a non-finite position");
    f.pos[1][2] = 0.0;
    f.cell[2][2] = 0.0;
    AL_CHECK(t, al_nlist_build(&nl, &f, 3.0, 0.0, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "neighbour list: the cell is singular (volume 0) but pbc is set");
    al_nlist_fini(&nl);
    al_frame_fini(&f);
}

static const al_test_case cases[] = {
    {"random_triclinic_small_cutoff", test_random_triclinic_small_cutoff, AL_TEST_FAST},
    {"cutoff_larger_than_cell", test_cutoff_larger_than_cell, AL_TEST_FAST},
    {"mixed_and_no_pbc", test_mixed_and_no_pbc, AL_TEST_FAST},
    {"diamond_silicon_shells", test_diamond_silicon_shells, AL_TEST_FAST},
    {"skin_reuse", test_skin_reuse, AL_TEST_FAST},
    {"order_and_exact_refresh", test_order_and_exact_refresh, AL_TEST_FAST},
    {"bad_input", test_bad_input, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
