/*
 * The data stages of the campaign loop: INIT (the initial frames, and the test and validation
 * sets drawn from them once) and LABEL (every unlabeled frame of the iteration, with one retry
 * before a frame is recorded as failed and excluded).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/extxyz.h"
#include "core/log.h"
#include "orchestrator/farm.h"
#include "orchestrator/initial.h"
#include "orchestrator/loop_impl.h"
#include "orchestrator/progress.h"
#include "orchestrator/signals.h"

static al_status read_structure(const char *path, al_frame *out, al_err *err)
{
    al_frame *frames = NULL;
    size_t n = 0;
    AL_TRY(err, al_xyz_read_all(path, &frames, &n, err));
    al_status st = AL_OK;
    if (n == 0)
        st = al_fail(err, AL_EFORMAT, "%s: system.structure has no frame", path);
    else
        st = al_frame_copy(out, &frames[0], err);
    for (size_t i = 0; i < n; i++) al_frame_fini(&frames[i]);
    al_free(frames);
    return st;
}

/* The initial frames of the system section into a new array (*frames, *n). */
static al_status make_initial(orc_run *run, al_frame **frames, size_t *n, al_err *err)
{
    const orc_system *sys = &run->c->system;
    if (sys->initial == ORC_INIT_FILE) return al_xyz_read_all(sys->initial_file, frames, n, err);
    *n = (size_t)sys->n_initial;
    *frames = al_calloc(*n, sizeof **frames);
    if (!*frames) return al_fail(err, AL_ENOMEM, "initial set: out of memory");
    for (size_t i = 0; i < *n; i++) al_frame_init(&(*frames)[i]);
    if (sys->initial == ORC_INIT_RANDOM) {
        double count[ORC_MAX_ELEMENTS];
        for (int s = 0; s < sys->composition.n; s++) count[s] = sys->composition.value[s];
        return orc_initial_random(sys->composition.z, count, sys->composition.n, sys->density,
                                  sys->min_distance, *n, &run->rng, *frames, err);
    }
    al_frame start;
    al_frame_init(&start);
    al_status st = read_structure(sys->structure, &start, err);
    int rep[3] = {(int)sys->supercell.v[0], (int)sys->supercell.v[1], (int)sys->supercell.v[2]};
    if (!st)
        st = orc_initial_rattle(&start, rep, *n, sys->rattle_amplitude, sys->strain_amplitude,
                                &run->rng, *frames, err);
    al_frame_fini(&start);
    return st;
}

/* Roles of n initial frames: test and validation drawn at random once, the rest train. */
static al_status draw_roles(orc_run *run, size_t n, al_role *role, al_err *err)
{
    const orc_campaign *c = run->c;
    size_t n_test = (size_t)lround(c->loop.test_fraction * (double)n);
    size_t n_val = c->bayesopt.enabled ? (size_t)lround(c->bayesopt.validation_fraction * (double)n) : 0;
    if (n_test + n_val >= n)
        return al_fail(err, AL_EINVAL,
                       "initial set: %zu frames leave no training frame after %zu test and %zu "
                       "validation frames; raise system.n_initial or lower loop.test_fraction",
                       n, n_test, n_val);
    size_t *idx = al_malloc(n * sizeof *idx);
    if (!idx) return al_fail(err, AL_ENOMEM, "initial set: out of memory");
    for (size_t i = 0; i < n; i++) idx[i] = i;
    al_rng_shuffle(&run->rng, idx, n);
    for (size_t k = 0; k < n; k++)
        role[idx[k]] = k < n_test ? AL_ROLE_TEST : k < n_test + n_val ? AL_ROLE_VALIDATION : AL_ROLE_TRAIN;
    al_free(idx);
    orc_json_int(run->stage_event, "frames", (long)n);
    orc_json_int(run->stage_event, "test", (long)n_test);
    orc_json_int(run->stage_event, "validation", (long)n_val);
    return AL_OK;
}

al_status orc_stage_init(orc_run *run, orc_stage *next, al_err *err)
{
    al_frame *frames = NULL;
    size_t n = 0;
    al_role *role = NULL;
    al_status st = make_initial(run, &frames, &n, err);
    if (!st && n == 0) st = al_fail(err, AL_EINVAL, "initial set: no frames");
    if (!st && !(role = al_malloc(n * sizeof *role))) st = al_fail(err, AL_ENOMEM, "initial set: out of memory");
    if (!st) st = draw_roles(run, n, role, err);
    /* A redone INIT skips the frames an interrupted attempt had already committed. */
    size_t done = al_store_count(run->store) - run->st.stage_first_frame;
    for (size_t i = done; !st && i < n; i++) {
        al_store_meta meta = {role[i], 0};
        st = al_store_append(run->store, &frames[i], &meta, NULL, err);
    }
    for (size_t i = 0; i < n; i++) al_frame_fini(&frames[i]);
    al_free(frames);
    al_free(role);
    *next = ORC_STAGE_LABEL;
    return st;
}

/* Energy, forces and virial of f from labeler p, into f's labels. */
static al_status label_frame(const al_potential *p, al_frame *f, al_err *err)
{
    AL_TRY(err, al_frame_alloc_forces(f, err));
    double virial[9];
    al_pot_result res = {.forces = f->forces, .virial = virial};
    AL_TRY(err, al_potential_compute(p, f, &res, err));
    f->energy = res.energy;
    memcpy(f->virial, virial, sizeof virial);
    f->labels = AL_LBL_ENERGY | AL_LBL_FORCES | AL_LBL_VIRIAL;
    return AL_OK;
}

