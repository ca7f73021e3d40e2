/*
 * The MPI task farm of a campaign: rank 0 runs the campaign and owns every file; the other
 * ranks label frames. Rank 0 sends a frame to each free worker and the next one as soon as a
 * result comes back (dynamic balance), retries a failed label once with the safer settings,
 * and commits labels as they arrive; a worker's error is reported with its rank and frame and
 * handled like a failed label. Labels do not depend on which rank computed them (the DFT starts
 * every frame from atomic densities), so N ranks give the dataset of one.
 *
 * Messages (tags below): SETUP carries the path of the effective campaign file (workers make
 * their labelers from it; a later SETUP replaces them), LABEL a frame (cell, pbc, species, positions) with its task id and
 * whether to use the safe settings, RESULT the status, energy, virial, forces and error
 * message, STOP ends a worker. MD replicas and tuning trials still run on rank 0.
 */
#ifndef ORC_FARM_H
#define ORC_FARM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/comm.h"
#include "core/frame.h"
#include "core/status.h"

typedef struct orc_farm {
    const al_comm *comm;
    int n_workers;           /* ranks 1..n_workers */
    bool set_up;             /* SETUP sent */
} orc_farm;

/* A farm over comm (rank 0 calls this; n_workers = size − 1). */
void orc_farm_init(orc_farm *f, const al_comm *comm);
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

/* The worker's side (ranks > 0): serves SETUP and LABEL messages until STOP. */
al_status orc_farm_serve(const al_comm *comm, al_err *err);

#endif
