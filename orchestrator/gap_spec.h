/*
 * GAP hyperparameters from the `gap` section of a campaign file, for the species of a
 * training set: one 2-body descriptor per species pair and one SOAP descriptor per species
 * (each when enabled), e0 per species, the regularisation and the sparse-point rules.
 */
#ifndef ORC_GAP_SPEC_H
#define ORC_GAP_SPEC_H

#include <stdint.h>

#include "gp/gap.h"
#include "orchestrator/campaign.h"

/* species: the distinct atomic numbers present (n_species of them, ascending). */
al_status orc_gap_spec(const orc_gap *g, const int *species, int n_species, uint64_t seed,
                       gp_gap_spec *out, al_err *err);

/* When the gap section gives no e0, every species' e0 becomes the mean energy per atom of the
 * labeled frames (QUIP's e0_method=average), so that the descriptors model only the variation
 * of the energy; e0 given for some species is kept and used for those. */
void orc_gap_default_e0(const orc_gap *g, const al_frame *frames, size_t n, const int *species,
                        int n_species, gp_gap_spec *spec);

/* The distinct atomic numbers of n frames, ascending, into species (room for AL_MAX_Z). */
int orc_species_of(const al_frame *frames, size_t n, int *species);

#endif
