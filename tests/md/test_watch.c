/*
 * Uncertainty watch: each stop reason with its exact text, and the candidate window.
 * Driven by the toy potential of md_fixtures.h (an Einstein crystal whose σ grows with the
 * displacements, i.e. with temperature, and whose energy can jump after a number of calls),
 * and by free particles forced into overlap.
 */
#include <stdio.h>

#include "tests/harness/al_test.h"
#include "tests/md/md_fixtures.h"

/* Two free atoms approaching at 0.02 Å/fs from 3 Å: closer than 1 Å after 100 fs. */
static void test_stop_min_distance(al_test *t)
{
    al_err err;
    al_frame f;
    al_frame_init(&f);
    al_frame_alloc(&f, 2, NULL);
    al_frame_alloc_vel(&f, NULL);
    for (int d = 0; d < 3; d++) {
        f.cell[d][d] = 20.0;
        f.pbc[d] = true;
    }
    f.z[0] = f.z[1] = 18;
    f.pos[0][0] = 5.0;
    f.pos[1][0] = 8.0;
    f.vel[0][0] = 0.01;
    f.vel[1][0] = -0.01;
    al_potential toy = fx_toy_create(&f, 0.0, 0.0);   /* k = 0: no forces */
    md_segment seg = fx_hold(300.0, 1000.0);
    md_opts o = md_opts_default();
    o.ensemble = MD_NVE;
    o.keep_velocities = true;
    o.segments = &seg;
    o.n_segments = 1;
    o.check_every = 7;
    o.min_distance = 1.0;
    md_result res;
    md_result_init(&res);
    AL_CHECK_OK(t, md_run(&o, &f, &toy, &res, &err), &err);
    /* Checks at 98 fs (1.04 Å) and 105 fs (0.90 Å). */
    AL_CHECK(t, res.stop == MD_STOP_MIN_DISTANCE);
    AL_CHECK(t, res.steps == 105);
    AL_CHECK_CLOSE(t, res.stop_value, 0.90, 1e-9);
    AL_CHECK_STR(t, res.stop_reason, "atoms 1 and 2 are 0.9000 Å apart, closer than min_distance 1 Å (step 105)");
    AL_CHECK_STR(t, md_stop_name(res.stop), "min_distance");
    AL_CHECK_CLOSE(t, res.final.pos[1][0] - res.final.pos[0][0], 0.90, 1e-9);
    md_result_fini(&res);
    al_potential_destroy(&toy);
    al_frame_fini(&f);
}

/* The energy jumps by 0.8 eV/atom from the 51st call on, i.e. at step 50. */
static void test_stop_energy_jump(al_test *t)
{
    al_err err;
    al_frame f;
    fx_fcc(&f, 2, 5.3, 18);
    al_potential toy = fx_toy_create(&f, 0.5, 0.0);
    ((fx_toy *)toy.self)->jump_after = 50;
    ((fx_toy *)toy.self)->jump = -0.8;
    md_segment seg = fx_hold(300.0, 200.0);
    md_opts o = md_opts_default();
    o.segments = &seg;
    o.n_segments = 1;
    o.check_every = 10;
    o.max_energy_jump = 0.5;
    md_result res;
    md_result_init(&res);
    AL_CHECK_OK(t, md_run(&o, &f, &toy, &res, &err), &err);
    AL_CHECK(t, res.stop == MD_STOP_ENERGY_JUMP);
    AL_CHECK(t, res.steps == 50);
    /* The crystal's own energy changes by ~1e-3 eV/atom in 10 fs at 300 K. */
    AL_CHECK_CLOSE(t, res.stop_value, -0.8, 0.01);
    char want[256];
    snprintf(want, sizeof want,
             "potential energy changed by %+.4f eV/atom since the last check, more than "
             "max_energy_jump 0.5 eV/atom (step 50)", res.stop_value);
    AL_CHECK_STR(t, res.stop_reason, want);
    AL_CHECK_CONTAINS(t, res.stop_reason, "changed by -0.7");
    AL_CHECK(t, res.n_candidates == 4);   /* steps 10..40, no uncertainty bound */
    md_result_fini(&res);
    al_potential_destroy(&toy);
    al_frame_fini(&f);
}

/* 4 ps of Langevin heating 50 K → 3000 K in 2 fs steps, a check every 5 steps, window [0.05, 0.25] eV. */
static md_opts heating_opts(md_segment *seg)
{
    *seg = (md_segment){.t_start = 50.0, .t_end = 3000.0, .duration = 4000.0};
    md_opts o = md_opts_default();
    o.dt = 2.0;
    o.segments = seg;
    o.n_segments = 1;
    o.check_every = 5;
    o.thermostat = MD_LANGEVIN;
    o.thermostat_period = 50.0;
    o.sigma_lo = 0.05;
    o.sigma_hi = 0.25;
    return o;
}

/* Heating 50 K → 3000 K: σ = α max|Δr|² grows; frames in [lo, hi] are candidates, and the run
 * stops at the first check above hi. */
