/*
 * Neighbour lists for periodic triclinic cells, built with cell lists in O(N).
 *
 * A full list: every ordered pair (i, j, image shift) with |r_j + shift·cell − r_i| < cutoff + skin
 * appears once, so each bond is present as (i→j) and (j→i). Any cutoff works, including cutoffs
 * larger than half the cell (several images of the same atom, and an atom's own images, appear
 * as separate entries); directions with pbc false are not repeated. Atoms outside the cell are
 * allowed (positions need not be wrapped).
 *
 * MD reuse: the list is built with cutoff + skin; al_nlist_needs_rebuild tells when some atom
 * has moved more than skin/2 since the build (or the cell changed shape beyond what the skin
 * covers), and al_nlist_refresh recomputes the stored vectors and distances for the current
 * positions without rebuilding. Consumers must test |d| < cutoff themselves.
 *
 * Order: the neighbours of each atom are sorted by j, then by shift (lexicographically), so a
 * list is reproducible. Each vector is evaluated as d = (r_j − r_i) + (n0·a + n1·b + n2·c), with
 * the shift term summed left to right and rows of non-periodic directions never used (their
 * shift is always 0). Pairs kept satisfy d·d < (cutoff + skin)² for that d.
 */
#ifndef AL_NEIGHBORS_H
#define AL_NEIGHBORS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/frame.h"
#include "core/status.h"

typedef struct al_nlist {
    size_t n_atoms;
    double cutoff, skin;     /* Å */
    size_t *offset;          /* n_atoms + 1; neighbours of i are entries offset[i]..offset[i+1]-1 */
    size_t n_pairs;
    int *j;                  /* neighbour index */
    int (*shift)[3];         /* image: r_j + shift·cell */
    double (*d)[3];          /* r_j + shift·cell − r_i (Å) */
    double *r;               /* |d| (Å) */
    /* Built-at state used by al_nlist_needs_rebuild. */
    double (*pos0)[3];
    double cell0[3][3];
    bool pbc0[3];
    bool built;              /* false until a build succeeds (and after a failed one) */
    size_t cap;              /* allocated pair capacity */
} al_nlist;

void al_nlist_init(al_nlist *nl);
void al_nlist_fini(al_nlist *nl);

/*
 * Builds the list for frame f (reusing nl's storage). cutoff > 0, skin >= 0, in Å.
 * Errors: AL_EINVAL for a non-positive cutoff, a singular cell with pbc, or non-finite
 * positions; AL_ENOMEM.
 */
al_status al_nlist_build(al_nlist *nl, const al_frame *f, double cutoff, double skin, al_err *err);

/*
 * True when positions or cell of f differ from the build enough that pairs may be missing
 * (or when nl was never built, or the atom count or pbc changed). Conservative: a deformed
 * cell counts as an affine strain and is charged against the skin together with the
 * displacements. Costs O(N).
 */
bool al_nlist_needs_rebuild(const al_nlist *nl, const al_frame *f);

/* Recomputes d and r for the current positions/cell of f, keeping the pair set. */
void al_nlist_refresh(al_nlist *nl, const al_frame *f);

/* Builds if needed, else refreshes. */
al_status al_nlist_update(al_nlist *nl, const al_frame *f, double cutoff, double skin, al_err *err);

#endif
