/*
 * Small 3×3 helpers for periodic cells (rows of `cell` are the lattice vectors, Å).
 * Fractional coordinates s satisfy r = s · cell (row vector times matrix).
 */
#ifndef AL_CELL_H
#define AL_CELL_H

#include "core/status.h"

/* Determinant (signed volume) of a 3×3 matrix. */
double al_mat3_det(const double m[3][3]);
/* Inverse of m into inv; AL_EINVAL when |det| < 1e-12·scale (degenerate cell). */
al_status al_mat3_inv(const double m[3][3], double inv[3][3], al_err *err);
/* out = a · b (3×3). out may alias neither input. */
void al_mat3_mul(const double a[3][3], const double b[3][3], double out[3][3]);
/* Perpendicular widths of the cell: distance between opposite faces, for each direction. */
void al_cell_widths(const double cell[3][3], double width[3]);
/* Fractional coordinates of r (inv = inverse of cell). */
void al_cell_frac(const double inv[3][3], const double r[3], double s[3]);
/* Cartesian coordinates of fractional s. */
void al_cell_cart(const double cell[3][3], const double s[3], double r[3]);

#endif
