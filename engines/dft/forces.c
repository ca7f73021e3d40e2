/*
 * Hellmann–Feynman forces: local pseudopotential (this file), non-local (forces_nonlocal.c)
 * and Ewald (ewald.c); formulas in forces.h. The local term is a sum over the density sphere
 * of the FFT grid:
 *   E_loc = Σ_G Σ_a V_a(|G|) Re[e^{−iG·R_a} ρ(G)*],
 *   F_a = −∂E_loc/∂R_a = −Σ_G V_a(|G|) G Im[e^{−iG·R_a} ρ(G)*].
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "engines/dft/ewald.h"
#include "engines/dft/forces.h"

#define PI 3.14159265358979323846

al_status pw_density_to_g(const pw_basis *b, const double *rho, double complex *rho_g,
                          al_err *err)
{
    double complex *box = pw_fft_alloc(b->nfft);
    if (!box) return al_fail(err, AL_ENOMEM, "density FFT: out of memory (%zu points)", b->nfft);
    for (size_t i = 0; i < b->nfft; i++) box[i] = rho[i];
    pw_fft_forward(b->fft, box);
    memcpy(rho_g, box, b->nfft * sizeof *rho_g);
    pw_fft_free(box);
    return AL_OK;
}

/*
 * e^{−iG·R} for all atoms at all grid points is a product of per-direction factors
 * e^{−2πi m_d s_d} (s = fractional coordinates), tabulated per atom: natoms × Σ n_d complex
 * exponentials instead of natoms × nfft.
 */
static double complex *phase_tables(const pw_system *sys, const pw_basis *b)
{
    size_t nsum = (size_t)(b->ngrid[0] + b->ngrid[1] + b->ngrid[2]);
    double complex *t = al_malloc(sys->n_atoms * nsum * sizeof *t);
    if (!t) return NULL;
    for (size_t a = 0; a < sys->n_atoms; a++) {
        double complex *ta = t + a * nsum;
        for (int d = 0; d < 3; d++) {
            const double *R = sys->pos[a];
            double sd = (R[0] * sys->recip[d][0] + R[1] * sys->recip[d][1] +
                         R[2] * sys->recip[d][2]) / (2 * PI);
            for (int i = 0; i < b->ngrid[d]; i++) {
                int m = i <= b->ngrid[d] / 2 ? i : i - b->ngrid[d];
                ta[i] = cexp(-2 * PI * I * m * sd);
            }
            ta += b->ngrid[d];
        }
    }
    return t;
}

al_status pw__local_work(const pw_system *sys, const pw_basis *b, const double complex *rho_g,
                         double *energy, double (*forces)[3], double s[3][3], al_err *err)
{
    size_t ns = sys->n_species > 0 ? sys->n_species : 1;
    size_t nsum = (size_t)(b->ngrid[0] + b->ngrid[1] + b->ngrid[2]);
    double complex *tab = phase_tables(sys, b);
    double *v = al_malloc(2 * ns * sizeof *v), *dv = v ? v + ns : NULL;
    double complex *sf = al_malloc(ns * sizeof *sf);
    if (!tab || !v || !sf) {
        al_free(tab); al_free(v); al_free(sf);
        return al_fail(err, AL_ENOMEM, "local forces: out of memory");
    }
    double e = 0, ds[3][3] = {{0}};
    size_t g = 0;
    for (int i0 = 0; i0 < b->ngrid[0]; i0++)
        for (int i1 = 0; i1 < b->ngrid[1]; i1++)
            for (int i2 = 0; i2 < b->ngrid[2]; i2++, g++) {
                if (!b->in_sphere[g]) continue;
                const double *G = b->gvec[g];
                double gn = sqrt(b->g2[g]);
                for (size_t sp = 0; sp < sys->n_species; sp++) {
                    v[sp] = pw_gth_vloc_q(&sys->psp[sp], gn);
                    if (s) dv[sp] = pw_gth_vloc_dq(&sys->psp[sp], gn);
                    sf[sp] = 0;
                }
                double complex rc = conj(rho_g[g]);
                for (size_t a = 0; a < sys->n_atoms; a++) {
                    const double complex *ta = tab + a * nsum;
                    double complex z = ta[i0] * ta[b->ngrid[0] + i1] *
                                       ta[b->ngrid[0] + b->ngrid[1] + i2] * rc;
                    int sp = sys->species[a];
                    sf[sp] += z;
                    if (forces)
                        for (int c = 0; c < 3; c++) forces[a][c] -= v[sp] * G[c] * cimag(z);
                }
                double sv = 0, sdv = 0;
                for (size_t sp = 0; sp < sys->n_species; sp++) {
                    sv += v[sp] * creal(sf[sp]);
                    if (s) sdv += dv[sp] * creal(sf[sp]);
                }
                e += sv;
                if (s)
                    for (int i = 0; i < 3; i++)
                        for (int j = 0; j < 3; j++) ds[i][j] -= sdv * G[i] * G[j] / gn;
            }
    if (s) {
        for (int i = 0; i < 3; i++) ds[i][i] -= e;
        memcpy(s, ds, sizeof ds);
    }
    if (energy) *energy = e;
    al_free(tab); al_free(v); al_free(sf);
    return AL_OK;
}

