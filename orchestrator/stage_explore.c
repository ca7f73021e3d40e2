/*
 * The EXPLORE stage of the campaign loop: MD replicas driven by the latest model through the
 * campaign's schedule, the model's uncertainty watched; each replica's candidates written to
 * explore/iter_NNN/replica_R.xyz, renamed into place when complete, so a redone stage skips
 * finished replicas. Under MPI the replicas run on the worker ranks (orchestrator/farm.h) and
 * rank 0 writes what they send back; replica r draws from its own random stream, so the
 * candidates do not depend on where it ran.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/extxyz.h"
#include "core/log.h"
#include "engines/md/md.h"
#include "orchestrator/farm.h"
#include "orchestrator/loop_impl.h"
#include "orchestrator/progress.h"
#include "orchestrator/signals.h"

const char *orc_explore_path(const orc_run *run, int iteration, const char *file, char *buf, size_t n)
{
    char name[128];
    if (file)
        snprintf(name, sizeof name, "explore/iter_%03d/%s", iteration, file);
    else
        snprintf(name, sizeof name, "explore/iter_%03d", iteration);
    return orc_campdir_path(&run->dir, name, buf, n);
}

void orc_explore_md_options(const orc_campaign *c, md_segment *seg, uint64_t seed, md_opts *o)
{
    const orc_explore *e = &c->explore;
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
    o->force_sigma_atoms = (int)e->force_sigma_atoms;
    o->sigma_lo = c->select.uncertainty_min;
    o->sigma_hi = c->select.uncertainty_max;
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
            if (stat(orc_explore_path(run, k, name, path, sizeof path), &sb) == 0) total += (double)sb.st_size;
        }
    return total;
}

/* Bytes replica r's trajectory will take (estimated from its atoms and frames), or 0 when it
 * gets none: no stride, or output.trajectory_max_mb leaves no room beside what is written and
 * `planned` (warning and event). */
static double trajectory_plan(orc_run *run, size_t r, size_t n_atoms, size_t steps, double planned)
{
    long stride = run->c->explore.trajectory_stride;
    if (stride <= 0) return 0;
    double frames = (double)(steps / (size_t)stride + 1);
    double need = frames * (300.0 + 75.0 * (double)n_atoms), used = trajectory_bytes(run) + planned;
    double cap = run->c->output.trajectory_max_mb * 1e6;
    if (used + need > cap) {
        al_warn("explore replica %zu: no trajectory written: %.3g MB more would exceed "
                "output.trajectory_max_mb = %g MB (%.3g MB used)", r, 1e-6 * need,
                run->c->output.trajectory_max_mb, 1e-6 * used);
        orc_json_int(run->stage_event, "trajectories_skipped", 1);
        return 0;
    }
    return need;
}

static const char *replica_file(const orc_run *run, size_t r, const char *suffix, char *buf, size_t n)
{
    char name[64];
    snprintf(name, sizeof name, "replica_%zu%s", r, suffix);
    return orc_explore_path(run, run->st.iteration, name, buf, n);
}

/* Candidates in the file of replica r (finished by an interrupted attempt), or -1 without one. */
static al_status finished_count(const orc_run *run, size_t r, long *count, al_err *err)
{
    char path[1200];
    *count = -1;
    if (access(replica_file(run, r, ".xyz", path, sizeof path), F_OK) != 0) return AL_OK;
    al_frame *c = NULL;
    size_t n = 0;
    AL_TRY(err, al_xyz_read_all(path, &c, &n, err));
    al_frames_free(c, n);
    *count = (long)n;
    return AL_OK;
}

/* Makes replica r's candidates durable (written whole, then renamed) and logs its summary. */
static al_status finish_replica(orc_run *run, size_t r, const al_frame *cand, size_t n, long steps,
                                double time, const char *stop_reason, size_t *total, al_err *err)
{
    char path[1200], tmp[1300];
    snprintf(tmp, sizeof tmp, "%s.tmp", replica_file(run, r, ".xyz", path, sizeof path));
    AL_TRY(err, al_xyz_write_file(tmp, cand, n, err));
    if (rename(tmp, path) != 0) return al_fail(err, AL_EIO, "%s: cannot move into place", path);
    *total += n;
    al_info("explore replica %zu: %ld steps, %.2f ps, %zu candidates%s%s", r, steps, 1e-3 * time, n,
            stop_reason[0] ? "; stopped early: " : "", stop_reason);
    return AL_OK;
}

/* Runs replica r in this process from dataset frame `start`. */
static al_status run_replica(orc_run *run, const md_opts *o, size_t r, size_t start, size_t *total,
                             al_err *err)
{
    al_frame f;
    al_frame_init(&f);
    AL_TRY(err, al_store_read(run->store, start, &f, NULL, err));
    f.labels = 0;
    al_potential pot;
    gp_model_as_potential(run->model, &pot);
    md_replica_spec spec = {*o, (size_t)run->c->explore.replicas, NULL};
    orc_progress prog;
    char name[64], path[1200];
    snprintf(name, sizeof name, "MD replica %zu", r);
    orc_progress_begin(&prog, name, schedule_steps(o));
    spec.base.observe = md_progress;
    spec.base.observe_user = &prog;
    spec.base.observe_every = 10;
    if (trajectory_plan(run, r, f.n_atoms, schedule_steps(o), 0) > 0 &&
        !(spec.base.traj = fopen(replica_file(run, r, ".traj.xyz", path, sizeof path), "w")))
        al_warn("%s: cannot write the trajectory", path);
    spec.base.traj_stride = run->c->explore.trajectory_stride;
    md_result res;
    md_result_init(&res);
    al_status st = md_run_replica(&spec, r, &f, &pot, &res, err);
    if (spec.base.traj && fclose(spec.base.traj) != 0 && !st)
        st = al_fail(err, AL_EIO, "explore replica %zu: cannot finish writing the trajectory", r);
    orc_progress_clear();
    if (!st) st = finish_replica(run, r, res.candidates, res.n_candidates, res.steps, res.time, res.stop_reason, total, err);
    md_result_fini(&res);
    al_frame_fini(&f);
    return st;
}

