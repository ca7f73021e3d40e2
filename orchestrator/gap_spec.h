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

/* The distinct atomic numbers of n frames, ascending, into species (room for AL_MAX_Z). */
int orc_species_of(const al_frame *frames, size_t n, int *species);

#endif
