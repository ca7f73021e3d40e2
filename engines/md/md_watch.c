/*
 * Uncertainty watch and output of an MD run.
 *
 * At each check step (md_run.c decides which) the current frame is tested, in this order:
 *   1. minimum interatomic distance below min_distance      → stop "min_distance"
 *   2. |E_pot − E_pot(previous check)| / N > max_energy_jump → stop "energy_jump"
 *      (the unphysical clustering of young potentials shows as a sudden drop)
 *   3. σ = sigma_max > sigma_hi                               → stop "uncertainty"
 *   4. sigma_lo <= σ <= sigma_hi                              → candidate frame
 * A potential without uncertainty makes every check a candidate (plain sampling).
 * Candidates carry provenance in info: md_step, md_time (fs), md_temperature (target, K),
 * md_temperature_inst (K), md_uncertainty (eV, when known), md_force_uncertainty (eV/Å, the
 * largest force standard deviation among the md_opts.force_sigma_atoms atoms of largest local-energy
 * uncertainty, when the potential gives one), md_replica, md_seed,
 * md_segment.
 *
 * Output: extxyz frames (core/extxyz.h) with energy and the same md_* keys; a CSV log whose
 * header names the units; an observer callback.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/extxyz.h"
#include "core/neighbors.h"
#include "core/units.h"
#include "engines/md/md_impl.h"

struct md_watch {
    al_nlist nl;              /* pairs closer than min_distance */
    bool have_prev;
    double prev_epa;          /* eV/atom at the previous check */
};

al_status md__watch_create(const md_sys *s, md_watch **out, al_err *err)
{
    (void)s;
    md_watch *w = al_calloc(1, sizeof *w);
    if (!w) return al_fail(err, AL_ENOMEM, "md: out of memory");
    al_nlist_init(&w->nl);
    *out = w;
    return AL_OK;
}

void md__watch_destroy(md_watch *w)
{
    if (!w) return;
    al_nlist_fini(&w->nl);
    al_free(w);
}

static double conserved(const md_sys *s, double ke)
{
    double e = ke + s->epot;
    if (s->o.ensemble == MD_NVT && s->o.thermostat == MD_LANGEVIN) return e + s->heat;
    if (s->o.ensemble != MD_NVE) e += md__nhc_energy(&s->nhc_p, s->kt);
    if (s->o.ensemble == MD_NPT)
        e += s->p_ext * al_frame_volume(&s->f) + md__baro_kinetic(s) + md__nhc_energy(&s->nhc_b, s->kt);
    return e;
}

void md__thermo(const md_sys *s, long step, double time, double t_target, md_thermo *th)
{
    double ke = md__kinetic(s, NULL);
    bool periodic = s->f.pbc[0] && s->f.pbc[1] && s->f.pbc[2];
    double vol = periodic ? al_frame_volume(&s->f) : 0.0;
    *th = (md_thermo){.step = step, .time = time, .t_target = t_target, .epot = s->epot, .ekin = ke,
                      .frame = &s->f, .volume = vol};
    th->temperature = s->nf > 0 ? 2.0 * ke / (s->nf * AL_BOLTZMANN_EV) : 0.0;
    th->econs = conserved(s, ke);
    if (vol > 0)
        th->pressure = (2.0 * ke + s->virial[0] + s->virial[4] + s->virial[8]) / (3.0 * vol) * AL_EV_ANG3_GPA;
    memcpy(th->cell, s->f.cell, sizeof th->cell);
}

/* Smallest pair distance below dmin (returns false when none). */
static al_status closest_pair(md_watch *w, const al_frame *f, double dmin, double *r, size_t *pi,
                              size_t *pj, bool *found, al_err *err)
{
    *found = false;
    AL_TRY(err, al_nlist_build(&w->nl, f, dmin, 0.0, err));
    for (size_t i = 0; i < f->n_atoms; i++)
        for (size_t p = w->nl.offset[i]; p < w->nl.offset[i + 1]; p++)
            if (w->nl.r[p] < dmin && (!*found || w->nl.r[p] < *r)) {
                *found = true;
                *r = w->nl.r[p];
                *pi = i < (size_t)w->nl.j[p] ? i : (size_t)w->nl.j[p];
                *pj = i < (size_t)w->nl.j[p] ? (size_t)w->nl.j[p] : i;
            }
    return AL_OK;
}

static void stop(md_result *res, md_stop why, double value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void stop(md_result *res, md_stop why, double value, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->stop_reason, sizeof res->stop_reason, fmt, ap);
    va_end(ap);
    res->stop = why;
    res->stop_value = value;
}

