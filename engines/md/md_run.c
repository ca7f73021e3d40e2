/*
 * The MD driver: walks the schedule segment by segment, sets the target temperature and
 * pressure of every step, calls the ensemble's integrator, and runs the watch and output.
 *
 * Segment k has n_k = max(1, round(duration_k / dt)) steps; after step s of the segment the
 * target is T = t_start + (t_end − t_start) s / n_k, so a ramp ends exactly at t_end.
 * Checks happen at step 0 (baseline, no candidate) and every sample_every (or check_every)
 * steps counted within the segment. The uncertainty is requested only in the force calls of
 * check steps, so watching costs no extra evaluation. Thermostat masses follow the target
 * temperature (Q ∝ kT, W ∝ kT), as MTK prescribe for a given period.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/units.h"
#include "engines/md/md_impl.h"

void md_result_init(md_result *r)
{
    memset(r, 0, sizeof *r);
    al_frame_init(&r->final);
}

void md_result_fini(md_result *r)
{
    if (!r) return;
    for (size_t k = 0; k < r->n_candidates; k++) al_frame_fini(&r->candidates[k]);
    al_free(r->candidates);
    al_frame_fini(&r->final);
    md_result_init(r);
}

static void set_targets(md_sys *s, double t, double p_gpa)
{
    const md_opts *o = &s->o;
    s->kt = AL_BOLTZMANN_EV * t;
    s->p_ext = p_gpa / AL_EV_ANG3_GPA;
    if (o->ensemble == MD_NVE) return;
    md__nhc_masses(&s->nhc_p, s->kt, o->thermostat_period);
    if (o->ensemble == MD_NPT) {
        md__nhc_masses(&s->nhc_b, s->kt, o->thermostat_period);
        s->wg = (s->nf + 3.0) * s->kt * o->barostat_period * o->barostat_period / 3.0;
    }
}

static al_status step(md_sys *s, al_err *err)
{
    switch (s->o.ensemble) {
    case MD_NVE: return md__step_verlet(s, false, err);
    case MD_NVT:
        return s->o.thermostat == MD_LANGEVIN ? md__step_baoab(s, err) : md__step_verlet(s, true, err);
    case MD_NPT: return md__step_npt(s, err);
    }
    return al_fail(err, AL_EINVAL, "md: unknown ensemble %d", (int)s->o.ensemble);
}

static long segment_steps(const md_segment *g, double dt)
{
    long n = lround(g->duration / dt);
    return n < 1 ? 1 : n;
}

/* Runs every segment; stops early when the watch records a stop. */
static al_status run_schedule(md_sys *s, md_watch *w, md_result *res, al_err *err)
{
    const md_opts *o = &s->o;
    long stepno = 0;
    md_thermo th;
    for (size_t k = 0; k < o->n_segments && res->stop == MD_STOP_NONE; k++) {
        const md_segment *g = &o->segments[k];
        long n = segment_steps(g, o->dt);
        long stride = g->sample_every > 0 ? g->sample_every : o->check_every;
        for (long i = 1; i <= n; i++) {
            double t = g->t_start + (g->t_end - g->t_start) * (double)i / (double)n;
            set_targets(s, t, g->pressure);
            bool check = i % stride == 0;
            s->want_sigma = check;
            AL_TRY(err, step(s, err));
            stepno++;
            res->steps = stepno;
            res->time = (double)stepno * o->dt;
            md__thermo(s, stepno, res->time, t, &th);
            AL_TRY(err, md__output(s, &th, err));
            if (check) {
                AL_TRY(err, md__watch_check(w, s, &th, (int)k, true, res, err));
                if (res->stop != MD_STOP_NONE) break;
            }
        }
    }
    return AL_OK;
}

static al_status run(md_sys *s, const al_frame *start, md_result *res, al_err *err)
{
    const md_opts *o = &s->o;
    const md_segment *g0 = &o->segments[0];
    if (!(o->keep_velocities && start->vel)) md__init_velocities(s, g0->t_start);
    s->nhc_p = (md_nhc){.m = o->nh_chain, .nf = s->nf};
    s->nhc_b = (md_nhc){.m = o->nh_chain, .nf = o->cell_mode == MD_CELL_FLEXIBLE ? 6.0 : 1.0};
    set_targets(s, g0->t_start, g0->pressure);
    s->want_sigma = true;
    AL_TRY(err, md__forces(s, err));
    md_watch *w = NULL;
    AL_TRY(err, md__watch_create(s, &w, err));
    md_thermo th;
    md__thermo(s, 0, 0.0, g0->t_start, &th);
    al_status st = md__output(s, &th, err);
    if (!st) st = md__watch_check(w, s, &th, 0, false, res, err);
    if (!st && res->stop == MD_STOP_NONE) st = run_schedule(s, w, res, err);
    md__watch_destroy(w);
    if (st) return st;
    if (o->log && fflush(o->log) != 0) return al_fail(err, AL_EIO, "md: writing the thermodynamic log failed");
    if (o->traj && fflush(o->traj) != 0) return al_fail(err, AL_EIO, "md: writing the trajectory failed");
    return al_frame_copy(&res->final, &s->f, err);
}

al_status md_run(const md_opts *o, const al_frame *start, const al_potential *pot, md_result *res,
                 al_err *err)
{
    md_result_fini(res);
    AL_TRY(err, md_opts_check(o, err));
    double t0 = al_wtime();
    md_sys s;
    al_status st = md__sys_init(&s, o, start, pot, err);
    if (!st) {
        if (o->log) md_log_header(o->log);
        st = run(&s, start, res, err);
    }
    res->force_seconds = s.force_seconds;
    res->n_force_calls = s.n_force_calls;
    res->total_seconds = al_wtime() - t0;
    md__sys_fini(&s);
    if (st) AL_TRACE(err);
    return st;
}

al_status md_run_replica(const md_replica_spec *sp, size_t i, const al_frame *start,
                         const al_potential *pot, md_result *res, al_err *err)
{
    if (i >= sp->n_replicas)
        return al_fail(err, AL_EINVAL, "md: replica %zu does not exist (the spec has %zu)", i,
                       sp->n_replicas);
    double scale = sp->temperature_scale ? sp->temperature_scale[i] : 1.0;
    if (!(scale > 0))
        return al_fail(err, AL_EINVAL, "md: replica %zu: temperature scale must be > 0 (got %g)", i, scale);
    md_opts o = sp->base;
    o.replica = i;
    if (!o.segments || o.n_segments == 0) return md_run(&o, start, pot, res, err);
    md_segment *seg = al_malloc(o.n_segments * sizeof *seg);
    if (!seg) return al_fail(err, AL_ENOMEM, "md: out of memory");
    for (size_t k = 0; k < o.n_segments; k++) {
        seg[k] = o.segments[k];
        seg[k].t_start *= scale;
        seg[k].t_end *= scale;
    }
    o.segments = seg;
    al_status st = md_run(&o, start, pot, res, err);
    al_free(seg);
    return st;
}