/* Runs the unfinished replicas one after another in this process. */
static al_status explore_here(orc_run *run, const md_opts *o, const size_t *starts, size_t n_starts,
                              size_t *total, al_err *err)
{
    for (size_t r = 0; r < (size_t)run->c->explore.replicas; r++) {
        long count = -1;
        if (orc_interrupted()) return orc_interrupt_error(err);
        AL_TRY(err, finished_count(run, r, &count, err));
        if (count >= 0)
            *total += (size_t)count;
        else
            AL_TRY(err, run_replica(run, o, r, starts[r % n_starts], total, err));
    }
    return AL_OK;
}

typedef struct farm_explore {
    orc_run *run;
    orc_replica_task *tasks;
    size_t total, done;
    orc_progress prog;
} farm_explore;

static al_status replica_back(size_t k, const orc_replica_outcome *out, void *user, al_err *err)
{
    farm_explore *fe = user;
    size_t r = fe->tasks[k].replica;
    char path[1200];
    if (out->trajectory_len) {
        FILE *fp = fopen(replica_file(fe->run, r, ".traj.xyz", path, sizeof path), "w");
        if (!fp || fwrite(out->trajectory, 1, out->trajectory_len, fp) != out->trajectory_len || fclose(fp) != 0)
            al_warn("%s: cannot write the trajectory", path);
    }
    orc_progress_clear();
    AL_TRY(err, finish_replica(fe->run, r, out->candidates, out->n_candidates, out->steps, out->time,
                               out->stop_reason, &fe->total, err));
    orc_progress_update(&fe->prog, ++fe->done);
    return AL_OK;
}

static bool stop_requested(void) { return orc_interrupted() != 0; }

/* Runs the unfinished replicas on the farm's workers, with the model file of this iteration. */
static al_status explore_on_farm(orc_run *run, const md_opts *o, uint64_t seed, const size_t *starts,
                                 size_t n_starts, size_t *total, al_err *err)
{
    size_t n_rep = (size_t)run->c->explore.replicas, n = 0;
    farm_explore fe = {.run = run, .tasks = al_calloc(n_rep + 1, sizeof *fe.tasks)};
    al_frame *start = al_calloc(n_rep + 1, sizeof *start);
    al_status st = fe.tasks && start ? AL_OK : al_fail(err, AL_ENOMEM, "explore: out of memory");
    double planned = 0;
    for (size_t r = 0; !st && r < n_rep; r++) {
        long count = -1;
        if ((st = finished_count(run, r, &count, err)) || count >= 0) {
            *total += count >= 0 ? (size_t)count : 0;
            continue;
        }
        if ((st = al_store_read(run->store, starts[r % n_starts], &start[n], NULL, err))) break;
        start[n].labels = 0;
        double plan = trajectory_plan(run, r, start[n].n_atoms, schedule_steps(o), planned);
        planned += plan;
        fe.tasks[n] = (orc_replica_task){r, &start[n], plan > 0};
        n++;
    }
    char model[1200], yaml[1200];
    if (!st) st = orc_farm_setup(run->farm, orc_campdir_path(&run->dir, "campaign.yaml", yaml, sizeof yaml), err);
    if (!st && n) {
        orc_progress_begin(&fe.prog, "MD replicas", n);
        st = orc_farm_replicas(run->farm, orc_model_path(run, run->st.iteration, model, sizeof model), seed, fe.tasks,
                               n, replica_back, stop_requested, &fe, err);
        orc_progress_end(&fe.prog);
    }
    *total += fe.total;
    for (size_t k = 0; start && k < n; k++) al_frame_fini(&start[k]);
    al_free(start);
    al_free(fe.tasks);
    return st;
}

al_status orc_stage_explore(orc_run *run, orc_stage *next, al_err *err)
{
    char dir[1200];
    if (mkdir(orc_explore_path(run, run->st.iteration, NULL, dir, sizeof dir), 0755) != 0 && errno != EEXIST)
        return al_fail(err, AL_EIO, "%s: cannot create the directory", dir);
    md_segment seg[ORC_MAX_SEGMENTS];
    md_opts o;
    uint64_t seed = al_rng_u64(&run->rng);
    orc_explore_md_options(run->c, seg, seed, &o);
    size_t *starts = NULL, n_starts = 0, total = 0;
    AL_TRY(err, start_frames(run, &starts, &n_starts, err));
    bool farmed = run->farm && run->farm->n_workers > 0;
    al_status st = farmed ? explore_on_farm(run, &o, seed, starts, n_starts, &total, err)
                          : explore_here(run, &o, starts, n_starts, &total, err);
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
