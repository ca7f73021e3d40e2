/* MPI task farm (see farm.h): rank 0's dispatcher and the worker's message loop. */
#include "orchestrator/farm.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "orchestrator/farm_impl.h"
#include "orchestrator/loop_impl.h"

void orc_farm_init(orc_farm *f, const al_comm *comm, int group_size)
{
    int ranks = al_comm_size(comm) - 1;
    f->comm = comm;
    f->group_size = group_size > 1 ? group_size : 1;
    f->n_workers = (ranks + f->group_size - 1) / f->group_size;
    f->set_up = false;
}

int orc_farm_rank(const orc_farm *f, int k) { return 1 + k * f->group_size; }

al_status orc_farm_setup(orc_farm *f, const char *campaign_yaml, al_err *err)
{
    if (f->set_up) return AL_OK;
    for (int k = 0; k < f->n_workers; k++)
        AL_TRY(err, al_comm_send(f->comm, orc_farm_rank(f, k), FARM_TAG_SETUP, campaign_yaml, strlen(campaign_yaml) + 1, err));
    f->set_up = true;
    return AL_OK;
}

void orc_farm_stop(orc_farm *f)
{
    al_err ignored;
    for (int k = 0; f && k < f->n_workers; k++) al_comm_send(f->comm, orc_farm_rank(f, k), FARM_TAG_STOP, "", 1, &ignored);
    if (f) f->n_workers = 0;
}

static al_status send_task(orc_farm *f, const farm_job *job, int worker, size_t i, bool retry, al_err *err)
{
    char *msg = NULL;
    size_t bytes = 0;
    AL_TRY(err, job->pack(job->user, i, retry, &msg, &bytes, err));
    al_status st = al_comm_send(f->comm, worker, job->tag, msg, bytes, err);
    al_free(msg);
    return st;
}

/* Waits for the next reply; *i is its task. */
static al_status next_reply(orc_farm *f, size_t n, char **msg, size_t *bytes, int *from, farm_reply *r,
                            al_err *err)
{
    AL_TRY(err, al_comm_recv(f->comm, -1, FARM_TAG_RESULT, (void **)msg, bytes, from, NULL, err));
    if (*bytes < sizeof *r) return al_fail(err, AL_EMPI, "farm: a reply of %zu bytes from rank %d is too short", *bytes, *from);
    memcpy(r, *msg, sizeof *r);
    r->msg[sizeof r->msg - 1] = '\0';
    if (r->id < 0 || (size_t)r->id >= n) return al_fail(err, AL_EMPI, "farm: rank %d replied to unknown task %d", *from, r->id);
    return AL_OK;
}

al_status farm_run(orc_farm *f, size_t n, const farm_job *job, al_err *err)
{
    size_t next = 0, finished = 0;
    int busy = 0;
    bool stopping = false;
    al_status st = AL_OK;
    for (int k = 0; k < f->n_workers && next < n && !st; k++, busy++)
        st = send_task(f, job, orc_farm_rank(f, k), next++, false, err);
    while (busy > 0) {
        char *msg = NULL;
        size_t bytes = 0;
        int from = 0;
        farm_reply r;
        al_status rs = next_reply(f, n, &msg, &bytes, &from, &r, err);
        if (rs && !msg) return rs;   /* the transport failed: nothing more will come */
        busy--;
        bool retry = false;
        if (!rs) rs = job->take(job->user, (size_t)r.id, &r, msg + sizeof r, bytes - sizeof r, from, &retry, err);
        al_free(msg);
        st = st ? st : rs;
        if (!st && retry) {
            st = send_task(f, job, from, (size_t)r.id, true, err);
            busy += !st;
            continue;
        }
        finished++;
        stopping = stopping || (job->stop && job->stop());
        if (!st && !stopping && next < n) {
            st = send_task(f, job, from, next++, false, err);
            busy += !st;
        }
    }
    if (!st && finished < n) st = al_fail(err, AL_EINTERRUPT, "stopped by a signal; the finished work is saved");
    return st;
}

void farm_send_reply(const al_comm *comm, farm_reply *r, const void *payload, size_t bytes)
{
    al_err err;
    char *out = al_malloc(sizeof *r + bytes + 1);
    if (!out) {   /* still answer, or rank 0 would wait for ever */
        r->status = AL_ENOMEM;
        snprintf(r->msg, sizeof r->msg, "rank %d: out of memory for a reply of %zu bytes", al_comm_rank(comm), bytes);
        al_comm_send(comm, 0, FARM_TAG_RESULT, r, sizeof *r, &err);
        return;
    }
    memcpy(out, r, sizeof *r);
    if (bytes) memcpy(out + sizeof *r, payload, bytes);
    al_comm_send(comm, 0, FARM_TAG_RESULT, out, sizeof *r + bytes, &err);
    al_free(out);
}

