/*
 * The VALIDATE stage, run once after the loop stops when the campaign has a validate section:
 * MD with the final model through the validation schedule, then g(r), S(k) and coordination
 * numbers of the sampled frames against the references, R_chi between them (validate.h), in
 * validate/gr.csv, validate/sk.csv, validate/summary.txt and, when small, the sampled
 * trajectory validate/trajectory.xyz.
 *
 * The MD runs in blocks of about BLOCK_STEPS steps so that a long validation can stop on
 * SIGTERM and resume: each finished block leaves validate/md/block_KKK.xyz (its final state
 * with velocities, then its samples), renamed into place, and a redone stage reads the
 * finished blocks and continues from the last state. Block k draws its noise from stream k of
 * the stage's seed, so a resumed validation gives the same frames as an uninterrupted one.
 * The thermostat (and barostat) variables restart at each block boundary; with blocks much
 * longer than the thermostat period this does not change the sampled ensemble.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/elements.h"
#include "core/extxyz.h"
#include "core/log.h"
#include "engines/md/md.h"
#include "orchestrator/initial.h"
#include "orchestrator/loop_impl.h"
#include "orchestrator/progress.h"
#include "orchestrator/signals.h"
#include "orchestrator/validate.h"

enum { BLOCK_STEPS = 500 };

/* Frames sampled so far, and the state to continue from. */
typedef struct samples {
    al_frame *f;
    size_t n, cap;
    al_frame state;
    char stopped[256]; /* why the MD stopped early ("" when it ran its schedule) */
    long steps;
} samples;

static const char *val_path(const orc_run *run, const char *name, char *buf, size_t n)
{
    char rel[128];
    snprintf(rel, sizeof rel, "validate/%s", name);
    return orc_campdir_path(&run->dir, rel, buf, n);
}

static long seg_steps(const orc_segment *g, double dt)
{
    long n = lround(g->duration / dt);
    return n < 1 ? 1 : n;
}

/* Block k of the schedule: its global steps [first, first + steps) as pieces of the segments
 * (ramps cut at the same temperatures the whole segment passes through). 0 past the end. */
static size_t plan_block(const orc_validate *v, long k, md_segment *seg, long *first)
{
    long stride = v->sample_every, len = (BLOCK_STEPS + stride - 1) / stride * stride;
    long g0 = k * len, g1 = g0 + len, start = 0;
    size_t n = 0;
    *first = g0;
    for (int s = 0; s < v->schedule.n; s++) {
        const orc_segment *g = &v->schedule.seg[s];
        long ns = seg_steps(g, v->timestep), a = g0 > start ? g0 : start,
             b = g1 < start + ns ? g1 : start + ns;
        if (a < b) {
            double t0 = g->kind == ORC_SEG_HOLD ? g->temperature : g->t_start;
            double t1 = g->kind == ORC_SEG_HOLD ? g->temperature : g->t_end;
            seg[n++] = (md_segment){t0 + (t1 - t0) * (double)(a - start) / (double)ns,
                                    t0 + (t1 - t0) * (double)(b - start) / (double)ns,
                                    (double)(b - a) * v->timestep, g->pressure, stride};
        }
        start += ns;
    }
    return n;
}

static long total_steps(const orc_validate *v)
{
    long n = 0;
    for (int s = 0; s < v->schedule.n; s++) n += seg_steps(&v->schedule.seg[s], v->timestep);
    return n;
}

static void md_options(const orc_run *run, const md_segment *seg, size_t n_seg, uint64_t seed,
                       long block, md_opts *o)
{
    const orc_validate *v = &run->c->validate;
    *o = md_opts_default();
    o->dt = v->timestep;
    o->ensemble = (md_ensemble)v->ensemble;
    o->thermostat = (md_thermostat)v->thermostat;
    o->cell_mode = (md_cell_mode)v->cell_mode;
    o->thermostat_period = v->thermostat_period;
    o->barostat_period = v->barostat_period;
    o->nh_chain = (int)v->chain_length;
    o->segments = seg;
    o->n_segments = n_seg;
    o->seed = seed;
    o->replica = (uint64_t)block;
    o->keep_velocities = true;
    /* Every check is a sample: no uncertainty window, but the exploration's guards against a
     * model that lets atoms collapse or the energy run away. */
    o->check_every = v->sample_every;
    o->sigma_lo = 0, o->sigma_hi = 0;
    o->min_distance = run->c->explore.min_distance;
    o->max_energy_jump = run->c->explore.max_energy_jump;
}

