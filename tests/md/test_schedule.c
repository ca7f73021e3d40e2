/*
 * Schedules, output, replicas and bad input.
 * - A melt–quench-like schedule (hold, ramp up, hold, ramp down) gives the exact per-step
 *   targets (ramps end on t_end), step counts round(duration/dt), per-segment check strides;
 *   a strongly coupled Langevin run follows the targets.
 * - Trajectory (extxyz, stride) and CSV log (units in the header) read back consistently.
 * - Same seed and replica ⇒ bit-identical trajectory; another replica ⇒ another one; the
 *   replica's temperature scale applies to the whole schedule.
 * - Bad options give the documented messages.
 */
#include <stdio.h>

#include "core/extxyz.h"
#include "core/units.h"
#include "tests/harness/al_test.h"
#include "tests/md/md_fixtures.h"

typedef struct targets {
    long n;
    double t[4000];
    double t_inst_late;   /* mean instantaneous T over the last 200 steps of segment 3 */
    fx_stats late;
} targets;

static void record(const md_thermo *th, void *user)
{
    targets *g = user;
    if (th->step < 4000) g->t[th->step] = th->t_target;
    g->n = th->step + 1;
    if (th->step > 1300 && th->step <= 1500) fx_stats_add(&g->late, th->temperature);
}

static void test_schedule_targets_and_strides(al_test *t)
{
    al_err err;
    al_frame f;
    fx_diamond(&f, 2, 5.431, 14);
    al_potential sw;
    md_sw_opts so = md_sw_opts_default();
    AL_CHECK_OK(t, md_sw_create(&so, &sw, &err), &err);
    md_segment seg[4] = {
        {.t_start = 300, .t_end = 300, .duration = 200.2, .sample_every = 50},  /* 200 steps */
        {.t_start = 300, .t_end = 1500, .duration = 800, .sample_every = 0},    /* check_every 100 */
        {.t_start = 1500, .t_end = 1500, .duration = 500, .sample_every = 125},
        {.t_start = 1500, .t_end = 600, .duration = 299.6, .sample_every = 300}, /* 300 steps */
    };
    md_opts o = md_opts_default();
    o.thermostat = MD_LANGEVIN;
    o.thermostat_period = 20.0;
    o.segments = seg;
    o.n_segments = 4;
    o.check_every = 100;
    targets *g = calloc(1, sizeof *g);
    o.observe = record;
    o.observe_user = g;
    md_result res;
    md_result_init(&res);
    AL_CHECK_OK(t, md_run(&o, &f, &sw, &res, &err), &err);
    AL_CHECK(t, res.steps == 1800 && g->n == 1801);
    AL_CHECK_CLOSE(t, res.time, 1800.0, 1e-9);
    AL_CHECK(t, g->t[0] == 300 && g->t[200] == 300);
    AL_CHECK_CLOSE(t, g->t[201], 301.5, 1e-9);          /* 300 + 1200/800 */
    AL_CHECK_CLOSE(t, g->t[600], 900.0, 1e-9);          /* half way up */
    AL_CHECK(t, g->t[1000] == 1500 && g->t[1500] == 1500);
    AL_CHECK_CLOSE(t, g->t[1650], 1050.0, 1e-9);        /* half way down */
    AL_CHECK(t, g->t[1800] == 600);
    /* SW has no uncertainty: every check is a candidate (plain sampling). */
    static const long want[] = {50, 100, 150, 200, 300, 400, 500, 600, 700, 800, 900, 1000,
                                1125, 1250, 1375, 1500, 1800};
    AL_CHECK(t, res.n_candidates == sizeof want / sizeof want[0]);
    for (size_t k = 0; k < res.n_candidates && k < sizeof want / sizeof want[0]; k++) {
        long step, segk;
        double temp;
        al_info_get_int(&res.candidates[k].info, "md_step", &step);
        al_info_get_int(&res.candidates[k].info, "md_segment", &segk);
        al_info_get_real(&res.candidates[k].info, "md_temperature", &temp);
        AL_CHECK_MSG(t, step == want[k], "candidate %zu at step %ld, expected %ld", k, step, want[k]);
        AL_CHECK(t, temp == g->t[step]);
        AL_CHECK(t, segk == (step <= 200 ? 0 : step <= 1000 ? 1 : step <= 1500 ? 2 : 3));
        AL_CHECK(t, al_info_get(&res.candidates[k].info, "md_uncertainty") == NULL);
    }
    /* Langevin with a 20 fs time constant tracks the 1500 K hold (64 atoms: ±~10% per frame). */
    printf("mean T over steps 1301-1500: %.1f K (target 1500)\n", g->late.mean);
    AL_CHECK_REL(t, g->late.mean, 1500.0, 0.06, 0);
    free(g);
    md_result_fini(&res);
    al_potential_destroy(&sw);
    al_frame_fini(&f);
}

