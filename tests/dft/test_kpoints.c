/*
 * Monkhorst–Pack k-point grids: counts and weights of Γ-centred and shifted grids reduced by
 * time reversal (counted by hand: an n×n×n Γ-centred grid with even n has 8 points with
 * k ≡ −k and (n³ − 8)/2 pairs), total weight 1, components in (−½, ½], the Γ-only flag, and
 * bad input.
 */
#include <math.h>

#include "engines/dft/kpoints.h"
#include "tests/harness/al_test.h"

static void check_set(al_test *t, const pw_kpoints *kp, size_t n_expected)
{
    double sum = 0;
    AL_CHECK_MSG(t, kp->n == n_expected, "n = %zu, want %zu", kp->n, n_expected);
    for (size_t i = 0; i < kp->n; i++) {
        sum += kp->w[i];
        for (int a = 0; a < 3; a++) AL_CHECK(t, kp->k[i][a] > -0.5 && kp->k[i][a] <= 0.5);
    }
    AL_CHECK_CLOSE(t, sum, 1, 1e-14);
}

static void test_gamma_centred(al_test *t)
{
    pw_kpoints kp;
    al_err err = {0};
    const int g2[3] = {2, 2, 2}, g4[3] = {4, 4, 4}, g3[3] = {3, 3, 3};
    AL_CHECK_OK(t, pw_kpoints_mp(g2, NULL, true, &kp, &err), &err);
    check_set(t, &kp, 8); /* every point of a 2×2×2 grid is its own partner */
    AL_CHECK_CLOSE(t, kp.w[0], 0.125, 1e-15);
    AL_CHECK(t, kp.k[0][0] == 0 && kp.k[1][2] == 0.5 && !kp.gamma_only);
    pw_kpoints_fini(&kp);
    AL_CHECK_OK(t, pw_kpoints_mp(g4, NULL, true, &kp, &err), &err);
    check_set(t, &kp, 8 + (64 - 8) / 2); /* 36 */
    int doubles = 0;
    for (size_t i = 0; i < kp.n; i++) doubles += fabs(kp.w[i] - 2.0 / 64) < 1e-15;
    AL_CHECK(t, doubles == 28);
    pw_kpoints_fini(&kp);
    AL_CHECK_OK(t, pw_kpoints_mp(g3, NULL, true, &kp, &err), &err);
    check_set(t, &kp, 1 + 26 / 2); /* only Γ is its own partner */
    pw_kpoints_fini(&kp);
    AL_CHECK_OK(t, pw_kpoints_mp(g4, NULL, false, &kp, &err), &err);
    check_set(t, &kp, 64);
    pw_kpoints_fini(&kp);
    pw_kpoints_fini(&kp); /* twice is allowed */
}

static void test_shifted(al_test *t)
{
    pw_kpoints kp;
    al_err err = {0};
    const int g2[3] = {2, 2, 2}, g4[3] = {4, 4, 4}, g421[3] = {4, 2, 1};
    const double half[3] = {0.5, 0.5, 0.5}, mixed[3] = {0.5, 0, 0};
    /* 2×2×2 shifted by ½: points (±¼, ±¼, ±¼), pairs under k → −k: 4 of weight ¼ */
    AL_CHECK_OK(t, pw_kpoints_mp(g2, half, true, &kp, &err), &err);
    check_set(t, &kp, 4);
    AL_CHECK_CLOSE(t, kp.k[0][0], 0.25, 1e-15);
    AL_CHECK_CLOSE(t, kp.w[3], 0.25, 1e-15);
    pw_kpoints_fini(&kp);
    AL_CHECK_OK(t, pw_kpoints_mp(g4, half, true, &kp, &err), &err);
    check_set(t, &kp, 32); /* no point is its own partner */
    pw_kpoints_fini(&kp);
    /* 4×2×1 shifted along x: k_x ∈ {±1/8, ±3/8}, k_y ∈ {0, ½}: 8 points, 4 pairs */
    AL_CHECK_OK(t, pw_kpoints_mp(g421, mixed, true, &kp, &err), &err);
    check_set(t, &kp, 4);
    AL_CHECK_CLOSE(t, kp.k[0][0], 0.125, 1e-15);
    pw_kpoints_fini(&kp);
}

static void test_gamma_only(al_test *t)
{
    pw_kpoints kp;
    al_err err = {0};
    const int g1[3] = {1, 1, 1};
    const double half[3] = {0, 0, 0.5};
    AL_CHECK_OK(t, pw_kpoints_mp(g1, NULL, true, &kp, &err), &err);
    check_set(t, &kp, 1);
    AL_CHECK(t, kp.gamma_only);
    pw_kpoints_fini(&kp);
    AL_CHECK_OK(t, pw_kpoints_mp(g1, half, true, &kp, &err), &err);
    AL_CHECK(t, !kp.gamma_only && kp.k[0][2] == 0.5);
    pw_kpoints_fini(&kp);
    AL_CHECK_OK(t, pw_kpoints_gamma(&kp, &err), &err);
    check_set(t, &kp, 1);
    AL_CHECK(t, kp.gamma_only && kp.k[0][0] == 0);
    pw_kpoints_fini(&kp);
}

static void test_errors(al_test *t)
{
    pw_kpoints kp;
    al_err err = {0};
    const int bad[3] = {2, 0, 2}, g[3] = {2, 2, 2};
    const double sh[3] = {0, 1.0, 0};
    AL_CHECK(t, pw_kpoints_mp(bad, NULL, true, &kp, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "kpoints: grid 2x0x2: each size must be 1..1000");
    AL_CHECK(t, kp.n == 0 && !kp.k);
    AL_CHECK(t, pw_kpoints_mp(g, sh, true, &kp, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "kpoints: shift 1 along 2 is out of range [0, 1) (grid steps)");
}

static const al_test_case cases[] = {
    {"kpoints_gamma_centred", test_gamma_centred, AL_TEST_FAST},
    {"kpoints_shifted", test_shifted, AL_TEST_FAST},
    {"kpoints_gamma_only", test_gamma_only, AL_TEST_FAST},
    {"kpoints_errors", test_errors, AL_TEST_FAST},
    {0}};
AL_TEST_MAIN(cases)
