/*
 * Internals of gp/bo shared between its files (not part of the public interface).
 */
#ifndef BO_BO_IMPL_H
#define BO_BO_IMPL_H

#include <stddef.h>

#include "core/rng.h"
#include "gp/bo/bo.h"

/* f(x) with its gradient; a non-finite value marks x as unusable. */
typedef double (*bo__fn)(const double *x, double *grad, void *user);

/*
 * Minimises f over the box [lo, hi] (n ≤ BO_MAX_DIM + 2) from x (updated in place) by a
 * projected limited-memory BFGS with Armijo backtracking; variables at a bound whose gradient
 * points outward are held fixed for the step. Returns the final value.
 */
double bo__minimize(size_t n, bo__fn f, void *user, const double *lo, const double *hi, double *x,
                    int max_iter);

/* Matérn 5/2 ARD kernel value at u, u' with σ_f² = sf2 and lengths ell. c_out (may be NULL)
 * receives σ_f² (5/3)(1 + √5 r) e^{−√5 r}, the common factor of its derivatives. */
double bo__matern52(size_t d, const double *u, const double *v, double sf2, const double *ell,
                    double *c_out);

/* Bounds of θ = (log σ_f², log ℓ_1..ℓ_d, log σ_n²) used by the likelihood maximisation. */
void bo__theta_bounds(size_t d, double *lo, double *hi);

#endif
