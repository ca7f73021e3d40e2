/*
 * FFTW3 wrapper (see fft.h for the sign and normalisation conventions).
 * In-place complex-to-complex 3-D transforms with plans made once per grid; new-array
 * execution (fftw_execute_dft) lets one plan serve every aligned buffer of the grid.
 */
#include "engines/dft/fft.h"

#include <fftw3.h>
#include <stdbool.h>
#include <string.h>

#include "core/alloc.h"

struct pw_fft {
    int n[3];
    size_t size;
    fftw_plan fwd, bwd;
    /* pruned transforms (pw_fft_set_sphere), [0] backward, [1] forward: along a_2 on the
     * columns i1 = 0..m1 (zlo) and n1−m1..n1−1 (zhi) of one plane, along a_1 on one plane, along
     * a_0 on the whole grid */
    bool pruned;
    int m[3];
    fftw_plan zlo[2], zhi[2], y[2], x[2];
    /* the fused local-potential step (pw_fft_sphere_local): one slab i1 of the grid held
     * as n2 contiguous columns along a_0, and the transforms along a_0 on it */
    fftw_complex *slab;
    fftw_plan xs[2];
    /* one plane held as n2 contiguous columns along a_1, for the transforms along a_1 (y) */
    fftw_complex *plane;
};

al_status pw_fft_create(const int n[3], pw_fft **out, al_err *err)
{
    *out = NULL;
    if (n[0] < 1 || n[1] < 1 || n[2] < 1)
        return al_fail(err, AL_EINVAL, "FFT grid %dx%dx%d: every size must be >= 1", n[0], n[1],
                       n[2]);
    pw_fft *f = al_calloc(1, sizeof *f);
    if (!f) return al_fail(err, AL_ENOMEM, "FFT grid: out of memory");
    memcpy(f->n, n, sizeof f->n);
    f->size = (size_t)n[0] * (size_t)n[1] * (size_t)n[2];
    fftw_complex *buf = fftw_alloc_complex(f->size);
    if (!buf) {
        al_free(f);
        return al_fail(err, AL_ENOMEM, "FFT grid %dx%dx%d: out of memory", n[0], n[1], n[2]);
    }
    f->fwd = fftw_plan_dft_3d(n[0], n[1], n[2], buf, buf, FFTW_FORWARD, FFTW_ESTIMATE);
    f->bwd = fftw_plan_dft_3d(n[0], n[1], n[2], buf, buf, FFTW_BACKWARD, FFTW_ESTIMATE);
    fftw_free(buf);
    if (!f->fwd || !f->bwd) {
        pw_fft_destroy(f);
        return al_fail(err, AL_ENOMEM, "FFTW could not plan a %dx%dx%d grid", n[0], n[1], n[2]);
    }
    *out = f;
    return AL_OK;
}

void pw_fft_destroy(pw_fft *f)
{
    if (!f) return;
    if (f->fwd) fftw_destroy_plan(f->fwd);
    if (f->bwd) fftw_destroy_plan(f->bwd);
    for (int d = 0; d < 2; d++) {
        if (f->zlo[d]) fftw_destroy_plan(f->zlo[d]);
        if (f->zhi[d]) fftw_destroy_plan(f->zhi[d]);
        if (f->y[d]) fftw_destroy_plan(f->y[d]);
        if (f->x[d]) fftw_destroy_plan(f->x[d]);
        if (f->xs[d]) fftw_destroy_plan(f->xs[d]);
    }
    if (f->slab) fftw_free(f->slab);
    if (f->plane) fftw_free(f->plane);
    al_free(f);
}

size_t pw_fft_size(const pw_fft *f) { return f->size; }

double complex *pw_fft_alloc(size_t count)
{
    double complex *p = (double complex *)fftw_alloc_complex(count ? count : 1);
    if (p) memset(p, 0, (count ? count : 1) * sizeof *p);
    return p;
}

void pw_fft_free(double complex *p)
{
    if (p) fftw_free(p);
}

void pw_fft_forward(pw_fft *f, double complex *data)
{
    fftw_execute_dft(f->fwd, (fftw_complex *)data, (fftw_complex *)data);
    double s = 1.0 / (double)f->size;
    for (size_t i = 0; i < f->size; i++) data[i] *= s;
}

void pw_fft_backward(pw_fft *f, double complex *data)
{
    fftw_execute_dft(f->bwd, (fftw_complex *)data, (fftw_complex *)data);
}

