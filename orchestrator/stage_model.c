/*
 * The model stages of the campaign loop: FIT (a GAP on every labeled training frame, written
 * to models/iter_NNN.h5) and EVAL (errors on the test set, which is never trained on; the
 * stopping rules: error targets, iteration and label budgets).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/log.h"
#include "orchestrator/gap_spec.h"
#include "orchestrator/loop_impl.h"

/* Frames of the given role that carry an energy label, read into a new array. */
static al_status read_role(orc_run *run, al_role role, al_frame **frames, size_t *n, al_err *err)
{
    al_store_filter flt = al_store_filter_all();
    flt.roles = 1u << role;
    flt.labels_all = AL_LBL_ENERGY;
    size_t *idx = NULL, m = 0;
    *frames = NULL;
    *n = 0;
    AL_TRY(err, al_store_select(run->store, &flt, &idx, &m, err));
    al_status st = AL_OK;
    *frames = al_calloc(m ? m : 1, sizeof **frames);
    if (!*frames) st = al_fail(err, AL_ENOMEM, "out of memory for %zu frames", m);
    for (size_t k = 0; !st && k < m; k++) {   /* failed labels are absent, so never read */
        al_frame_init(&(*frames)[*n]);
        st = al_store_read(run->store, idx[k], &(*frames)[*n], NULL, err);
        (*n)++;
    }
    al_free(idx);
    return st;
}

static void free_frames(al_frame *frames, size_t n)
{
    for (size_t i = 0; i < n; i++) al_frame_fini(&frames[i]);
    al_free(frames);
}

al_status orc_fit_base_spec(const orc_campaign *c, const al_frame *train, size_t n_train, gp_gap_spec *spec,
                            al_err *err)
{
    int species[AL_MAX_Z];
    int n_species = orc_species_of(train, n_train, species);
    AL_TRY(err, orc_gap_spec(&c->gap, species, n_species, (uint64_t)c->loop.seed, spec, err));
    orc_gap_default_e0(&c->gap, train, n_train, species, n_species, spec);
    return AL_OK;
}

static al_status fit_and_save(orc_run *run, const char *path, al_err *err)
{
    al_frame *train = NULL, *valid = NULL;
    size_t n = 0, n_valid = 0;
    AL_TRY(err, read_role(run, AL_ROLE_TRAIN, &train, &n, err));
    al_status vst = read_role(run, AL_ROLE_VALIDATION, &valid, &n_valid, err);
    if (vst) {
        free_frames(train, n);
        return vst;
    }
    gp_gap_spec spec;
    gp_model *model = NULL;
    double t0 = al_wtime();
    al_status st = n ? AL_OK : al_fail(err, AL_EINVAL, "fit: the training set has no labeled frame");
    if (!st) st = orc_fit_base_spec(run->c, train, n, &spec, err);
    if (!st) st = orc_tuned_spec(run, train, n, valid, n_valid, &spec, err);
    if (!st) st = gp_gap_fit(&spec, train, n, &model, err);
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (!st) st = gp_model_save(model, tmp, err);
    if (!st && rename(tmp, path) != 0) st = al_fail(err, AL_EIO, "%s: cannot move the model into place", path);
    if (!st) {
        orc_json_int(run->stage_event, "train_frames", (long)n);
        orc_json_num(run->stage_event, "fit_seconds", al_wtime() - t0);
        al_info("fit: %zu training frames, %.1f s, model %s", n, al_wtime() - t0, path);
        gp_model_destroy(run->model);
        run->model = model;
        model = NULL;
    }
    gp_model_destroy(model);
    free_frames(train, n);
    free_frames(valid, n_valid);
    return st;
}

al_status orc_stage_fit(orc_run *run, orc_stage *next, al_err *err)
{
    char path[1100];
    orc_model_path(run, run->st.iteration, path, sizeof path);
    *next = ORC_STAGE_EVAL;
    if (access(path, F_OK) == 0) {
        /* An interrupted attempt finished the fit: the file is only renamed into place whole. */
        gp_model_destroy(run->model);
        run->model = NULL;
        return gp_model_load(path, &run->model, err);
    }
    return fit_and_save(run, path, err);
}

