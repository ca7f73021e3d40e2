/*
 * The exploration stages of the campaign loop: EXPLORE (MD replicas driven by the latest model
 * through the campaign's schedule, the model's uncertainty watched; each replica's candidates
 * written to explore/iter_NNN/replica_R.xyz, renamed into place when complete, so a redone
 * stage skips finished replicas) and SELECT (uncertainty window, then diversity among the
 * survivors, then the per-iteration budget; the picks join the dataset as training frames of
 * the next iteration, each with the reason it was picked).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/extxyz.h"
#include "core/log.h"
#include "engines/md/md.h"
#include "orchestrator/gap_spec.h"
#include "orchestrator/loop_impl.h"
#include "orchestrator/progress.h"
#include "orchestrator/signals.h"
#include "orchestrator/summary.h"
#include "selectors/sel.h"

static const char *explore_path(const orc_run *run, int iteration, const char *file, char *buf,
                                size_t n)
{
    char name[128];
    if (file)
        snprintf(name, sizeof name, "explore/iter_%03d/%s", iteration, file);
    else
        snprintf(name, sizeof name, "explore/iter_%03d", iteration);
    return orc_campdir_path(&run->dir, name, buf, n);
}

/* MD options of the campaign's explore and select sections. */
static void md_options(const orc_run *run, md_segment *seg, uint64_t seed, md_opts *o)
{
    const orc_explore *e = &run->c->explore;
    *o = md_opts_default();
    o->dt = e->timestep;
    o->ensemble = (md_ensemble)e->ensemble;
    o->thermostat = (md_thermostat)e->thermostat;
    o->thermostat_period = e->thermostat_period;
    o->barostat_period = e->barostat_period;
    o->cell_mode = (md_cell_mode)e->cell_mode;
    o->nh_chain = (int)e->chain_length;
    for (int s = 0; s < e->schedule.n; s++) {
        const orc_segment *g = &e->schedule.seg[s];
        int hold = g->kind == ORC_SEG_HOLD;
        seg[s] = (md_segment){hold ? g->temperature : g->t_start, hold ? g->temperature : g->t_end,
                              g->duration, g->pressure, g->sample_every};
    }
    o->segments = seg;
    o->n_segments = (size_t)e->schedule.n;
    o->seed = seed;
    o->check_every = e->check_every;
    o->sigma_lo = run->c->select.uncertainty_min;
    o->sigma_hi = run->c->select.uncertainty_max;
    o->min_distance = e->min_distance;
    o->max_energy_jump = e->max_energy_jump;
}

/* Start frames of the replicas: the initial set's training frames, in dataset order. */
static al_status start_frames(orc_run *run, size_t **idx, size_t *n, al_err *err)
{
    al_store_filter flt = al_store_filter_all();
    flt.roles = 1u << AL_ROLE_TRAIN;
    flt.iter_min = flt.iter_max = 0;
    AL_TRY(err, al_store_select(run->store, &flt, idx, n, err));
    if (*n == 0) return al_fail(err, AL_EINVAL, "explore: the initial set has no training frame to start from");
    return AL_OK;
}

static void md_progress(const md_thermo *th, void *user) { orc_progress_update(user, (size_t)th->step); }

/* Steps of the schedule (each segment a whole number of steps, at least one). */
static size_t schedule_steps(const md_opts *o)
{
    size_t n = 0;
    for (size_t s = 0; s < o->n_segments; s++) {
        long k = lround(o->segments[s].duration / o->dt);
        n += (size_t)(k > 0 ? k : 1);
    }
    return n;
}

/* Bytes of the trajectory files written so far in this campaign (replica_R.traj.xyz files). */
static double trajectory_bytes(const orc_run *run)
{
    double total = 0;
    for (int k = 0; k <= run->st.iteration; k++)
        for (long r = 0; r < run->c->explore.replicas; r++) {
            char path[1200], name[64];
            struct stat sb;
            snprintf(name, sizeof name, "replica_%ld.traj.xyz", r);
            if (stat(explore_path(run, k, name, path, sizeof path), &sb) == 0) total += (double)sb.st_size;
        }
    return total;
}

