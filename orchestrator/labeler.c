/*
 * The campaign's labeler (dft section): the built-in plane-wave DFT, or an analytic potential
 * (Stillinger–Weber silicon, Lennard-Jones) for cheap end-to-end runs and tests of the loop.
 */
#include "engines/md/analytic.h"
#include "orchestrator/loop_impl.h"

al_status orc_labeler_create(const orc_campaign *c, al_potential *out, al_err *err)
{
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
        return al_fail(err, AL_EINVAL,
                       "%s: dft.labeler: the built-in DFT cannot label campaign frames yet; use "
                       "labeler: sw or lj", c->path);
    }
}