static void test_trajectory_and_log(al_test *t)
{
    al_err err;
    al_frame f;
    fx_diamond(&f, 2, 5.431, 14);
    al_potential sw;
    md_sw_opts so = md_sw_opts_default();
    AL_CHECK_OK(t, md_sw_create(&so, &sw, &err), &err);
    md_segment seg = fx_hold(600.0, 100.0);
    seg.pressure = 0.5;
    md_opts o = md_opts_default();
    o.ensemble = MD_NPT;
    o.segments = &seg;
    o.n_segments = 1;
    const char *traj = al_test_path(al_test_tmp_dir(t), "traj.xyz");
    char logp[512];
    snprintf(logp, sizeof logp, "%s", al_test_path(al_test_tmp_dir(t), "thermo.csv"));
    o.traj = fopen(traj, "w");
    o.log = fopen(logp, "w");
    o.traj_stride = 25;
    o.log_stride = 10;
    md_result res;
    md_result_init(&res);
    AL_CHECK_OK(t, md_run(&o, &f, &sw, &res, &err), &err);
    fclose(o.traj);
    fclose(o.log);
    al_frame *fr = NULL;
    size_t n = 0;
    AL_CHECK_OK(t, al_xyz_read_all(traj, &fr, &n, &err), &err);
    AL_CHECK(t, n == 5);   /* steps 0, 25, 50, 75, 100 */
    for (size_t k = 0; k < n; k++) {
        long step;
        AL_CHECK(t, al_info_get_int(&fr[k].info, "md_step", &step) && step == 25 * (long)k);
        AL_CHECK(t, (fr[k].labels & AL_LBL_ENERGY) && fr[k].vel != NULL);
    }
    /* The last trajectory frame is the final state; its energy is the potential's. */
    al_pot_result r = {0};
    AL_CHECK_OK(t, al_potential_compute(&sw, &fr[4], &r, &err), &err);
    AL_CHECK_CLOSE(t, r.energy, fr[4].energy, 1e-9);
    AL_CHECK_CLOSE(t, fr[4].cell[0][0], res.final.cell[0][0], 1e-12);
    al_frames_free(fr, n);
    FILE *fp = fopen(logp, "r");
    char line[512];
    AL_CHECK(t, fgets(line, sizeof line, fp) != NULL);
    AL_CHECK_STR(t, line, "step,time_fs,T_target_K,T_K,E_pot_eV,E_kin_eV,E_conserved_eV,P_GPa,V_A3\n");
    int rows = 0;
    double vol = 0, ekin = 0, temp = 0;
    long step = -1;
    while (fgets(line, sizeof line, fp)) {
        double tt, tg, ep, ec, p;
        AL_CHECK(t, sscanf(line, "%ld,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", &step, &tt, &tg, &temp, &ep, &ekin,
                           &ec, &p, &vol) == 9);
        rows++;
    }
    fclose(fp);
    AL_CHECK(t, rows == 11 && step == 100);
    AL_CHECK_REL(t, vol, al_frame_volume(&res.final), 1e-9, 0);
    AL_CHECK_REL(t, temp, 2 * ekin / (189 * AL_BOLTZMANN_EV), 1e-8, 0);
    md_result_fini(&res);
    al_potential_destroy(&sw);
    al_frame_fini(&f);
}

static void run_replica(al_test *t, const md_replica_spec *sp, size_t i, md_result *res)
{
    al_err err;
    al_frame f;
    fx_diamond(&f, 2, 5.431, 14);
    al_potential sw;
    md_sw_opts so = md_sw_opts_default();
    AL_CHECK_OK(t, md_sw_create(&so, &sw, &err), &err);
    md_result_init(res);
    AL_CHECK_OK(t, md_run_replica(sp, i, &f, &sw, res, &err), &err);
    al_potential_destroy(&sw);
    al_frame_fini(&f);
}

