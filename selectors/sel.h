/*
 * Choosing which candidate frames to label: composable selection stages.
 *
 * Input (sel_input): n candidate frames, each with a per-frame uncertainty (e.g. the predicted
 * standard deviation of the energy per atom, eV/atom) and a descriptor summary row (dim values,
 * e.g. the average SOAP vector of each species, concatenated; computed by the caller), plus
 * the summary rows of the frames already in the training set. Selectors never see a model.
 *
 * Stages (a registry of const ops tables looked up by name, as in the campaign's `select`):
 *   "window"  uncertainty window [min, max] (both ends inclusive): frames with u < min are
 *             already well predicted and dropped; frames with u > max are probably unphysical
 *             and dropped (SEL_ABOVE_SKIP) or kept with their score capped at max (SEL_ABOVE_CAP).
 *             Survivors keep their input order. A filter: it ignores the budget.
 *   "top"     the k most uncertain survivors (descending uncertainty, ties by lower index).
 *   "cur"     CUR row selection by statistical leverage (Mahoney and Drineas, PNAS 106, 697
 *             (2009)): leverage π_i = (1/r) Σ_{j<r} U_ij² from the SVD A = U Σ Vᵀ of the
 *             survivors' descriptor rows, r = min(numerical rank, k) unless cur_rank is set.
 *             SEL_CUR_GREEDY (deterministic): pick the row of highest leverage, project its
 *             direction out of every row, recompute, repeat (the deflation of Imbalzano et al.,
 *             JCP 148, 241730 (2018)); k picks from a rank-k matrix span its row space.
 *             SEL_CUR_RANDOM: k draws without replacement with probability ∝ π_i (seeded).
 *   "fps"     farthest-point sampling: repeatedly take the survivor whose Euclidean distance to
 *             the nearest already-chosen row (training rows included) is largest. Without a
 *             training set the first pick is the survivor farthest from the survivors' mean.
 *   "random"  k survivors uniformly at random (seeded al_rng): the baseline for comparisons.
 * A pipeline (sel_run) applies stages in order to the survivors of the previous one and then
 * truncates to the per-iteration budget. Ties are always broken by the lower candidate index,
 * so every stage is deterministic for given inputs and seed.
 *
 * Each pick records why it was chosen (sel_pick.reason and .score: the uncertainty, leverage
 * score or distance in descriptor units) and its uncertainty when known.
 */
#ifndef SEL_SEL_H
#define SEL_SEL_H

#include <stddef.h>

#include "core/rng.h"
#include "core/status.h"

typedef struct sel_input {
    size_t n;                    /* candidates */
    const double *uncertainty;   /* n values (≥ 0, finite or +inf); NULL when not known */
    size_t dim;                  /* descriptor summary length (0 when desc is NULL) */
    const double *desc;          /* n × dim, row-major; NULL when not known */
    size_t n_train;              /* training-set summary rows (may be 0) */
    const double *train_desc;    /* n_train × dim, row-major */
} sel_input;

typedef enum sel_reason {
    SEL_REASON_NONE = 0,         /* not yet chosen by any stage */
    SEL_REASON_UNCERTAINTY,      /* score: uncertainty (capped at max when above_max = cap) */
    SEL_REASON_LEVERAGE,         /* score: leverage π_i in the step that chose it */
    SEL_REASON_DISTANCE,         /* score: distance to the nearest chosen or training row */
    SEL_REASON_RANDOM            /* score: 0 */
} sel_reason;

/* Short name of a reason ("uncertainty", "leverage", "distance", "random", "none"). */
const char *sel_reason_name(sel_reason r);

typedef struct sel_pick {
    size_t index;                /* into the candidate list of sel_input */
    sel_reason reason;
    double score;
    double uncertainty;          /* the candidate's uncertainty, NaN when not known */
} sel_pick;

/* Plain data: sel_result_init / sel_result_fini on caller storage. */
typedef struct sel_result {
    size_t n, cap;
    sel_pick *picks;             /* in order of choice */
} sel_result;

