/*
 * Plane-wave basis and FFT grid against ABINIT 9.6.2 (reference set of issue 3): the grid it
 * chose automatically (Si8 conventional cell at 15 Ha: 36³; fcc Al at 10 Ha: 16³) and its
 * plane-wave counts per k-point (ABINIT prints half-sphere counts for time-reversal-invariant
 * k; full sphere = 2·npw − 1 at Γ and 2·npw at the other TRIM points).
 */
#include <math.h>

#include "core/units.h"
#include "engines/dft/basis.h"
#include "tests/harness/al_test.h"

static pw_system make_sys(double a, bool fcc)
{
    pw_system s = {0};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            s.cell[i][j] = fcc ? (i == j ? 0.0 : a / 2) : (i == j ? a : 0.0);
    pw_cell_reciprocal(s.cell, s.recip, &s.omega, NULL);
    return s;
}

static void check_npw(al_test *t, const pw_system *s, double ecut, const double k[][3],
                      const size_t *want, size_t nk)
{
    pw_kpoints kp = {nk, (double(*)[3])k, NULL, false};
    double w[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    kp.w = w;
    pw_basis *b = NULL;
    al_err err = {0};
    AL_CHECK_OK(t, pw_basis_create(s, ecut, NULL, &kp, &b, &err), &err);
    if (!b) return;
    for (size_t i = 0; i < nk; i++)
        AL_CHECK_MSG(t, b->k[i].npw == want[i], "k %zu: npw %zu, ABINIT %zu", i, b->k[i].npw,
                     want[i]);
    /* Every plane wave within the cutoff, and its FFT index consistent with its Miller index. */
    for (size_t i = 0; i < nk; i++)
        for (size_t g = 0; g < b->k[i].npw; g++) {
            AL_CHECK(t, b->k[i].kin[g] <= ecut);
            size_t idx = b->k[i].fft_index[g];
            for (int d = 0; d < 3; d++) {
                double gd = b->gvec[idx][d] + b->k[i].k_cart[d];
                if (fabs(gd - b->k[i].kpg[g][d]) > 1e-12) {
                    AL_CHECK_MSG(t, 0, "k %zu g %zu: FFT index and k+G disagree", i, g);
                    i = nk;
                    break;
                }
            }
            if (i == nk) break;
        }
    pw_basis_destroy(b);
}

static void test_si8(al_test *t)
{
    pw_system s = make_sys(10.263102627701928, false);
    int n[3];
    pw_basis_choose_grid(s.cell, 15.0, n);
    AL_CHECK(t, n[0] == 36 && n[1] == 36 && n[2] == 36);
    const double k[3][3] = {{0, 0, 0}, {0.5, 0, 0}, {0.5, 0.5, 0}};
    const size_t want[3] = {2 * 1485 - 1, 2 * 1473, 2 * 1508};
    check_npw(t, &s, 15.0, k, want, 3);
}

static void test_al_fcc(al_test *t)
{
    pw_system s = make_sys(7.653390838186855, true);
    int n[3];
    pw_basis_choose_grid(s.cell, 10.0, n);
    AL_CHECK(t, n[0] == 16 && n[1] == 16 && n[2] == 16);
    const double k[2][3] = {{0, 0, 0}, {0.25, 0, 0}};
    const size_t want[2] = {2 * 85 - 1, 162};
    check_npw(t, &s, 10.0, k, want, 2);
}

static void test_grid_too_small(al_test *t)
{
    pw_system s = make_sys(10.263102627701928, false);
    const double k[1][3] = {{0, 0, 0}};
    double w = 1;
    pw_kpoints kp = {1, (double(*)[3])k, &w, true};
    const int grid[3] = {16, 36, 36};
    pw_basis *b = NULL;
    al_err err = {0};
    AL_CHECK(t, pw_basis_create(&s, 15.0, grid, &kp, &b, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "FFT grid 16x36x36 is too small for ecut = 15 Ha: plane wave with "
                             "Miller index -8 along a1 needs n >= 17");
    AL_CHECK(t, b == NULL);
}

static void test_degenerate_cell(al_test *t)
{
    double cell[3][3] = {{1, 0, 0}, {2, 0, 0}, {0, 0, 1}}, r[3][3], om;
    al_err err = {0};
    AL_CHECK(t, pw_cell_reciprocal(cell, r, &om, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "cell is degenerate (volume 0 bohr^3)");
}

static const al_test_case cases[] = {
    {"basis_si8_abinit_grid_npw", test_si8, AL_TEST_FAST},
    {"basis_al_fcc_abinit_grid_npw", test_al_fcc, AL_TEST_FAST},
    {"basis_grid_too_small", test_grid_too_small, AL_TEST_FAST},
    {"basis_degenerate_cell", test_degenerate_cell, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
