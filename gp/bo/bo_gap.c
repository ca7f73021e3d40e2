/*
 * The GAP objective of Bayesian optimisation (see bo_gap.h): hyperparameter names applied to a
 * gp_gap_spec, the validation split, and the weighted validation error of a fitted model.
 */
#include "gp/bo/bo_gap.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/rng.h"

static const bo_gap_param params[] = {
    {"two_body.cutoff", 0, "Å"},         {"two_body.transition_width", 0, "Å"},
    {"two_body.delta", 0, "eV"},         {"two_body.theta", 0, "Å"},
    {"two_body.n_sparse", 1, ""},        {"soap.cutoff", 0, "Å"},
    {"soap.transition_width", 0, "Å"},   {"soap.atom_sigma", 0, "Å"},
    {"soap.delta", 0, "eV"},             {"soap.n_max", 1, ""},
    {"soap.l_max", 1, ""},               {"soap.zeta", 1, ""},
    {"soap.n_sparse", 1, ""},            {"sigma_energy", 0, "eV/atom"},
    {"sigma_force", 0, "eV/Å"},          {"sigma_virial", 0, "eV/atom"},
    {"sparse_jitter", 0, ""},            {NULL, 0, NULL}};

const bo_gap_param *bo_gap_params(void) { return params; }

static const bo_gap_param *find(const char *name)
{
    for (const bo_gap_param *p = params; p->name; p++)
        if (strcmp(p->name, name) == 0) return p;
    return NULL;
}

static int has_kind(const gp_gap_spec *s, gp_kind k)
{
    for (size_t d = 0; d < s->n_desc; d++)
        if (s->desc[d].kind == k) return 1;
    return 0;
}

al_status bo_gap_check_space(const bo_space *s, const gp_gap_spec *base, al_err *err)
{
    for (size_t i = 0; i < s->d; i++) {
        const char *name = s->p[i].name;
        const bo_gap_param *p = find(name);
        if (!p)
            return al_fail(err, AL_EINVAL, "tune: '%s' is not a tunable GAP hyperparameter "
                                           "(see docs/bayesopt.md for the names)", name);
        if (p->integer && !s->p[i].integer)
            return al_fail(err, AL_EINVAL, "tune: '%s' is an integer; declare it with type: int",
                           name);
        if (strncmp(name, "two_body.", 9) == 0 && !has_kind(base, GP_KIND_2B))
            return al_fail(err, AL_EINVAL, "tune: '%s' given but the model has no 2-body descriptor",
                           name);
        if (strncmp(name, "soap.", 5) == 0 && !has_kind(base, GP_KIND_SOAP))
            return al_fail(err, AL_EINVAL, "tune: '%s' given but the model has no SOAP descriptor",
                           name);
    }
    return AL_OK;
}

/* Sets one named value on every descriptor of its kind (or on the regularisation). */
static void set_value(gp_gap_spec *s, const char *name, double v)
{
    if (strcmp(name, "sigma_energy") == 0) s->sigma_energy = v;
    else if (strcmp(name, "sigma_force") == 0) s->sigma_force = v;
    else if (strcmp(name, "sigma_virial") == 0) s->sigma_virial = v;
    else if (strcmp(name, "sparse_jitter") == 0) s->sparse_jitter = v;
    for (size_t d = 0; d < s->n_desc; d++) {
        gp_desc_hyper *h = &s->desc[d];
        if (h->kind == GP_KIND_2B && strncmp(name, "two_body.", 9) == 0) {
            const char *k = name + 9;
            if (!strcmp(k, "cutoff")) h->b2.cutoff = v;
            else if (!strcmp(k, "transition_width")) h->b2.transition_width = v;
            else if (!strcmp(k, "delta")) h->delta = v;
            else if (!strcmp(k, "theta")) h->theta = v;
            else if (!strcmp(k, "n_sparse")) h->n_sparse = (size_t)llround(v);
        } else if (h->kind == GP_KIND_SOAP && strncmp(name, "soap.", 5) == 0) {
            const char *k = name + 5;
            if (!strcmp(k, "cutoff")) h->soap.cutoff = v;
            else if (!strcmp(k, "transition_width")) h->soap.transition_width = v;
            else if (!strcmp(k, "atom_sigma")) h->soap.atom_sigma = v;
            else if (!strcmp(k, "delta")) h->delta = v;
            else if (!strcmp(k, "n_max")) h->soap.n_max = (int)lround(v);
            else if (!strcmp(k, "l_max")) h->soap.l_max = (int)lround(v);
            else if (!strcmp(k, "zeta")) h->zeta = (int)lround(v);
            else if (!strcmp(k, "n_sparse")) h->n_sparse = (size_t)llround(v);
        }
    }
}

