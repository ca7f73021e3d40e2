/*
 * The plane-wave engine behind the al_potential interface (core/potential.h), so that MD and
 * the campaign can call it like any force provider. Energies only until forces and stress
 * exist; a request for them fails clearly instead of returning zeros.
 */
#include "core/alloc.h"
#include "engines/dft/dft.h"

static al_status compute(void *self, const al_frame *f, al_pot_result *out, al_err *err)
{
    if (out->forces || out->virial)
        return al_fail(err, AL_EINVAL, "plane-wave DFT: forces and virial are not implemented "
                       "yet; request the energy only");
    pw_result r;
    al_status st = pw_dft_run(self, f, &r, err);
    if (st == AL_OK || st == AL_ENOCONV) out->energy = r.energy_ev;
    out->has_uncertainty = false;
    pw_result_fini(&r);
    return st;
}

static void destroy(void *self) { pw_dft_destroy(self); }

static const al_potential_ops ops = {"dft", compute, NULL, destroy};

al_status pw_dft_potential_create(const pw_settings *s, al_potential *out, al_err *err)
{
    out->ops = &ops;
    out->self = NULL;
    pw_dft *c;
    AL_TRY(err, pw_dft_create(s, &c, err));
    out->self = c;
    return AL_OK;
}
