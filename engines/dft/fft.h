/*
 * Three-dimensional complex FFTs on the density grid, and the only place that knows FFTW3.
 *
 * Grid layout: row-major n0×n1×n2, index (i0·n1 + i1)·n2 + i2, point i_d ↔ reduced coordinate
 * i_d/n_d along lattice vector a_d. A reciprocal vector G = Σ m_d b_d sits at i_d = m_d mod n_d.
 * Conventions (Hartree atomic units do not enter here):
 *   forward:  f(G) = (1/N) Σ_r f(r) e^{−iG·r}   (normalised, N = n0·n1·n2)
 *   backward: f(r) = Σ_G f(G) e^{+iG·r}
 * so backward(forward(f)) = f exactly up to rounding. Plans are made once per grid
 * (FFTW_ESTIMATE, deterministic) and executed on any buffer from pw_fft_alloc.
 * Frigo and Johnson, Proc. IEEE 93, 216 (2005).
 */
#ifndef PW_FFT_H
#define PW_FFT_H

#include <complex.h>
#include <stddef.h>

#include "core/status.h"

typedef struct pw_fft pw_fft;

/* Plans for an n[0]×n[1]×n[2] grid. Errors: AL_EINVAL (n_d < 1), AL_ENOMEM. */
al_status pw_fft_create(const int n[3], pw_fft **out, al_err *err);
void pw_fft_destroy(pw_fft *f);
size_t pw_fft_size(const pw_fft *f);

/* Aligned complex buffer of `count` elements (zeroed), or NULL; free with pw_fft_free. */
double complex *pw_fft_alloc(size_t count);
void pw_fft_free(double complex *p);

/* In place; `data` must come from pw_fft_alloc and hold pw_fft_size() values. */
void pw_fft_forward(pw_fft *f, double complex *data);
void pw_fft_backward(pw_fft *f, double complex *data);

/*
 * Pruned transforms for wavefunctions (Γ and k-point spheres): their coefficients vanish
 * outside the box |m_d| ≤ mmax[d] of frequencies, so the 1-D transforms along a_2 are needed
 * only on the columns of that box and those along a_1 only on its planes (as in QE's and
 * ABINIT's wavefunction FFTs); a sphere of a quarter of the grid's width then costs about 60 %
 * of a full transform. pw_fft_set_sphere makes the plans (AL_ENOMEM; without it the
 * functions below are the full transforms). backward_sphere: input zero outside the box, output
 * everywhere. forward_sphere: output (normalised as pw_fft_forward) valid inside the box only.
 */
al_status pw_fft_set_sphere(pw_fft *f, const int mmax[3], al_err *err);
void pw_fft_backward_sphere(pw_fft *f, double complex *data);
void pw_fft_forward_sphere(pw_fft *f, double complex *data);

#endif
