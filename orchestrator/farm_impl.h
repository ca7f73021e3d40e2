/*
 * Internal to the task farm (orchestrator/farm*.c): message tags, the reply every task gets,
 * the generic dispatcher rank 0 runs, and the worker's state and task handlers.
 *
 * Every task message starts with its task id (int32); every reply is a farm_reply followed by
 * a payload particular to the kind of task.
 */
#ifndef ORC_FARM_IMPL_H
#define ORC_FARM_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/potential.h"
#include "gp/bo/bo.h"
#include "gp/gap.h"
#include "orchestrator/campaign.h"
#include "orchestrator/farm.h"

enum {
    FARM_TAG_SETUP = 101,    /* path of the effective campaign file */
    FARM_TAG_LABEL = 102,    /* a frame to label */
    FARM_TAG_RESULT = 103,   /* every reply */
    FARM_TAG_STOP = 104,
    FARM_TAG_REPLICA = 105,  /* an MD replica of the explore stage */
    FARM_TAG_TRIALS = 106,   /* the data of a hyperparameter search (training, validation frames) */
    FARM_TAG_TRIAL = 107     /* one trial fit of that search */
};

typedef struct farm_reply {
    int32_t id, status;
    char msg[256];           /* the error, naming the worker's rank */
} farm_reply;

/* What rank 0 does with one kind of task: pack task i (retry: its second attempt) into a new
 * buffer, and take the reply of task i (status and message of the worker, payload after the
 * reply header); take sets *retry to send the task once more to the same rank. */
typedef struct farm_job {
    int tag;
    al_status (*pack)(void *user, size_t i, bool retry, char **msg, size_t *bytes, al_err *err);
    al_status (*take)(void *user, size_t i, const farm_reply *r, const char *payload, size_t bytes,
                      int from, bool *retry, al_err *err);
    orc_farm_stop_check stop;   /* may be NULL */
    void *user;
} farm_job;

/* Runs tasks 0..n of job on the workers, each handed to the next free worker (dynamic
 * balance). In-flight tasks are collected before returning; AL_EINTERRUPT when stop() ended
 * the hand-out early. */
al_status farm_run(orc_farm *f, size_t n, const farm_job *job, al_err *err);

/* The worker's state between messages. */
typedef struct farm_worker {
    const al_comm *comm;             /* the world: rank 0 runs the campaign */
    const al_comm *group;            /* the ranks of this worker (a label's DFT runs on them) */
    bool leader;                     /* rank 0 of group: talks to rank 0 and replies */
    orc_campaign *campaign;          /* NULL until a SETUP loads one */
    char setup_error[256];           /* why SETUP failed, "" when it did not */
    al_potential normal, safe;       /* labelers of the campaign */
    char labeler_error[256];
    gp_model *model;                 /* the model of model_path (replicas) */
    char model_path[1200];
    struct farm_trials *trials;      /* data of the current search, NULL before one */
} farm_worker;

/* Sends the reply r with a payload of bytes (status and message already set). */
void farm_send_reply(const al_comm *comm, farm_reply *r, const void *payload, size_t bytes);

/* Worker handlers of each task kind; on a group's leader each sends exactly one reply (TRIALS
 * sends none); the other ranks of a group only see SETUP and LABEL, and compute the label. */
void farm_worker_label(farm_worker *w, const char *msg, size_t bytes);
void farm_worker_replica(farm_worker *w, const char *msg, size_t bytes);
void farm_worker_trial_data(farm_worker *w, const char *msg, size_t bytes);
void farm_worker_trial(farm_worker *w, const char *msg, size_t bytes);
void farm_worker_trials_free(farm_worker *w);

#endif
