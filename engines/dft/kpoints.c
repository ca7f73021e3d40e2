/*
 * Monkhorst–Pack grids reduced by time reversal (conventions in kpoints.h; Monkhorst and
 * Pack, PRB 13, 5188 (1976)). A point k is merged with an earlier point k' when k + k' is a
 * reciprocal lattice vector (all reduced components integers), which is the only symmetry
 * used here: space-group reduction is left to a later stage.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "engines/dft/kpoints.h"

#define KTOL 1e-9

/* Component reduced into (−½, ½]. */
static double wrap(double x)
{
    double y = x - round(x);
    if (y <= -0.5 + KTOL) y += 1;
    if (fabs(y) < KTOL) y = 0;
    return y;
}

static int is_integer(double x)
{
    return fabs(x - round(x)) < KTOL;
}

/* Index of an earlier point equal to −k (mod G), or -1. */
static long find_partner(const pw_kpoints *kp, const double k[3])
{
    for (size_t i = 0; i < kp->n; i++)
        if (is_integer(kp->k[i][0] + k[0]) && is_integer(kp->k[i][1] + k[1]) &&
            is_integer(kp->k[i][2] + k[2]))
            return (long)i;
    return -1;
}

static al_status alloc_points(size_t n, pw_kpoints *out, al_err *err)
{
    out->k = al_calloc(n, sizeof *out->k);
    out->w = al_calloc(n, sizeof *out->w);
    if (!out->k || !out->w) {
        pw_kpoints_fini(out);
        return al_fail(err, AL_ENOMEM, "kpoints: out of memory for %zu points", n);
    }
    return AL_OK;
}

al_status pw_kpoints_mp(const int grid[3], const double shift[3], bool time_reversal,
                        pw_kpoints *out, al_err *err)
{
    memset(out, 0, sizeof *out);
    double sh[3] = {0, 0, 0};
    for (int a = 0; a < 3; a++) {
        if (grid[a] < 1 || grid[a] > 1000)
            return al_fail(err, AL_EINVAL, "kpoints: grid %dx%dx%d: each size must be 1..1000",
                           grid[0], grid[1], grid[2]);
        if (shift) sh[a] = shift[a];
        if (!(sh[a] >= 0 && sh[a] < 1))
            return al_fail(err, AL_EINVAL,
                           "kpoints: shift %g along %d is out of range [0, 1) (grid steps)",
                           sh[a], a + 1);
    }
    size_t total = (size_t)grid[0] * (size_t)grid[1] * (size_t)grid[2];
    AL_TRY(err, alloc_points(total, out, err));
    for (int n0 = 0; n0 < grid[0]; n0++)
        for (int n1 = 0; n1 < grid[1]; n1++)
            for (int n2 = 0; n2 < grid[2]; n2++) {
                double k[3] = {wrap((n0 + sh[0]) / grid[0]), wrap((n1 + sh[1]) / grid[1]),
                               wrap((n2 + sh[2]) / grid[2])};
                long p = time_reversal ? find_partner(out, k) : -1;
                if (p >= 0) {
                    out->w[p] += 1.0 / (double)total;
                    continue;
                }
                memcpy(out->k[out->n], k, sizeof k);
                out->w[out->n++] = 1.0 / (double)total;
            }
    out->gamma_only = out->n == 1 && out->k[0][0] == 0 && out->k[0][1] == 0 && out->k[0][2] == 0;
    return AL_OK;
}

al_status pw_kpoints_gamma(pw_kpoints *out, al_err *err)
{
    memset(out, 0, sizeof *out);
    AL_TRY(err, alloc_points(1, out, err));
    out->n = 1;
    out->w[0] = 1;
    out->gamma_only = true;
    return AL_OK;
}

void pw_kpoints_fini(pw_kpoints *kp)
{
    if (!kp) return;
    al_free(kp->k);
    al_free(kp->w);
    memset(kp, 0, sizeof *kp);
}
