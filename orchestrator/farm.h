/*
 * The MPI task farm of a campaign: rank 0 runs the campaign and owns every file; the other
 * ranks compute. Rank 0 hands a task to each free worker and the next one as soon as a result
 * comes back (dynamic balance). Three kinds of task:
 *   - labels: a frame to label; a failed label is retried once with the safer settings, then
 *     reported with the worker's rank and handled like a failed label;
 *   - MD replicas of the explore stage: the worker loads the iteration's model file, runs the
 *     replica and sends back its candidates (and trajectory text), which rank 0 writes;
 *   - trial fits of a hyperparameter search: the training and validation frames go to every
 *     worker once per search, then each trial is a point of the search space.
 * No result depends on the rank that computed it (labels start from atomic densities, a
 * replica's random stream depends on its index, a trial is a deterministic fit), so N ranks
 * give the dataset of one.
 *
 * Messages go as bytes (orchestrator/farm_impl.h); frames travel as extended XYZ text, which
 * round-trips doubles exactly. SETUP carries the path of the effective campaign file (workers
 * make their labelers and MD settings from it; a later SETUP replaces them); STOP ends a worker.
 * A worker may be a group of ranks (dft.ranks_per_label) that computes each label together.
 */
#ifndef ORC_FARM_H
#define ORC_FARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/comm.h"
#include "core/frame.h"
#include "core/status.h"

typedef struct orc_farm {
    const al_comm *comm;
    int n_workers;           /* workers: groups of ranks 1 + k·group_size, ... (k < n_workers) */
    int group_size;          /* ranks per worker (dft.ranks_per_label) */
    bool set_up;             /* SETUP sent */
} orc_farm;

/* A farm over comm (rank 0 calls this): ranks 1..size−1 form workers of group_size ranks each
 * (the last may have fewer), each led by its first rank, which alone talks to rank 0. */
void orc_farm_init(orc_farm *f, const al_comm *comm, int group_size);
/* The world rank leading worker k. */
int orc_farm_rank(const orc_farm *f, int k);
/* Sends SETUP with the campaign file to every worker (once per farm: set_up). Relative input
 * paths in the file are taken relative to the workers' working directory. */
al_status orc_farm_setup(orc_farm *f, const char *campaign_yaml, al_err *err);
/* Ends every worker (always call it on rank 0, also after an error). */
void orc_farm_stop(orc_farm *f);

/* Called on rank 0 for each finished label: frame i of the batch with its labels set, or the
 * error of its second attempt (status non-zero; message names the worker's rank). */
typedef al_status (*orc_farm_done)(size_t i, al_frame *labeled, al_status st, const char *msg,
                                   void *user, al_err *err);
/* Stops handing out new frames when it returns true (the signal check); in-flight labels are
 * still collected. */
typedef bool (*orc_farm_stop_check)(void);

/* Labels frames[0..n) on the workers. AL_EINTERRUPT when stop() asked to stop early. */
al_status orc_farm_label(orc_farm *f, al_frame *frames, size_t n, orc_farm_done done,
                         orc_farm_stop_check stop, void *user, al_err *err);

/* An MD replica of the explore stage to run on a worker. */
typedef struct orc_replica_task {
    size_t replica;          /* its index r (the random stream of replica r) */
    const al_frame *start;   /* start frame (borrowed) */
    bool trajectory;         /* send the trajectory text back (explore.trajectory_stride) */
} orc_replica_task;

/* What a replica produced: its candidates and trajectory text (owned by the farm: copy what
 * the callback keeps), steps, simulated time (fs) and why it stopped early ("" if it did not). */
typedef struct orc_replica_outcome {
    al_frame *candidates;
    size_t n_candidates;
    const char *trajectory;
    size_t trajectory_len;
    long steps;
    double time;
    char stop_reason[256];
} orc_replica_outcome;

typedef al_status (*orc_farm_replica_done)(size_t k, const orc_replica_outcome *out, void *user, al_err *err);

/* Runs tasks[0..n) with the model in model_path and the explore section's MD settings with
 * seed; done(k, ...) as each finishes. A replica that fails on a worker ends the stage with an
 * error naming the rank and the replica (as it would on one process). */
al_status orc_farm_replicas(orc_farm *f, const char *model_path, uint64_t seed, const orc_replica_task *tasks,
                            size_t n, orc_farm_replica_done done, orc_farm_stop_check stop, void *user,
                            al_err *err);

/* Sends the frames of a hyperparameter search to every worker (before orc_farm_trials). */
al_status orc_farm_trial_data(orc_farm *f, const al_frame *train, size_t n_train, const al_frame *valid,
                              size_t n_valid, al_err *err);

/* A trial's result: ok, objective value, validation errors (eV/atom, eV/Å), fit time (s) and,
 * when it failed, why (naming the rank). */
typedef struct orc_trial_outcome {
    int ok;
    double value, energy_mae, force_mae, fit_time;
    char msg[256];
} orc_trial_outcome;

typedef al_status (*orc_farm_trial_done)(size_t k, const orc_trial_outcome *t, void *user, al_err *err);

/* Fits trial points x[k·d .. k·d + d) for k < q on the workers; done(k, ...) as each finishes
 * (in any order). */
al_status orc_farm_trials(orc_farm *f, const double *x, size_t q, size_t d, orc_farm_trial_done done,
                          orc_farm_stop_check stop, void *user, al_err *err);

/* The worker's side (ranks > 0): serves task messages until STOP. group is the worker's own
 * communicator (from al_comm_split; al_comm_self() for a worker of one rank): its rank 0 takes
 * rank 0's messages and passes each to the others, which compute labels with it (the DFT
 * shares a label's k-points among the group) and leave the other tasks to it. */
al_status orc_farm_serve(const al_comm *world, const al_comm *group, al_err *err);

#endif
