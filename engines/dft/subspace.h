/*
 * Block operations shared by the plane-wave eigensolvers (lobpcg.c, davidson.c); internal to
 * the module. Vectors are columns of npw complex numbers, or at Γ packed real half-sphere
 * vectors (hamiltonian.h) held as npw complex slots of two reals each.
 */
#ifndef PW_SUBSPACE_H
#define PW_SUBSPACE_H

#include <cblas.h>
#include <lapacke.h>
#include <complex.h>
#include <stdbool.h>

#include "engines/dft/hamiltonian.h"

typedef double complex pw_dc;

typedef struct pw_blk {
    size_t npw;          /* complex values per vector (in real mode: half the packed length) */
    bool real;           /* Γ: packed half-sphere vectors */
    size_t ntmp, nsmall; /* columns of tmp; largest subspace dimension */
    pw_dc *tmp;          /* npw × ntmp */
    pw_dc *small, *small2; /* nsmall² */
    double *w;           /* nsmall */
    double *r1, *r2;     /* nsmall² real scratch */
    /* LAPACK's workspace for the eigenproblems of up to nsmall² (made with the rest, so that
     * no call allocates): dsyevd's work and iwork, zheev's work (in lwork) and rwork */
    double *lwork, *rwork;
    size_t n_lwork, n_iwork;
    lapack_int *iwork;
} pw_blk;

/* The operator as the solvers see it: at Γ the packed real form, and the kinetic energy of
 * each real entry (for the preconditioner). */
typedef struct pw_blk_ham {
    const pw_ham *h;
    pw_ham_real real, *hr; /* hr = &real at Γ, else NULL */
    double *kin;           /* 2·npw values */
    size_t npw;            /* complex slots per vector */
    bool borrowed;         /* the real form is a caller's (pw_blk_ham_borrow) */
} pw_blk_ham;

/* AL_ENOMEM, or pw_ham_real_init's errors. */
al_status pw_blk_ham_init(const pw_ham *h, pw_blk_ham *bh, al_err *err);
/* The same without allocating: at Γ with a real form the caller made once for this k-point
 * (real->h is ignored: h is used) and keeps alive until pw_blk_ham_fini, elsewhere with kin,
 * the caller's room for 2·npw values. real NULL at Γ, or kin NULL elsewhere, means
 * pw_blk_ham_init. */
al_status pw_blk_ham_borrow(const pw_ham *h, const pw_ham_real *real, double *kin,
                            pw_blk_ham *bh, al_err *err);
void pw_blk_ham_fini(pw_blk_ham *bh);
/* Full-sphere x (npw × nb) to the solver's form v and back. */
void pw_blk_ham_load(const pw_blk_ham *bh, size_t nb, const pw_dc *x, pw_dc *v);
void pw_blk_ham_store(const pw_blk_ham *bh, size_t nb, const pw_dc *v, pw_dc *x);

/* Workspace for subspaces up to nsmall vectors and ntmp-column block results. AL_ENOMEM. */
al_status pw_blk_init(pw_blk *s, size_t npw, bool real, size_t ntmp, size_t nsmall, al_err *err);
void pw_blk_fini(pw_blk *s);

/* c = AᴴB (ta = CblasConjTrans: m × n small result over k = npw rows) or c = α A·B + β c
 * (ta = CblasNoTrans: A npw × k vectors, B k × n coefficients, real in real mode). */
void pw_blk_gemm(const pw_blk *s, CBLAS_TRANSPOSE ta, size_t m, size_t n, size_t k, double alpha,
                 const pw_dc *a, size_t lda, const pw_dc *b, size_t ldb, double beta, pw_dc *c,
                 size_t ldc);
/* c = YᴴY of the k columns of y (k × k). */
void pw_blk_gram(pw_blk *s, size_t k, const pw_dc *y, pw_dc *c);
/* Hermitian (real symmetric in real mode) eigenproblem of the k × k matrix a, overwritten by
 * its eigenvectors; w ascending. Returns LAPACK's info. */
int pw_blk_heev(pw_blk *s, size_t k, pw_dc *a, double *w);
/* Orthonormalises the k columns of y against the m orthonormal columns of q and among
 * themselves; hy (may be NULL) receives the same combinations (hq = H q). Returns the number
 * of columns kept (moved to the front). */
size_t pw_blk_orth(pw_blk *s, const pw_dc *q, const pw_dc *hq, size_t m, pw_dc *y, pw_dc *hy,
                   size_t k);
/* Teter–Payne–Allan preconditioner on n reals: out = K(T_G/⟨T⟩) rn, ⟨T⟩ from the band xn. */
void pw_blk_precondition(size_t n, const double *kin, const double *xn, const double *rn,
                         double *out);
/* hx = H x for nb vectors of the solver's form. */
al_status pw_blk_apply(const pw_blk_ham *bh, size_t nb, const pw_dc *x, pw_dc *hx, al_err *err);

#endif
