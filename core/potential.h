/*
 * al_potential: the force-provider interface. Anything that gives energy, forces and virial
 * for a frame implements it (the GAP model, the plane-wave DFT engine, analytic test
 * potentials), so that MD and the campaign can drive any of them (DESIGN.md).
 *
 * Units: energy eV, forces eV/Å, virial eV (−stress·volume), uncertainty eV/atom (local energies)
 * and eV/Å (forces).
 */
#ifndef AL_POTENTIAL_H
#define AL_POTENTIAL_H

#include <stdbool.h>

#include "core/frame.h"
#include "core/status.h"

/* What a caller wants computed; NULL output pointers in al_pot_result mean "not requested". */
typedef struct al_pot_result {
    double energy;              /* eV */
    double (*forces)[3];        /* caller-owned, n_atoms × 3, eV/Å; NULL: not requested */
    double *virial;             /* caller-owned 9 values (row-major 3×3), eV; NULL: not requested */
    /* Uncertainty, filled only by providers that have it and when `want_uncertainty`. */
    bool want_uncertainty;
    bool has_uncertainty;
    double *atom_sigma;         /* caller-owned n_atoms, eV: local-energy standard deviation */
    double sigma_max, sigma_mean;   /* eV, over atoms */
    /* An estimate of each atom's force standard deviation (eV/Å, root mean square over the
     * three Cartesian components; the provider documents how it is estimated), and its
     * maximum and mean over atoms; filled with the rest of the uncertainty. */
    double *force_sigma;        /* caller-owned n_atoms, eV/Å; NULL: only the summary */
    double force_sigma_max, force_sigma_mean;   /* eV/Å, over atoms */
} al_pot_result;

typedef struct al_potential_ops {
    const char *name;
    /* Computes the requested quantities for f. Required. */
    al_status (*compute)(void *self, const al_frame *f, al_pot_result *out, al_err *err);
    /* Largest interaction range in Å (for neighbour lists and minimum cells); optional. */
    double (*cutoff)(const void *self);
    /* Frees self; optional (NULL when the potential is borrowed). */
    void (*destroy)(void *self);
} al_potential_ops;

typedef struct al_potential {
    const al_potential_ops *ops;
    void *self;
} al_potential;

static inline al_status al_potential_compute(const al_potential *p, const al_frame *f,
                                             al_pot_result *out, al_err *err)
{
    return p->ops->compute(p->self, f, out, err);
}

static inline void al_potential_destroy(al_potential *p)
{
    if (p && p->ops && p->ops->destroy) p->ops->destroy(p->self);
    if (p) p->self = NULL;
}

#endif