static al_status keep_sample(samples *s, al_frame *f, al_err *err)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        al_frame *p = al_realloc(s->f, cap * sizeof *p);
        if (!p) return al_fail(err, AL_ENOMEM, "validate: out of memory for samples");
        s->f = p, s->cap = cap;
    }
    s->f[s->n++] = *f; /* the frame moves */
    al_frame_init(f);
    return AL_OK;
}

/* Reads a finished block: its final state, then its samples. */
static al_status read_block(const char *path, samples *s, al_err *err)
{
    al_frame *f = NULL;
    size_t n = 0;
    AL_TRY(err, al_xyz_read_all(path, &f, &n, err));
    al_status st = n ? AL_OK : al_fail(err, AL_EFORMAT, "%s: empty block file", path);
    if (!st) {
        al_frame_fini(&s->state);
        s->state = f[0];
        al_frame_init(&f[0]);
        const char *why = al_info_get_str(&s->state.info, "validate_stop");
        snprintf(s->stopped, sizeof s->stopped, "%s", why ? why : "");
        long steps = 0;
        if (al_info_get_int(&s->state.info, "validate_steps", &steps)) s->steps = steps;
    }
    for (size_t i = 1; !st && i < n; i++) st = keep_sample(s, &f[i], err);
    al_frames_free(f, n);
    return st;
}

typedef struct md_watcher {
    orc_progress *prog;
    long offset;
} md_watcher;

static void md_progress(const md_thermo *th, void *user)
{
    const md_watcher *w = user;
    orc_progress_update(w->prog, (size_t)(w->offset + th->step));
}

/* Samples of a block run past the equilibration, with their global step and time. */
static al_status take_samples(const orc_validate *v, md_result *res, long first, al_frame *out,
                              size_t *n, al_err *err)
{
    *n = 0;
    for (size_t i = 0; i < res->n_candidates; i++) {
        al_frame *f = &res->candidates[i];
        long step = 0;
        al_info_get_int(&f->info, "md_step", &step);
        double t = (double)(first + step) * v->timestep;
        if (t < v->equilibration - 1e-9 * v->timestep) continue;
        AL_TRY(err, al_info_set_int(&f->info, "validate_step", first + step, err));
        AL_TRY(err, al_info_set_real(&f->info, "validate_time_fs", t, err));
        out[(*n)++] = *f;
    }
    return AL_OK;
}

/* Runs block k from s->state and writes its file (final state, then samples), renamed into
 * place; then reads it back like a finished block, so both paths give the same frames. */
static al_status run_block(orc_run *run, long k, const md_segment *seg, size_t n_seg, long first,
                           uint64_t seed, const gp_model *model, orc_progress *prog, samples *s,
                           al_err *err)
{
    char path[1200], tmp[1300], name[64];
    snprintf(name, sizeof name, "md/block_%03ld.xyz", k);
    val_path(run, name, path, sizeof path);
    if (access(path, F_OK) == 0) return read_block(path, s, err);
    md_opts o;
    md_options(run, seg, n_seg, seed, k, &o);
    md_watcher w = {prog, first};
    o.observe = md_progress, o.observe_user = &w, o.observe_every = 10;
    al_potential pot;
    gp_model_as_potential((gp_model *)model, &pot);
    md_result res;
    md_result_init(&res);
    al_status st = md_run(&o, &s->state, &pot, &res, err);
    al_frame *out = st ? NULL : al_calloc(res.n_candidates + 1, sizeof *out);
    size_t n = 0;
    if (!st && !out) st = al_fail(err, AL_ENOMEM, "validate: out of memory");
    if (!st) st = al_info_set_int(&res.final.info, "validate_steps", first + res.steps, err);
    if (!st && res.stop)
        st = al_info_set_str(&res.final.info, "validate_stop", res.stop_reason, err);
    if (!st) res.final.labels = 0, out[n++] = res.final;
    size_t m = 0;
    if (!st) st = take_samples(&run->c->validate, &res, first, out + n, &m, err);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (!st) st = al_xyz_write_file(tmp, out, n + m, err);
    if (!st && rename(tmp, path) != 0)
        st = al_fail(err, AL_EIO, "%s: cannot move into place", path);
    al_free(out); /* the frames belong to res */
    md_result_fini(&res);
    if (!st) st = read_block(path, s, err);
    return st;
}

