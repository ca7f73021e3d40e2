/*
 * FFT wrapper: round trip backward(forward(f)) = f, and the sign/normalisation convention of
 * fft.h (a plane wave e^{iG·r} on the grid transforms to exactly 1 at G's index).
 */
#include <complex.h>
#include <math.h>

#include "core/alloc.h"
#include "core/rng.h"
#include "core/units.h"
#include "engines/dft/fft.h"
#include "tests/harness/al_test.h"

static void round_trip(al_test *t, const int n[3])
{
    al_err err = {0};
    pw_fft *f = NULL;
    AL_CHECK_OK(t, pw_fft_create(n, &f, &err), &err);
    if (!f) return;
    size_t nf = pw_fft_size(f);
    AL_CHECK(t, nf == (size_t)n[0] * n[1] * n[2]);
    double complex *a = pw_fft_alloc(nf), *orig = pw_fft_alloc(nf);
    al_rng rng;
    al_rng_seed(&rng, 7, 0);
    for (size_t i = 0; i < nf; i++) orig[i] = a[i] = al_rng_normal(&rng) + I * al_rng_normal(&rng);
    pw_fft_forward(f, a);
    pw_fft_backward(f, a);
    double md = 0;
    for (size_t i = 0; i < nf; i++) md = fmax(md, cabs(a[i] - orig[i]));
    AL_CHECK_CLOSE(t, md, 0.0, 1e-13);
    pw_fft_free(a);
    pw_fft_free(orig);
    pw_fft_destroy(f);
}

static void test_round_trip(al_test *t)
{
    const int sizes[][3] = {{36, 36, 36}, {16, 15, 12}, {5, 9, 2}, {1, 1, 7}};
    for (int i = 0; i < 4; i++) round_trip(t, sizes[i]);
}

static void test_plane_wave(al_test *t)
{
    const int n[3] = {8, 6, 10};
    const int m[3] = {-3, 2, 4}; /* Miller indices of G */
    al_err err = {0};
    pw_fft *f = NULL;
    AL_CHECK_OK(t, pw_fft_create(n, &f, &err), &err);
    double complex *a = pw_fft_alloc(pw_fft_size(f));
    size_t idx = 0;
    for (int i0 = 0; i0 < n[0]; i0++)
        for (int i1 = 0; i1 < n[1]; i1++)
            for (int i2 = 0; i2 < n[2]; i2++, idx++) {
                double ph = 2 * AL_PI * ((double)m[0] * i0 / n[0] + (double)m[1] * i1 / n[1] +
                                         (double)m[2] * i2 / n[2]);
                a[idx] = cexp(I * ph);
            }
    pw_fft_forward(f, a);
    size_t want = ((size_t)((m[0] + n[0]) % n[0]) * n[1] + (size_t)((m[1] + n[1]) % n[1])) * n[2] +
                  (size_t)((m[2] + n[2]) % n[2]);
    for (size_t i = 0; i < pw_fft_size(f); i++)
        AL_CHECK_CLOSE(t, cabs(a[i] - (i == want ? 1.0 : 0.0)), 0.0, 1e-13);
    pw_fft_free(a);
    pw_fft_destroy(f);
}