static void worker_reset(farm_worker *w)
{
    al_potential_destroy(&w->normal);
    al_potential_destroy(&w->safe);
    memset(&w->normal, 0, sizeof w->normal);
    memset(&w->safe, 0, sizeof w->safe);
    gp_model_destroy(w->model);
    w->model = NULL;
    w->model_path[0] = '\0';
    farm_worker_trials_free(w);
    w->setup_error[0] = w->labeler_error[0] = '\0';
}

/* (Re)loads the campaign of a SETUP and makes its labelers. */
static void worker_setup(farm_worker *w, const char *path)
{
    worker_reset(w);
    al_err e;
    al_err_clear(&e);
    if (!w->campaign && !(w->campaign = al_calloc(1, sizeof *w->campaign))) {
        snprintf(w->setup_error, sizeof w->setup_error, "out of memory for the campaign");
        return;
    }
    if (orc_campaign_load(path, w->campaign, &e)) {
        snprintf(w->setup_error, sizeof w->setup_error, "cannot read the campaign: %s", e.msg);
        return;
    }
    const al_comm *shared = al_comm_size(w->group) > 1 ? w->group : NULL;
    if (orc_labeler_create(w->campaign, shared, &w->normal, &w->safe, &e))
        snprintf(w->labeler_error, sizeof w->labeler_error, "cannot make the labeler: %s", e.msg);
}

/* The next message for this rank: from rank 0 on a group's leader, which passes the ones the
 * whole group acts on (SETUP, LABEL, STOP) to the others; from the leader on the others. */
static al_status next_message(farm_worker *w, void **msg, size_t *bytes, int *tag, al_err *err)
{
    bool grouped = al_comm_size(w->group) > 1;
    struct { int64_t tag, bytes; } head = {0, 0};
    if (w->leader) {
        AL_TRY(err, al_comm_recv(w->comm, 0, -1, msg, bytes, NULL, tag, err));
        bool shared = *tag == FARM_TAG_SETUP || *tag == FARM_TAG_LABEL || *tag == FARM_TAG_STOP;
        if (!grouped || !shared) return AL_OK;
        head.tag = *tag, head.bytes = (int64_t)*bytes;
        AL_TRY(err, al_comm_bcast(w->group, &head, sizeof head, 0, err));
        return al_comm_bcast(w->group, *msg, *bytes, 0, err);
    }
    AL_TRY(err, al_comm_bcast(w->group, &head, sizeof head, 0, err));
    *tag = (int)head.tag;
    *bytes = (size_t)head.bytes;
    if (!(*msg = al_malloc(*bytes + 1))) return al_fail(err, AL_ENOMEM, "farm: out of memory for a message of %zu bytes", *bytes);
    return al_comm_bcast(w->group, *msg, *bytes, 0, err);
}

al_status orc_farm_serve(const al_comm *world, const al_comm *group, al_err *err)
{
    farm_worker w = {.comm = world, .group = group, .leader = al_comm_rank(group) == 0};
    snprintf(w.setup_error, sizeof w.setup_error, "no campaign was set up");
    for (;;) {
        void *msg = NULL;
        size_t bytes = 0;
        int tag = 0;
        AL_TRY(err, next_message(&w, &msg, &bytes, &tag, err));
        if (tag == FARM_TAG_STOP) {
            al_free(msg);
            break;
        }
        if (tag == FARM_TAG_SETUP) worker_setup(&w, msg);
        else if (tag == FARM_TAG_LABEL) farm_worker_label(&w, msg, bytes);
        else if (tag == FARM_TAG_REPLICA) farm_worker_replica(&w, msg, bytes);
        else if (tag == FARM_TAG_TRIALS) farm_worker_trial_data(&w, msg, bytes);
        else if (tag == FARM_TAG_TRIAL) farm_worker_trial(&w, msg, bytes);
        else al_warn("rank %d: ignoring a message with unknown tag %d", al_comm_rank(world), tag);
        al_free(msg);
    }
    worker_reset(&w);
    al_free(w.campaign);
    return AL_OK;
}
