/*
 * Descriptor summaries of frames for selection: per species, the average SOAP vector of the
 * atoms of that species (zeros when the frame has none; each SOAP sees every species of the
 * list), concatenated in species order, with the SOAP settings of the campaign's gap section.
 * Selectors measure diversity on these rows.
 */
#ifndef ORC_SUMMARY_H
#define ORC_SUMMARY_H

#include <stddef.h>

#include "core/frame.h"
#include "orchestrator/campaign.h"

typedef struct orc_summary orc_summary;

al_status orc_summary_create(const orc_soap *p, const int *species, int n_species,
                             orc_summary **out, al_err *err);
void orc_summary_destroy(orc_summary *s);
/* Length of a row. */
size_t orc_summary_dim(const orc_summary *s);
/* The summary row of f (orc_summary_dim values). */
al_status orc_summary_row(orc_summary *s, const al_frame *f, double *row, al_err *err);

#endif
