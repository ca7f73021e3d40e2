/*
 * The campaign directory: every file of one campaign, and the lock that keeps two galore
 * processes from running the same campaign at once.
 *
 *   state          where the campaign stands (orchestrator/state.h)
 *   campaign.yaml  the effective campaign file, every default filled in
 *   campaign.h5    the dataset: every frame, label and provenance (core/dataset.h)
 *   events.jsonl   one JSON line per stage start and end (orchestrator/events.h)
 *   campaign.log   the human log, timestamped
 *   models/        one GAP model file per iteration
 *   explore/       per-iteration MD output (candidates, trajectories, thermodynamic logs)
 *   lock           held (flock) by the process running the campaign
 */
#ifndef ORC_CAMPDIR_H
#define ORC_CAMPDIR_H

#include <stddef.h>

#include "core/status.h"

typedef struct orc_campdir {
    char dir[1024];
    int lock_fd;
} orc_campdir;

/* Makes dir (and its subfolders) for a new campaign and takes the lock. AL_EINVAL when dir
 * already holds a campaign (a state file): the message says to resume it instead. */
al_status orc_campdir_create(const char *dir, orc_campdir *out, al_err *err);
/* Opens the directory of an existing campaign and takes the lock. AL_ENOTFOUND without a
 * state file; AL_EIO when another process holds the lock. */
al_status orc_campdir_open(const char *dir, orc_campdir *out, al_err *err);
/* Releases the lock. */
void orc_campdir_close(orc_campdir *d);

/* dir/name into buf (n bytes); returns buf. */
const char *orc_campdir_path(const orc_campdir *d, const char *name, char *buf, size_t n);

#endif
