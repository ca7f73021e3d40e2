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

/*
 * The local-potential step of a Hamiltonian on a sphere: data ← forward_sphere(v ·
 * backward_sphere(data)), fused. The transforms along a_0, the product and the way back run
 * one slab (fixed i1: n0 × n2 values, which stay in cache) at a time instead of as three
 * passes over the whole grid; nothing outside the box's columns (i0 and i1 inside the box) is
 * read, and nothing outside its planes written. The potential comes in slab order with the
 * forward normalisation folded in, from pw_fft_slab_potential (nfft values). Input: the box's
 * columns, zero outside the sphere's coefficients (pw_fft_clear_box zeroes them, then set the
 * coefficients); output valid inside the box, as forward_sphere's. Same values as the unfused
 * steps up to rounding.
 */
void pw_fft_slab_potential(const pw_fft *f, const double *v, double *v_slab);
void pw_fft_clear_box(const pw_fft *f, double complex *data);
void pw_fft_sphere_local(pw_fft *f, double complex *data, const double *v_slab);

/* rho_slab += |backward_sphere(data)|², in slab order, by the same slab by slab transforms
 * (input as pw_fft_sphere_local's; data is overwritten), and grid += scale · slab in the
 * grid's order: a density summed over bands is reordered once. */
void pw_fft_sphere_add_density(pw_fft *f, double complex *data, double *rho_slab);
void pw_fft_slab_add_to_grid(const pw_fft *f, const double *slab, double scale, double *grid);

#endif