al_status bo_gap_apply(const gp_gap_spec *base, const bo_space *s, const double *x,
                       gp_gap_spec *out, al_err *err)
{
    gp_gap_spec tmp = *base;
    for (size_t i = 0; i < s->d; i++) set_value(&tmp, s->p[i].name, x[i]);
    /* Rebuild the descriptor list through the validating constructors. */
    *out = tmp;
    out->n_desc = 0;
    for (size_t d = 0; d < tmp.n_desc; d++) {
        const gp_desc_hyper *h = &tmp.desc[d];
        if (h->kind == GP_KIND_2B)
            AL_TRY(err, gp_gap_spec_add_2b(out, h->b2.z1, h->b2.z2, h->b2.cutoff,
                                           h->b2.transition_width, h->delta, h->theta, h->n_sparse,
                                           err));
        else
            AL_TRY(err, gp_gap_spec_add_soap(out, h->soap.z, h->soap.cutoff,
                                             h->soap.transition_width, h->soap.n_max,
                                             h->soap.l_max, h->soap.atom_sigma, h->zeta, h->delta,
                                             h->n_sparse, err));
        if (h->kind == GP_KIND_SOAP) out->desc[out->n_desc - 1].soap_species = h->soap_species;
        out->desc[out->n_desc - 1].sparse_method = h->sparse_method;
    }
    return AL_OK;
}

al_status bo_gap_split(size_t n, double fraction, uint64_t seed, unsigned char *is_valid,
                       size_t *n_valid, al_err *err)
{
    if (n < 2)
        return al_fail(err, AL_EINVAL, "validation split: needs at least 2 frames (got %zu)", n);
    if (!(fraction > 0 && fraction < 1))
        return al_fail(err, AL_EINVAL, "validation split: fraction %g must lie in (0, 1)", fraction);
    size_t k = (size_t)llround(fraction * (double)n);
    k = k < 1 ? 1 : k > n - 1 ? n - 1 : k;
    size_t *idx = al_malloc(n * sizeof *idx);
    if (!idx) return al_fail(err, AL_ENOMEM, "validation split: out of memory");
    for (size_t i = 0; i < n; i++) idx[i] = i, is_valid[i] = 0;
    al_rng g;
    al_rng_seed(&g, seed, 0);
    al_rng_shuffle(&g, idx, n);
    for (size_t i = 0; i < k; i++) is_valid[idx[i]] = 1;
    al_free(idx);
    *n_valid = k;
    return AL_OK;
}

al_status bo_gap_errors(gp_model *m, const al_frame *frames, size_t n, double *e_mae_per_atom,
                        double *f_mae, al_err *err)
{
    double se = 0, sf = 0;
    size_t ne = 0, nf = 0, cap = 0;
    double (*forces)[3] = NULL;
    al_status st = AL_OK;
    for (size_t i = 0; i < n; i++) {
        const al_frame *f = &frames[i];
        if (!(f->labels & AL_LBL_ENERGY) || f->n_atoms == 0) continue;
        if (f->n_atoms > cap) {
            al_free(forces);
            cap = f->n_atoms;
            forces = al_malloc(cap * sizeof *forces);
            if (!forces) {
                st = al_fail(err, AL_ENOMEM, "validation: out of memory");
                goto done;
            }
        }
        al_pot_result r;
        memset(&r, 0, sizeof r);
        r.forces = (f->labels & AL_LBL_FORCES) ? forces : NULL;
        if ((st = gp_model_predict(m, f, &r, err))) {
            al_fail_wrap(err, "validation frame %zu: ", i);
            goto done;
        }
        se += fabs(r.energy - f->energy) / (double)f->n_atoms;
        ne++;
        if (r.forces)
            for (size_t a = 0; a < f->n_atoms; a++)
                for (int c = 0; c < 3; c++) sf += fabs(forces[a][c] - f->forces[a][c]), nf++;
    }
    if (ne == 0) {
        st = al_fail(err, AL_EINVAL, "validation: none of the %zu frames has an energy", n);
        goto done;
    }
    *e_mae_per_atom = se / (double)ne;
    *f_mae = nf ? sf / (double)nf : NAN;
done:
    al_free(forces);
    return st;
}

al_status bo_gap_objective(const double *x, bo_eval *out, void *user, al_err *err)
{
    const bo_gap_problem *p = user;
    gp_gap_spec spec;
    gp_model *m = NULL;
    AL_TRY(err, bo_gap_apply(&p->base, p->space, x, &spec, err));
    double t0 = al_wtime();
    AL_TRY(err, gp_gap_fit(&spec, p->train, p->n_train, &m, err));
    double t1 = al_wtime();
    al_status st = bo_gap_errors(m, p->valid, p->n_valid, &out->energy_mae, &out->force_mae, err);
    gp_model_destroy(m);
    if (st) return AL_TRACE(err);
    double wf = isfinite(out->force_mae) ? p->force_weight * out->force_mae : 0.0;
    out->value = p->energy_weight * out->energy_mae + wf;
    al_info("tune: fit %.1f s, validation %.2f meV/atom, %.4f eV/Å, objective %.6g",
            t1 - t0, 1e3 * out->energy_mae, out->force_mae, out->value);
    return AL_OK;
}