static void test_replicas_reproducible(al_test *t)
{
    for (int ens = 0; ens < 3; ens++) {
        md_segment seg = fx_hold(800.0, 150.0);
        md_replica_spec sp = {.base = md_opts_default(), .n_replicas = 3};
        double scale[3] = {1.0, 1.0, 1.5};
        sp.temperature_scale = scale;
        sp.base.segments = &seg;
        sp.base.n_segments = 1;
        sp.base.seed = 1234;
        sp.base.check_every = 50;
        sp.base.ensemble = ens == 2 ? MD_NPT : MD_NVT;
        sp.base.thermostat = ens == 1 ? MD_LANGEVIN : MD_NOSE_HOOVER;
        md_result a, b, c, d;
        run_replica(t, &sp, 0, &a);
        run_replica(t, &sp, 0, &b);
        run_replica(t, &sp, 1, &c);
        run_replica(t, &sp, 2, &d);
        size_t bytes = a.final.n_atoms * sizeof *a.final.pos;
        AL_CHECK(t, memcmp(a.final.pos, b.final.pos, bytes) == 0);
        AL_CHECK(t, memcmp(a.final.vel, b.final.vel, bytes) == 0);
        AL_CHECK(t, memcmp(a.final.cell, b.final.cell, sizeof a.final.cell) == 0);
        AL_CHECK(t, memcmp(a.final.pos, c.final.pos, bytes) != 0);
        long rep;
        double temp;
        AL_CHECK(t, c.n_candidates == 3 && al_info_get_int(&c.candidates[0].info, "md_replica", &rep) && rep == 1);
        AL_CHECK(t, al_info_get_real(&d.candidates[0].info, "md_temperature", &temp) && temp == 1200.0);
        md_result_fini(&a);
        md_result_fini(&b);
        md_result_fini(&c);
        md_result_fini(&d);
    }
}

static void expect_error(al_test *t, const md_opts *o, const al_frame *f, const char *msg)
{
    al_err err;
    al_err_clear(&err);
    md_result res;
    md_result_init(&res);
    al_potential toy = fx_toy_create(f, 1.0, 0.0);
    AL_CHECK(t, md_run(o, f, &toy, &res, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, msg);
    md_result_fini(&res);
    al_potential_destroy(&toy);
}

static void test_bad_inputs(al_test *t)
{
    al_frame f;
    fx_fcc(&f, 1, 5.3, 18);
    md_segment seg = fx_hold(300.0, 10.0);
    md_opts base = md_opts_default();
    base.segments = &seg;
    base.n_segments = 1;
    md_opts o = base;
    o.dt = 0.0;
    expect_error(t, &o, &f, "md: timestep must be > 0 fs (got 0)");
    o.dt = -1.0;
    expect_error(t, &o, &f, "md: timestep must be > 0 fs (got -1)");
    o = base;
    o.n_segments = 0;
    expect_error(t, &o, &f, "md: the schedule has no segments");
    o = base;
    o.ensemble = (md_ensemble)7;
    expect_error(t, &o, &f, "md: unknown ensemble 7 (expected nve, nvt or npt)");
    o = base;
    o.ensemble = MD_NPT;
    o.thermostat = MD_LANGEVIN;
    expect_error(t, &o, &f, "md: npt runs with the nose-hoover thermostat, not langevin");
    o = base;
    o.ensemble = MD_NPT;
    f.pbc[2] = false;
    expect_error(t, &o, &f, "md: npt needs a periodic cell in all three directions");
    f.pbc[2] = true;
    o = base;
    o.check_every = 0;
    expect_error(t, &o, &f, "md: check_every must be >= 1 step (got 0)");
    md_segment bad[2] = {fx_hold(300.0, 10.0), fx_hold(300.0, -5.0)};
    o = base;
    o.segments = bad;
    o.n_segments = 2;
    expect_error(t, &o, &f, "md: segment 2: duration must be > 0 fs (got -5)");
    bad[1] = (md_segment){.t_start = 300, .t_end = 0, .duration = 5};
    expect_error(t, &o, &f, "md: segment 2: temperatures must be > 0 K (got 300 to 0)");
    o = base;
    o.sigma_lo = 0.2;
    o.sigma_hi = 0.1;
    expect_error(t, &o, &f, "md: uncertainty window [0.2, 0.1] eV is not valid");
    f.z[1] = 0;
    expect_error(t, &base, &f, "md: atom 2 has atomic number 0 with no known mass");
    md_ensemble e;
    al_err err;
    AL_CHECK(t, md_ensemble_parse("nvx", &e, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "md: unknown ensemble 'nvx' (expected nve, nvt, npt)");
    AL_CHECK(t, md_ensemble_parse("npt", &e, &err) == AL_OK && e == MD_NPT);
    md_thermostat th;
    AL_CHECK(t, md_thermostat_parse("berendsen", &th, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "md: unknown thermostat 'berendsen' (expected nose-hoover, langevin)");
    md_replica_spec sp = {.base = base, .n_replicas = 2};
    md_result res;
    md_result_init(&res);
    AL_CHECK(t, md_run_replica(&sp, 2, &f, NULL, &res, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "md: replica 2 does not exist (the spec has 2)");
    al_frame_fini(&f);
}

static const al_test_case cases[] = {
    {"schedule_targets_and_strides", test_schedule_targets_and_strides, AL_TEST_FAST},
    {"trajectory_and_log", test_trajectory_and_log, AL_TEST_FAST},
    {"replicas_reproducible", test_replicas_reproducible, AL_TEST_FAST},
    {"bad_inputs", test_bad_inputs, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