/* The trajectory file of replica r when output.trajectory_max_mb leaves room for it (its size
 * estimated from the atoms and frames it will hold), else NULL with a warning. */
static FILE *open_trajectory(orc_run *run, size_t r, size_t n_atoms, size_t steps, al_err *err)
{
    long stride = run->c->explore.trajectory_stride;
    if (stride <= 0) return NULL;
    double frames = (double)(steps / (size_t)stride + 1);
    double need = frames * (300.0 + 75.0 * (double)n_atoms), used = trajectory_bytes(run);
    double cap = run->c->output.trajectory_max_mb * 1e6;
    if (used + need > cap) {
        al_warn("explore replica %zu: no trajectory written: %.3g MB more would exceed "
                "output.trajectory_max_mb = %g MB (%.3g MB used)", r, 1e-6 * need,
                run->c->output.trajectory_max_mb, 1e-6 * used);
        orc_json_int(run->stage_event, "trajectories_skipped", 1);
        return NULL;
    }
    char path[1200], name[64];
    snprintf(name, sizeof name, "replica_%zu.traj.xyz", r);
    FILE *fp = fopen(explore_path(run, run->st.iteration, name, path, sizeof path), "w");
    if (!fp) al_fail(err, AL_EIO, "%s: cannot write the trajectory", path);
    return fp;
}

/* Runs replica r unless its candidates file exists; adds its candidate count to *total. */
static al_status run_replica(orc_run *run, const md_opts *o, size_t r, size_t start, size_t *total,
                             al_err *err)
{
    char path[1200], tmp[1300], name[64];
    snprintf(name, sizeof name, "replica_%zu.xyz", r);
    explore_path(run, run->st.iteration, name, path, sizeof path);
    if (access(path, F_OK) == 0) {   /* finished by an interrupted attempt */
        al_frame *c = NULL;
        size_t n = 0;
        AL_TRY(err, al_xyz_read_all(path, &c, &n, err));
        for (size_t i = 0; i < n; i++) al_frame_fini(&c[i]);
        al_free(c);
        *total += n;
        return AL_OK;
    }
    al_frame f;
    al_frame_init(&f);
    AL_TRY(err, al_store_read(run->store, start, &f, NULL, err));
    f.labels = 0;
    al_potential pot;
    gp_model_as_potential(run->model, &pot);
    md_replica_spec spec = {*o, (size_t)run->c->explore.replicas, NULL};
    orc_progress prog;
    snprintf(name, sizeof name, "MD replica %zu", r);
    orc_progress_begin(&prog, name, schedule_steps(o));
    spec.base.observe = md_progress;
    spec.base.observe_user = &prog;
    spec.base.observe_every = 10;
    al_err terr;
    al_err_clear(&terr);
    spec.base.traj = open_trajectory(run, r, f.n_atoms, schedule_steps(o), &terr);
    spec.base.traj_stride = run->c->explore.trajectory_stride;
    if (run->c->explore.trajectory_stride > 0 && !spec.base.traj && terr.code) al_warn("%s", terr.msg);
    md_result res;
    md_result_init(&res);
    al_status st = md_run_replica(&spec, r, &f, &pot, &res, err);
    if (spec.base.traj && fclose(spec.base.traj) != 0 && !st)
        st = al_fail(err, AL_EIO, "explore replica %zu: cannot finish writing the trajectory", r);
    orc_progress_clear();
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (!st) st = al_xyz_write_file(tmp, res.candidates, res.n_candidates, err);
    if (!st && rename(tmp, path) != 0) st = al_fail(err, AL_EIO, "%s: cannot move into place", path);
    if (!st) {
        *total += res.n_candidates;
        al_info("explore replica %zu: %ld steps, %.2f ps, %zu candidates%s%s", r, res.steps,
                1e-3 * res.time, res.n_candidates, res.stop ? "; stopped early: " : "", res.stop_reason);
    }
    md_result_fini(&res);
    al_frame_fini(&f);
    return st;
}

