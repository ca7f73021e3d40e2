/*
 * The campaign's labeler (dft section): the built-in plane-wave DFT, or an analytic potential
 * (Stillinger–Weber silicon, Lennard-Jones) for cheap end-to-end runs and tests of the loop.
 * For the DFT a second, safer setting is made for the one retry of a failed label: half the
 * mixing parameter and twice the SCF iterations (the usual cure of charge sloshing).
 */
#include "engines/md/analytic.h"
#include "orchestrator/dft_settings.h"
#include "orchestrator/loop_impl.h"

static al_status dft_labelers(const orc_campaign *c, const al_comm *comm, al_potential *out, al_potential *safe,
                              al_err *err)
{
    pw_settings s;
    AL_TRY(err, orc_dft_settings(&c->dft, &s, err));
    s.forces = s.stress = true;
    s.comm = comm;
    /* Every label starts from atomic densities, so it does not depend on which frame the
     * process labeled before: one rank and N ranks give the same dataset. */
    s.reuse = false;
    AL_TRY(err, pw_dft_potential_create(&s, out, err));
    s.mix.beta *= 0.5;
    s.max_iter *= 2;
    return pw_dft_potential_create(&s, safe, err);
}

al_status orc_labeler_create(const orc_campaign *c, const al_comm *comm, al_potential *out, al_potential *safe,
                             al_err *err)
{
    safe->ops = NULL;
    safe->self = NULL;
    switch (c->dft.labeler) {
    case ORC_LABELER_SW: {
        md_sw_opts o = md_sw_opts_default();
        return md_sw_create(&o, out, err);
    }
    case ORC_LABELER_LJ: {
        md_lj_opts o = md_lj_opts_default();
        return md_lj_create(&o, out, err);
    }
    default:
        return dft_labelers(c, comm, out, safe, err);
    }
}
