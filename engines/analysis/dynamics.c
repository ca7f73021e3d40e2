/* MSD, diffusion and R_chi (see dynamics.h). */
#include "engines/analysis/dynamics.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/cell.h"

void an_msd_fini(an_msd *m)
{
    al_free(m->msd);
    al_free(m->samples);
    memset(m, 0, sizeof *m);
}

/* Unwrapped positions of the selected atoms, frame after frame (n × sel × 3). */
static al_status unwrap(const al_frame *frames, size_t n, const size_t *sel, size_t ns, double *u,
                        al_err *err)
{
    for (size_t k = 0; k < ns; k++) memcpy(&u[3 * k], frames[0].pos[sel[k]], 3 * sizeof(double));
    for (size_t t = 1; t < n; t++) {
        const al_frame *f = &frames[t], *p = &frames[t - 1];
        double inv[3][3];
        bool periodic = f->pbc[0] || f->pbc[1] || f->pbc[2];
        if (periodic) AL_TRY(err, al_mat3_inv(f->cell, inv, err));
        for (size_t k = 0; k < ns; k++) {
            double d[3], s[3];
            for (int a = 0; a < 3; a++) d[a] = f->pos[sel[k]][a] - p->pos[sel[k]][a];
            if (periodic) {
                al_cell_frac(inv, d, s);
                for (int a = 0; a < 3; a++)
                    if (f->pbc[a]) s[a] -= round(s[a]);
                al_cell_cart(f->cell, s, d);
            }
            for (int a = 0; a < 3; a++) u[(t * ns + k) * 3 + a] = u[((t - 1) * ns + k) * 3 + a] + d[a];
        }
    }
    return AL_OK;
}

al_status an_msd_compute(const al_frame *frames, size_t n, double dt_fs, int z, size_t origin_stride,
                         an_msd *out, al_err *err)
{
    memset(out, 0, sizeof *out);
    if (n < 2) return al_fail(err, AL_EINVAL, "MSD needs at least 2 frames, got %zu", n);
    if (!(dt_fs > 0)) return al_fail(err, AL_EINVAL, "MSD: the time between frames must be > 0 fs, got %g", dt_fs);
    size_t na = frames[0].n_atoms, ns = 0;
    for (size_t t = 1; t < n; t++)
        if (frames[t].n_atoms != na)
            return al_fail(err, AL_EINVAL, "MSD: frame %zu has %zu atoms, frame 0 has %zu", t, frames[t].n_atoms, na);
    size_t *sel = al_malloc((na ? na : 1) * sizeof *sel);
    if (!sel) return al_fail(err, AL_ENOMEM, "out of memory");
    for (size_t i = 0; i < na; i++)
        if (!z || frames[0].z[i] == z) sel[ns++] = i;
    al_status st = AL_OK;
    double *u = NULL;
    if (!ns) {
        st = al_fail(err, AL_EINVAL, "MSD: no atom with Z=%d", z);
        goto done;
    }
    u = al_malloc(n * ns * 3 * sizeof *u);
    out->msd = al_calloc(n, sizeof *out->msd);
    out->samples = al_calloc(n, sizeof *out->samples);
    if (!u || !out->msd || !out->samples) {
        st = al_fail(err, AL_ENOMEM, "MSD: out of memory for %zu frames", n);
        goto done;
    }
    if ((st = unwrap(frames, n, sel, ns, u, err))) goto done;
    out->n_lags = n;
    out->dt_fs = dt_fs;
    if (origin_stride < 1) origin_stride = 1;
    for (size_t t0 = 0; t0 < n; t0 += origin_stride)
        for (size_t lag = 0; t0 + lag < n; lag++) {
            double sum = 0;
            for (size_t k = 0; k < ns; k++)
                for (int a = 0; a < 3; a++) {
                    double d = u[((t0 + lag) * ns + k) * 3 + a] - u[(t0 * ns + k) * 3 + a];
                    sum += d * d;
                }
            out->msd[lag] += sum;
            out->samples[lag] += (double)ns;
        }
    for (size_t lag = 0; lag < n; lag++) out->msd[lag] /= out->samples[lag];
done:
    al_free(sel);
    al_free(u);
    if (st) an_msd_fini(out);
    return st;
}

al_status an_msd_diffusion(const an_msd *m, double t_lo, double t_hi, double *d, double *intercept,
                           al_err *err)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (size_t lag = 0; lag < m->n_lags; lag++) {
        double t = lag * m->dt_fs;
        if (t < t_lo || t > t_hi) continue;
        sx += t, sy += m->msd[lag], sxx += t * t, sxy += t * m->msd[lag];
        n++;
    }
    if (n < 2)
        return al_fail(err, AL_EINVAL, "diffusion: the fit range %g-%g fs holds %d MSD points, needs 2",
                       t_lo, t_hi, n);
    double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    *d = slope / 6.0;
    if (intercept) *intercept = (sy - slope * sx) / n;
    return AL_OK;
}

al_status an_rchi(const double *x_calc, const double *y_calc, size_t n_calc, const double *x_ref,
                  const double *y_ref, size_t n_ref, double *rchi, size_t *used, al_err *err)
{
    double num = 0, den = 0;
    size_t k = 0, count = 0;
    for (size_t i = 0; i < n_ref; i++) {
        double x = x_ref[i];
        if (n_calc < 2 || x < x_calc[0] || x > x_calc[n_calc - 1]) continue;
        while (k + 2 < n_calc && x_calc[k + 1] < x) k++;
        double w = (x - x_calc[k]) / (x_calc[k + 1] - x_calc[k]);
        double y = (1 - w) * y_calc[k] + w * y_calc[k + 1];
        num += (y_ref[i] - y) * (y_ref[i] - y);
        den += y_ref[i] * y_ref[i];
        count++;
    }
    if (!count || !(den > 0))
        return al_fail(err, AL_EINVAL, "R_chi: the reference and computed curves do not overlap");
    *rchi = sqrt(num / den);
    if (used) *used = count;
    return AL_OK;
}