al_status orc_stage_explore(orc_run *run, orc_stage *next, al_err *err)
{
    char dir[1200];
    if (mkdir(explore_path(run, run->st.iteration, NULL, dir, sizeof dir), 0755) != 0 && errno != EEXIST)
        return al_fail(err, AL_EIO, "%s: cannot create the directory", dir);
    md_segment seg[ORC_MAX_SEGMENTS];
    md_opts o;
    md_options(run, seg, al_rng_u64(&run->rng), &o);
    size_t *starts = NULL, n_starts = 0, total = 0;
    AL_TRY(err, start_frames(run, &starts, &n_starts, err));
    al_status st = AL_OK;
    for (size_t r = 0; r < (size_t)run->c->explore.replicas && !st; r++)
        st = orc_interrupted() ? orc_interrupt_error(err)
                               : run_replica(run, &o, r, starts[r % n_starts], &total, err);
    al_free(starts);
    if (st) return st;
    orc_json_int(run->stage_event, "candidates", (long)total);
    *next = ORC_STAGE_SELECT;
    if (total == 0) {
        snprintf(run->st.stop_reason, sizeof run->st.stop_reason,
                 "converged: exploration found no configuration with an uncertainty above %g eV/atom",
                 run->c->select.uncertainty_min);
        *next = ORC_STAGE_DONE;
    }
    return AL_OK;
}

/* Every candidate of this iteration's replicas, in replica order. */
static al_status read_candidates(orc_run *run, al_frame **cand, size_t *n, al_err *err)
{
    *cand = NULL;
    *n = 0;
    for (size_t r = 0; r < (size_t)run->c->explore.replicas; r++) {
        char path[1200], name[64];
        snprintf(name, sizeof name, "replica_%zu.xyz", r);
        al_frame *c = NULL;
        size_t m = 0;
        AL_TRY(err, al_xyz_read_all(explore_path(run, run->st.iteration, name, path, sizeof path), &c, &m, err));
        al_frame *all = al_realloc(*cand, (*n + m + 1) * sizeof *all);
        if (!all) {
            for (size_t i = 0; i < m; i++) al_frame_fini(&c[i]);
            al_free(c);
            return al_fail(err, AL_ENOMEM, "select: out of memory");
        }
        memcpy(all + *n, c, m * sizeof *c);   /* the frames move; their arrays stay */
        al_free(c);
        *cand = all;
        *n += m;
    }
    return AL_OK;
}

/* Summary rows of frames (n × dim) into a new array. */
static al_status summaries(orc_summary *s, const al_frame *frames, size_t n, double **rows, al_err *err)
{
    size_t dim = orc_summary_dim(s);
    *rows = al_malloc((n ? n : 1) * dim * sizeof **rows);
    if (!*rows) return al_fail(err, AL_ENOMEM, "select: out of memory for descriptor summaries");
    for (size_t i = 0; i < n; i++) AL_TRY(err, orc_summary_row(s, &frames[i], *rows + i * dim, err));
    return AL_OK;
}

/* Stages of the campaign's select section. */
/* Stages of the campaign's select section: the window, then the diversity stage; without one
 * ("none") the most uncertain survivors. */
static size_t stage_names(const orc_select *s, const char **names)
{
    static const char *const diversity[] = {"cur", "fps", "random", "top"};
    size_t k = 0;
    names[k++] = "window";
    names[k++] = diversity[s->diversity >= 0 && s->diversity < 4 ? s->diversity : 3];
    return k;
}

static al_status append_picks(orc_run *run, al_frame *cand, const sel_result *picks, al_err *err)
{
    size_t done = al_store_count(run->store) - run->st.stage_first_frame;
    for (size_t k = done; k < picks->n; k++) {
        const sel_pick *p = &picks->picks[k];
        al_frame *f = &cand[p->index];
        AL_TRY(err, al_info_set_str(&f->info, "selected_by", sel_reason_name(p->reason), err));
        AL_TRY(err, al_info_set_real(&f->info, "selection_score", p->score, err));
        AL_TRY(err, al_info_set_int(&f->info, "explore_iteration", run->st.iteration, err));
        al_store_meta meta = {AL_ROLE_TRAIN, run->st.iteration + 1};
        AL_TRY(err, al_store_append(run->store, f, &meta, NULL, err));
    }
    return AL_OK;
}

