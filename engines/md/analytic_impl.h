/* Shared accumulation of energy gradients into forces and virial for the analytic potentials. */
#ifndef MD_ANALYTIC_IMPL_H
#define MD_ANALYTIC_IMPL_H

#include <stddef.h>
#include <string.h>

#include "core/potential.h"

/* Zeroes the requested outputs. */
static inline void md__result_begin(const al_frame *f, al_pot_result *out)
{
    out->energy = 0.0;
    out->has_uncertainty = false;
    if (out->forces) memset(out->forces, 0, f->n_atoms * sizeof *out->forces);
    if (out->virial) memset(out->virial, 0, 9 * sizeof *out->virial);
}

/* Adds g = ∂E/∂d for the vector d = r_j − r_i (+ image): F_i += g, F_j −= g, W −= d ⊗ g. */
static inline void md__add_gradient(al_pot_result *out, size_t i, size_t j, const double d[3],
                                    const double g[3])
{
    if (out->forces)
        for (int a = 0; a < 3; a++) {
            out->forces[i][a] += g[a];
            out->forces[j][a] -= g[a];
        }
    if (out->virial)
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) out->virial[3 * a + b] -= d[a] * g[b];
}

#endif