void sel_result_init(sel_result *r);
void sel_result_fini(sel_result *r);
al_status sel_result_push(sel_result *r, sel_pick p, al_err *err);
/* Every candidate 0..n−1 in order, reason NONE: the starting point of a pipeline. */
al_status sel_result_all(const sel_input *in, sel_result *r, al_err *err);

typedef enum sel_above { SEL_ABOVE_SKIP = 0, SEL_ABOVE_CAP = 1 } sel_above;
typedef enum sel_cur_mode { SEL_CUR_GREEDY = 0, SEL_CUR_RANDOM = 1 } sel_cur_mode;

typedef struct sel_params {
    double u_min, u_max;         /* window, inclusive at both ends; u_min ≤ u_max */
    sel_above above_max;
    sel_cur_mode cur_mode;
    size_t cur_rank;             /* singular vectors used for leverage; 0 = min(rank, k) */
    al_rng *rng;                 /* borrowed; required by "random" and SEL_CUR_RANDOM */
} sel_params;

/* Window [0, +inf), skip above, greedy CUR, automatic rank, no generator. */
sel_params sel_params_default(void);

/*
 * A stage: from the candidates in `cand` (indices into `in`), choose exactly k into `out`
 * (which the stage clears first); 1 ≤ k ≤ cand->n, else AL_EINVAL ("asked for k frames from
 * n candidates"). Filters (the window) ignore k and keep every candidate that passes.
 * Required hook: select. Stages do not re-check the input; sel_run does (sel_input_check).
 */
typedef struct sel_ops {
    const char *name;
    const char *doc;
    int is_filter;               /* ignores k (the window) */
    al_status (*select)(const sel_input *in, const sel_params *p, const sel_result *cand,
                        size_t k, sel_result *out, al_err *err);
} sel_ops;

/* The registered stage named `name`, or NULL. */
const sel_ops *sel_ops_find(const char *name);
/* The registry, NULL-terminated (for help texts). */
const sel_ops *const *sel_ops_all(void);

/*
 * Checks the input: n > 0, uncertainty values not NaN and not negative, descriptor and
 * training rows finite, dim > 0 when desc is given. AL_EINVAL with the offending index.
 */
al_status sel_input_check(const sel_input *in, al_err *err);

/*
 * Runs the stages `names[0..n_stages)` in order on all candidates, then keeps at most
 * `budget` picks (budget ≥ 1). The reason and score of each pick are those of the last stage
 * that chose it. AL_ENOTFOUND for an unknown stage name, AL_EINVAL for bad input.
 */
al_status sel_run(const sel_input *in, const sel_params *p, const char *const *names,
                  size_t n_stages, size_t budget, sel_result *out, al_err *err);

/* Stage implementations (also reachable through the registry). */
al_status sel_window_select(const sel_input *in, const sel_params *p, const sel_result *cand,
                            size_t k, sel_result *out, al_err *err);
al_status sel_top_select(const sel_input *in, const sel_params *p, const sel_result *cand,
                         size_t k, sel_result *out, al_err *err);
al_status sel_cur_select(const sel_input *in, const sel_params *p, const sel_result *cand,
                         size_t k, sel_result *out, al_err *err);
al_status sel_fps_select(const sel_input *in, const sel_params *p, const sel_result *cand,
                         size_t k, sel_result *out, al_err *err);
al_status sel_random_select(const sel_input *in, const sel_params *p, const sel_result *cand,
                            size_t k, sel_result *out, al_err *err);

/*
 * Leverage scores of the rows of a (n × dim, row-major): π_i = (1/r) Σ_{j<r} U_ij² with r the
 * given rank, or the numerical rank (singular values > 1e-12·σ_max·max(n, dim)) when rank is
 * 0 or larger. lev (n) sums to 1 for r ≥ 1; *rank_out (may be NULL) receives r. A zero matrix
 * gives r = 0 and lev = 0.
 */
al_status sel_leverage(size_t n, size_t dim, const double *a, size_t rank, double *lev,
                       size_t *rank_out, al_err *err);

#endif
