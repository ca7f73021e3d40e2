/*
 * Velocity Verlet with Stillinger–Weber silicon: energy conservation (drift per atom per ps
 * below a bound, fluctuation second order in the time step), Maxwell–Boltzmann start with zero
 * momentum and exact temperature, the symmetric 3×3 eigensolver used by the barostat, and
 * bit-identical reruns.
 */
#include <stdio.h>

#include "core/rng.h"
#include "core/units.h"
#include "engines/md/md_impl.h"
#include "tests/harness/al_test.h"
#include "tests/md/md_fixtures.h"

typedef struct econs_track {
    double e0, max_dev;
    fx_stats fit_t, fit_e;     /* sums for a least-squares slope */
    double sum_te;
    long n;
} econs_track;

static void track(const md_thermo *th, void *user)
{
    econs_track *k = user;
    if (th->step == 0) k->e0 = th->econs;
    k->max_dev = fmax(k->max_dev, fabs(th->econs - k->e0));
    fx_stats_add(&k->fit_t, th->time);
    fx_stats_add(&k->fit_e, th->econs);
    k->sum_te += th->time * th->econs;
    k->n++;
}

/* Least-squares slope of E_cons(t) in eV/fs. */
static double slope(const econs_track *k)
{
    double cov = k->sum_te / (double)k->n - k->fit_t.mean * k->fit_e.mean;
    double var = fx_stats_var(&k->fit_t) * (double)(k->n - 1) / (double)k->n;
    return cov / var;
}

static void run_nve(al_test *t, double dt, double duration, econs_track *k)
{
    al_err err;
    al_frame f;
    fx_diamond(&f, 2, 5.431, 14);
    al_potential sw;
    md_sw_opts so = md_sw_opts_default();
    AL_CHECK_OK(t, md_sw_create(&so, &sw, &err), &err);
    md_segment seg = fx_hold(1200.0, duration);
    md_opts o = md_opts_default();
    o.ensemble = MD_NVE;
    o.dt = dt;
    o.segments = &seg;
    o.n_segments = 1;
    o.seed = 42;
    o.observe = track;
    o.observe_user = k;
    md_result res;
    md_result_init(&res);
    memset(k, 0, sizeof *k);
    AL_CHECK_OK(t, md_run(&o, &f, &sw, &res, &err), &err);
    AL_CHECK(t, res.steps == lround(duration / dt));
    md_result_fini(&res);
    al_potential_destroy(&sw);
    al_frame_fini(&f);
}

/* 64 atoms started at 1200 K (≈600 K after equipartition), 2 ps at 1 fs. */
static void test_nve_drift_sw(al_test *t)
{
    econs_track k;
    run_nve(t, 1.0, 2000.0, &k);
    double drift = fabs(slope(&k)) * 1000.0 / 64.0;   /* eV/atom/ps */
    printf("NVE 1 fs: drift %.3g eV/atom/ps, max |E - E0| %.3g eV/atom\n", drift, k.max_dev / 64);
    AL_CHECK_MSG(t, drift < 5e-6, "drift %.3g eV/atom/ps above 5e-6", drift);
    AL_CHECK_MSG(t, k.max_dev / 64 < 5e-4, "max deviation %.3g eV/atom above 5e-4", k.max_dev / 64);
}

/* The shadow-Hamiltonian error of Verlet is O(dt²): halving dt quarters the fluctuation. */
static void test_nve_second_order(al_test *t)
{
    econs_track k1, k2, k4;
    run_nve(t, 2.0, 400.0, &k1);
    run_nve(t, 1.0, 400.0, &k2);
    run_nve(t, 0.5, 400.0, &k4);
    double r1 = k1.max_dev / k2.max_dev, r2 = k2.max_dev / k4.max_dev;
    printf("max |E - E0|: dt 2 fs %.4g, 1 fs %.4g, 0.5 fs %.4g eV; ratios %.3f %.3f\n", k1.max_dev,
           k2.max_dev, k4.max_dev, r1, r2);
    AL_CHECK_MSG(t, r1 > 3.2 && r1 < 4.8, "ratio 2fs/1fs %.3f not near 4", r1);
    AL_CHECK_MSG(t, r2 > 3.2 && r2 < 4.8, "ratio 1fs/0.5fs %.3f not near 4", r2);
}

static void test_initial_velocities(al_test *t)
{
    al_err err;
    al_frame f;
    fx_diamond(&f, 2, 5.431, 14);
    md_opts o = md_opts_default();
    md_segment seg = fx_hold(500.0, 1.0);
    o.segments = &seg;
    o.n_segments = 1;
    md_sys s;
    AL_CHECK_OK(t, md__sys_init(&s, &o, &f, NULL, &err), &err);
    md__init_velocities(&s, 500.0);
    double p[3] = {0, 0, 0}, pmax = 0;
    for (size_t i = 0; i < s.n; i++)
        for (int a = 0; a < 3; a++) {
            p[a] += s.mass[i] * s.f.vel[i][a];
            pmax = fmax(pmax, fabs(s.mass[i] * s.f.vel[i][a]));
        }
    for (int a = 0; a < 3; a++) AL_CHECK_CLOSE(t, p[a], 0.0, 1e-13 * pmax * 64);
    double temp = 2.0 * md__kinetic(&s, NULL) / (189.0 * AL_BOLTZMANN_EV);
    AL_CHECK_CLOSE(t, temp, 500.0, 1e-9);
    /* Velocities are drawn, not all equal: their spread is that of a Maxwell–Boltzmann
     * component, sqrt(kT/m) = 0.00385 Å/fs for Si at 500 K, within sampling error. */
    fx_stats vs = {0};
    for (size_t i = 0; i < s.n; i++)
        for (int a = 0; a < 3; a++) fx_stats_add(&vs, s.f.vel[i][a]);
    double sd = sqrt(AL_BOLTZMANN_EV * 500.0 / (28.0855 * AL_AMU_ANG2_FS2_EV));
    AL_CHECK_REL(t, sqrt(fx_stats_var(&vs)), sd, 0.01, 0);
    md__sys_fini(&s);
    al_frame_fini(&f);
}

static void test_sym3_eig(al_test *t)
{
    al_rng rng;
    al_rng_seed(&rng, 5, 0);
    for (int rep = 0; rep < 20; rep++) {
        double a[9], w[3], u[9];
        for (int i = 0; i < 3; i++)
            for (int j = i; j < 3; j++) a[3 * i + j] = a[3 * j + i] = al_rng_normal(&rng);
        if (rep == 0) memset(a, 0, sizeof a), a[0] = a[4] = a[8] = 2.5;
        md__sym3_eig(a, w, u);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                double r = 0, id = 0;
                for (int k = 0; k < 3; k++) {
                    r += u[3 * i + k] * w[k] * u[3 * j + k];
                    id += u[3 * k + i] * u[3 * k + j];
                }
                AL_CHECK_CLOSE(t, r, a[3 * i + j], 1e-13);
                AL_CHECK_CLOSE(t, id, i == j ? 1.0 : 0.0, 1e-13);
            }
    }
}

static const al_test_case cases[] = {
    {"nve_drift_sw", test_nve_drift_sw, AL_TEST_FAST},
    {"nve_second_order", test_nve_second_order, AL_TEST_FAST},
    {"initial_velocities", test_initial_velocities, AL_TEST_FAST},
    {"sym3_eig", test_sym3_eig, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
