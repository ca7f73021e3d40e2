/* Trial fits of a hyperparameter search on the task farm (farm.h). The training and validation
 * frames go to every worker once per search (as extended XYZ text); each worker rebuilds the
 * base hyperparameters and the search space from the campaign exactly as rank 0 does, so a
 * trial is then just its point x. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/extxyz.h"
#include "core/log.h"
#include "gp/bo/bo_gap.h"
#include "orchestrator/farm_impl.h"
#include "orchestrator/loop_impl.h"

typedef struct farm_trials {
    al_frame *train, *valid;
    size_t n_train, n_valid;
    bo_space space;
    bo_gap_problem problem;
    char error[256];           /* why the data could not be set up; "" when it could */
} farm_trials;

typedef struct data_head {
    uint64_t train_len, valid_len;
} data_head;   /* followed by the training and the validation frames' text */

typedef struct trial_head {
    int32_t id, d;
} trial_head;  /* followed by d doubles */

typedef struct trial_body {
    double value, energy_mae, force_mae, fit_time;
} trial_body;

al_status orc_farm_trial_data(orc_farm *f, const al_frame *train, size_t n_train, const al_frame *valid,
                              size_t n_valid, al_err *err)
{
    char *tt = NULL, *vt = NULL, *msg = NULL;
    size_t tl = 0, vl = 0;
    al_status st = al_xyz_write_buffer(train, n_train, &tt, &tl, err);
    if (!st) st = al_xyz_write_buffer(valid, n_valid, &vt, &vl, err);
    data_head h = {tl, vl};
    if (!st && !(msg = al_malloc(sizeof h + tl + vl + 1))) st = al_fail(err, AL_ENOMEM, "farm: out of memory for the tuning data");
    if (!st) {
        memcpy(msg, &h, sizeof h);
        memcpy(msg + sizeof h, tt, tl);
        memcpy(msg + sizeof h + tl, vt, vl);
    }
    for (int k = 0; !st && k < f->n_workers; k++)
        st = al_comm_send(f->comm, orc_farm_rank(f, k), FARM_TAG_TRIALS, msg, sizeof h + tl + vl, err);
    al_free(tt);
    al_free(vt);
    al_free(msg);
    return st;
}

typedef struct trial_job {
    const double *x;
    size_t d;
    orc_farm_trial_done done;
    void *user;
} trial_job;

static al_status pack_trial(void *user, size_t i, bool retry, char **msg, size_t *bytes, al_err *err)
{
    (void)retry;
    const trial_job *job = user;
    trial_head h = {(int32_t)i, (int32_t)job->d};
    *bytes = sizeof h + job->d * sizeof(double);
    if (!(*msg = al_malloc(*bytes))) return al_fail(err, AL_ENOMEM, "farm: out of memory for a trial");
    memcpy(*msg, &h, sizeof h);
    memcpy(*msg + sizeof h, job->x + i * job->d, job->d * sizeof(double));
    return AL_OK;
}

static al_status take_trial(void *user, size_t i, const farm_reply *r, const char *payload, size_t bytes,
                            int from, bool *retry, al_err *err)
{
    (void)retry;
    const trial_job *job = user;
    orc_trial_outcome t = {0, NAN, NAN, NAN, NAN, ""};
    trial_body b;
    if (!r->status && bytes != sizeof b)
        return al_fail(err, AL_EMPI, "farm: a trial reply of %zu bytes from rank %d", bytes, from);
    if (!r->status) {
        memcpy(&b, payload, sizeof b);
        t = (orc_trial_outcome){1, b.value, b.energy_mae, b.force_mae, b.fit_time, ""};
    } else {
        snprintf(t.msg, sizeof t.msg, "%s", r->msg);
        if (bytes == sizeof b) memcpy(&t.fit_time, &((const trial_body *)payload)->fit_time, sizeof t.fit_time);
    }
    return job->done(i, &t, job->user, err);
}

