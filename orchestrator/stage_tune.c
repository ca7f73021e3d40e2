/*
 * Bayesian optimisation of the GAP hyperparameters inside the campaign (bayesopt section):
 * every `tune_every` iterations the FIT stage first searches, fitting on the training frames
 * and scoring on the validation frames drawn at INIT (never the test set); the other
 * iterations fit with the best hyperparameters of the latest search.
 *
 * Search space: the kernel scales and the energy and force regularisation of the gap section,
 * each from a quarter to four times its value on a log scale (Sivaraman et al., npj Comput.
 * Mater. 6, 104 (2020) tune the same kind of quantities), and the SOAP atom width from 0.3 to
 * 0.8 Å. Trials go to bo/iter_NNN.csv, saved after each one (written whole, then renamed), so
 * a resumed campaign continues the search without repeating a trial: a proposal depends only
 * on the trials in the log (gp/bo/bo.h). Under MPI the trials of a batch (bayesopt.batch of
 * them) are fitted side by side on the worker ranks; they enter the log in batch order, so the
 * search is the same on any number of ranks.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/log.h"
#include "gp/bo/bo.h"
#include "gp/bo/bo_gap.h"
#include "orchestrator/farm.h"
#include "orchestrator/loop_impl.h"
#include "orchestrator/signals.h"

al_status orc_tune_space(const orc_gap *g, bo_space *s, al_err *err)
{
    bo_space_init(s);
    if (g->two_body.enabled)
        AL_TRY(err, bo_space_add(s, "two_body.delta", g->two_body.delta / 4, 4 * g->two_body.delta, 1, 0, err));
    if (g->soap.enabled) {
        AL_TRY(err, bo_space_add(s, "soap.delta", g->soap.delta / 4, 4 * g->soap.delta, 1, 0, err));
        AL_TRY(err, bo_space_add(s, "soap.atom_sigma", 0.3, 0.8, 0, 0, err));
    }
    AL_TRY(err, bo_space_add(s, "sigma_energy", g->sigma_energy / 4, 4 * g->sigma_energy, 1, 0, err));
    return bo_space_add(s, "sigma_force", g->sigma_force / 4, 4 * g->sigma_force, 1, 0, err);
}

static al_status save_log(const bo_log *log, const char *path, al_err *err)
{
    char tmp[1300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    AL_TRY(err, bo_log_save(log, tmp, err));
    if (rename(tmp, path) != 0) return al_fail(err, AL_EIO, "%s: cannot move into place", path);
    return AL_OK;
}

/* One batch of proposals in flight: trials are added to the log in batch order as soon as all
 * before them are in, and the log is saved after each, so an interrupted search loses at most
 * the trials still running (the same whether they ran here or on the workers). */
typedef struct trial_batch {
    bo_log *log;
    const char *path;
    size_t budget, q, added;
    bo_trial t[64];
    unsigned char done[64];
    char why[64][256];
} trial_batch;

static al_status add_ready(trial_batch *b, al_err *err)
{
    while (b->added < b->q && b->done[b->added]) {
        size_t k = b->added++;
        if (!b->t[k].ok) al_warn("tuning trial %zu failed: %s", b->log->n + 1, b->why[k]);
        AL_TRY(err, bo_log_add(b->log, &b->t[k], err));
        AL_TRY(err, save_log(b->log, b->path, err));
        al_info("tuning trial %zu/%zu: objective %.6g", b->log->n, b->budget, b->t[k].value);
    }
    return AL_OK;
}

/* Trial k of the batch at point x, fitted in this process. */
static void fit_here(trial_batch *b, size_t k, const double *x, bo_gap_problem *prob)
{
    bo_trial *t = &b->t[k];
    *t = (bo_trial){{0}, NAN, NAN, NAN, 0, 0};
    bo_eval ev;
    al_err trial_err;
    double t0 = al_wtime();
    for (size_t j = 0; j < b->log->space.d; j++) t->x[j] = x[j];
    if (bo_gap_objective(t->x, &ev, prob, &trial_err) == AL_OK)
        t->value = ev.value, t->energy_mae = ev.energy_mae, t->force_mae = ev.force_mae, t->ok = 1;
    else
        snprintf(b->why[k], sizeof b->why[k], "%s", trial_err.msg);
    t->fit_time = al_wtime() - t0;
    b->done[k] = 1;
}

typedef struct farm_batch {
    trial_batch *b;
    const double *x;
} farm_batch;