/* The start frame: validate.structure (or system.structure) repeated by validate.supercell. */
static al_status start_frame(const orc_run *run, al_frame *out, al_err *err)
{
    const orc_validate *v = &run->c->validate;
    const char *path = v->structure[0] ? v->structure : run->c->system.structure;
    al_frame *f = NULL;
    size_t n = 0;
    AL_TRY(err, al_xyz_read_all(path, &f, &n, err));
    al_status st =
        n ? AL_OK
          : al_fail(err, AL_EFORMAT, "%s: the validation start structure has no frame", path);
    int rep[3] = {(int)v->supercell.v[0], (int)v->supercell.v[1], (int)v->supercell.v[2]};
    al_rng unused; /* no rattle, no strain: the generator is not drawn from */
    al_rng_seed(&unused, 0, 0);
    if (!st) st = orc_initial_rattle(&f[0], rep, 1, 0.0, 0.0, &unused, out, err);
    al_frames_free(f, n);
    if (!st) {
        out->labels = 0;
        al_info_fini(&out->info);
    }
    return st;
}

/* Runs (or reads back) every block of the schedule, stopping early when the MD does. */
static al_status run_md(orc_run *run, const gp_model *model, uint64_t seed, samples *s, al_err *err)
{
    const orc_validate *v = &run->c->validate;
    AL_TRY(err, start_frame(run, &s->state, err));
    orc_progress prog;
    orc_progress_begin(&prog, "validation MD", (size_t)total_steps(v));
    md_segment seg[ORC_MAX_SEGMENTS];
    long first;
    size_t n_seg;
    al_status st = AL_OK;
    for (long k = 0; !st && !s->stopped[0] && (n_seg = plan_block(v, k, seg, &first)) > 0; k++)
        st = orc_interrupted() ? orc_interrupt_error(err)
                               : run_block(run, k, seg, n_seg, first, seed, model, &prog, s, err);
    orc_progress_clear();
    return st;
}

/* The newest model file of the campaign (the final model), or none before the first fit. */
static al_status latest_model(const orc_run *run, gp_model **m, int *iteration, al_err *err)
{
    *m = NULL;
    for (int k = run->st.iteration; k >= 0; k--) {
        char path[1200];
        if (access(orc_model_path(run, k, path, sizeof path), F_OK) != 0) continue;
        *iteration = k;
        return gp_model_load(path, m, err);
    }
    return AL_OK;
}

static int same_species(const orc_curves *a, const orc_curves *b)
{
    if (a->n_species != b->n_species) return 0;
    for (int s = 0; s < a->n_species; s++)
        if (a->z[s] != b->z[s]) return 0;
    return 1;
}

/* The references of the campaign, analysed like the model's MD (refs[0..*n)). */
static al_status read_references(const orc_validate *v, const orc_curves *model, orc_curves *refs,
                                 int *n, an_rdf **ref_rdf, al_err *err)
{
    *n = 0;
    if (v->reference_trajectory[0]) {
        AL_TRY(err, orc_val_curves_from_file(v, v->reference_trajectory, "reference", &refs[0],
                                             ref_rdf, err));
        (*n)++;
        if (!same_species(model, &refs[0]))
            return al_fail(err, AL_EINVAL,
                           "validate: %s holds other species than the model MD (%d species "
                           "against %d, or other elements)",
                           v->reference_trajectory, refs[0].n_species, model->n_species);
    }
    if (v->reference_gr[0]) {
        AL_TRY(err, orc_val_curves_from_csv(v, v->reference_gr, model, &refs[*n], err));
        (*n)++;
    }
    return AL_OK;
}