/* Test-set errors of run->model into m. */
static al_status test_errors(orc_run *run, orc_iter_metrics *m, al_err *err)
{
    al_frame *test = NULL;
    size_t n = 0;
    AL_TRY(err, read_role(run, AL_ROLE_TEST, &test, &n, err));
    double se = 0, sf = 0, sv = 0;
    size_t ne = 0, nf = 0, nv = 0;
    al_status st = AL_OK;
    for (size_t k = 0; k < n && !st; k++) {
        const al_frame *f = &test[k];
        double (*forces)[3] = al_malloc(f->n_atoms * sizeof *forces), virial[9];
        al_pot_result res = {.forces = forces, .virial = virial};
        st = forces ? gp_model_predict(run->model, f, &res, err) : al_fail(err, AL_ENOMEM, "out of memory");
        double per_atom = 1.0 / (double)f->n_atoms;
        if (!st) {
            se += fabs(res.energy - f->energy) * per_atom, ne++;
            for (size_t i = 0; (f->labels & AL_LBL_FORCES) && i < f->n_atoms; i++)
                for (int c = 0; c < 3; c++) sf += fabs(forces[i][c] - f->forces[i][c]), nf++;
            for (int c = 0; (f->labels & AL_LBL_VIRIAL) && c < 9; c++) {
                double d = (virial[c] - f->virial[c / 3][c % 3]) * per_atom;
                sv += d * d, nv++;
            }
        }
        al_free(forces);
    }
    free_frames(test, n);
    m->energy_mae = ne ? se / (double)ne : NAN;
    m->force_mae = nf ? sf / (double)nf : NAN;
    m->virial_rmse = nv ? sqrt(sv / (double)nv) : NAN;
    return st;
}

/* Sets the stop reason when a target or budget is reached; returns whether it is. */
static int should_stop(orc_run *run, const orc_iter_metrics *m)
{
    const orc_loop *l = &run->c->loop;
    char *why = run->st.stop_reason;
    size_t len = sizeof run->st.stop_reason;
    if (m->energy_mae <= l->target_energy_mae && m->force_mae <= l->target_force_mae)
        snprintf(why, len, "the test errors reached the targets: energy MAE %.4g eV/atom <= %g, "
                 "force MAE %.4g eV/Å <= %g", m->energy_mae, l->target_energy_mae, m->force_mae,
                 l->target_force_mae);
    else if (run->st.iteration >= l->max_iterations)
        snprintf(why, len, "the iteration budget (loop.max_iterations = %ld) is used", l->max_iterations);
    else if (run->st.n_labels >= l->max_labels)
        snprintf(why, len, "the label budget (loop.max_labels = %ld) is used: %ld labels",
                 l->max_labels, run->st.n_labels);
    else
        return 0;
    return 1;
}

al_status orc_stage_eval(orc_run *run, orc_stage *next, al_err *err)
{
    orc_iter_metrics m = {.iteration = run->st.iteration, .n_labels = run->st.n_labels, .fit_seconds = NAN};
    al_store_filter flt = al_store_filter_all();
    flt.roles = 1u << AL_ROLE_TRAIN;
    flt.labels_all = AL_LBL_ENERGY;
    size_t *idx = NULL, n_train = 0;
    AL_TRY(err, al_store_select(run->store, &flt, &idx, &n_train, err));
    al_free(idx);
    m.n_train = (long)n_train;   /* failed frames carry no label, so they are not counted */
    AL_TRY(err, test_errors(run, &m, err));
    AL_TRY(err, orc_state_add_metrics(&run->st, &m, err));
    orc_json_num(run->stage_event, "energy_mae", m.energy_mae);
    orc_json_num(run->stage_event, "force_mae", m.force_mae);
    orc_json_num(run->stage_event, "virial_rmse", m.virial_rmse);
    orc_json_int(run->stage_event, "train_frames", m.n_train);
    al_info("iteration %d: test energy MAE %.2f meV/atom, force MAE %.4f eV/Å, virial RMSE %.2f "
            "meV/atom (%ld training frames)", m.iteration, 1e3 * m.energy_mae, m.force_mae,
            1e3 * m.virial_rmse, m.n_train);
    *next = should_stop(run, &m) ? ORC_STAGE_DONE : ORC_STAGE_EXPLORE;
    return AL_OK;
}
