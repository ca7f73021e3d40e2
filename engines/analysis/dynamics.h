/*
 * Mean square displacement per species with multiple time origins, and the self-diffusion
 * coefficient from its linear regime (Einstein relation, MSD(τ) → 6 D τ).
 *
 * Positions are unwrapped by following each atom between consecutive frames with the minimum
 * image, so frames must be close enough in time that no atom moves half a cell between them.
 * MSD_a(τ) = ⟨|r_i(t0 + τ) − r_i(t0)|²⟩ over atoms i of species a and origins t0 (every
 * origin_stride frames). D is the slope/6 of a least-squares line over [fit_lo, fit_hi] (fs).
 */
#ifndef AN_DYNAMICS_H
#define AN_DYNAMICS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/frame.h"
#include "core/status.h"

typedef struct an_msd {
    size_t n_lags;        /* lags 0..n_lags−1 frames */
    double dt_fs;         /* time between frames */
    double *msd;          /* n_lags, Å² */
    double *samples;      /* n_lags, number of (atom, origin) pairs per lag */
} an_msd;

/* MSD of atoms with atomic number z (0: all atoms) over n frames of equal composition. */
al_status an_msd_compute(const al_frame *frames, size_t n, double dt_fs, int z, size_t origin_stride,
                         an_msd *out, al_err *err);
void an_msd_fini(an_msd *m);

/* D (Å²/fs) from a fit over lags with times in [t_lo, t_hi] fs; *intercept in Å². */
al_status an_msd_diffusion(const an_msd *m, double t_lo, double t_hi, double *d, double *intercept,
                           al_err *err);

/* R_chi goodness of fit (A. C. Wright, J. Non-Cryst. Solids 159, 264 (1993)):
 * sqrt(Σ (ref − calc)² / Σ ref²) over the reference points inside the computed range, with the
 * computed curve interpolated linearly. *used receives the number of points compared. */
al_status an_rchi(const double *x_calc, const double *y_calc, size_t n_calc, const double *x_ref,
                  const double *y_ref, size_t n_ref, double *rchi, size_t *used, al_err *err);

#endif
