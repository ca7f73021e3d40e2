/*
 * Thermostats. Nosé–Hoover chains and Langevin BAOAB reproduce the canonical kinetic-energy
 * distribution, mean N_f k_B T/2 and variance N_f (k_B T)²/2 (N_f = 3N − 3 for NH, 3N for
 * Langevin), within block-averaged statistical errors, for liquid Lennard-Jones argon (32 atoms,
 * 150 K, 1.36 g/cm³, cutoff 2σ, 5 fs steps, 80 ps; a liquid mixes fast, unlike a near-harmonic crystal
 * whose kinetic energy exchanges slowly with the thermostat). The chain's conserved quantity
 * stays bounded, also for Stillinger–Weber silicon with a 5-long chain and 5th-order
 * Suzuki–Yoshida weights.
 */
#include <stdio.h>

#include "core/units.h"
#include "tests/harness/al_test.h"
#include "tests/md/md_fixtures.h"

enum { N_BLOCKS = 10 };

typedef struct ke_sampler {
    long skip, n_per_block;
    fx_stats all, block_mean[N_BLOCKS], block_var[N_BLOCKS];
    fx_stats bm, bv;
    long count;
    double e0, max_dev;
} ke_sampler;

static void sample(const md_thermo *th, void *user)
{
    ke_sampler *s = user;
    if (th->step == 0) s->e0 = th->econs;
    s->max_dev = fmax(s->max_dev, fabs(th->econs - s->e0));
    if (th->step <= s->skip) return;
    long b = (th->step - s->skip - 1) / s->n_per_block;
    if (b >= N_BLOCKS) return;
    fx_stats_add(&s->all, th->ekin);
    fx_stats_add(&s->block_mean[b], th->ekin);
}

/* Runs NVT at temperature temp; returns the sampler. */
static void run_nvt(al_test *t, md_thermostat th, double temp, long steps, long skip, ke_sampler *s)
{
    al_err err;
    al_frame f;
    /* Liquid argon: 32 Lennard-Jones atoms at 1.36 g/cm³. */
    fx_fcc(&f, 2, 5.8, 18);
    al_potential lj;
    md_lj_opts lo = md_lj_opts_default();
    lo.cutoff = 2.0 * lo.sigma;   /* shorter than usual: the test is about the thermostat */
    AL_CHECK_OK(t, md_lj_create(&lo, &lj, &err), &err);
    md_segment seg = fx_hold(temp, (double)steps * 5.0);
    md_opts o = md_opts_default();
    o.dt = 5.0;
    o.ensemble = MD_NVT;
    o.thermostat = th;
    o.thermostat_period = 200.0;
    o.nh_chain = 4;
    o.segments = &seg;
    o.n_segments = 1;
    o.seed = 7;
    o.observe = sample;
    o.observe_user = s;
    memset(s, 0, sizeof *s);
    s->skip = skip;
    s->n_per_block = (steps - skip) / N_BLOCKS;
    md_result res;
    md_result_init(&res);
    AL_CHECK_OK(t, md_run(&o, &f, &lj, &res, &err), &err);
    for (int b = 0; b < N_BLOCKS; b++) {
        fx_stats_add(&s->bm, s->block_mean[b].mean);
        fx_stats_add(&s->bv, fx_stats_var(&s->block_mean[b]));
    }
    md_result_fini(&res);
    al_potential_destroy(&lj);
    al_frame_fini(&f);
}

