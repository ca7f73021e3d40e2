/*
 * The initial frames of a campaign, made from the `system` section of the campaign file:
 *
 *   rattle: copies of the start structure, repeated as a supercell, each with a random
 *           symmetric strain ε (components uniform in [−strain, strain]) applied to cell and
 *           positions, r → (1 + ε) r, and then every atom displaced by a Gaussian of standard
 *           deviation `rattle` (Å) in each Cartesian direction;
 *   random: random structures of a given composition in a cubic cell whose volume gives the
 *           mass density (g/cm³), atoms placed one at a time uniformly at random and rejected
 *           when closer than `min_distance` (Å) to any atom placed before (periodic images
 *           included).
 *
 * Every random number comes from the caller's generator, so a seed gives the same frames.
 * The frames carry provenance in their info: config_type ("initial_rattle" or
 * "initial_random") and initial_index.
 */
#ifndef ORC_INITIAL_H
#define ORC_INITIAL_H

#include <stddef.h>

#include "core/frame.h"
#include "core/rng.h"
#include "core/status.h"

/* n rattled and strained supercells of `structure` (which must be periodic in all three
 * directions) into out[0..n), frames initialised by the caller; supercell[k] >= 1. */
al_status orc_initial_rattle(const al_frame *structure, const int supercell[3], size_t n,
                             double rattle, double strain, al_rng *rng, al_frame *out,
                             al_err *err);

/* n random structures into out[0..n). count[k] atoms of element z[k] for k < n_species.
 * Fails with AL_EINVAL, saying which frame and atom, when an atom cannot be placed after
 * many attempts (the minimum distance is too large for the density). */
al_status orc_initial_random(const int *z, const double *count, int n_species,
                             double density, double min_distance, size_t n, al_rng *rng,
                             al_frame *out, al_err *err);

/* Edge length (Å) of the cubic cell holding atoms of total mass `mass_amu` at `density`
 * (g/cm³). */
double orc_cube_edge(double mass_amu, double density);

#endif