al_status pw_fft_set_sphere(pw_fft *f, const int mmax[3], al_err *err)
{
    const int *n = f->n;
    for (int d = 0; d < 3; d++)
        if (mmax[d] < 0 || 2 * mmax[d] + 1 > n[d]) return AL_OK; /* nothing to prune */
    fftw_complex *buf = fftw_alloc_complex(f->size);
    if (!buf) return al_fail(err, AL_ENOMEM, "FFT grid: out of memory");
    int n1n2 = n[1] * n[2];
    /* columns executed at plane and column offsets: FFTW_UNALIGNED */
    unsigned fl = FFTW_ESTIMATE | FFTW_UNALIGNED;
    for (int d = 0; d < 2; d++) {
        int sign = d == 0 ? FFTW_BACKWARD : FFTW_FORWARD;
        f->zlo[d] = fftw_plan_many_dft(1, &n[2], mmax[1] + 1, buf, NULL, 1, n[2], buf, NULL, 1,
                                       n[2], sign, fl);
        if (mmax[1] > 0)
            f->zhi[d] = fftw_plan_many_dft(1, &n[2], mmax[1], buf, NULL, 1, n[2], buf, NULL, 1,
                                           n[2], sign, fl);
        if (!f->plane) f->plane = fftw_alloc_complex((size_t)n1n2);
        if (f->plane)
            f->y[d] = fftw_plan_many_dft(1, &n[1], n[2], f->plane, NULL, 1, n[1], f->plane, NULL,
                                         1, n[1], sign, FFTW_ESTIMATE);
        f->x[d] = fftw_plan_many_dft(1, &n[0], n1n2, buf, NULL, n1n2, 1, buf, NULL, n1n2, 1, sign,
                                     FFTW_ESTIMATE);
        if (!f->slab) f->slab = fftw_alloc_complex((size_t)n[0] * (size_t)n[2]);
        if (f->slab)
            f->xs[d] = fftw_plan_many_dft(1, &n[0], n[2], f->slab, NULL, 1, n[0], f->slab, NULL,
                                          1, n[0], sign, FFTW_ESTIMATE);
        if (!f->zlo[d] || (mmax[1] > 0 && !f->zhi[d]) || !f->y[d] || !f->x[d] || !f->xs[d]) {
            fftw_free(buf);
            return al_fail(err, AL_ENOMEM, "FFTW could not plan the pruned transforms");
        }
    }
    fftw_free(buf);
    memcpy(f->m, mmax, sizeof f->m);
    f->pruned = true;
    return AL_OK;
}

/* Plane i0 of the box's planes (0..m0, then n0−m0..n0−1). */
static size_t box_plane(const pw_fft *f, int j)
{
    return (size_t)(j <= f->m[0] ? j : f->n[0] - (2 * f->m[0] + 1) + j);
}

static void pass_z(const pw_fft *f, int d, double complex *data)
{
    size_t plane = (size_t)f->n[1] * (size_t)f->n[2];
    for (int j = 0; j < 2 * f->m[0] + 1; j++) {
        fftw_complex *p = (fftw_complex *)(data + box_plane(f, j) * plane);
        fftw_execute_dft(f->zlo[d], p, p);
        if (f->zhi[d]) {
            fftw_complex *q = p + (size_t)(f->n[1] - f->m[1]) * (size_t)f->n[2];
            fftw_execute_dft(f->zhi[d], q, q);
        }
    }
}

/* Whether row i1 of a plane lies in the box (|m_1| ≤ mmax[1]). */
static bool row_in_box(const pw_fft *f, size_t i1)
{
    return i1 <= (size_t)f->m[1] || i1 >= (size_t)(f->n[1] - f->m[1]);
}

/*
 * Along a_1 on the box planes. Each plane is transposed into a buffer of contiguous columns
 * (strided transforms in place were 20 % slower): backward, the rows outside the box are zero
 * and not read, and every row is written; forward, only the box's rows are written back.
 */
