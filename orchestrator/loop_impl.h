/*
 * Internal to the campaign loop (orchestrator/loop*.c, stage_*.c): the run context every
 * stage receives, and the stages themselves.
 *
 * A stage reads what it needs from the dataset and the campaign, does its work, makes its
 * results durable (dataset commits, files renamed into place) and sets *next. It draws random
 * numbers only from run->rng, which the driver resets to the state file's generator before a
 * stage begins, so a stage redone after a crash draws the same numbers; and it must skip the
 * work that a killed earlier attempt already committed (the dataset's frames from index
 * run->st.stage_first_frame on belong to this attempt or an earlier one of the same stage).
 */
#ifndef ORC_LOOP_IMPL_H
#define ORC_LOOP_IMPL_H

#include "core/comm.h"
#include "core/dataset.h"
#include "core/potential.h"
#include "core/rng.h"
#include "engines/md/md.h"
#include "gp/bo/bo.h"
#include "gp/gap.h"
#include "orchestrator/campaign.h"
#include "orchestrator/campdir.h"
#include "orchestrator/events.h"
#include "orchestrator/notify.h"
#include "orchestrator/progress.h"
#include "orchestrator/state.h"

typedef struct orc_run {
    const orc_campaign *c;
    orc_campdir dir;
    orc_state st;
    al_rng rng;                 /* the working generator of the stage in flight */
    al_store *store;
    orc_events *ev;
    orc_notifier *notifier;     /* NULL without a webhook */
    struct orc_farm *farm;      /* MPI workers for labels (borrowed), NULL on one process */
    size_t *farm_index;         /* dataset index of each frame of the batch on the farm */
    long farm_failed;
    size_t farm_done;           /* labels back from the farm in this batch */
    orc_progress farm_progress;
    al_potential labeler;       /* owned */
    al_potential labeler_safe;  /* owned; the retry of a failed label (ops NULL: retry as is) */
    gp_model *model;            /* the latest fit (owned), NULL before the first */
    double run_start;           /* monotonic seconds when this process started the campaign */
    orc_json *stage_event;      /* the stage's end event: stages add their numbers to it */
    /* Test hook: stop (as if killed) after this many stages; 0 = never. */
    long stop_after_stages;
    double min_free_mb;         /* checked before every stage */
} orc_run;

typedef al_status (*orc_stage_fn)(orc_run *run, orc_stage *next, al_err *err);

al_status orc_stage_init(orc_run *run, orc_stage *next, al_err *err);
al_status orc_stage_label(orc_run *run, orc_stage *next, al_err *err);
al_status orc_stage_fit(orc_run *run, orc_stage *next, al_err *err);
al_status orc_stage_eval(orc_run *run, orc_stage *next, al_err *err);
al_status orc_stage_explore(orc_run *run, orc_stage *next, al_err *err);
al_status orc_stage_select(orc_run *run, orc_stage *next, al_err *err);

/* The GAP hyperparameters to fit with: spec as given, or tuned by Bayesian optimisation on the
 * validation frames (every bayesopt.tune_every iterations; the latest search's best between). */
al_status orc_tuned_spec(orc_run *run, const al_frame *train, size_t n_train, const al_frame *valid,
                         size_t n_valid, gp_gap_spec *spec, al_err *err);

/* The hyperparameters a fit on train starts from: the gap section for the species of train,
 * seeded with loop.seed, e0 defaulting to the average energy per atom. */
al_status orc_fit_base_spec(const orc_campaign *c, const al_frame *train, size_t n_train, gp_gap_spec *spec,
                            al_err *err);

/* The search space of the campaign's hyperparameter tuning (orchestrator/stage_tune.c). */
al_status orc_tune_space(const orc_gap *g, bo_space *s, al_err *err);

/* Path of a file of iteration's explore directory (the directory itself when file is NULL). */
const char *orc_explore_path(const orc_run *run, int iteration, const char *file, char *buf, size_t n);

/* MD settings of the explore and select sections with seed (seg: room for ORC_MAX_SEGMENTS). */
void orc_explore_md_options(const orc_campaign *c, md_segment *seg, uint64_t seed, md_opts *o);

/* The labeler of the campaign's dft section (analytic potentials or the built-in DFT), and
 * the safer one for a retry (ops NULL when there is none). A DFT labeler shares each label's
 * (spin, k-point) pairs among the ranks of comm (borrowed; NULL: this process alone), all of
 * which must then compute every label together. */
al_status orc_labeler_create(const orc_campaign *c, const al_comm *comm, al_potential *out, al_potential *safe,
                             al_err *err);

/* AL_EINTERRUPT with a message naming the signal received (orchestrator/signals.h); stages
 * return it between units of work once orc_interrupted() is set. */
al_status orc_interrupt_error(al_err *err);

/* Sends a webhook notification of this kind ("start", "iteration", "failure", "end") when the
 * campaign wants it: the formatted text and the finished event j (may be NULL). Never fails. */
void orc_run_notify(orc_run *run, const char *kind, orc_json *j, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Path of the model file of iteration k in the campaign directory. */
const char *orc_model_path(const orc_run *run, int iteration, char *buf, size_t n);

#endif
