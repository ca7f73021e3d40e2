/*
 * Block Davidson eigensolver for the lowest bands of a Kohn–Sham Hamiltonian, with the
 * Teter–Payne–Allan preconditioner (davidson.c); the same contract as pw_lobpcg (lobpcg.h),
 * at a fraction of its dense linear algebra.
 */
#ifndef PW_DAVIDSON_H
#define PW_DAVIDSON_H

#include "engines/dft/hamiltonian.h"

/* Workspace for nb bands of at most npw_max complex coefficients (a k-point's npw, or at Γ half
 * the packed length), reused over the k-points and SCF steps of a run. AL_ENOMEM. */
typedef struct pw_davidson_ws pw_davidson_ws;
al_status pw_davidson_ws_create(size_t npw_max, size_t nb, pw_davidson_ws **out, al_err *err);
void pw_davidson_ws_destroy(pw_davidson_ws *ws);

/*
 * Improves the nb vectors x (npw × nb, column-major; any linearly independent start) towards
 * the lowest eigenvectors of h until the residuals ‖Hx − εx‖ of the lowest nconv bands are
 * ≤ tol, or maxiter blocks of corrections have been added. On return x is orthonormal, eig
 * ascending (Ha), *iters the blocks added, resid each band's residual norm as last checked
 * (when maxiter ends the call, before the last block: that block only lowers them).
 * real: at Γ the packed form of h made once for this k-point (its h member is ignored), or
 * NULL to make it here. Errors: AL_ENOMEM; AL_EINVAL if x is rank deficient beyond repair,
 * LAPACK fails, or ws was made for fewer plane waves or other nb.
 */
al_status pw_davidson(const pw_ham *h, const pw_ham_real *real, pw_davidson_ws *ws, size_t nb,
                      size_t nconv, double complex *x, double *eig, double *resid, double tol,
                      int maxiter, int *iters, al_err *err);

#endif