static void test_bad_grid(al_test *t)
{
    al_err err = {0};
    pw_fft *f = NULL;
    const int n[3] = {4, 0, 4};
    AL_CHECK(t, pw_fft_create(n, &f, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "FFT grid 4x0x4: every size must be >= 1");
    AL_CHECK(t, f == NULL);
}

/* Plans for an n grid with the pruned transforms of the box mmax. */
static pw_fft *sphere_fft(al_test *t, const int n[3], const int mmax[3])
{
    al_err err = {0};
    pw_fft *f = NULL;
    AL_CHECK_OK(t, pw_fft_create(n, &f, &err), &err);
    if (f) AL_CHECK_OK(t, pw_fft_set_sphere(f, mmax, &err), &err);
    return f;
}

/* Pruned transforms equal the full ones: backward of coefficients inside the box |m_d| ≤ mmax
 * everywhere, forward inside the box (odd and even grids, boxes touching the grid edge). */
static void pruned_matches(al_test *t, const int n[3], const int mmax[3])
{
    pw_fft *f = sphere_fft(t, n, mmax);
    if (!f) return;
    size_t nf = pw_fft_size(f);
    double complex *a = pw_fft_alloc(nf), *b = pw_fft_alloc(nf);
    al_rng rng;
    al_rng_seed(&rng, 11, 0);
    size_t idx = 0;
    for (int i0 = 0; i0 < n[0]; i0++)
        for (int i1 = 0; i1 < n[1]; i1++)
            for (int i2 = 0; i2 < n[2]; i2++, idx++) {
                int i[3] = {i0, i1, i2};
                int in = 1;
                for (int d = 0; d < 3; d++) {
                    int m = i[d] <= n[d] / 2 ? i[d] : i[d] - n[d];
                    if (m > mmax[d] || -m > mmax[d]) in = 0;
                }
                a[idx] = b[idx] = in ? al_rng_normal(&rng) + I * al_rng_normal(&rng) : 0.0;
            }
    pw_fft_backward(f, a);
    pw_fft_backward_sphere(f, b);
    double md = 0;
    for (size_t j = 0; j < nf; j++) md = fmax(md, cabs(a[j] - b[j]));
    AL_CHECK_CLOSE(t, md, 0.0, 1e-12);
    for (size_t j = 0; j < nf; j++) b[j] = a[j];
    pw_fft_forward(f, a);
    pw_fft_forward_sphere(f, b);
    md = 0;
    idx = 0;
    for (int i0 = 0; i0 < n[0]; i0++)
        for (int i1 = 0; i1 < n[1]; i1++)
            for (int i2 = 0; i2 < n[2]; i2++, idx++) {
                int i[3] = {i0, i1, i2};
                int in = 1;
                for (int d = 0; d < 3; d++) {
                    int m = i[d] <= n[d] / 2 ? i[d] : i[d] - n[d];
                    if (m > mmax[d] || -m > mmax[d]) in = 0;
                }
                if (in) md = fmax(md, cabs(a[idx] - b[idx]));
            }
    AL_CHECK_CLOSE(t, md, 0.0, 1e-14);
    pw_fft_free(a);
    pw_fft_free(b);
    pw_fft_destroy(f);
}

/* Whether grid point i holds a frequency of the box |m_d| ≤ mmax[d]. */
static int in_box(const int n[3], const int mmax[3], const int i[3])
{
    for (int d = 0; d < 3; d++) {
        int m = i[d] <= n[d] / 2 ? i[d] : i[d] - n[d];
        if (m > mmax[d] || -m > mmax[d]) return 0;
    }
    return 1;
}

/* Random coefficients in the box |m_d| ≤ mmax: a holds them on the whole grid (zero
 * elsewhere), b as the fused steps want them: NaN everywhere, the box's columns cleared, the
 * coefficients set (so that reading anything else shows as NaN). */
static void box_coefficients(const pw_fft *f, const int n[3], const int mmax[3], al_rng *rng,
                             double complex *a, double complex *b)
{
    size_t nf = pw_fft_size(f), idx = 0;
    for (size_t j = 0; j < nf; j++) b[j] = NAN;
    pw_fft_clear_box(f, b);
    for (int i0 = 0; i0 < n[0]; i0++)
        for (int i1 = 0; i1 < n[1]; i1++)
            for (int i2 = 0; i2 < n[2]; i2++, idx++) {
                a[idx] = 0.0;
                if (in_box(n, mmax, (int[3]){i0, i1, i2}))
                    a[idx] = b[idx] = al_rng_normal(rng) + I * al_rng_normal(rng);
            }
}

/* The fused local-potential step equals backward, product, forward (all unpruned) inside the
 * box; nothing outside the box's columns is read (NaN there), for pruned and unpruned grids. */
static void local_matches(al_test *t, const int n[3], const int mmax[3])
{
    pw_fft *f = sphere_fft(t, n, mmax);
    if (!f) return;
    size_t nf = pw_fft_size(f);
    double complex *a = pw_fft_alloc(nf), *b = pw_fft_alloc(nf);
    double *v = al_malloc(nf * sizeof *v), *vs = al_malloc(nf * sizeof *vs);
    al_rng rng;
    al_rng_seed(&rng, 13, 0);
    for (size_t j = 0; j < nf; j++) v[j] = al_rng_normal(&rng);
    pw_fft_slab_potential(f, v, vs);
    box_coefficients(f, n, mmax, &rng, a, b);
    pw_fft_backward(f, a);
    for (size_t j = 0; j < nf; j++) a[j] *= v[j];
    pw_fft_forward(f, a);
    pw_fft_sphere_local(f, b, vs);
    double md = 0, amax = 0;
    size_t idx = 0;
    for (int i0 = 0; i0 < n[0]; i0++)
        for (int i1 = 0; i1 < n[1]; i1++)
            for (int i2 = 0; i2 < n[2]; i2++, idx++)
                if (in_box(n, mmax, (int[3]){i0, i1, i2})) {
                    double d = cabs(a[idx] - b[idx]);
                    md = isnan(d) || d > md ? d : md; /* a NaN read from outside shows */
                    amax = fmax(amax, cabs(a[idx]));
                }
    AL_CHECK_MSG(t, amax > 0.1 && md <= 1e-14 * amax,
                 "grid %dx%dx%d box %d,%d,%d: fused differs by %.3g (values up to %.3g)", n[0],
                 n[1], n[2], mmax[0], mmax[1], mmax[2], md, amax);
    al_free(v);
    al_free(vs);
    pw_fft_free(a);
    pw_fft_free(b);
    pw_fft_destroy(f);
}

/* The slab-ordered density of two transforms, reordered to the grid with a scale, equals the
 * grid's |backward|² (nothing outside the box's columns read). */
static void density_matches(al_test *t, const int n[3], const int mmax[3])
{
    pw_fft *f = sphere_fft(t, n, mmax);
    if (!f) return;
    size_t nf = pw_fft_size(f);
    double complex *a = pw_fft_alloc(nf), *b = pw_fft_alloc(nf);
    double *ref = al_calloc(nf, sizeof *ref), *slab = al_calloc(nf, sizeof *slab);
    double *grid = al_malloc(nf * sizeof *grid);
    al_rng rng;
    al_rng_seed(&rng, 17, 0);
    for (int band = 0; band < 2; band++) {
        box_coefficients(f, n, mmax, &rng, a, b);
        pw_fft_backward(f, a);
        for (size_t j = 0; j < nf; j++) ref[j] += creal(a[j] * conj(a[j]));
        pw_fft_sphere_add_density(f, b, slab);
    }
    for (size_t j = 0; j < nf; j++) grid[j] = 1.0;
    pw_fft_slab_add_to_grid(f, slab, -2.0, grid);
    double md = 0, rmax = 0;
    for (size_t j = 0; j < nf; j++) {
        double d = fabs(grid[j] - (1.0 - 2.0 * ref[j]));
        md = isnan(d) || d > md ? d : md;
        rmax = fmax(rmax, ref[j]);
    }
    AL_CHECK_MSG(t, rmax > 1.0 && md <= 1e-13 * rmax,
                 "grid %dx%dx%d box %d,%d,%d: slab density differs by %.3g (values up to %.3g)",
                 n[0], n[1], n[2], mmax[0], mmax[1], mmax[2], md, rmax);
    al_free(ref);
    al_free(slab);
    al_free(grid);
    pw_fft_free(a);
    pw_fft_free(b);
    pw_fft_destroy(f);
}

static void test_sphere_local(al_test *t)
{
    /* the last box fills its grid: no pruning, the plain transforms */
    const int n[][3] = {{36, 36, 36}, {16, 15, 12}, {9, 10, 7}, {8, 8, 8}, {6, 5, 4}};
    const int m[][3] = {{9, 9, 9}, {4, 7, 2}, {4, 0, 3}, {3, 3, 3}, {3, 2, 2}};
    for (int i = 0; i < 5; i++) {
        local_matches(t, n[i], m[i]);
        density_matches(t, n[i], m[i]);
    }
}

static void test_pruned(al_test *t)
{
    const int n[][3] = {{36, 36, 36}, {16, 15, 12}, {9, 10, 7}, {8, 8, 8}};
    const int m[][3] = {{9, 9, 9}, {4, 7, 2}, {4, 0, 3}, {3, 3, 3}};
    for (int i = 0; i < 4; i++) pruned_matches(t, n[i], m[i]);
}

static const al_test_case cases[] = {
    {"fft_pruned_sphere", test_pruned, AL_TEST_FAST},
    {"fft_sphere_fused_local_density", test_sphere_local, AL_TEST_FAST},
    {"fft_round_trip", test_round_trip, AL_TEST_FAST},
    {"fft_plane_wave_convention", test_plane_wave, AL_TEST_FAST},
    {"fft_bad_grid", test_bad_grid, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
