/*
 * Farthest-point sampling in descriptor space (Gonzalez, Theor. Comput. Sci. 38, 293 (1985);
 * used for structure selection by Imbalzano et al., JCP 148, 241730 (2018)).
 *
 * Every survivor i keeps d_i = min over chosen rows c of |a_i − a_c| (Euclidean), where the
 * chosen rows start as the training set's summary rows, so a candidate close to what is already
 * in the training set is not picked again. Each step picks argmax d_i (ties: lower index),
 * records d_i as its score, and updates d with the new row. Without a training set every d_i
 * starts at +inf and the first pick is the survivor farthest from the survivors' mean (its
 * score is that distance). A survivor identical to a training row has d = 0 and is picked only
 * when nothing else is left.
 */
#include "selectors/sel_impl.h"

#include <math.h>

#include "core/alloc.h"

static double dist(const double *x, const double *y, size_t dim)
{
    double s = 0;
    for (size_t j = 0; j < dim; j++) s += (x[j] - y[j]) * (x[j] - y[j]);
    return sqrt(s);
}

/* The free entry of largest value; values within a relative 1e-12 of each other count as
 * tied (round-off of the SVD or of the distances) and the lower index wins. */
static size_t argmax_free(size_t n, const double *v, const unsigned char *taken)
{
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (!taken[i] && (best == n || v[i] > v[best] + 1e-12 * fabs(v[best]))) best = i;
    return best;
}

/* First pick without a training set: farthest from the mean of the survivors. */
static size_t first_from_mean(const sel_input *in, const sel_result *cand, double *mean,
                              double *score)
{
    size_t dim = in->dim, best = 0;
    for (size_t j = 0; j < dim; j++) mean[j] = 0;
    for (size_t i = 0; i < cand->n; i++)
        for (size_t j = 0; j < dim; j++) mean[j] += in->desc[cand->picks[i].index * dim + j];
    for (size_t j = 0; j < dim; j++) mean[j] /= (double)cand->n;
    *score = -1;
    for (size_t i = 0; i < cand->n; i++) {
        double d = dist(in->desc + cand->picks[i].index * dim, mean, dim);
        if (d > *score) *score = d, best = i;
    }
    return best;
}

al_status sel_fps_select(const sel_input *in, const sel_params *p, const sel_result *cand,
                         size_t k, sel_result *out, al_err *err)
{
    (void)p;
    out->n = 0;
    AL_TRY(err, sel__need_desc("fps", in, err));
    AL_TRY(err, sel__check_k("fps", k, cand->n, err));
    size_t n = cand->n, dim = in->dim;
    double *d = al_malloc(n * sizeof *d);
    double *mean = al_malloc(dim * sizeof *mean);
    unsigned char *taken = al_calloc(n, 1);
    al_status st = AL_OK;
    if (!d || !mean || !taken) {
        st = al_fail(err, AL_ENOMEM, "selection fps: out of memory for %zu candidates", n);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const double *x = in->desc + cand->picks[i].index * dim;
        d[i] = INFINITY;
        for (size_t t = 0; t < in->n_train; t++) {
            double dt = dist(x, in->train_desc + t * dim, dim);
            if (dt < d[i]) d[i] = dt;
        }
    }
    for (size_t step = 0; step < k; step++) {
        size_t c;
        double score;
        if (step == 0 && in->n_train == 0) {
            c = first_from_mean(in, cand, mean, &score);
        } else {
            c = argmax_free(n, d, taken);
            score = d[c];
        }
        sel_pick pk = cand->picks[c];
        pk.reason = SEL_REASON_DISTANCE;
        pk.score = score;
        pk.uncertainty = in->uncertainty ? in->uncertainty[pk.index] : NAN;
        if ((st = sel_result_push(out, pk, err))) goto done;
        taken[c] = 1;
        const double *xc = in->desc + pk.index * dim;
        for (size_t i = 0; i < n; i++) {
            if (taken[i]) continue;
            double di = dist(in->desc + cand->picks[i].index * dim, xc, dim);
            if (di < d[i]) d[i] = di;
        }
    }
done:
    if (st) AL_TRACE(err);
    al_free(d);
    al_free(mean);
    al_free(taken);
    return st;
}
