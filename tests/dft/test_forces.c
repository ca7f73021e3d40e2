/*
 * Forces of single terms against central finite differences of their energies at fixed
 * density and wavefunctions (DFTK's test/forces.jl does the same per term), on the fixture of
 * test_forces_fixture.h; and the assembled pw_forces (sum of the terms, drift removed).
 */
#include "tests/dft/test_forces_fixture.h"

#include <stdlib.h>

#include "core/alloc.h"
#include "engines/dft/ewald.h"
#include "engines/dft/stress.h"

static double e_local(fx *f)
{
    double e;
    if (pw_local_energy_forces(&f->sys, f->b, f->rho_g, &e, NULL, NULL)) return NAN;
    return e;
}

static double e_nonlocal(fx *f)
{
    double e = NAN;
    al_err err = {0};
    if (pw_nonlocal_energy_forces(&f->sys, f->b, &f->st, &e, NULL, &err)) return NAN;
    return e;
}

static void check_fd(al_test *t, fx *f, double (*energy)(fx *), double (*forces)[3], double tol)
{
    const double h = 1e-4;
    for (int a = 0; a < FX_NAT; a++)
        for (int c = 0; c < 3; c++) {
            double x = f->pos[a][c];
            f->pos[a][c] = x + h;
            double ep = energy(f);
            f->pos[a][c] = x - h;
            double em = energy(f);
            f->pos[a][c] = x;
            AL_CHECK_CLOSE(t, forces[a][c], -(ep - em) / (2 * h), tol);
        }
}

static void test_local_fd(al_test *t)
{
    fx f;
    AL_CHECK(t, fx_init(&f) == 0);
    double frc[FX_NAT][3] = {{0}}, e;
    al_err err = {0};
    AL_CHECK_OK(t, pw_local_energy_forces(&f.sys, f.b, f.rho_g, &e, frc, &err), &err);
    AL_CHECK(t, fabs(e) > 1e-3);
    double fmax = 0;
    for (int a = 0; a < FX_NAT; a++)
        for (int c = 0; c < 3; c++) fmax = fmax > fabs(frc[a][c]) ? fmax : fabs(frc[a][c]);
    AL_CHECK(t, fmax > 1e-3); /* a test that can fail: forces are not all tiny */
    check_fd(t, &f, e_local, frc, 1e-7);
    fx_fini(&f);
}

static void test_nonlocal_fd(al_test *t)
{
    fx f;
    al_err err = {0};
    AL_CHECK(t, fx_init(&f) == 0);
    double frc[FX_NAT][3] = {{0}}, e;
    AL_CHECK_OK(t, pw_nonlocal_energy_forces(&f.sys, f.b, &f.st, &e, frc, &err), &err);
    AL_CHECK(t, fabs(e) > 1e-3);
    AL_CHECK(t, fabs(frc[0][0]) + fabs(frc[2][1]) > 1e-4);
    check_fd(t, &f, e_nonlocal, frc, 1e-7);
    fx_fini(&f);
}

static void test_total(al_test *t)
{
    fx f;
    al_err err = {0};
    AL_CHECK(t, fx_init(&f) == 0);
    double tot[FX_NAT][3], fl[FX_NAT][3], fnl[FX_NAT][3], few[FX_NAT][3];
    pw_force_terms terms = {fl, fnl, few};
    AL_CHECK_OK(t, pw_forces(&f.sys, f.b, &f.st, tot, &terms, &err), &err);
    /* the local term from the real-space density equals the one from ρ(G) of the fixture */
    double ref[FX_NAT][3] = {{0}}, ew[FX_NAT][3], e, q[FX_NAT] = {4, 6, 9};
    AL_CHECK_OK(t, pw_local_energy_forces(&f.sys, f.b, f.rho_g, &e, ref, &err), &err);
    AL_CHECK_OK(t, pw_ewald(f.sys.cell, FX_NAT, (const double(*)[3])f.pos, q, &e, ew, NULL, &err), &err);
    double sum[3] = {0}, mean[3] = {0};
    for (int a = 0; a < FX_NAT; a++)
        for (int c = 0; c < 3; c++) {
            AL_CHECK_CLOSE(t, fl[a][c], ref[a][c], 1e-11);
            AL_CHECK_CLOSE(t, few[a][c], ew[a][c], 1e-12);
            mean[c] += (fl[a][c] + fnl[a][c] + few[a][c]) / FX_NAT;
            sum[c] += tot[a][c];
        }
    for (int a = 0; a < FX_NAT; a++)
        for (int c = 0; c < 3; c++)
            AL_CHECK_CLOSE(t, tot[a][c], fl[a][c] + fnl[a][c] + few[a][c] - mean[c], 1e-12);
    for (int c = 0; c < 3; c++) AL_CHECK_CLOSE(t, sum[c], 0, 1e-12);
    AL_CHECK(t, fabs(mean[0]) > 1e-6); /* the fixture is not in equilibrium: drift is real */
    fx_fini(&f);
}

/* Out-of-memory sweep: failing the n-th allocation of pw_forces / pw_stress gives AL_ENOMEM
 * and leaks nothing (the sanitizer build checks leaks), for every n until the call succeeds. */
static long oom_countdown = -1;
static void *oom_malloc(size_t n) { return oom_countdown-- == 0 ? NULL : malloc(n); }
static void *oom_calloc(size_t c, size_t n) { return oom_countdown-- == 0 ? NULL : calloc(c, n); }
static void *oom_realloc(void *p, size_t n) { return oom_countdown-- == 0 ? NULL : realloc(p, n); }

static void test_oom_sweep(al_test *t)
{
    fx f;
    AL_CHECK(t, fx_init(&f) == 0);
    const al_allocator a = {oom_malloc, oom_calloc, oom_realloc, free};
    for (int which = 0; which < 2; which++) {
        int failures = 0;
        for (long n = 0; n < 1000; n++) {
            double frc[FX_NAT][3], s[3][3];
            al_err err = {0};
            oom_countdown = n;
            al_set_allocator(&a);
            al_status st = which ? pw_stress(&f.sys, f.b, &f.st, NULL, s, NULL, &err)
                                 : pw_forces(&f.sys, f.b, &f.st, frc, NULL, &err);
            al_set_allocator(NULL);
            if (st == AL_OK) break;
            AL_CHECK_MSG(t, st == AL_ENOMEM, "allocation %ld: %s", n, err.msg);
            AL_CHECK_CONTAINS(t, err.msg, "out of memory");
            failures++;
        }
        AL_CHECK(t, failures >= 3);
    }
    fx_fini(&f);
}

static const al_test_case cases[] = {
    {"forces_stress_oom_sweep", test_oom_sweep, AL_TEST_FAST},
    {"forces_local_fd", test_local_fd, AL_TEST_FAST},
    {"forces_nonlocal_fd", test_nonlocal_fd, AL_TEST_FAST},
    {"forces_total_drift", test_total, AL_TEST_FAST},
    {0}};
AL_TEST_MAIN(cases)