static al_status trial_back(size_t k, const orc_trial_outcome *o, void *user, al_err *err)
{
    farm_batch *fb = user;
    trial_batch *b = fb->b;
    bo_trial *t = &b->t[k];
    *t = (bo_trial){{0}, o->value, o->energy_mae, o->force_mae, o->fit_time, o->ok};
    for (size_t j = 0; j < b->log->space.d; j++) t->x[j] = fb->x[k * b->log->space.d + j];
    snprintf(b->why[k], sizeof b->why[k], "%s", o->msg);
    b->done[k] = 1;
    return add_ready(b, err);
}

static bool stop_requested(void) { return orc_interrupted() != 0; }

/* Trials until the budget: each batch of proposals fitted here one after another, or on the
 * workers side by side. */
static al_status search(orc_run *run, bo_log *log, bo_gap_problem *prob, const char *path, al_err *err)
{
    const orc_bayesopt *b = &run->c->bayesopt;
    bo_opts o = bo_opts_default();
    o.seed = (unsigned long long)run->c->loop.seed + (unsigned long long)run->st.iteration;
    o.budget = (size_t)b->budget;
    o.batch = (size_t)b->batch;
    o.acq = b->acquisition == 1 ? BO_ACQ_UCB : BO_ACQ_EI;
    o.log_value = 1;
    bool farmed = run->farm && run->farm->n_workers > 0;
    char yaml[1200];
    if (farmed) AL_TRY(err, orc_farm_setup(run->farm, orc_campdir_path(&run->dir, "campaign.yaml", yaml, sizeof yaml), err));
    if (farmed) AL_TRY(err, orc_farm_trial_data(run->farm, prob->train, prob->n_train, prob->valid, prob->n_valid, err));
    double x[BO_MAX_DIM * 64];
    trial_batch *tb = al_calloc(1, sizeof *tb);
    if (!tb) return al_fail(err, AL_ENOMEM, "bayesopt: out of memory");
    al_status st = AL_OK;
    while (!st && log->n < o.budget) {
        size_t q = o.batch < o.budget - log->n ? o.batch : o.budget - log->n;
        if (q > 64) q = 64;
        if ((st = bo_propose(log, &o, q, x, err)) == AL_ENOTFOUND) {   /* every point of an integer space tried */
            st = AL_OK;
            break;
        }
        *tb = (trial_batch){.log = log, .path = path, .budget = o.budget, .q = q};
        if (farmed) {
            farm_batch fb = {tb, x};
            if (!st) st = orc_farm_trials(run->farm, x, q, log->space.d, trial_back, stop_requested, &fb, err);
        }
        for (size_t k = 0; !farmed && !st && k < q; k++) {
            if (orc_interrupted()) st = orc_interrupt_error(err);
            else fit_here(tb, k, x + k * log->space.d, prob), st = add_ready(tb, err);
        }
    }
    al_free(tb);
    return st;
}

al_status orc_tuned_spec(orc_run *run, const al_frame *train, size_t n_train, const al_frame *valid,
                         size_t n_valid, gp_gap_spec *spec, al_err *err)
{
    const orc_bayesopt *b = &run->c->bayesopt;
    if (!b->enabled) return AL_OK;
    int tuned_at = (int)(run->st.iteration / b->tune_every * b->tune_every);
    char dir[1100], name[64], path[1200];
    if (mkdir(orc_campdir_path(&run->dir, "bo", dir, sizeof dir), 0755) != 0 && errno != EEXIST)
        return al_fail(err, AL_EIO, "%s: cannot create the directory", dir);
    snprintf(name, sizeof name, "bo/iter_%03d.csv", tuned_at);
    orc_campdir_path(&run->dir, name, path, sizeof path);
    bo_space space;
    AL_TRY(err, orc_tune_space(&run->c->gap, &space, err));
    bo_log log;
    bo_log_init(&log, &space);
    al_status st = access(path, F_OK) == 0 ? bo_log_load(&log, path, err) : AL_OK;
    if (!st && tuned_at == run->st.iteration) {
        if (n_valid == 0)
            st = al_fail(err, AL_EINVAL, "bayesopt: no labeled validation frame to tune on; raise "
                         "bayesopt.validation_fraction or system.n_initial");
        bo_gap_problem prob = {*spec, &space, train, n_train, valid, n_valid, b->energy_weight, b->force_weight};
        if (!st) st = search(run, &log, &prob, path, err);
    }
    long best = st ? -1 : bo_log_best(&log);
    if (!st && best >= 0) {
        st = bo_gap_apply(spec, &space, log.t[best].x, spec, err);
        orc_json_int(run->stage_event, "tuning_trials", (long)log.n);
        orc_json_num(run->stage_event, "tuning_best", log.t[best].value);
    }
    bo_log_fini(&log);
    return st;
}
