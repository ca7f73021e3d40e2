/*
 * Plane-wave basis sets and the FFT grid: see basis.h. Reciprocal vectors from
 * b_i = 2π (a_j × a_k)/Ω; sphere of each k-point enumerated over a Miller-index box
 * that provably contains it (|m_d| ≤ |k+G|·|a_d|/2π + |k_d|).
 */
#include "engines/dft/basis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/units.h"

static void cross(const double a[3], const double b[3], double c[3])
{
    c[0] = a[1] * b[2] - a[2] * b[1];
    c[1] = a[2] * b[0] - a[0] * b[2];
    c[2] = a[0] * b[1] - a[1] * b[0];
}

al_status pw_cell_reciprocal(const double cell[3][3], double recip[3][3], double *omega,
                             al_err *err)
{
    double c[3];
    cross(cell[1], cell[2], c);
    double vol = cell[0][0] * c[0] + cell[0][1] * c[1] + cell[0][2] * c[2];
    if (!(fabs(vol) > 1e-8))
        return al_fail(err, AL_EINVAL, "cell is degenerate (volume %.3g bohr^3)", vol);
    for (int i = 0; i < 3; i++) {
        cross(cell[(i + 1) % 3], cell[(i + 2) % 3], c);
        for (int d = 0; d < 3; d++) recip[i][d] = 2.0 * AL_PI * c[d] / vol;
    }
    *omega = fabs(vol);
    return AL_OK;
}

static bool smooth235(int n)
{
    while (n % 2 == 0) n /= 2;
    while (n % 3 == 0) n /= 3;
    while (n % 5 == 0) n /= 5;
    return n == 1;
}

static double norm3(const double v[3]) { return sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]); }

void pw_basis_choose_grid(const double cell[3][3], double ecut, int n[3])
{
    double rsph = 2.0 * sqrt(2.0 * ecut);
    for (int d = 0; d < 3; d++) {
        double need = 2.0 * rsph * norm3(cell[d]) / (2.0 * AL_PI);
        int m = (int)ceil(need - 1e-9);
        if (m < 1) m = 1;
        while (!smooth235(m)) m++;
        n[d] = m;
    }
}

static int freq(int i, int n) { return i <= n / 2 ? i : i - n; }

static al_status build_k(const pw_system *sys, const pw_basis *b, const double kred[3],
                         pw_kbasis *kb, al_err *err)
{
    double kc[3];
    for (int d = 0; d < 3; d++)
        kc[d] = kred[0] * sys->recip[0][d] + kred[1] * sys->recip[1][d] + kred[2] * sys->recip[2][d];
    double gmax = sqrt(2.0 * b->ecut);
    int mmax[3];
    for (int d = 0; d < 3; d++)
        mmax[d] = (int)ceil(gmax * norm3(sys->cell[d]) / (2.0 * AL_PI) + fabs(kred[d])) + 1;
    size_t cap = (size_t)(2 * mmax[0] + 1) * (2 * mmax[1] + 1) * (2 * mmax[2] + 1);
    kb->miller = al_malloc(cap * sizeof *kb->miller);
    kb->kpg = al_malloc(cap * sizeof *kb->kpg);
    kb->kin = al_malloc(cap * sizeof *kb->kin);
    kb->fft_index = al_malloc(cap * sizeof *kb->fft_index);
    if (!kb->miller || !kb->kpg || !kb->kin || !kb->fft_index)
        return al_fail(err, AL_ENOMEM, "plane-wave basis: out of memory");
    memcpy(kb->k_red, kred, sizeof kb->k_red);
    memcpy(kb->k_cart, kc, sizeof kb->k_cart);
    size_t np = 0;
    for (int m0 = -mmax[0]; m0 <= mmax[0]; m0++)
        for (int m1 = -mmax[1]; m1 <= mmax[1]; m1++)
            for (int m2 = -mmax[2]; m2 <= mmax[2]; m2++) {
                double v[3];
                for (int d = 0; d < 3; d++)
                    v[d] = kc[d] + m0 * sys->recip[0][d] + m1 * sys->recip[1][d] +
                           m2 * sys->recip[2][d];
                double e = 0.5 * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                if (e > b->ecut) continue;
                int m[3] = {m0, m1, m2};
                for (int d = 0; d < 3; d++)
                    if (2 * abs(m[d]) >= b->ngrid[d])
                        return al_fail(err, AL_EINVAL,
                                       "FFT grid %dx%dx%d is too small for ecut = %g Ha: "
                                       "plane wave with Miller index %d along a%d needs n >= %d",
                                       b->ngrid[0], b->ngrid[1], b->ngrid[2], b->ecut, m[d],
                                       d + 1, 2 * abs(m[d]) + 1);
                memcpy(kb->miller[np], m, sizeof m);
                memcpy(kb->kpg[np], v, sizeof v);
                kb->kin[np] = e;
                size_t i0 = (size_t)((m0 + b->ngrid[0]) % b->ngrid[0]);
                size_t i1 = (size_t)((m1 + b->ngrid[1]) % b->ngrid[1]);
                size_t i2 = (size_t)((m2 + b->ngrid[2]) % b->ngrid[2]);
                kb->fft_index[np] = (i0 * (size_t)b->ngrid[1] + i1) * (size_t)b->ngrid[2] + i2;
                np++;
            }
    kb->npw = np;
    if (kred[0] == 0 && kred[1] == 0 && kred[2] == 0) {
        /* At Γ the sphere is symmetric under G → −G; remember the partner of each G. */
        size_t *where = al_malloc(b->nfft * sizeof *where);
        kb->minus = al_malloc((np ? np : 1) * sizeof *kb->minus);
        if (!where || !kb->minus) {
            al_free(where);
            return al_fail(err, AL_ENOMEM, "plane-wave basis: out of memory");
        }
        for (size_t i = 0; i < b->nfft; i++) where[i] = (size_t)-1;
        for (size_t g = 0; g < np; g++) where[kb->fft_index[g]] = g;
        for (size_t g = 0; g < np; g++) {
            size_t idx = 0;
            for (int d = 0; d < 3; d++)
                idx = idx * (size_t)b->ngrid[d] +
                      (size_t)((-kb->miller[g][d] % b->ngrid[d] + b->ngrid[d]) % b->ngrid[d]);
            kb->minus[g] = where[idx];
        }
        al_free(where);
    }
    return AL_OK;
}

