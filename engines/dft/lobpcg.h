/*
 * Block eigensolver for the lowest bands of a Kohn–Sham Hamiltonian: LOBPCG (Knyazev, SIAM J.
 * Sci. Comput. 23, 517 (2001)) with the Teter–Payne–Allan kinetic preconditioner
 * (Teter, Payne, Allan, PRB 40, 12255 (1989)) and dense Rayleigh–Ritz by LAPACKE.
 */
#ifndef PW_LOBPCG_H
#define PW_LOBPCG_H

#include "engines/dft/hamiltonian.h"

/*
 * Improves the nb vectors x (npw × nb, column-major; any linearly independent start) towards
 * the lowest eigenvectors of h until the residuals ‖Hx − εx‖ of the lowest nconv bands are
 * ≤ tol, or maxiter iterations (the other bands are improved alongside but do not decide).
 * On return x is orthonormal, eig ascending (Ha), resid the residual norms, *iters the
 * number of iterations done. Errors: AL_ENOMEM; AL_EINVAL if x is rank deficient beyond
 * repair or LAPACK fails (message says which).
 */
al_status pw_lobpcg(const pw_ham *h, size_t nb, size_t nconv, double complex *x, double *eig,
                    double *resid, double tol, int maxiter, int *iters, al_err *err);

#endif