al_status pw_local_energy_forces(const pw_system *sys, const pw_basis *b,
                                 const double complex *rho_g, double *energy,
                                 double (*forces)[3], al_err *err)
{
    AL_TRY(err, pw__local_work(sys, b, rho_g, energy, forces, NULL, err));
    return AL_OK;
}

al_status pw_forces(const pw_system *sys, const pw_basis *b, const pw_state *st,
                    double (*forces)[3], pw_force_terms *terms, al_err *err)
{
    al_status status = AL_OK;
    size_t n = sys->n_atoms;
    double complex *rho_g = al_malloc(b->nfft * sizeof *rho_g);
    double (*fl)[3] = al_calloc(3 * n, sizeof *fl);
    double *q = al_malloc(n * sizeof *q);
    double (*fnl)[3] = fl ? fl + n : NULL, (*few)[3] = fl ? fl + 2 * n : NULL;
    if (!rho_g || !fl || !q) status = al_fail(err, AL_ENOMEM, "forces: out of memory");
    if (!status) status = pw_density_to_g(b, st->rho, rho_g, err);
    if (!status) status = pw_local_energy_forces(sys, b, rho_g, NULL, fl, err);
    if (!status) status = pw_nonlocal_energy_forces(sys, b, st, NULL, fnl, err);
    /* the non-local part covers this rank's (spin, k) pairs: add it over the ranks */
    status = pw_state_agree(st, status, err);
    if (!status) status = pw_state_reduce(st, &fnl[0][0], 3 * n, err);
    if (status) goto done;
    for (size_t a = 0; a < n; a++) q[a] = sys->psp[sys->species[a]].zion;
    if ((status = pw_ewald(sys->cell, n, (const double(*)[3])sys->pos, q, NULL, few, NULL, err)))
        goto done;
    double mean[3] = {0, 0, 0};
    for (size_t a = 0; a < n; a++)
        for (int c = 0; c < 3; c++) {
            forces[a][c] = fl[a][c] + fnl[a][c] + few[a][c];
            mean[c] += forces[a][c] / (double)n;
        }
    for (size_t a = 0; a < n; a++)
        for (int c = 0; c < 3; c++) forces[a][c] -= mean[c];
    if (terms) {
        if (terms->local) memcpy(terms->local, fl, n * sizeof *fl);
        if (terms->nonlocal) memcpy(terms->nonlocal, fnl, n * sizeof *fl);
        if (terms->ewald) memcpy(terms->ewald, few, n * sizeof *fl);
    }
done:
    al_free(rho_g);
    al_free(fl);
    al_free(q);
    if (status) AL_TRACE(err);
    return status;
}