/* Runs the selection pipeline on the candidates; the picks go to out. */
static al_status choose(orc_run *run, al_frame *cand, size_t n, sel_result *out, al_err *err)
{
    al_frame *train = NULL;
    size_t n_train = 0;
    al_store_filter flt = al_store_filter_all();
    flt.roles = 1u << AL_ROLE_TRAIN;
    flt.labels_all = AL_LBL_ENERGY;
    size_t *idx = NULL;
    AL_TRY(err, al_store_select(run->store, &flt, &idx, &n_train, err));
    al_status st = (train = al_calloc(n_train + 1, sizeof *train)) ? AL_OK : al_fail(err, AL_ENOMEM, "select: out of memory");
    for (size_t k = 0; !st && k < n_train; k++) st = al_store_read(run->store, idx[k], &train[k], NULL, err);
    al_free(idx);
    int species[AL_MAX_Z];
    int n_species = orc_species_of(train, n_train, species);
    orc_summary *sum = NULL;
    double *u = al_malloc((n + 1) * sizeof *u), *rows = NULL, *train_rows = NULL;
    for (size_t i = 0; u && i < n; i++)
        if (!al_info_get_real(&cand[i].info, "md_uncertainty", &u[i])) u[i] = INFINITY;
    if (!st && !u) st = al_fail(err, AL_ENOMEM, "select: out of memory");
    if (!st) st = orc_summary_create(&run->c->gap.soap, species, n_species, &sum, err);
    if (!st) st = summaries(sum, cand, n, &rows, err);
    if (!st) st = summaries(sum, train, n_train, &train_rows, err);
    if (!st) {
        sel_input in = {n, u, orc_summary_dim(sum), rows, n_train, train_rows};
        sel_params p = sel_params_default();
        p.u_min = run->c->select.uncertainty_min;
        p.u_max = run->c->select.uncertainty_max;
        p.above_max = (sel_above)run->c->select.above_max;
        p.cur_mode = run->c->select.cur_variant == 1 ? SEL_CUR_RANDOM : SEL_CUR_GREEDY;
        p.rng = &run->rng;
        const char *names[2];
        size_t n_stages = stage_names(&run->c->select, names);
        st = sel_run(&in, &p, names, n_stages, (size_t)run->c->select.per_iteration, out, err);
    }
    orc_summary_destroy(sum);
    al_free(u);
    al_free(rows);
    al_free(train_rows);
    for (size_t k = 0; train && k < n_train; k++) al_frame_fini(&train[k]);
    al_free(train);
    return st;
}

al_status orc_stage_select(orc_run *run, orc_stage *next, al_err *err)
{
    al_frame *cand = NULL;
    size_t n = 0;
    AL_TRY(err, read_candidates(run, &cand, &n, err));
    sel_result picks;
    sel_result_init(&picks);
    al_status st = n ? choose(run, cand, n, &picks, err) : AL_OK;
    if (!st) st = append_picks(run, cand, &picks, err);
    if (!st) {
        orc_json_int(run->stage_event, "candidates", (long)n);
        orc_json_int(run->stage_event, "selected", (long)picks.n);
        al_info("select: %zu of %zu candidates", picks.n, n);
    }
    *next = ORC_STAGE_LABEL;
    if (!st && picks.n == 0) {
        snprintf(run->st.stop_reason, sizeof run->st.stop_reason,
                 "converged: no candidate within the uncertainty window [%g, %g] eV/atom",
                 run->c->select.uncertainty_min, run->c->select.uncertainty_max);
        *next = ORC_STAGE_DONE;
    }
    sel_result_fini(&picks);
    for (size_t i = 0; i < n; i++) al_frame_fini(&cand[i]);
    al_free(cand);
    return st;
}
