/*
 * Kinetic energy E_kin = Σ_k w_k Σ_n f_nk Σ_G |c_nk(G)|² |k+G|²/2 (term.h), summed over the
 * spin channels when there are two (their occupations are then 0..1). Its operator is
 * diagonal in the plane-wave basis and is applied in hamiltonian.c. With the pairs distributed
 * over ranks (scf_state.h) the sum covers this rank's pairs.
 */
#include "engines/dft/terms/term.h"

double pw_kinetic_energy(const pw_basis *b, const pw_state *s)
{
    double e = 0.0;
    for (size_t j = 0; j < (size_t)pw_state_nspin(s) * b->nk; j++) {
        if (!pw_state_mine(s, j)) continue;
        const pw_kbasis *kb = &b->k[j % b->nk];
        const pw_kstate *ks = &s->k[j];
        for (size_t n = 0; n < ks->nbands; n++) {
            if (ks->occ[n] == 0.0) continue;
            const double complex *c = ks->psi + n * kb->npw;
            double t = 0.0;
            for (size_t g = 0; g < kb->npw; g++) {
                double re = creal(c[g]), im = cimag(c[g]);
                t += (re * re + im * im) * kb->kin[g];
            }
            e += kb->weight * ks->occ[n] * t;
        }
    }
    return e;
}
