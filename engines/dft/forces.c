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

void pw_local_energy_forces(const pw_system *sys, const pw_basis *b,
                            const double complex *rho_g, double *energy, double (*forces)[3])
{
    double e = 0, v[sys->n_species > 0 ? sys->n_species : 1];
    for (size_t g = 0; g < b->nfft; g++) {
        if (!b->in_sphere[g]) continue;
        const double *G = b->gvec[g];
        double gn = sqrt(b->g2[g]);
        for (size_t s = 0; s < sys->n_species; s++) v[s] = pw_gth_vloc_q(&sys->psp[s], gn);
        for (size_t a = 0; a < sys->n_atoms; a++) {
            const double *R = sys->pos[a];
            double ph = -(G[0] * R[0] + G[1] * R[1] + G[2] * R[2]);
            double complex z = (cos(ph) + I * sin(ph)) * conj(rho_g[g]);
            double va = v[sys->species[a]];
            e += va * creal(z);
            if (forces)
                for (int c = 0; c < 3; c++) forces[a][c] -= va * G[c] * cimag(z);
        }
    }
    if (energy) *energy = e;
}

al_status pw_forces(const pw_system *sys, const pw_basis *b, const pw_state *st,
                    double (*forces)[3], pw_force_terms *terms, al_err *err)
{
    al_status status = AL_OK;
    size_t n = sys->n_atoms;
    double complex *rho_g = al_malloc(b->nfft * sizeof *rho_g);
    double (*fl)[3] = al_calloc(3 * n, sizeof *fl);
    double *q = al_malloc(n * sizeof *q);
    if (!rho_g || !fl || !q) {
        status = al_fail(err, AL_ENOMEM, "forces: out of memory");
        goto done;
    }
    double (*fnl)[3] = fl + n, (*few)[3] = fl + 2 * n;
    for (size_t a = 0; a < n; a++) q[a] = sys->psp[sys->species[a]].zion;
    if ((status = pw_density_to_g(b, st->rho, rho_g, err))) goto done;
    pw_local_energy_forces(sys, b, rho_g, NULL, fl);
    if ((status = pw_nonlocal_energy_forces(sys, b, st, NULL, fnl, err))) goto done;
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
