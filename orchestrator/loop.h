/*
 * The active-learning campaign: `galore run` and `galore resume`.
 *
 * The loop is an explicit state machine (orchestrator/state.h): INIT makes the initial frames
 * and draws the test and validation sets once; then, each iteration, LABEL → FIT → EVAL
 * (test errors; stop when the targets or budgets are reached) → EXPLORE (MD with the new
 * model, uncertainty watched) → SELECT (uncertainty window, then diversity, then the
 * per-iteration budget) → LABEL of the next iteration. The state is written after every stage,
 * and every stage's results are durable before that, so a campaign killed at any moment
 * continues with `galore resume DIR` and ends with the same dataset as an uninterrupted run.
 *
 * Paths in the campaign file are relative to the file's own folder; output.directory is
 * relative to the working directory.
 */
#ifndef ORC_LOOP_H
#define ORC_LOOP_H

#include "core/status.h"
#include "orchestrator/campaign.h"

struct orc_farm;

typedef struct orc_run_opts {
    /* Stop after this many stages, leaving the campaign resumable (tests); 0 = run to the end. */
    long stop_after_stages;
    /* MPI workers that label frames (orchestrator/farm.h; borrowed), or NULL: label here. */
    struct orc_farm *farm;
    /* Free space (MB) the campaign's file system must keep before each stage; 0 = 50 MB. */
    double min_free_mb;
} orc_run_opts;

/* Starts a new campaign in c->output.directory (which must not hold one). */
al_status orc_campaign_start(const orc_campaign *c, const orc_run_opts *o, al_err *err);
/* `galore run`: starts the campaign, or, when its output.directory already holds a campaign
 * with the same settings (a batch job requeued after its wall time), resumes it (*resumed =
 * 1). A directory holding a campaign with other settings is refused (AL_EINVAL). */
al_status orc_campaign_run(const orc_campaign *c, const orc_run_opts *o, int *resumed, al_err *err);
/* Continues the campaign in dir from where it stopped. */
al_status orc_campaign_resume(const char *dir, const orc_run_opts *o, al_err *err);

#endif