al_status pw_basis_create(const pw_system *sys, double ecut, const int ngrid[3],
                          const pw_kpoints *kp, pw_basis **out, al_err *err)
{
    *out = NULL;
    if (!(ecut > 0.0)) return al_fail(err, AL_EINVAL, "ecut = %g Ha: must be > 0", ecut);
    al_status st = AL_OK;
    pw_basis *b = al_calloc(1, sizeof *b);
    if (!b) return al_fail(err, AL_ENOMEM, "plane-wave basis: out of memory");
    b->ecut = ecut;
    if (ngrid && ngrid[0] > 0 && ngrid[1] > 0 && ngrid[2] > 0)
        memcpy(b->ngrid, ngrid, sizeof b->ngrid);
    else
        pw_basis_choose_grid(sys->cell, ecut, b->ngrid);
    b->nfft = (size_t)b->ngrid[0] * b->ngrid[1] * b->ngrid[2];
    b->gsqcut = 8.0 * ecut;
    b->gvec = al_malloc(b->nfft * sizeof *b->gvec);
    b->g2 = al_malloc(b->nfft * sizeof *b->g2);
    b->in_sphere = al_malloc(b->nfft * sizeof *b->in_sphere);
    b->k = al_calloc(kp->n, sizeof *b->k);
    if (!b->gvec || !b->g2 || !b->in_sphere || !b->k) {
        st = al_fail(err, AL_ENOMEM, "plane-wave basis: out of memory");
        goto done;
    }
    b->nk = kp->n;
    size_t idx = 0;
    for (int i0 = 0; i0 < b->ngrid[0]; i0++)
        for (int i1 = 0; i1 < b->ngrid[1]; i1++)
            for (int i2 = 0; i2 < b->ngrid[2]; i2++, idx++) {
                int m[3] = {freq(i0, b->ngrid[0]), freq(i1, b->ngrid[1]), freq(i2, b->ngrid[2])};
                double *g = b->gvec[idx];
                for (int d = 0; d < 3; d++)
                    g[d] = m[0] * sys->recip[0][d] + m[1] * sys->recip[1][d] +
                           m[2] * sys->recip[2][d];
                b->g2[idx] = g[0] * g[0] + g[1] * g[1] + g[2] * g[2];
                /* Nyquist planes (m = n/2 for even n) are not a unique frequency: they stay
                 * out of the sphere so that ±G pairs remain consistent. */
                bool nyq = false;
                for (int d = 0; d < 3; d++)
                    if (b->ngrid[d] % 2 == 0 && m[d] == b->ngrid[d] / 2) nyq = true;
                b->in_sphere[idx] = idx != 0 && !nyq && b->g2[idx] <= b->gsqcut * (1 + 1e-12);
            }
    for (size_t k = 0; k < kp->n; k++) {
        if ((st = build_k(sys, b, kp->k[k], &b->k[k], err))) goto done;
        b->k[k].weight = kp->w[k];
    }
    if ((st = pw_fft_create(b->ngrid, &b->fft, err))) goto done;
    int mmax[3] = {0, 0, 0}; /* box of the wavefunction spheres, for pruned FFTs */
    for (size_t k = 0; k < b->nk; k++)
        for (size_t g = 0; g < b->k[k].npw; g++)
            for (int d = 0; d < 3; d++)
                if (abs(b->k[k].miller[g][d]) > mmax[d]) mmax[d] = abs(b->k[k].miller[g][d]);
    if ((st = pw_fft_set_sphere(b->fft, mmax, err))) goto done;
    *out = b;
    b = NULL;
done:
    pw_basis_destroy(b);
    return st;
}

void pw_basis_destroy(pw_basis *b)
{
    if (!b) return;
    for (size_t k = 0; b->k && k < b->nk; k++) {
        al_free(b->k[k].miller);
        al_free(b->k[k].kpg);
        al_free(b->k[k].kin);
        al_free(b->k[k].fft_index);
        al_free(b->k[k].minus);
    }
    al_free(b->k);
    al_free(b->gvec);
    al_free(b->g2);
    al_free(b->in_sphere);
    pw_fft_destroy(b->fft);
    al_free(b);
}

void pw_basis_gather_add(const pw_kbasis *kb, const double complex *box, double scale,
                         double complex *c)
{
    for (size_t i = 0; i < kb->npw; i++) c[i] += scale * box[kb->fft_index[i]];
}