static void check_canonical(al_test *t, const ke_sampler *s, double nf, double temp, const char *name)
{
    double kt = AL_BOLTZMANN_EV * temp;
    double mean = 0.5 * nf * kt, var = 0.5 * nf * kt * kt;
    double err_mean = sqrt(fx_stats_var(&s->bm) / N_BLOCKS);
    double err_var = sqrt(fx_stats_var(&s->bv) / N_BLOCKS);
    double t_mean = 2.0 * s->all.mean / (nf * AL_BOLTZMANN_EV);
    printf("%s: <T> = %.2f K (target %.0f), <K> = %.5f ± %.5f eV (exact %.5f), var K = %.6f ± %.6f "
           "(exact %.6f) eV², max |E_cons - E0| = %.4g eV\n",
           name, t_mean, temp, s->all.mean, err_mean, mean, fx_stats_var(&s->all), err_var, var,
           s->max_dev);
    /* Block errors are themselves uncertain with 10 blocks; 4 of them plus a floor of 1%
     * (mean) and 10% (variance) of the exact value keeps the test from flaking while a wrong
     * degree-of-freedom count (1.5%) or a wrong thermostat (variance off by > 30%) still fails. */
    AL_CHECK_MSG(t, fabs(s->all.mean - mean) < fmax(4 * err_mean, 0.004 * mean),
                 "%s: <K> %.5f eV differs from %.5f by more than 4 errors (%.5f)", name, s->all.mean,
                 mean, err_mean);
    AL_CHECK_MSG(t, fabs(fx_stats_var(&s->all) - var) < fmax(4 * err_var, 0.1 * var),
                 "%s: var K %.6f differs from %.6f by more than 4 errors (%.6f)", name,
                 fx_stats_var(&s->all), var, err_var);
}

static void test_nose_hoover_canonical(al_test *t)
{
    ke_sampler s;
    run_nvt(t, MD_NOSE_HOOVER, 150.0, 16000, 1000, &s);
    check_canonical(t, &s, 93.0, 150.0, "Nose-Hoover chain");
    /* The extended-system energy is conserved up to the Verlet fluctuation. */
    AL_CHECK_MSG(t, s.max_dev / 32 < 1e-4, "conserved quantity moved by %.3g eV/atom", s.max_dev / 32);
}

static void test_langevin_canonical(al_test *t)
{
    ke_sampler s;
    run_nvt(t, MD_LANGEVIN, 150.0, 16000, 1000, &s);
    check_canonical(t, &s, 96.0, 150.0, "Langevin BAOAB");
    /* E_kin + E_pot + heat removed by the O steps is conserved up to discretisation. */
    AL_CHECK_MSG(t, s.max_dev / 32 < 3e-4, "Langevin conserved quantity moved by %.3g eV/atom",
                 s.max_dev / 32);
}

/* Stillinger–Weber silicon at 900 K with a stiff (20 fs), 5-long chain integrated with
 * Suzuki–Yoshida order 5 and 2 substeps: the conserved quantity stays bounded. */
static void test_nose_hoover_conserved_sy5(al_test *t)
{
    al_err err;
    al_frame f;
    fx_diamond(&f, 2, 5.431, 14);
    al_potential sw;
    md_sw_opts so = md_sw_opts_default();
    AL_CHECK_OK(t, md_sw_create(&so, &sw, &err), &err);
    md_segment seg = fx_hold(900.0, 2000.0);
    md_opts o = md_opts_default();
    o.nh_chain = 5;
    o.nh_sy_order = 5;
    o.nh_substeps = 2;
    o.thermostat_period = 20.0;
    o.segments = &seg;
    o.n_segments = 1;
    ke_sampler s;
    memset(&s, 0, sizeof s);
    s.skip = 1L << 40;
    o.observe = sample;
    o.observe_user = &s;
    md_result res;
    md_result_init(&res);
    AL_CHECK_OK(t, md_run(&o, &f, &sw, &res, &err), &err);
    printf("NHC(5, SY5, 2 substeps, tau 20 fs) at 900 K: max |E_cons - E0| = %.4g eV/atom\n",
           s.max_dev / 64);
    AL_CHECK_MSG(t, s.max_dev / 64 < 1e-3, "conserved quantity moved by %.3g eV/atom", s.max_dev / 64);
    md_result_fini(&res);
    al_potential_destroy(&sw);
    al_frame_fini(&f);
}

static const al_test_case cases[] = {
    {"nose_hoover_canonical", test_nose_hoover_canonical, AL_TEST_SLOW},
    {"langevin_canonical", test_langevin_canonical, AL_TEST_SLOW},
    {"nose_hoover_conserved_sy5", test_nose_hoover_conserved_sy5, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