static void pass_y(const pw_fft *f, int d, double complex *data)
{
    size_t n1 = (size_t)f->n[1], n2 = (size_t)f->n[2], plane = n1 * n2;
    double complex *t = (double complex *)f->plane;
    for (int j = 0; j < 2 * f->m[0] + 1; j++) {
        double complex *p = data + box_plane(f, j) * plane;
        for (size_t i1 = 0; i1 < n1; i1++) {
            const double complex *row = p + i1 * n2;
            if (d == 0 && !row_in_box(f, i1))
                for (size_t i2 = 0; i2 < n2; i2++) t[i2 * n1 + i1] = 0.0;
            else
                for (size_t i2 = 0; i2 < n2; i2++) t[i2 * n1 + i1] = row[i2];
        }
        fftw_execute_dft(f->y[d], f->plane, f->plane);
        for (size_t i1 = 0; i1 < n1; i1++) {
            if (d == 1 && !row_in_box(f, i1)) continue;
            double complex *row = p + i1 * n2;
            for (size_t i2 = 0; i2 < n2; i2++) row[i2] = t[i2 * n1 + i1];
        }
    }
}

void pw_fft_backward_sphere(pw_fft *f, double complex *data)
{
    if (!f->pruned) {
        pw_fft_backward(f, data);
        return;
    }
    pass_z(f, 0, data);
    pass_y(f, 0, data);
    fftw_execute_dft(f->x[0], (fftw_complex *)data, (fftw_complex *)data);
}

void pw_fft_forward_sphere(pw_fft *f, double complex *data)
{
    if (!f->pruned) {
        pw_fft_forward(f, data);
        return;
    }
    fftw_execute_dft(f->x[1], (fftw_complex *)data, (fftw_complex *)data);
    pass_y(f, 1, data);
    pass_z(f, 1, data);
    double s = 1.0 / (double)f->size;
    size_t n1 = (size_t)f->n[1], n2 = (size_t)f->n[2];
    for (int j = 0; j < 2 * f->m[0] + 1; j++) {
        double complex *p = data + box_plane(f, j) * n1 * n2;
        for (size_t i = 0; i < (size_t)(f->m[1] + 1) * n2; i++) p[i] *= s;
        for (size_t i = (n1 - (size_t)f->m[1]) * n2; i < n1 * n2; i++) p[i] *= s;
    }
}

/* ---- the local-potential step, fused (fft.h) ---- */

/* Index in slab order (slab i1, then column i2, then i0) of grid point (i0, i1, i2). */
static size_t slab_at(const pw_fft *f, size_t i0, size_t i1, size_t i2)
{
    return (i1 * (size_t)f->n[2] + i2) * (size_t)f->n[0] + i0;
}

void pw_fft_slab_potential(const pw_fft *f, const double *v, double *v_slab)
{
    size_t n0 = (size_t)f->n[0], n1 = (size_t)f->n[1], n2 = (size_t)f->n[2];
    double s = 1.0 / (double)f->size;
    for (size_t i1 = 0; i1 < n1; i1++)
        for (size_t i2 = 0; i2 < n2; i2++)
            for (size_t i0 = 0; i0 < n0; i0++)
                v_slab[slab_at(f, i0, i1, i2)] = s * v[(i0 * n1 + i1) * n2 + i2];
}

void pw_fft_clear_box(const pw_fft *f, double complex *data)
{
    size_t plane = (size_t)f->n[1] * (size_t)f->n[2];
    if (!f->pruned) {
        memset(data, 0, f->size * sizeof *data);
        return;
    }
    size_t n1 = (size_t)f->n[1], n2 = (size_t)f->n[2], lo = (size_t)f->m[1] + 1;
    for (int j = 0; j < 2 * f->m[0] + 1; j++) {
        double complex *p = data + box_plane(f, j) * plane;
        memset(p, 0, lo * n2 * sizeof *data);
        memset(p + (n1 - (size_t)f->m[1]) * n2, 0, (size_t)f->m[1] * n2 * sizeof *data);
    }
}

void pw_fft_slab_add_to_grid(const pw_fft *f, const double *slab, double scale, double *grid)
{
    size_t n0 = (size_t)f->n[0], n1 = (size_t)f->n[1], n2 = (size_t)f->n[2];
    for (size_t i0 = 0; i0 < n0; i0++)
        for (size_t i1 = 0; i1 < n1; i1++)
            for (size_t i2 = 0; i2 < n2; i2++)
                grid[(i0 * n1 + i1) * n2 + i2] += scale * slab[slab_at(f, i0, i1, i2)];
}