/* R_chi of every curve against every reference: summary lines, and the totals in the event. */
static void write_rchi(orc_run *run, FILE *fp, const orc_curves *model, const orc_curves *refs,
                       int n_refs)
{
    char name[64], key[96];
    for (int k = 0; k < n_refs; k++)
        for (int what = 0; what < 2; what++)
            for (int c = 0; c <= model->n_pairs; c++) {
                size_t used = 0;
                double x = orc_val_rchi(model, &refs[k], what ? 's' : 'g', c, &used);
                fprintf(fp, "rchi %s %s %s %.6g %zu\n", refs[k].label, what ? "sk" : "gr",
                        orc_val_pair_name(model, c, name, sizeof name), x, used);
                snprintf(key, sizeof key, "rchi_%s_%s", what ? "sk" : "gr", refs[k].label);
                if (c == 0 && isfinite(x)) orc_json_num(run->stage_event, key, x);
                if (c == 0)
                    al_info("validate: R_chi of %s against the %s: %.4f (%zu points)",
                            what ? "S(k)" : "g(r)", refs[k].label, x, used);
            }
}

/* Coordination of b around a within the first minimum of the reference trajectory's g_ab (the
 * model's without one), in the model's MD and the reference. */
static void write_coordination(FILE *fp, const orc_curves *model, const an_rdf *mg,
                               const an_rdf *rg)
{
    for (int a = 0; a < model->n_species; a++)
        for (int b = 0; b < model->n_species; b++) {
            double R = an_rdf_first_minimum(rg ? rg : mg, a, b);
            double nm = an_rdf_coordination(mg, a, b, R),
                   nr = rg ? an_rdf_coordination(rg, a, b, R) : NAN;
            fprintf(fp, "coordination %s %s %.4f %.5f %.5f\n", al_element_symbol(model->z[a]),
                    al_element_symbol(model->z[b]), R, nm, nr);
            al_info(
                "validate: coordination of %s around %s within %.3f Å: model %.3f, reference %.3f",
                al_element_symbol(model->z[b]), al_element_symbol(model->z[a]), R, nm, nr);
        }
}

static al_status write_summary(orc_run *run, int iteration, const samples *s,
                               const orc_curves *model, const orc_curves *refs, int n_refs,
                               const an_rdf *mg, const an_rdf *rg, al_err *err)
{
    char path[1200], tmp[1300];
    val_path(run, "summary.txt", path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp) return al_fail(err, AL_EIO, "%s: cannot write", tmp);
    const orc_validate *v = &run->c->validate;
    fprintf(fp,
            "# galore validation MD: the final model against its references (Å, ps, atoms/Å³)\n");
    fprintf(
        fp, "model_iteration %d\nmodel_frames %zu\nmodel_density %.6g\nsteps %ld\ntime_ps %.6g\n",
        iteration, model->frames, model->density, s->steps, 1e-3 * (double)s->steps * v->timestep);
    if (s->stopped[0]) fprintf(fp, "stopped_early %s\n", s->stopped);
    for (int k = 0; k < n_refs; k++)
        fprintf(fp, "reference %s %zu %.6g %s\n", refs[k].label, refs[k].frames, refs[k].density,
                k == 0 && v->reference_trajectory[0] ? v->reference_trajectory : v->reference_gr);
    write_rchi(run, fp, model, refs, n_refs);
    if (mg) write_coordination(fp, model, mg, rg);
    if (fclose(fp) != 0 || rename(tmp, path) != 0)
        return al_fail(err, AL_EIO, "%s: cannot write", path);
    return AL_OK;
}

