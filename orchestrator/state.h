/*
 * Campaign state: where a campaign stands (iteration and stage), what the finished stages
 * produced that is not already in the dataset or the model files, and the random generator,
 * so that `galore resume` continues a campaign killed at any moment without losing or
 * repeating finished work.
 *
 * The loop advances INIT → LABEL → FIT → EVAL → EXPLORE → SELECT → LABEL (next iteration) …
 * until it stops, then runs VALIDATE (when the campaign asks for it) and is DONE. A stage's
 * results are made durable (dataset commits, model file renamed into
 * place) before the state names the next stage, so a killed run redoes at most the stage in
 * flight. To make that redo give the same result, the state keeps the generator as it was
 * when the stage began and the dataset's frame count at that moment: a redone stage draws the
 * same numbers and skips the frames it had already committed.
 *
 * File (<campaign>/state): text, one "key value" per line, written to a temporary file, synced
 * and renamed over the old one (then the directory is synced), so the file on disk is always
 * either the old or the new state, never a mix. It starts with "galore-campaign-state 1" and
 * ends with "end". Exact values: the generator in hexadecimal, reals with 17 digits.
 */
#ifndef ORC_STATE_H
#define ORC_STATE_H

#include <stddef.h>

#include "core/rng.h"
#include "core/status.h"

enum { ORC_STATE_FORMAT = 1 };

typedef enum orc_stage {
    ORC_STAGE_INIT,
    ORC_STAGE_LABEL,
    ORC_STAGE_FIT,
    ORC_STAGE_EVAL,
    ORC_STAGE_EXPLORE,
    ORC_STAGE_SELECT,
    ORC_STAGE_VALIDATE,     /* once, after the loop stops, when the campaign has a validate section */
    ORC_STAGE_DONE,
    ORC_STAGE_COUNT
} orc_stage;

/* Lowercase name ("init", "label", ...); "?" when out of range. */
const char *orc_stage_name(orc_stage stage);

/* Test-set errors and sizes after one iteration's fit. */
typedef struct orc_iter_metrics {
    int iteration;
    long n_train;          /* frames in the training set */
    long n_labels;         /* labels computed so far in the campaign */
    double energy_mae;     /* eV/atom */
    double force_mae;      /* eV/Å */
    double virial_rmse;    /* eV/atom */
    double fit_seconds;
} orc_iter_metrics;

typedef struct orc_state {
    int iteration;
    orc_stage stage;
    size_t stage_first_frame;   /* dataset frame count when the stage began */
    al_rng rng;                 /* generator when the stage began */
    double elapsed;             /* s of wall time used by earlier runs */
    long n_labels;              /* labeled frames in the dataset after the last LABEL */
    size_t n_failed;            /* frames whose label failed twice, excluded from fits */
    size_t *failed;             /* their dataset indices (al_malloc) */
    size_t n_history;
    orc_iter_metrics *history;  /* one entry per finished EVAL (al_malloc) */
    char stop_reason[256];      /* why the campaign ended (stage DONE) */
} orc_state;

/* A fresh campaign: iteration 0, stage INIT, generator seeded with seed (stream 0). */
void orc_state_init(orc_state *s, long seed);
void orc_state_fini(orc_state *s);

al_status orc_state_add_failed(orc_state *s, size_t frame, al_err *err);
int orc_state_is_failed(const orc_state *s, size_t frame);
al_status orc_state_add_metrics(orc_state *s, const orc_iter_metrics *m, al_err *err);

/* Writes s to path atomically (see above). */
al_status orc_state_save(const orc_state *s, const char *path, al_err *err);
/* Reads path into s (initialised here; orc_state_fini it afterwards). Errors name the file
 * and line: AL_ENOTFOUND (no file), AL_EFORMAT (not a state file, a bad value, no "end"),
 * AL_EVERSION (another format). */
al_status orc_state_load(orc_state *s, const char *path, al_err *err);

#endif