/* Unpruned grid: the plain transforms around the potential in slab order. */
static void local_full(pw_fft *f, double complex *data, const double *v_slab)
{
    size_t n0 = (size_t)f->n[0], n1 = (size_t)f->n[1], n2 = (size_t)f->n[2];
    fftw_execute_dft(f->bwd, (fftw_complex *)data, (fftw_complex *)data);
    for (size_t i0 = 0; i0 < n0; i0++)
        for (size_t i1 = 0; i1 < n1; i1++)
            for (size_t i2 = 0; i2 < n2; i2++)
                data[(i0 * n1 + i1) * n2 + i2] *= v_slab[slab_at(f, i0, i1, i2)];
    fftw_execute_dft(f->fwd, (fftw_complex *)data, (fftw_complex *)data);
}

/* Slab i1 to real space: the box planes' values in (the other planes are zero), along a_0. */
static void slab_backward(pw_fft *f, const double complex *data, size_t i1)
{
    size_t n0 = (size_t)f->n[0], n2 = (size_t)f->n[2], plane = (size_t)f->n[1] * n2;
    size_t nbox = (size_t)(2 * f->m[0] + 1), gap = n0 - nbox;
    double complex *s = (double complex *)f->slab;
    for (size_t i2 = 0; i2 < n2; i2++)
        memset(s + i2 * n0 + (size_t)f->m[0] + 1, 0, gap * sizeof *s);
    for (size_t j = 0; j < nbox; j++) {
        size_t i0 = box_plane(f, (int)j);
        const double complex *src = data + i0 * plane + i1 * n2;
        for (size_t i2 = 0; i2 < n2; i2++) s[i2 * n0 + i0] = src[i2];
    }
    fftw_execute_dft(f->xs[0], f->slab, f->slab);
}

/* Slab i1: to real space, times the potential, back, and the box planes' values out. */
static void local_slab(pw_fft *f, double complex *data, const double *v_slab, size_t i1)
{
    size_t n0 = (size_t)f->n[0], n2 = (size_t)f->n[2], plane = (size_t)f->n[1] * n2;
    size_t nbox = (size_t)(2 * f->m[0] + 1);
    double complex *s = (double complex *)f->slab;
    slab_backward(f, data, i1);
    const double *v = v_slab + i1 * n2 * n0;
    for (size_t q = 0; q < n0 * n2; q++) s[q] *= v[q];
    fftw_execute_dft(f->xs[1], f->slab, f->slab);
    for (size_t j = 0; j < nbox; j++) {
        size_t i0 = box_plane(f, (int)j);
        double complex *dst = data + i0 * plane + i1 * n2;
        for (size_t i2 = 0; i2 < n2; i2++) dst[i2] = s[i2 * n0 + i0];
    }
}

void pw_fft_sphere_local(pw_fft *f, double complex *data, const double *v_slab)
{
    if (!f->pruned) {
        local_full(f, data, v_slab);
        return;
    }
    pass_z(f, 0, data);
    pass_y(f, 0, data);
    for (size_t i1 = 0; i1 < (size_t)f->n[1]; i1++) local_slab(f, data, v_slab, i1);
    pass_y(f, 1, data);
    pass_z(f, 1, data);
}

void pw_fft_sphere_add_density(pw_fft *f, double complex *data, double *rho_slab)
{
    size_t n0 = (size_t)f->n[0], n1 = (size_t)f->n[1], n2 = (size_t)f->n[2];
    if (!f->pruned) {
        fftw_execute_dft(f->bwd, (fftw_complex *)data, (fftw_complex *)data);
        for (size_t i0 = 0; i0 < n0; i0++)
            for (size_t i1 = 0; i1 < n1; i1++)
                for (size_t i2 = 0; i2 < n2; i2++) {
                    double complex z = data[(i0 * n1 + i1) * n2 + i2];
                    rho_slab[slab_at(f, i0, i1, i2)] += creal(z) * creal(z) + cimag(z) * cimag(z);
                }
        return;
    }
    pass_z(f, 0, data);
    pass_y(f, 0, data);
    const double complex *s = (const double complex *)f->slab;
    for (size_t i1 = 0; i1 < n1; i1++) {
        slab_backward(f, data, i1);
        double *r = rho_slab + i1 * n2 * n0;
        for (size_t q = 0; q < n0 * n2; q++) r[q] += creal(s[q]) * creal(s[q]) + cimag(s[q]) * cimag(s[q]);
    }
}