/* validate/trajectory.xyz with the analysed frames, when output.trajectory_max_mb allows. */
static al_status write_trajectory(orc_run *run, const samples *s, al_err *err)
{
    if (!s->n) return AL_OK;
    double need = (double)s->n * (300.0 + 75.0 * (double)s->f[0].n_atoms);
    if (need > run->c->output.trajectory_max_mb * 1e6) {
        al_warn(
            "validate: trajectory not written: %.3g MB exceeds output.trajectory_max_mb = %g MB",
            1e-6 * need, run->c->output.trajectory_max_mb);
        return AL_OK;
    }
    char path[1200], tmp[1300];
    val_path(run, "trajectory.xyz", path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    AL_TRY(err, al_xyz_write_file(tmp, s->f, s->n, err));
    if (rename(tmp, path) != 0) return al_fail(err, AL_EIO, "%s: cannot move into place", path);
    return AL_OK;
}

static void samples_fini(samples *s)
{
    al_frames_free(s->f, s->n);
    al_frame_fini(&s->state);
}

/* g(r), S(k), R_chi and coordination of the samples against the references; every file. */
static al_status analyse(orc_run *run, int iteration, const samples *s, al_err *err)
{
    const orc_validate *v = &run->c->validate;
    orc_curves model, refs[2];
    memset(&model, 0, sizeof model);
    memset(refs, 0, sizeof refs);
    if (!s->n) { /* a result too: the model fails before it can be compared; the summary says so */
        al_warn("validate: the MD left no frame to analyse after the %g fs of equilibration",
                v->equilibration);
        return write_summary(run, iteration, s, &model, refs, 0, NULL, NULL, err);
    }
    an_rdf *mg = NULL, *rg = NULL;
    int n_refs = 0;
    char dir[1200];
    val_path(run, "", dir, sizeof dir);
    al_status st = orc_val_curves_from_frames(v, s->f, s->n, "model", &model, &mg, err);
    if (!st) st = read_references(v, &model, refs, &n_refs, &rg, err);
    if (!st) st = orc_val_write_tables(dir, &model, refs, n_refs, err);
    if (!st) st = write_summary(run, iteration, s, &model, refs, n_refs, mg, rg, err);
    if (!st) st = write_trajectory(run, s, err);
    orc_curves_fini(&model);
    for (int k = 0; k < 2; k++) orc_curves_fini(&refs[k]);
    an_rdf_destroy(mg);
    an_rdf_destroy(rg);
    return st;
}

/* The block files are the trajectory in pieces; once the results are written they go. */
static void remove_blocks(const orc_run *run)
{
    char path[1200], name[64];
    for (long k = 0;; k++) {
        snprintf(name, sizeof name, "md/block_%03ld.xyz", k);
        if (remove(val_path(run, name, path, sizeof path)) != 0) break;
    }
    rmdir(val_path(run, "md", path, sizeof path));
}

al_status orc_stage_validate(orc_run *run, orc_stage *next, al_err *err)
{
    *next = ORC_STAGE_DONE;
    char path[1200];
    if ((mkdir(val_path(run, "", path, sizeof path), 0755) != 0 && errno != EEXIST) ||
        (mkdir(val_path(run, "md", path, sizeof path), 0755) != 0 && errno != EEXIST))
        return al_fail(err, AL_EIO, "%s: cannot create the directory", path);
    gp_model *model = NULL;
    int iteration = 0;
    AL_TRY(err, latest_model(run, &model, &iteration, err));
    if (!model) {
        al_warn(
            "validate: the campaign stopped before its first fit; there is no model to validate");
        orc_json_str(run->stage_event, "skipped", "no model");
        return AL_OK;
    }
    uint64_t seed = al_rng_u64(&run->rng);
    samples s;
    memset(&s, 0, sizeof s);
    al_frame_init(&s.state);
    al_status st = run_md(run, model, seed, &s, err);
    if (!st && s.stopped[0]) al_warn("validate: the MD stopped early: %s", s.stopped);
    if (!st)
        al_info("validate: %ld steps (%.3g ps) with the model of iteration %d, %zu frames analysed",
                s.steps, 1e-3 * (double)s.steps * run->c->validate.timestep, iteration, s.n);
    if (!st) st = analyse(run, iteration, &s, err);
    if (!st) {
        orc_json_int(run->stage_event, "model_iteration", iteration);
        orc_json_int(run->stage_event, "frames", (long)s.n);
        orc_json_int(run->stage_event, "steps", s.steps);
        remove_blocks(run);
    }
    samples_fini(&s);
    gp_model_destroy(model);
    return st;
}
