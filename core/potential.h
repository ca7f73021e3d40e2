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
#include <stddef.h>

#include "core/frame.h"
#include "core/status.h"

/* Atoms whose force uncertainty is computed when a caller has no reason to choose: the few with
 * the largest local-energy uncertainty, where a frame is most likely to go wrong. */
enum { AL_FORCE_SIGMA_ATOMS = 4 };

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
    /* Force uncertainty (eV/Å): the predictive standard deviation of an atom's force, the square
     * root of the mean of its three component variances, for the force_sigma_atoms atoms with
     * the largest atom_sigma (0: not computed; AL_FORCE_SIGMA_ATOMS is the usual choice). Filled
     * with the rest of the uncertainty. */
    size_t force_sigma_atoms;
    double *force_sigma;        /* caller-owned n_atoms: the examined atoms' values, NaN for the
                                 * others; NULL: only the summary */
    double force_sigma_max;     /* eV/Å, the largest over the examined atoms (0 when none) */
    long force_sigma_atom;      /* the atom where it occurs, −1 when none */
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
