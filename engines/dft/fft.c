/*
 * FFTW3 wrapper (see fft.h for the sign and normalisation conventions).
 * In-place complex-to-complex 3-D transforms with plans made once per grid; new-array
 * execution (fftw_execute_dft) lets one plan serve every aligned buffer of the grid.
 */
#include "engines/dft/fft.h"

#include <fftw3.h>
#include <string.h>

#include "core/alloc.h"

struct pw_fft {
    int n[3];
    size_t size;
    fftw_plan fwd, bwd;
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