/* Labels one stored frame; a failure is retried once, then recorded. */
static al_status label_one(orc_run *run, size_t index, size_t k, size_t n, long *failed, al_err *err)
{
    al_frame f;
    al_frame_init(&f);
    AL_TRY(err, al_store_read(run->store, index, &f, NULL, err));
    double t0 = al_wtime();
    al_err first;
    al_status st = label_frame(&run->labeler, &f, &first);
    if (st) {
        const al_potential *retry = run->labeler_safe.ops ? &run->labeler_safe : &run->labeler;
        al_warn("label of frame %zu failed (%s); retrying once%s", index, first.msg,
                run->labeler_safe.ops ? " with safer settings" : "");
        st = label_frame(retry, &f, err);
    }
    if (st) {
        al_error("label of frame %zu failed twice (%s); it is excluded from fits", index, err->msg);
        orc_run_notify(run, "failure", NULL, "iteration %d: the label of frame %zu failed twice (%s); "
                       "it is excluded from fits", run->st.iteration, index, err->msg);
        (*failed)++;
        al_frame_fini(&f);
        return orc_state_add_failed(&run->st, index, err);
    }
    st = al_store_set_labels(run->store, index, &f, err);
    if (!st)
        al_info("label %zu/%zu: frame %zu, %zu atoms, E = %.6f eV (%.2f s)", k + 1, n, index,
                f.n_atoms, f.energy, al_wtime() - t0);
    al_frame_fini(&f);
    return st;
}

/* A farmed label is back: commit it, or record the failure (after its retry). */
static al_status farm_done(size_t i, al_frame *labeled, al_status st, const char *msg, void *user, al_err *err)
{
    orc_run *run = user;
    size_t index = run->farm_index[i];
    if (st) {
        al_error("label of frame %zu failed twice (%s); it is excluded from fits", index, msg);
        orc_run_notify(run, "failure", NULL, "iteration %d: the label of frame %zu failed twice (%s); "
                       "it is excluded from fits", run->st.iteration, index, msg);
        run->farm_failed++;
        orc_progress_update(&run->farm_progress, ++run->farm_done);
        return orc_state_add_failed(&run->st, index, err);
    }
    orc_progress_clear();
    al_info("label: frame %zu, %zu atoms, E = %.6f eV", index, labeled->n_atoms, labeled->energy);
    AL_TRY(err, al_store_set_labels(run->store, index, labeled, err));
    orc_progress_update(&run->farm_progress, ++run->farm_done);
    return AL_OK;
}

static bool farm_stop(void) { return orc_interrupted() != 0; }

/* Labels the frames idx[0..n) (not failed) on the farm's workers. */
static al_status label_on_farm(orc_run *run, const size_t *idx, size_t n, long *todo, long *failed, al_err *err)
{
    char path[1100];
    AL_TRY(err, orc_farm_setup(run->farm, orc_campdir_path(&run->dir, "campaign.yaml", path, sizeof path), err));
    al_frame *frames = al_calloc(n + 1, sizeof *frames);
    run->farm_index = al_malloc((n + 1) * sizeof *run->farm_index);
    size_t m = 0;
    al_status st = frames && run->farm_index ? AL_OK : al_fail(err, AL_ENOMEM, "label: out of memory");
    for (size_t k = 0; !st && k < n; k++) {
        if (orc_state_is_failed(&run->st, idx[k])) continue;
        run->farm_index[m] = idx[k];
        st = al_store_read(run->store, idx[k], &frames[m++], NULL, err);
    }
    run->farm_failed = 0;
    run->farm_done = 0;
    orc_progress_begin(&run->farm_progress, "labels", m);
    if (!st) st = orc_farm_label(run->farm, frames, m, farm_done, farm_stop, run, err);
    orc_progress_end(&run->farm_progress);
    *todo = (long)m;
    *failed = run->farm_failed;
    for (size_t k = 0; frames && k < m; k++) al_frame_fini(&frames[k]);
    al_free(frames);
    al_free(run->farm_index);
    run->farm_index = NULL;
    return st;
}

al_status orc_stage_label(orc_run *run, orc_stage *next, al_err *err)
{
    al_store_filter flt = al_store_filter_all();
    flt.iter_min = flt.iter_max = run->st.iteration;
    flt.labeled = 0;
    size_t *idx = NULL, n = 0;
    AL_TRY(err, al_store_select(run->store, &flt, &idx, &n, err));
    al_status st = AL_OK;
    long failed = 0, todo = 0;
    if (run->farm && run->farm->n_workers > 0) {
        st = label_on_farm(run, idx, n, &todo, &failed, err);
        n = 0;   /* nothing left for the loop below */
    }
    orc_progress prog;
    if (n) orc_progress_begin(&prog, "labels", n);
    for (size_t k = 0; k < n && !st; k++) {
        if (orc_interrupted()) st = orc_interrupt_error(err);
        if (st || orc_state_is_failed(&run->st, idx[k])) continue;
        todo++;
        st = label_one(run, idx[k], k, n, &failed, err);
        orc_progress_update(&prog, k + 1);
    }
    if (n) orc_progress_end(&prog);
    al_free(idx);
    /* The label count is the dataset's, so labels committed by a killed attempt count too. */
    flt = al_store_filter_all();
    flt.labeled = 1;
    if (!st) st = al_store_select(run->store, &flt, &idx, &n, err);
    al_free(idx);
    run->st.n_labels = (long)n;
    orc_json_int(run->stage_event, "labeled", todo - failed);
    orc_json_int(run->stage_event, "failed", failed);
    orc_json_int(run->stage_event, "labels_total", run->st.n_labels);
    *next = ORC_STAGE_FIT;
    return st;
}
