/*
 * The plane-wave engine behind the al_potential interface (core/potential.h), so that MD and
 * the campaign can call it like any force provider. Forces and the virial are computed only
 * when the caller asks for them (forces.h, stress.h).
 */
#include "core/alloc.h"
#include "engines/dft/dft.h"

static al_status compute(void *self, const al_frame *f, al_pot_result *out, al_err *err)
{
    pw_dft *c = self;
    pw_dft_want(c, out->forces != NULL, out->virial != NULL);
    pw_result r;
    al_status st = pw_dft_run(c, f, &r, err);
    if (st == AL_OK || st == AL_ENOCONV) {
        out->energy = r.energy_ev;
        if (out->forces && r.has_forces)
            for (size_t a = 0; a < f->n_atoms; a++)
                for (int d = 0; d < 3; d++) out->forces[a][d] = r.forces[a][d];
        if (out->virial && r.has_stress)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) out->virial[3 * i + j] = r.virial[i][j];
    }
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
