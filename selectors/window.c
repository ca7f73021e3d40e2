/*
 * Uncertainty-based stages: the window filter, the most-uncertain top-k, and the random
 * baseline. The window follows the trust levels of DP-GEN (Zhang et al., Phys. Rev. Materials
 * 3, 023804 (2019)): below the lower level a frame is already predicted well and teaches the
 * model little; above the upper level it is probably unphysical (a broken or clustered
 * structure from an early potential) and labeling it wastes DFT time or fails.
 */
#include "selectors/sel_impl.h"

#include <math.h>
#include <stdlib.h>

#include "core/alloc.h"

al_status sel__check_k(const char *stage, size_t k, size_t n, al_err *err)
{
    if (k == 0 || k > n)
        return al_fail(err, AL_EINVAL, "selection %s: asked for %zu frames from %zu candidates",
                       stage, k, n);
    return AL_OK;
}

al_status sel__need_desc(const char *stage, const sel_input *in, al_err *err)
{
    if (!in->desc || in->dim == 0)
        return al_fail(err, AL_EINVAL, "selection %s: needs descriptor rows (none given)", stage);
    return AL_OK;
}

static al_status need_uncertainty(const char *stage, const sel_input *in, al_err *err)
{
    if (!in->uncertainty)
        return al_fail(err, AL_EINVAL, "selection %s: needs per-frame uncertainties (none given)",
                       stage);
    return AL_OK;
}

al_status sel_window_select(const sel_input *in, const sel_params *p, const sel_result *cand,
                            size_t k, sel_result *out, al_err *err)
{
    (void)k;
    out->n = 0;
    AL_TRY(err, need_uncertainty("window", in, err));
    if (isnan(p->u_min) || isnan(p->u_max) || p->u_min > p->u_max)
        return al_fail(err, AL_EINVAL, "selection window: min %g must not exceed max %g", p->u_min,
                       p->u_max);
    for (size_t i = 0; i < cand->n; i++) {
        sel_pick pk = cand->picks[i];
        double u = in->uncertainty[pk.index];
        if (u < p->u_min) continue;                 /* well predicted: skip */
        double score = u;
        if (u > p->u_max) {
            if (p->above_max == SEL_ABOVE_SKIP) continue;   /* probably unphysical */
            score = p->u_max;                               /* cap: ranked as if at max */
        }
        pk.reason = SEL_REASON_UNCERTAINTY;
        pk.score = score;
        pk.uncertainty = u;
        AL_TRY(err, sel_result_push(out, pk, err));
    }
    return AL_OK;
}

/* Descending score, then ascending index: a total order, so qsort's instability is harmless. */
static int by_score_desc(const void *a, const void *b)
{
    const sel_pick *x = a, *y = b;
    if (x->score > y->score) return -1;
    if (x->score < y->score) return 1;
    return (x->index > y->index) - (x->index < y->index);
}

al_status sel_top_select(const sel_input *in, const sel_params *p, const sel_result *cand,
                         size_t k, sel_result *out, al_err *err)
{
    out->n = 0;
    AL_TRY(err, need_uncertainty("top", in, err));
    AL_TRY(err, sel__check_k("top", k, cand->n, err));
    sel_pick *tmp = al_malloc(cand->n * sizeof *tmp);
    if (!tmp) return al_fail(err, AL_ENOMEM, "selection top: out of memory");
    for (size_t i = 0; i < cand->n; i++) {
        tmp[i] = cand->picks[i];
        double u = in->uncertainty[tmp[i].index];
        /* A capped window score ranks as the cap; otherwise the uncertainty itself. */
        tmp[i].score = (tmp[i].reason == SEL_REASON_UNCERTAINTY) ? tmp[i].score : u;
        tmp[i].reason = SEL_REASON_UNCERTAINTY;
        tmp[i].uncertainty = u;
    }
    qsort(tmp, cand->n, sizeof *tmp, by_score_desc);
    al_status st = AL_OK;
    for (size_t i = 0; i < k && !st; i++) st = sel_result_push(out, tmp[i], err);
    al_free(tmp);
    (void)p;
    return st;
}

al_status sel_random_select(const sel_input *in, const sel_params *p, const sel_result *cand,
                            size_t k, sel_result *out, al_err *err)
{
    out->n = 0;
    AL_TRY(err, sel__check_k("random", k, cand->n, err));
    if (!p->rng)
        return al_fail(err, AL_EINVAL, "selection random: needs a seeded generator (rng is NULL)");
    size_t *idx = al_malloc(cand->n * sizeof *idx);
    if (!idx) return al_fail(err, AL_ENOMEM, "selection random: out of memory");
    for (size_t i = 0; i < cand->n; i++) idx[i] = i;
    al_rng_shuffle(p->rng, idx, cand->n);
    al_status st = AL_OK;
    for (size_t i = 0; i < k && !st; i++) {
        sel_pick pk = cand->picks[idx[i]];
        pk.reason = SEL_REASON_RANDOM;
        pk.score = 0.0;
        pk.uncertainty = in->uncertainty ? in->uncertainty[pk.index] : NAN;
        st = sel_result_push(out, pk, err);
    }
    al_free(idx);
    return st;
}