static al_status set_provenance(al_frame *f, const md_sys *s, const md_thermo *th, int segment,
                                al_err *err)
{
    AL_TRY(err, al_info_set_int(&f->info, "md_step", th->step, err));
    AL_TRY(err, al_info_set_real(&f->info, "md_time", th->time, err));
    AL_TRY(err, al_info_set_real(&f->info, "md_temperature", th->t_target, err));
    AL_TRY(err, al_info_set_real(&f->info, "md_temperature_inst", th->temperature, err));
    if (s->has_sigma)
        AL_TRY(err, al_info_set_real(&f->info, "md_uncertainty", s->sigma_max, err));
    else
        al_info_remove(&f->info, "md_uncertainty");
    if (s->has_sigma && s->force_sigma_max > 0)
        AL_TRY(err, al_info_set_real(&f->info, "md_force_uncertainty", s->force_sigma_max, err));
    else
        al_info_remove(&f->info, "md_force_uncertainty");
    AL_TRY(err, al_info_set_int(&f->info, "md_replica", (long)s->o.replica, err));
    AL_TRY(err, al_info_set_int(&f->info, "md_seed", (long)s->o.seed, err));
    AL_TRY(err, al_info_set_int(&f->info, "md_segment", segment, err));
    return AL_OK;
}

static al_status add_candidate(md_result *res, const md_sys *s, const md_thermo *th, int segment,
                               al_err *err)
{
    if (res->n_candidates == res->cap) {
        size_t cap = res->cap ? 2 * res->cap : 16;
        al_frame *c = al_realloc(res->candidates, cap * sizeof *c);
        if (!c) return al_fail(err, AL_ENOMEM, "md: out of memory for candidates");
        res->candidates = c;
        res->cap = cap;
    }
    al_frame *f = &res->candidates[res->n_candidates];
    al_frame_init(f);
    res->n_candidates++;
    AL_TRY(err, al_frame_copy(f, &s->f, err));
    return set_provenance(f, s, th, segment, err);
}

al_status md__watch_check(md_watch *w, md_sys *s, const md_thermo *th, int segment, bool emit,
                          md_result *res, al_err *err)
{
    const md_opts *o = &s->o;
    if (o->min_distance > 0) {
        double r = 0;
        size_t i = 0, j = 0;
        bool found;
        AL_TRY(err, closest_pair(w, &s->f, o->min_distance, &r, &i, &j, &found, err));
        if (found) {
            stop(res, MD_STOP_MIN_DISTANCE, r,
                 "atoms %zu and %zu are %.4f Å apart, closer than min_distance %g Å (step %ld)", i + 1,
                 j + 1, r, o->min_distance, th->step);
            return AL_OK;
        }
    }
    double epa = s->epot / (double)s->n;
    if (o->max_energy_jump > 0 && w->have_prev && fabs(epa - w->prev_epa) > o->max_energy_jump) {
        double jump = epa - w->prev_epa;
        stop(res, MD_STOP_ENERGY_JUMP, jump,
             "potential energy changed by %+.4f eV/atom since the last check, more than "
             "max_energy_jump %g eV/atom (step %ld)", jump, o->max_energy_jump, th->step);
        return AL_OK;
    }
    w->have_prev = true;
    w->prev_epa = epa;
    if (s->has_sigma && o->sigma_hi > 0 && s->sigma_max > o->sigma_hi) {
        stop(res, MD_STOP_UNCERTAINTY, s->sigma_max,
             "uncertainty %.4f eV above the upper bound %g eV (step %ld)", s->sigma_max, o->sigma_hi,
             th->step);
        return AL_OK;
    }
    if (emit && (!s->has_sigma || s->sigma_max >= o->sigma_lo))
        AL_TRY(err, add_candidate(res, s, th, segment, err));
    return AL_OK;
}

void md_log_header(FILE *fp)
{
    fputs("step,time_fs,T_target_K,T_K,E_pot_eV,E_kin_eV,E_conserved_eV,P_GPa,V_A3\n", fp);
}

al_status md__output(md_sys *s, const md_thermo *th, al_err *err)
{
    const md_opts *o = &s->o;
    if (o->observe && th->step % o->observe_every == 0) o->observe(th, o->observe_user);
    if (o->log && th->step % o->log_stride == 0) {
        if (fprintf(o->log, "%ld,%.6g,%.6g,%.10g,%.12g,%.12g,%.12g,%.8g,%.10g\n", th->step, th->time,
                    th->t_target, th->temperature, th->epot, th->ekin, th->econs, th->pressure,
                    th->volume) < 0)
            return al_fail(err, AL_EIO, "md: writing the thermodynamic log failed");
    }
    if (o->traj && th->step % o->traj_stride == 0) {
        AL_TRY(err, set_provenance(&s->f, s, th, -1, err));
        al_info_remove(&s->f.info, "md_segment");
        s->f.energy = s->epot;
        s->f.labels = AL_LBL_ENERGY;
        al_status st = al_xyz_write(o->traj, &s->f, err);
        s->f.labels = 0;
        AL_TRY(err, st);
    }
    return AL_OK;
}
