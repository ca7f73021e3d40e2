/*
 * Descriptor summaries of frames for selection: per species, the average SOAP vector of the
 * atoms of that species (zeros when the frame has none), concatenated in the order of the
 * species list. Each SOAP sees the neighbours of every species, as the model's do, so that
 * frames differing only in how species mix (chemical order) are told apart. Selectors measure
 * diversity on these rows (selectors/sel.h).
 */
#include "orchestrator/summary.h"

#include <string.h>

#include "core/alloc.h"
#include "core/neighbors.h"
#include "gp/desc/soap.h"

struct orc_summary {
    int n_species;
    int species[AL_MAX_Z];
    desc_soap *soap[AL_MAX_Z];
    size_t dim_each;
    double cutoff;
    al_nlist nl;
    desc_values dv;
};

al_status orc_summary_create(const orc_soap *p, const int *species, int n_species,
                             orc_summary **out, al_err *err)
{
    *out = NULL;
    orc_summary *s = al_calloc(1, sizeof *s);
    if (!s) return al_fail(err, AL_ENOMEM, "descriptor summary: out of memory");
    s->n_species = n_species;
    s->cutoff = p->cutoff;
    al_nlist_init(&s->nl);
    desc_values_init(&s->dv);
    for (int k = 0; k < n_species; k++) {
        s->species[k] = species[k];
        desc_soap_spec spec = {species[k], p->cutoff, p->transition_width, p->atom_sigma,
                               (int)p->n_max, (int)p->l_max};
        desc_soap_species neighbours = {n_species <= DESC_SOAP_MAX_SPECIES ? n_species : 0, {0},
                                        DESC_SOAP_CENTRAL_DEFAULT};
        for (int j = 0; j < neighbours.n; j++) neighbours.z[j] = species[j];
        al_status st = n_species > DESC_SOAP_MAX_SPECIES
                           ? al_fail(err, AL_EINVAL, "descriptor summary: %d species, at most %d supported",
                                     n_species, DESC_SOAP_MAX_SPECIES)
                           : desc_soap_create_species(&spec, &neighbours, &s->soap[k], err);
        if (st) {
            orc_summary_destroy(s);
            return st;
        }
        s->dim_each = desc_soap_dim(s->soap[k]);
    }
    *out = s;
    return AL_OK;
}

void orc_summary_destroy(orc_summary *s)
{
    if (!s) return;
    for (int k = 0; k < s->n_species; k++) desc_soap_destroy(s->soap[k]);
    al_nlist_fini(&s->nl);
    desc_values_fini(&s->dv);
    al_free(s);
}

size_t orc_summary_dim(const orc_summary *s) { return s->dim_each * (size_t)s->n_species; }

al_status orc_summary_row(orc_summary *s, const al_frame *f, double *row, al_err *err)
{
    memset(row, 0, orc_summary_dim(s) * sizeof *row);
    AL_TRY(err, al_nlist_build(&s->nl, f, s->cutoff, 0.0, err));
    for (int k = 0; k < s->n_species; k++) {
        AL_TRY(err, desc_soap_compute(s->soap[k], f, &s->nl, &s->dv, err));
        double *r = row + (size_t)k * s->dim_each;
        for (size_t q = 0; q < s->dv.n; q++)
            for (size_t a = 0; a < s->dim_each; a++) r[a] += s->dv.x[q * s->dv.dim + a];
        for (size_t a = 0; s->dv.n && a < s->dim_each; a++) r[a] /= (double)s->dv.n;
    }
    return AL_OK;
}
