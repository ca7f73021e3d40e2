/* MD replicas of the explore stage on the task farm (farm.h): the start frame and model path go
 * out, the candidates and trajectory come back as extended XYZ text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/extxyz.h"
#include "engines/md/md.h"
#include "orchestrator/farm_impl.h"
#include "orchestrator/loop_impl.h"

typedef struct replica_head {
    int32_t id, replica, trajectory, pad;
    uint64_t seed, path_len, frame_len;
} replica_head;   /* followed by the model path and the start frame's text */

typedef struct replica_body {
    int64_t steps;
    double time;
    char stop_reason[256];
    uint64_t candidates_len, trajectory_len;
} replica_body;   /* followed by the candidates' text and the trajectory's text */

typedef struct replica_job {
    const char *model_path;
    uint64_t seed;
    const orc_replica_task *tasks;
    orc_farm_replica_done done;
    void *user;
} replica_job;

static al_status pack_replica(void *user, size_t i, bool retry, char **msg, size_t *bytes, al_err *err)
{
    (void)retry;
    const replica_job *job = user;
    const orc_replica_task *t = &job->tasks[i];
    char *frame = NULL;
    size_t frame_len = 0, path_len = strlen(job->model_path);
    AL_TRY(err, al_xyz_write_buffer(t->start, 1, &frame, &frame_len, err));
    replica_head h = {(int32_t)i, (int32_t)t->replica, t->trajectory, 0, job->seed, path_len, frame_len};
    *bytes = sizeof h + path_len + frame_len;
    if ((*msg = al_malloc(*bytes))) {
        memcpy(*msg, &h, sizeof h);
        memcpy(*msg + sizeof h, job->model_path, path_len);
        memcpy(*msg + sizeof h + path_len, frame, frame_len);
    }
    al_free(frame);
    return *msg ? AL_OK : al_fail(err, AL_ENOMEM, "farm: out of memory for a replica task");
}

static al_status take_replica(void *user, size_t i, const farm_reply *r, const char *payload, size_t bytes,
                              int from, bool *retry, al_err *err)
{
    (void)retry;
    const replica_job *job = user;
    size_t replica = job->tasks[i].replica;
    if (r->status) return al_fail(err, (al_status)r->status, "explore replica %zu failed on rank %d: %s", replica, from, r->msg);
    replica_body b;
    if (bytes < sizeof b) return al_fail(err, AL_EMPI, "farm: short reply for replica %zu from rank %d", replica, from);
    memcpy(&b, payload, sizeof b);
    if (bytes != sizeof b + b.candidates_len + b.trajectory_len)
        return al_fail(err, AL_EMPI, "farm: reply for replica %zu from rank %d has %zu bytes, not %zu", replica, from,
                       bytes, (size_t)(sizeof b + b.candidates_len + b.trajectory_len));
    orc_replica_outcome out = {NULL, 0, payload + sizeof b + b.candidates_len, b.trajectory_len, b.steps, b.time, ""};
    memcpy(out.stop_reason, b.stop_reason, sizeof out.stop_reason);
    out.stop_reason[sizeof out.stop_reason - 1] = '\0';
    char name[64];
    snprintf(name, sizeof name, "candidates of replica %zu from rank %d", replica, from);
    AL_TRY(err, al_xyz_read_buffer(payload + sizeof b, b.candidates_len, name, &out.candidates, &out.n_candidates, err));
    al_status st = job->done(i, &out, job->user, err);
    al_frames_free(out.candidates, out.n_candidates);
    return st;
}

al_status orc_farm_replicas(orc_farm *f, const char *model_path, uint64_t seed, const orc_replica_task *tasks,
                            size_t n, orc_farm_replica_done done, orc_farm_stop_check stop, void *user,
                            al_err *err)
{
    replica_job job = {model_path, seed, tasks, done, user};
    farm_job fj = {FARM_TAG_REPLICA, pack_replica, take_replica, stop, &job};
    return farm_run(f, n, &fj, err);
}