static void test_window_and_uncertainty_stop(al_test *t)
{
    al_err err;
    al_frame f;
    fx_fcc(&f, 2, 5.3, 18);
    al_potential toy = fx_toy_create(&f, 1.0, 1.0);
    al_info_set_str(&f.info, "config_type", "fcc_crystal", NULL);   /* describes the start only */
    md_segment seg;
    md_opts o = heating_opts(&seg);
    md_result res;
    md_result_init(&res);
    AL_CHECK_OK(t, md_run(&o, &f, &toy, &res, &err), &err);
    AL_CHECK(t, res.stop == MD_STOP_UNCERTAINTY);
    AL_CHECK(t, res.steps % 5 == 0 && res.steps < 2000);
    AL_CHECK(t, res.stop_value > 0.25);
    char want[256];
    snprintf(want, sizeof want, "uncertainty %.4f eV above the upper bound 0.25 eV (step %ld)",
             res.stop_value, res.steps);
    AL_CHECK_STR(t, res.stop_reason, want);
    /* σ of the final frame, recomputed independently. */
    fx_toy *ty = toy.self;
    double smax = 0;
    for (size_t i = 0; i < f.n_atoms; i++) {
        double d2 = 0;
        for (int a = 0; a < 3; a++) d2 += pow(res.final.pos[i][a] - ty->r0[i][a], 2);
        smax = fmax(smax, d2);
    }
    AL_CHECK_CLOSE(t, smax, res.stop_value, 1e-12);
    AL_CHECK(t, res.n_candidates > 0);
    long prev = 0;
    for (size_t k = 0; k < res.n_candidates; k++) {
        const al_frame *c = &res.candidates[k];
        double s, temp, time;
        long step, rep, seed;
        AL_CHECK(t, al_info_get_real(&c->info, "md_uncertainty", &s) && s >= 0.05 && s <= 0.25);
        /* the force σ is off by default (md_opts.force_sigma_atoms 0) */
        AL_CHECK(t, al_info_get(&c->info, "md_force_uncertainty") == NULL);
        AL_CHECK(t, al_info_get_int(&c->info, "md_step", &step) && step % 5 == 0 && step > prev);
        AL_CHECK(t, al_info_get_real(&c->info, "md_time", &time) && time == 2.0 * (double)step);
        AL_CHECK(t, al_info_get_real(&c->info, "md_temperature", &temp));
        AL_CHECK_CLOSE(t, temp, 50.0 + 2950.0 * (double)step / 2000.0, 1e-9);
        AL_CHECK(t, al_info_get_int(&c->info, "md_replica", &rep) && rep == 0);
        AL_CHECK(t, al_info_get_int(&c->info, "md_seed", &seed) && seed == 1);
        AL_CHECK(t, c->labels == 0 && c->n_atoms == f.n_atoms);
        AL_CHECK(t, al_info_get(&c->info, "config_type") == NULL);
        prev = step;
    }
    printf("%zu candidates in [0.05, 0.25] eV; stop at step %ld: %s\n", res.n_candidates, res.steps,
           res.stop_reason);
    md_result_fini(&res);
    al_potential_destroy(&toy);
    al_frame_fini(&f);
}

/* With md_opts.force_sigma_atoms set, each check asks the potential for that many atoms' force σ
 * and candidates carry it (the toy reports 10 eV/Å per eV of σ plus the atom count asked for). */
static void test_force_sigma_request(al_test *t)
{
    al_err err;
    al_frame f;
    fx_fcc(&f, 2, 5.3, 18);
    al_potential toy = fx_toy_create(&f, 1.0, 1.0);
    md_segment seg;
    md_opts o = heating_opts(&seg);
    AL_CHECK(t, o.force_sigma_atoms == 0);
    o.force_sigma_atoms = 3;
    md_result res;
    md_result_init(&res);
    AL_CHECK_OK(t, md_run(&o, &f, &toy, &res, &err), &err);
    AL_CHECK(t, res.n_candidates > 0);
    for (size_t k = 0; k < res.n_candidates; k++) {
        double s, fs;
        AL_CHECK(t, al_info_get_real(&res.candidates[k].info, "md_uncertainty", &s));
        AL_CHECK(t, al_info_get_real(&res.candidates[k].info, "md_force_uncertainty", &fs));
        AL_CHECK_CLOSE(t, fs, 10.0 * s + 3.0, 1e-12);
    }
    md_result_fini(&res);
    al_potential_destroy(&toy);
    al_frame_fini(&f);
}

static const al_test_case cases[] = {
    {"watch_force_sigma_request", test_force_sigma_request, AL_TEST_FAST},
    {"stop_min_distance", test_stop_min_distance, AL_TEST_FAST},
    {"stop_energy_jump", test_stop_energy_jump, AL_TEST_FAST},
    {"window_and_uncertainty_stop", test_window_and_uncertainty_stop, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