al_status orc_farm_trials(orc_farm *f, const double *x, size_t q, size_t d, orc_farm_trial_done done,
                          orc_farm_stop_check stop, void *user, al_err *err)
{
    trial_job job = {x, d, done, user};
    farm_job fj = {FARM_TAG_TRIAL, pack_trial, take_trial, stop, &job};
    return farm_run(f, q, &fj, err);
}

void farm_worker_trials_free(farm_worker *w)
{
    if (!w->trials) return;
    al_frames_free(w->trials->train, w->trials->n_train);
    al_frames_free(w->trials->valid, w->trials->n_valid);
    al_free(w->trials);
    w->trials = NULL;
}

/* The search's frames, base hyperparameters and space, as rank 0 has them. */
static al_status setup_trials(farm_worker *w, farm_trials *t, const char *msg, size_t bytes, al_err *err)
{
    if (w->setup_error[0]) return al_fail(err, AL_EINVAL, "%s", w->setup_error);
    data_head h;
    if (bytes < sizeof h) return al_fail(err, AL_EMPI, "tuning data of %zu bytes", bytes);
    memcpy(&h, msg, sizeof h);
    if (bytes != sizeof h + h.train_len + h.valid_len) return al_fail(err, AL_EMPI, "tuning data of %zu bytes does not add up", bytes);
    AL_TRY(err, al_xyz_read_buffer(msg + sizeof h, h.train_len, "training frames", &t->train, &t->n_train, err));
    AL_TRY(err, al_xyz_read_buffer(msg + sizeof h + h.train_len, h.valid_len, "validation frames", &t->valid, &t->n_valid, err));
    gp_gap_spec base;
    AL_TRY(err, orc_fit_base_spec(w->campaign, t->train, t->n_train, &base, err));
    AL_TRY(err, orc_tune_space(&w->campaign->gap, &t->space, err));
    const orc_bayesopt *b = &w->campaign->bayesopt;
    t->problem = (bo_gap_problem){base, &t->space, t->train, t->n_train, t->valid, t->n_valid,
                                  b->energy_weight, b->force_weight};
    return AL_OK;
}

void farm_worker_trial_data(farm_worker *w, const char *msg, size_t bytes)
{
    farm_worker_trials_free(w);
    if (!(w->trials = al_calloc(1, sizeof *w->trials))) return;   /* every trial will say so */
    al_err err;
    al_err_clear(&err);
    if (setup_trials(w, w->trials, msg, bytes, &err))
        snprintf(w->trials->error, sizeof w->trials->error, "cannot set up the tuning data: %s", err.msg);
}

void farm_worker_trial(farm_worker *w, const char *msg, size_t bytes)
{
    trial_head h;
    memcpy(&h, msg, sizeof h);
    farm_reply r = {h.id, AL_OK, ""};
    trial_body b = {NAN, NAN, NAN, 0};
    al_err err;
    al_err_clear(&err);
    double t0 = al_wtime();
    al_status st = !w->trials ? al_fail(&err, AL_ENOMEM, "no tuning data (out of memory?)")
                 : w->trials->error[0] ? al_fail(&err, AL_EINVAL, "%s", w->trials->error)
                 : h.d < 1 || (size_t)h.d != w->trials->space.d || bytes != sizeof h + (size_t)h.d * sizeof(double)
                     ? al_fail(&err, AL_EMPI, "a trial of %d parameters does not fit the search space", h.d)
                     : AL_OK;
    if (!st) {
        double x[BO_MAX_DIM];
        memcpy(x, msg + sizeof h, (size_t)h.d * sizeof(double));
        bo_eval ev;
        st = bo_gap_objective(x, &ev, &w->trials->problem, &err);
        if (!st) b = (trial_body){ev.value, ev.energy_mae, ev.force_mae, 0};
    }
    b.fit_time = al_wtime() - t0;
    if (st) {
        r.status = st;
        snprintf(r.msg, sizeof r.msg, "rank %d: %s", al_comm_rank(w->comm), err.msg);
    }
    farm_send_reply(w->comm, &r, &b, sizeof b);
}
