/*
 * Local pseudopotential: v_loc(G) = (1/Ω) Σ_s V_s(|G|) S_s(G), S_s(G) = Σ_{a∈s} e^{−iG·R_a}
 * (structure factor, any triclinic cell), for G ≠ 0 in the density sphere; V_s(q) is the
 * analytic GTH form factor of gth.h. The G = 0 limit is psp_correction.c.
 * Energy E_loc = ∫ v_loc ρ = Ω Σ_G v_loc(G) ρ(G)*.
 */
#include <math.h>

#include "engines/dft/terms/term.h"

void pw_local_potential(const pw_system *sys, const pw_basis *b, double complex *vloc_g,
                        double *vloc_r, double complex *work)
{
    for (size_t i = 0; i < b->nfft; i++) {
        vloc_g[i] = 0.0;
        if (!b->in_sphere[i]) continue;
        const double *g = b->gvec[i];
        double q = sqrt(b->g2[i]);
        double complex sum = 0.0;
        /* Species are few: evaluate V_s(q) once per species and G. */
        for (size_t s = 0; s < sys->n_species; s++) {
            double complex sf = 0.0;
            for (size_t a = 0; a < sys->n_atoms; a++) {
                if ((size_t)sys->species[a] != s) continue;
                double ph = g[0] * sys->pos[a][0] + g[1] * sys->pos[a][1] + g[2] * sys->pos[a][2];
                sf += cos(ph) - I * sin(ph);
            }
            if (sf != 0.0) sum += pw_gth_vloc_q(&sys->psp[s], q) * sf;
        }
        vloc_g[i] = sum / sys->omega;
    }
    for (size_t i = 0; i < b->nfft; i++) work[i] = vloc_g[i];
    pw_fft_backward(b->fft, work);
    for (size_t i = 0; i < b->nfft; i++) vloc_r[i] = creal(work[i]);
}

double pw_local_energy(const pw_system *sys, const pw_basis *b, const double complex *rho_g,
                       const double complex *vloc_g)
{
    double e = 0.0;
    for (size_t i = 0; i < b->nfft; i++)
        if (b->in_sphere[i]) e += creal(vloc_g[i] * conj(rho_g[i]));
    return e * sys->omega;
}