/* The model of path, loaded once per path. */
static al_status worker_model(farm_worker *w, const char *path, al_err *err)
{
    if (w->model && strcmp(w->model_path, path) == 0) return AL_OK;
    gp_model_destroy(w->model);
    w->model = NULL;
    w->model_path[0] = '\0';
    AL_TRY(err, gp_model_load(path, &w->model, err));
    snprintf(w->model_path, sizeof w->model_path, "%s", path);
    return AL_OK;
}

/* Runs the replica of h; its candidates' and trajectory's text into the reply body. */
static al_status run_replica(farm_worker *w, const replica_head *h, const char *path, const char *frame_text,
                             replica_body *b, char **cand, char **traj, size_t *traj_len, al_err *err)
{
    if (w->setup_error[0]) return al_fail(err, AL_EINVAL, "%s", w->setup_error);
    AL_TRY(err, worker_model(w, path, err));
    al_frame *start = NULL;
    size_t n_start = 0;
    AL_TRY(err, al_xyz_read_buffer(frame_text, h->frame_len, "replica start frame", &start, &n_start, err));
    if (n_start != 1) {
        al_frames_free(start, n_start);
        return al_fail(err, AL_EMPI, "a replica task holds %zu start frames", n_start);
    }
    md_segment seg[ORC_MAX_SEGMENTS];
    md_replica_spec spec = {md_opts_default(), (size_t)w->campaign->explore.replicas, NULL};
    orc_explore_md_options(w->campaign, seg, h->seed, &spec.base);
    FILE *tfp = h->trajectory ? open_memstream(traj, traj_len) : NULL;
    spec.base.traj = tfp;
    spec.base.traj_stride = w->campaign->explore.trajectory_stride;
    al_potential pot;
    gp_model_as_potential(w->model, &pot);
    md_result res;
    md_result_init(&res);
    al_status st = h->trajectory && !tfp ? al_fail(err, AL_ENOMEM, "no memory for the trajectory")
                                        : md_run_replica(&spec, (size_t)h->replica, &start[0], &pot, &res, err);
    if (tfp) fclose(tfp);
    size_t cand_len = 0;
    if (!st) st = al_xyz_write_buffer(res.candidates, res.n_candidates, cand, &cand_len, err);
    b->steps = res.steps;
    b->time = res.time;
    memcpy(b->stop_reason, res.stop_reason, sizeof b->stop_reason);
    b->candidates_len = cand_len;
    b->trajectory_len = *traj ? *traj_len : 0;
    md_result_fini(&res);
    al_frames_free(start, n_start);
    return st;
}

void farm_worker_replica(farm_worker *w, const char *msg, size_t bytes)
{
    replica_head h;
    memcpy(&h, msg, sizeof h);
    farm_reply r = {h.id, AL_OK, ""};
    replica_body b = {0};
    char *cand = NULL, *traj = NULL, *out = NULL;
    size_t traj_len = 0, out_len = 0;
    al_err err;
    al_err_clear(&err);
    char path[1200];
    al_status st = bytes != sizeof h + h.path_len + h.frame_len || h.path_len >= sizeof path
                       ? al_fail(&err, AL_EMPI, "a replica task of %zu bytes does not add up", bytes)
                       : AL_OK;
    if (!st) {
        memcpy(path, msg + sizeof h, h.path_len);
        path[h.path_len] = '\0';
        st = run_replica(w, &h, path, msg + sizeof h + h.path_len, &b, &cand, &traj, &traj_len, &err);
    }
    if (!st) {
        out_len = sizeof b + b.candidates_len + b.trajectory_len;
        if ((out = al_malloc(out_len))) {
            memcpy(out, &b, sizeof b);
            memcpy(out + sizeof b, cand, b.candidates_len);
            if (b.trajectory_len) memcpy(out + sizeof b + b.candidates_len, traj, b.trajectory_len);
        } else {
            st = al_fail(&err, AL_ENOMEM, "out of memory for a reply of %zu bytes", out_len);
        }
    }
    if (st) {
        r.status = st;
        snprintf(r.msg, sizeof r.msg, "rank %d: %s", al_comm_rank(w->comm), err.msg);
        out_len = 0;
    }
    farm_send_reply(w->comm, &r, out, out_len);
    al_free(out);
    al_free(cand);
    free(traj);   /* open_memstream's buffer comes from malloc */
}
