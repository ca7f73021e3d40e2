/*
 * LOBPCG with soft locking (converged bands get no new search direction) and a numerically
 * careful subspace: the blocks X, W (preconditioned residuals) and P (previous step) are made
 * orthonormal to each other twice over, dropping directions that have become linearly
 * dependent (the usual failure of LOBPCG close to convergence; Hetmaniuk and Lehoucq,
 * J. Comput. Phys. 218, 324 (2006)), so that Rayleigh–Ritz is a standard Hermitian problem.
 */
#include "engines/dft/lobpcg.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "engines/dft/subspace.h"

/* Rayleigh–Ritz on the m orthonormal columns of v: lowest nb Ritz vectors into the first nb
 * columns of v and hv; the non-X part of the update into p, hp (when want_p). When the first
 * nb columns are already Ritz vectors with values eig, only the new columns of VᴴHV are
 * computed (the X–X block is diag(eig), the rest follows from Hermitian symmetry), and
 * X_new = X C_X + P reuses the P product. */
static int rayleigh_ritz(pw_blk *s, size_t nb, size_t m, pw_dc *v, pw_dc *hv, double *eig, pw_dc *p, pw_dc *hp,
                         int want_p, int x_is_ritz)
{
    size_t npw = s->npw;
    pw_dc *a = s->small;
    if (x_is_ritz && m > nb) {
        pw_blk_gemm(s, CblasConjTrans, m, m - nb, npw, 1.0, v, npw, hv + nb * npw, npw, 0.0, a + nb * m, m);
        for (size_t c = 0; c < nb; c++) {
            for (size_t r = 0; r < nb; r++) a[c * m + r] = r == c ? eig[c] : 0.0;
            for (size_t r = nb; r < m; r++) a[c * m + r] = conj(a[r * m + c]);
        }
    } else {
        pw_blk_gemm(s, CblasConjTrans, m, m, npw, 1.0, v, npw, hv, npw, 0.0, a, m);
    }
    if (pw_blk_heev(s, m, a, s->w) != 0) return -1;
    memcpy(eig, s->w, nb * sizeof *eig);
    if (want_p && m > nb) {
        pw_blk_gemm(s, CblasNoTrans, npw, nb, m - nb, 1.0, v + nb * npw, npw, a + nb, m, 0.0, p, npw);
        pw_blk_gemm(s, CblasNoTrans, npw, nb, m - nb, 1.0, hv + nb * npw, npw, a + nb, m, 0.0, hp, npw);
        memcpy(s->tmp, p, npw * nb * sizeof *p);
        pw_blk_gemm(s, CblasNoTrans, npw, nb, nb, 1.0, v, npw, a, m, 1.0, s->tmp, npw);
        memcpy(v, s->tmp, npw * nb * sizeof *v);
        memcpy(s->tmp, hp, npw * nb * sizeof *hp);
        pw_blk_gemm(s, CblasNoTrans, npw, nb, nb, 1.0, hv, npw, a, m, 1.0, s->tmp, npw);
        memcpy(hv, s->tmp, npw * nb * sizeof *hv);
        return 0;
    }
    pw_blk_gemm(s, CblasNoTrans, npw, nb, m, 1.0, v, npw, a, m, 0.0, s->tmp, npw);
    memcpy(v, s->tmp, npw * nb * sizeof *v);
    pw_blk_gemm(s, CblasNoTrans, npw, nb, m, 1.0, hv, npw, a, m, 0.0, s->tmp, npw);
    memcpy(hv, s->tmp, npw * nb * sizeof *hv);
    return 0;
}

al_status pw_lobpcg(const pw_ham *h, size_t nb, size_t nconv, pw_dc *x, double *eig, double *resid,
                    double tol, int maxiter, int *iters, al_err *err)
{
    size_t m3 = 3 * nb;
    pw_blk_ham bh;
    AL_TRY(err, pw_blk_ham_init(h, &bh, err));
    size_t npw = bh.npw;
    const double *kin = bh.kin;
    pw_blk s;
    al_status st = pw_blk_init(&s, npw, bh.hr != NULL, m3, m3, err);
    pw_dc *v = al_malloc(npw * m3 * sizeof *v), *hv = al_malloc(npw * m3 * sizeof *hv);
    pw_dc *p = al_malloc(npw * nb * sizeof *p), *hp = al_malloc(npw * nb * sizeof *hp);
    *iters = 0;
    if (st) goto done;
    if (!v || !hv || !p || !hp) {
        st = al_fail(err, AL_ENOMEM, "eigensolver: out of memory (%zu plane waves, %zu bands)",
                     npw, nb);
        goto done;
    }
    pw_blk_ham_load(&bh, nb, x, v);
    if (pw_blk_orth(&s, NULL, NULL, 0, v, NULL, nb) != nb) {
        st = al_fail(err, AL_EINVAL, "eigensolver: the %zu start vectors are linearly dependent", nb);
        goto done;
    }
    if ((st = pw_blk_apply(&bh, nb, v, hv, err))) goto done;
    if (rayleigh_ritz(&s, nb, nb, v, hv, eig, NULL, NULL, 0, 0)) {
        st = al_fail(err, AL_EINVAL, "eigensolver: LAPACKE_zheev failed");
        goto done;
    }
    size_t np = 0;
    for (int it = 0;; it++) {
        /* Residuals R = HX − Xλ, and preconditioned directions W for unconverged bands. */
        pw_dc *w = v + nb * npw;
        size_t nw = 0;
        double rmax = 0.0;
        for (size_t n = 0; n < nb; n++) {
            pw_dc *r = s.tmp;
            double rn = 0.0;
            for (size_t g = 0; g < npw; g++) {
                r[g] = hv[n * npw + g] - eig[n] * v[n * npw + g];
                rn += creal(r[g]) * creal(r[g]) + cimag(r[g]) * cimag(r[g]);
            }
            resid[n] = sqrt(rn);
            if (n < nconv && resid[n] > rmax) rmax = resid[n];
            if (resid[n] > tol)
                pw_blk_precondition(2 * npw, kin, (const double *)(v + n * npw), (const double *)r,
                             (double *)(w + nw++ * npw));
        }
        *iters = it;
        if (nw == 0 || rmax <= tol || it >= maxiter) break;
        nw = pw_blk_orth(&s, v, hv, nb, w, NULL, nw);
        pw_dc *hw = hv + nb * npw;
        if (nw > 0 && (st = pw_blk_apply(&bh, nw, w, hw, err))) goto done;
        size_t m = nb + nw;
        if (np > 0) {
            /* Soft locking: previous directions only for the bands still being improved. */
            size_t nk = 0;
            for (size_t n = 0; n < nb; n++) {
                if (!(resid[n] > tol)) continue;
                memcpy(v + (m + nk) * npw, p + n * npw, npw * sizeof *p);
                memcpy(hv + (m + nk) * npw, hp + n * npw, npw * sizeof *hp);
                nk++;
            }
            np = pw_blk_orth(&s, v, hv, m, v + m * npw, hv + m * npw, nk);
            m += np;
        }
        if (rayleigh_ritz(&s, nb, m, v, hv, eig, p, hp, 1, 1)) {
            st = al_fail(err, AL_EINVAL, "eigensolver: LAPACKE_zheev failed in Rayleigh-Ritz");
            goto done;
        }
        np = m > nb ? nb : 0;
    }
    pw_blk_ham_store(&bh, nb, v, x);
done:
    pw_blk_ham_fini(&bh);
    pw_blk_fini(&s);
    al_free(v); al_free(hv); al_free(p); al_free(hp);
    return st;
}
