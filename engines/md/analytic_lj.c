/*
 * Lennard-Jones potential, E = Σ_{i<j} 4ε[(σ/r)^12 − (σ/r)^6] − E_shift for r < r_c, shifted
 * so that each pair's energy vanishes at the cutoff (forces are not shifted).
 */
#include <math.h>

#include "core/alloc.h"
#include "core/neighbors.h"
#include "engines/md/analytic.h"
#include "engines/md/analytic_impl.h"

typedef struct lj {
    md_lj_opts o;
    double shift;
    al_nlist nl;
} lj;

md_lj_opts md_lj_opts_default(void)
{
    return (md_lj_opts){.epsilon = 0.0104, .sigma = 3.40, .cutoff = 8.5, .skin = 0.5};
}

static double lj_cutoff(const void *self) { return ((const lj *)self)->o.cutoff; }

static double lj_pair(const md_lj_opts *o, double r, double *dphi)
{
    double s2 = (o->sigma / r) * (o->sigma / r), s6 = s2 * s2 * s2;
    *dphi = 4.0 * o->epsilon * (-12.0 * s6 * s6 + 6.0 * s6) / r;
    return 4.0 * o->epsilon * (s6 * s6 - s6);
}

static al_status lj_compute(void *self, const al_frame *f, al_pot_result *out, al_err *err)
{
    lj *s = self;
    AL_TRY(err, al_nlist_update(&s->nl, f, s->o.cutoff, s->o.skin, err));
    md__result_begin(f, out);
    double energy = 0.0;
    for (size_t i = 0; i < f->n_atoms; i++)
        for (size_t p = s->nl.offset[i]; p < s->nl.offset[i + 1]; p++) {
            double r = s->nl.r[p], dphi, g[3];
            if (r >= s->o.cutoff) continue;
            energy += 0.5 * (lj_pair(&s->o, r, &dphi) - s->shift);
            for (int a = 0; a < 3; a++) g[a] = 0.5 * dphi * s->nl.d[p][a] / r;
            md__add_gradient(out, i, (size_t)s->nl.j[p], s->nl.d[p], g);
        }
    out->energy = energy;
    return AL_OK;
}

static void lj_destroy(void *self)
{
    lj *s = self;
    if (!s) return;
    al_nlist_fini(&s->nl);
    al_free(s);
}

static const al_potential_ops lj_ops = {"lennard-jones", lj_compute, lj_cutoff, lj_destroy};

al_status md_lj_create(const md_lj_opts *opts, al_potential *out, al_err *err)
{
    out->ops = NULL;
    out->self = NULL;
    if (!(opts->epsilon > 0) || !(opts->sigma > 0) || !(opts->cutoff > 0) || !(opts->skin >= 0))
        return al_fail(err, AL_EINVAL, "Lennard-Jones: epsilon, sigma and cutoff must be > 0 and "
                       "skin >= 0 (got %g eV, %g Å, %g Å, %g Å)", opts->epsilon, opts->sigma,
                       opts->cutoff, opts->skin);
    lj *s = al_calloc(1, sizeof *s);
    if (!s) return al_fail(err, AL_ENOMEM, "Lennard-Jones: out of memory");
    s->o = *opts;
    double unused;
    s->shift = lj_pair(opts, opts->cutoff, &unused);
    al_nlist_init(&s->nl);
    out->ops = &lj_ops;
    out->self = s;
    return AL_OK;
}
