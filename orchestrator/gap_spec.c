/* GAP hyperparameters from a campaign's gap section (see gap_spec.h). */
#include "orchestrator/gap_spec.h"

#include <string.h>

int orc_species_of(const al_frame *frames, size_t n, int *species)
{
    bool seen[AL_MAX_Z + 1];
    memset(seen, 0, sizeof seen);
    for (size_t f = 0; f < n; f++)
        for (size_t i = 0; i < frames[f].n_atoms; i++)
            if (frames[f].z[i] > 0 && frames[f].z[i] <= AL_MAX_Z) seen[frames[f].z[i]] = true;
    int k = 0;
    for (int z = 1; z <= AL_MAX_Z; z++)
        if (seen[z]) species[k++] = z;
    return k;
}

al_status orc_gap_spec(const orc_gap *g, const int *species, int n_species, uint64_t seed,
                       gp_gap_spec *out, al_err *err)
{
    *out = gp_gap_spec_default();
    out->sigma_energy = g->sigma_energy;
    out->sigma_force = g->sigma_force;
    out->sigma_virial = g->sigma_virial;
    out->sparse_jitter = g->sparse_jitter;
    out->seed = seed;
    for (int k = 0; k < g->e0.n; k++) out->e0[g->e0.z[k]] = g->e0.value[k];
    if (!g->two_body.enabled && !g->soap.enabled)
        return al_fail(err, AL_EINVAL, "gap: neither two_body nor soap is enabled; the model needs a descriptor");
    const orc_two_body *b = &g->two_body;
    for (int i = 0; b->enabled && i < n_species; i++)
        for (int j = i; j < n_species; j++)
            AL_TRY(err, gp_gap_spec_add_2b(out, species[i], species[j], b->cutoff, b->transition_width,
                                           b->delta, b->theta, (size_t)b->n_sparse, err));
    const orc_soap *s = &g->soap;
    for (int i = 0; s->enabled && i < n_species; i++) {
        AL_TRY(err, gp_gap_spec_add_soap(out, species[i], s->cutoff, s->transition_width, (int)s->n_max,
                                         (int)s->l_max, s->atom_sigma, (int)s->zeta, s->delta,
                                         (size_t)s->n_sparse, err));
        out->desc[out->n_desc - 1].sparse_method = s->sparse_method == 0 ? GP_SPARSE_CUR : GP_SPARSE_RANDOM;
    }
    return AL_OK;
}

void orc_gap_default_e0(const orc_gap *g, const al_frame *frames, size_t n, const int *species,
                        int n_species, gp_gap_spec *spec)
{
    double sum = 0;
    size_t m = 0;
    for (size_t f = 0; f < n; f++)
        if ((frames[f].labels & AL_LBL_ENERGY) && frames[f].n_atoms) {
            sum += frames[f].energy / (double)frames[f].n_atoms;
            m++;
        }
    if (!m) return;
    for (int k = 0; k < n_species; k++) {
        int given = 0;
        for (int i = 0; i < g->e0.n; i++) given |= g->e0.z[i] == species[k];
        if (!given) spec->e0[species[k]] = sum / (double)m;
    }
}
