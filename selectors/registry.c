/*
 * The registry of selection stages, the pipeline that chains them, and the plain-data helpers
 * of sel_result (see sel.h for the stages and their rules).
 */
#include "selectors/sel.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"

static const sel_ops window_ops = {
    "window", "keep frames with uncertainty in [min, max]; above max: skip or cap", 1,
    sel_window_select};
static const sel_ops top_ops = {"top", "the k most uncertain frames", 0, sel_top_select};
static const sel_ops cur_ops = {"cur", "CUR: rows of highest statistical leverage", 0,
                                sel_cur_select};
static const sel_ops fps_ops = {
    "fps", "farthest-point sampling, measured against the training set too", 0, sel_fps_select};
static const sel_ops random_ops = {"random", "uniformly at random (seeded baseline)", 0,
                                   sel_random_select};

static const sel_ops *const registry[] = {&window_ops, &top_ops, &cur_ops, &fps_ops, &random_ops,
                                          NULL};

const sel_ops *sel_ops_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; registry[i]; i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}

const sel_ops *const *sel_ops_all(void) { return registry; }

const char *sel_reason_name(sel_reason r)
{
    switch (r) {
    case SEL_REASON_UNCERTAINTY: return "uncertainty";
    case SEL_REASON_LEVERAGE: return "leverage";
    case SEL_REASON_DISTANCE: return "distance";
    case SEL_REASON_RANDOM: return "random";
    default: return "none";
    }
}

sel_params sel_params_default(void)
{
    sel_params p;
    memset(&p, 0, sizeof p);
    p.u_min = 0.0;
    p.u_max = INFINITY;
    p.above_max = SEL_ABOVE_SKIP;
    p.cur_mode = SEL_CUR_GREEDY;
    p.cur_rank = 0;
    p.rng = NULL;
    return p;
}

void sel_result_init(sel_result *r)
{
    r->n = r->cap = 0;
    r->picks = NULL;
}

void sel_result_fini(sel_result *r)
{
    if (!r) return;
    al_free(r->picks);
    sel_result_init(r);
}

al_status sel_result_push(sel_result *r, sel_pick p, al_err *err)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        sel_pick *np = al_realloc(r->picks, cap * sizeof *np);
        if (!np) return al_fail(err, AL_ENOMEM, "selection: out of memory for %zu picks", cap);
        r->picks = np;
        r->cap = cap;
    }
    r->picks[r->n++] = p;
    return AL_OK;
}

al_status sel_result_all(const sel_input *in, sel_result *r, al_err *err)
{
    r->n = 0;
    for (size_t i = 0; i < in->n; i++) {
        sel_pick p = {i, SEL_REASON_NONE, 0.0, in->uncertainty ? in->uncertainty[i] : NAN};
        AL_TRY(err, sel_result_push(r, p, err));
    }
    return AL_OK;
}

static al_status check_rows(const char *what, size_t n, size_t dim, const double *a, al_err *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dim; j++)
            if (!isfinite(a[i * dim + j]))
                return al_fail(err, AL_EINVAL, "selection: %s row %zu, column %zu is %g (must be finite)",
                               what, i, j, a[i * dim + j]);
    return AL_OK;
}

al_status sel_input_check(const sel_input *in, al_err *err)
{
    if (!in || in->n == 0) return al_fail(err, AL_EINVAL, "selection: no candidate frames");
    if (in->uncertainty)
        for (size_t i = 0; i < in->n; i++) {
            double u = in->uncertainty[i];
            if (isnan(u))
                return al_fail(err, AL_EINVAL, "selection: uncertainty of candidate %zu is NaN", i);
            if (u < 0)
                return al_fail(err, AL_EINVAL, "selection: uncertainty of candidate %zu is %g (< 0)", i, u);
        }
    if (in->desc) {
        if (in->dim == 0) return al_fail(err, AL_EINVAL, "selection: descriptor rows of length 0");
        AL_TRY(err, check_rows("candidate descriptor", in->n, in->dim, in->desc, err));
    }
    if (in->n_train > 0) {
        if (!in->train_desc || !in->desc)
            return al_fail(err, AL_EINVAL,
                           "selection: %zu training rows given without descriptor rows", in->n_train);
        AL_TRY(err, check_rows("training descriptor", in->n_train, in->dim, in->train_desc, err));
    }
    return AL_OK;
}

al_status sel_run(const sel_input *in, const sel_params *p, const char *const *names,
                  size_t n_stages, size_t budget, sel_result *out, al_err *err)
{
    al_status st = AL_OK;
    sel_result cur, next;
    sel_result_init(&cur);
    sel_result_init(&next);
    out->n = 0;
    if (budget == 0) return al_fail(err, AL_EINVAL, "selection: budget must be at least 1");
    for (size_t s = 0; s < n_stages; s++)
        if (!sel_ops_find(names[s]))
            return al_fail(err, AL_ENOTFOUND,
                           "selection: unknown stage '%s' (window, top, cur, fps, random)",
                           names[s] ? names[s] : "(null)");
    if ((st = sel_input_check(in, err))) goto done;
    if ((st = sel_result_all(in, &cur, err))) goto done;
    for (size_t s = 0; s < n_stages && cur.n > 0; s++) {
        const sel_ops *ops = sel_ops_find(names[s]);
        size_t k = budget < cur.n ? budget : cur.n;   /* fewer survivors than budget: all */
        if ((st = ops->select(in, p, &cur, k, &next, err))) {
            al_fail_wrap(err, "stage '%s': ", ops->name);
            goto done;
        }
        sel_result tmp = cur;
        cur = next;
        next = tmp;
    }
    for (size_t i = 0; i < cur.n && i < budget; i++)
        if ((st = sel_result_push(out, cur.picks[i], err))) goto done;
done:
    if (st) AL_TRACE(err);
    sel_result_fini(&cur);
    sel_result_fini(&next);
    return st;
}
