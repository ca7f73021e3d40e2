/*
 * Sparse Gaussian-process regression in the deterministic-training-conditional (DTC, or
 * projected-process) form, solved without normal equations.
 *
 * With m sparse points (covariance K_MM), n observations y with noise σ (Λ = diag σ²) and
 * their covariance with the sparse points K_NM (each row a sum of kernels or of kernel
 * derivatives, as the caller builds it), the weights are
 *     α = (K_MM + K_MN Λ⁻¹ K_NM)⁻¹ K_MN Λ⁻¹ y,
 * the least-squares solution of [Λ^-½ K_NM ; Lᵀ] α ≈ [Λ^-½ y ; 0] with K_MM = L Lᵀ
 * (Quiñonero-Candela and Rasmussen, JMLR 6, 1939 (2005); the QR route as in QUIP's gap_fit and
 * FLARE). Rows are added in blocks and folded into an m×m triangular factor R by a QR of
 * [R ; new rows] (a tall-skinny QR), so memory does not grow with n.
 *
 * Predictive variance of a latent value with covariance vector k (m) and prior variance kxx:
 *     σ²(x) = kxx − ‖L⁻¹k‖² + ‖R⁻ᵀk‖²,
 * since Σ = (K_MM + K_MN Λ⁻¹ K_NM)⁻¹ = (RᵀR)⁻¹.
 *
 * Same inputs in the same order give bit-identical results (single-threaded BLAS).
 */
#ifndef GP_SPARSE_GP_H
#define GP_SPARSE_GP_H

#include <stddef.h>

#include "core/status.h"

typedef struct gp_dtc gp_dtc;

/*
 * Starts a fit with sparse covariance kmm (m×m, row-major, symmetric; copied) plus `jitter`
 * on its diagonal. AL_EINVAL when kmm + jitter·I is not positive definite (the message names
 * the pivot), AL_ENOMEM.
 */
al_status gp_dtc_create(size_t m, const double *kmm, double jitter, gp_dtc **out, al_err *err);
void gp_dtc_destroy(gp_dtc *g);

/*
 * Adds k observations: rows (k×m, row-major) of K_NM, targets y (k) and noise sigma (k, > 0).
 * The rows are scaled by 1/σ and folded into the factor; nothing is kept. AL_EINVAL for a
 * non-positive or non-finite σ or non-finite values.
 */
al_status gp_dtc_add_rows(gp_dtc *g, size_t k, const double *rows, const double *y,
                          const double *sigma, al_err *err);

/* Weights α (m values). Can be called any time; later rows refine it. */
al_status gp_dtc_solve(const gp_dtc *g, double *alpha, al_err *err);

/*
 * Predictive variances of p points: kvec (p×m, row-major) their covariances with the sparse
 * points, kxx (p) their prior variances; out (p). Negative round-off is clipped to 0 only when
 * it is below 1e-12·kxx; larger negative values are returned as they are (they signal a bad
 * jitter) rather than hidden.
 */
al_status gp_dtc_variance(const gp_dtc *g, size_t p, const double *kvec, const double *kxx,
                          double *out, al_err *err);

/* Number of sparse points m. */
size_t gp_dtc_m(const gp_dtc *g);

/* The factors the variance needs, borrowed (column-major m×m): L (lower Cholesky factor of
 * K_MM + jitter) and R (upper, RᵀR = K_MM + K_MN Λ⁻¹ K_NM). For saving a model. */
void gp_dtc_factors(const gp_dtc *g, const double **l, const double **r);

/* A solver holding only stored factors (copied), enough for gp_dtc_variance; adding rows to it
 * is not meaningful (its Qᵀb is zero). AL_EINVAL for a zero or non-finite diagonal. */
al_status gp_dtc_from_factors(size_t m, const double *l, const double *r, gp_dtc **out, al_err *err);

/* Number of observations added so far. */
size_t gp_dtc_n_obs(const gp_dtc *g);

/* Bytes the solver itself needs for m sparse points and blocks of k rows. */
size_t gp_dtc_memory_bytes(size_t m, size_t k);

#endif
