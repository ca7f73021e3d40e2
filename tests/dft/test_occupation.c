/*
 * Occupations and smearing: the defining identity of each generalised entropy,
 * s'(x) = −x f'(x) with x = (ε − μ)/σ (which makes F = E − TS variational in the occupations; Marzari's thesis,
 * ch. 4), checked by central differences; the electron count; fixed occupations; errors.
 */
#include <math.h>

#include "engines/dft/occupation.h"
#include "tests/harness/al_test.h"

static void test_entropy_identity(al_test *t)
{
    const pw_smearing kinds[] = {PW_SMEAR_FERMI_DIRAC, PW_SMEAR_GAUSSIAN, PW_SMEAR_COLD};
    const double h = 1e-5;
    for (int k = 0; k < 3; k++)
        for (double x = -4.0; x <= 4.0; x += 0.37) {
            double ds = (pw_smear_entropy(kinds[k], x + h) - pw_smear_entropy(kinds[k], x - h)) / (2 * h);
            double df = (pw_smear_occ(kinds[k], x + h) - pw_smear_occ(kinds[k], x - h)) / (2 * h);
            AL_CHECK_CLOSE(t, ds, -x * df, 1e-8);
        }
    /* Limits: full below, empty above, no entropy far away. */
    for (int k = 0; k < 3; k++) {
        AL_CHECK_CLOSE(t, pw_smear_occ(kinds[k], -30), 1.0, 1e-12);
        AL_CHECK_CLOSE(t, pw_smear_occ(kinds[k], 30), 0.0, 1e-12);
        AL_CHECK_CLOSE(t, pw_smear_entropy(kinds[k], 30), 0.0, 1e-10);
    }
    AL_CHECK_CLOSE(t, pw_smear_occ(PW_SMEAR_FERMI_DIRAC, 0.0), 0.5, 1e-15);
    AL_CHECK_CLOSE(t, pw_smear_entropy(PW_SMEAR_FERMI_DIRAC, 0.0), -log(2.0), 1e-15);
}

static void test_count(al_test *t)
{
    const double eig[2 * 5] = {-0.3, -0.1, 0.05, 0.06, 0.4, -0.25, -0.05, 0.02, 0.3, 0.5};
    const double w[2] = {0.25, 0.75};
    double occ[10], mu, ts;
    al_err err = {0};
    const pw_smearing kinds[] = {PW_SMEAR_FERMI_DIRAC, PW_SMEAR_GAUSSIAN, PW_SMEAR_COLD};
    for (int k = 0; k < 3; k++) {
        AL_CHECK_OK(t, pw_occupations(kinds[k], 0.02, 5.0, 2, w, 5, eig, occ, &mu, &ts, &err), &err);
        double n = 0;
        for (int i = 0; i < 10; i++) n += w[i / 5] * occ[i];
        AL_CHECK_CLOSE(t, n, 5.0, 1e-12);
        AL_CHECK(t, ts <= 0.0 || kinds[k] == PW_SMEAR_COLD);
    }
    /* Fermi–Dirac: μ between the third levels, f(μ) = ½ by definition. */
    AL_CHECK_OK(t, pw_occupations(PW_SMEAR_FERMI_DIRAC, 0.02, 5.0, 2, w, 5, eig, occ, &mu, &ts, &err), &err);
    AL_CHECK(t, mu > 0.02 && mu < 0.06);
    AL_CHECK_OK(t, pw_occupations(PW_SMEAR_NONE, 0, 4.0, 2, w, 5, eig, occ, &mu, &ts, &err), &err);
    AL_CHECK(t, occ[0] == 2 && occ[1] == 2 && occ[2] == 0 && occ[5] == 2 && occ[6] == 2);
    AL_CHECK_CLOSE(t, mu, -0.05, 0);
    AL_CHECK_CLOSE(t, ts, 0.0, 0);
}

static void test_errors(al_test *t)
{
    const double eig[3] = {0, 1, 2}, w[1] = {1};
    double occ[3], mu, ts;
    al_err err = {0};
    AL_CHECK(t, pw_occupations(PW_SMEAR_NONE, 0, 8.0, 1, w, 3, eig, occ, &mu, &ts, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "8 electrons need 4 bands, only 3 given");
    AL_CHECK(t, pw_occupations(PW_SMEAR_GAUSSIAN, 0.0, 2.0, 1, w, 3, eig, occ, &mu, &ts, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "smearing width 0 Ha: must be > 0");
    AL_CHECK(t, pw_occupations(PW_SMEAR_GAUSSIAN, 0.1, 6.0, 1, w, 3, eig, occ, &mu, &ts, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "3 bands cannot hold 6 electrons with smearing; use more bands");
}

static void test_zero_width(al_test *t)
{
    AL_CHECK_CLOSE(t, pw_smear_zero_width(PW_SMEAR_FERMI_DIRAC, -2.0, -2.2), -2.1, 1e-15);
    AL_CHECK_CLOSE(t, pw_smear_zero_width(PW_SMEAR_COLD, -2.0, -2.2), -2.2, 1e-15);
    AL_CHECK_CLOSE(t, pw_smear_zero_width(PW_SMEAR_NONE, -2.0, -2.0), -2.0, 1e-15);
}

static const al_test_case cases[] = {
    {"occupation_entropy_identity", test_entropy_identity, AL_TEST_FAST},
    {"occupation_electron_count", test_count, AL_TEST_FAST},
    {"occupation_errors", test_errors, AL_TEST_FAST},
    {"occupation_zero_width", test_zero_width, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
