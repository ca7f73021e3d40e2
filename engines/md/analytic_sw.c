/*
 * Stillinger–Weber potential (F. H. Stillinger and T. A. Weber, PRB 31, 5262 (1985)):
 *   E = Σ_{i<j} φ2(r_ij) + Σ_i Σ_{j<k} φ3(r_ij, r_ik, θ_jik)
 *   φ2(r) = A ε [B (σ/r)^p − (σ/r)^q] exp(σ / (r − aσ))                      for r < aσ
 *   φ3    = λ ε (cos θ_jik − cos θ0)² exp(γσ / (r_ij − aσ)) exp(γσ / (r_ik − aσ))
 * Every term depends on interatomic vectors d only, so forces and the virial come from the
 * gradients ∂E/∂d (F_j −= g, F_i += g, virial −= d ⊗ g).
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/neighbors.h"
#include "engines/md/analytic.h"
#include "engines/md/analytic_impl.h"

typedef struct sw {
    md_sw_opts o;
    al_nlist nl;
} sw;

md_sw_opts md_sw_opts_default(void)
{
    return (md_sw_opts){.epsilon = 2.1683, .sigma = 2.0951, .a = 1.80, .lambda = 21.0, .gamma = 1.20,
                        .cos_theta0 = -1.0 / 3.0, .A = 7.049556277, .B = 0.6022245584, .p = 4.0,
                        .q = 0.0, .skin = 0.5};
}

static double sw_cutoff(const void *self)
{
    const sw *s = self;
    return s->o.a * s->o.sigma;
}

/* Pair energy and dφ2/dr. */
static double phi2(const md_sw_opts *o, double r, double *dphi)
{
    double rc = o->a * o->sigma;
    double sr = o->sigma / r, bp = o->B * pow(sr, o->p), bq = pow(sr, o->q);
    double e = exp(o->sigma / (r - rc));
    double poly = bp - bq;
    double dpoly = (-o->p * bp + o->q * bq) / r;
    double de = -o->sigma / ((r - rc) * (r - rc)) * e;
    *dphi = o->A * o->epsilon * (dpoly * e + poly * de);
    return o->A * o->epsilon * poly * e;
}

/* Adds the three-body term of the triplet (j, i, k) with bond vectors d1 = r_j − r_i, d2 = r_k − r_i. */
static double phi3(const md_sw_opts *o, const double d1[3], double r1, const double d2[3], double r2,
                   double g1[3], double g2[3])
{
    double rc = o->a * o->sigma;
    double cosv = (d1[0] * d2[0] + d1[1] * d2[1] + d1[2] * d2[2]) / (r1 * r2);
    double dc = cosv - o->cos_theta0;
    double e1 = exp(o->gamma * o->sigma / (r1 - rc)), e2 = exp(o->gamma * o->sigma / (r2 - rc));
    double pre = o->lambda * o->epsilon;
    double energy = pre * dc * dc * e1 * e2;
    /* ∂E/∂r1 through the radial factor, ∂E/∂cos through the angular one. */
    double dE_dr1 = energy * (-o->gamma * o->sigma / ((r1 - rc) * (r1 - rc)));
    double dE_dr2 = energy * (-o->gamma * o->sigma / ((r2 - rc) * (r2 - rc)));
    double dE_dcos = pre * 2.0 * dc * e1 * e2;
    for (int a = 0; a < 3; a++) {
        double dcos_d1 = d2[a] / (r1 * r2) - cosv * d1[a] / (r1 * r1);
        double dcos_d2 = d1[a] / (r1 * r2) - cosv * d2[a] / (r2 * r2);
        g1[a] = dE_dr1 * d1[a] / r1 + dE_dcos * dcos_d1;
        g2[a] = dE_dr2 * d2[a] / r2 + dE_dcos * dcos_d2;
    }
    return energy;
}

static al_status sw_compute(void *self, const al_frame *f, al_pot_result *out, al_err *err)
{
    sw *s = self;
    const md_sw_opts *o = &s->o;
    double rc = o->a * o->sigma;
    AL_TRY(err, al_nlist_update(&s->nl, f, rc, o->skin, err));
    md__result_begin(f, out);
    double energy = 0.0;
    const al_nlist *nl = &s->nl;
    for (size_t i = 0; i < f->n_atoms; i++) {
        for (size_t p = nl->offset[i]; p < nl->offset[i + 1]; p++) {
            double r = nl->r[p];
            if (r >= rc) continue;
            double dphi, g[3];
            /* Each bond appears twice in the full list: half of it each time. */
            energy += 0.5 * phi2(o, r, &dphi);
            for (int a = 0; a < 3; a++) g[a] = 0.5 * dphi * nl->d[p][a] / r;
            md__add_gradient(out, i, (size_t)nl->j[p], nl->d[p], g);
            for (size_t q = p + 1; q < nl->offset[i + 1]; q++) {
                if (nl->r[q] >= rc) continue;
                double g1[3], g2[3];
                energy += phi3(o, nl->d[p], r, nl->d[q], nl->r[q], g1, g2);
                md__add_gradient(out, i, (size_t)nl->j[p], nl->d[p], g1);
                md__add_gradient(out, i, (size_t)nl->j[q], nl->d[q], g2);
            }
        }
    }
    out->energy = energy;
    return AL_OK;
}

static void sw_destroy(void *self)
{
    sw *s = self;
    if (!s) return;
    al_nlist_fini(&s->nl);
    al_free(s);
}

static const al_potential_ops sw_ops = {"stillinger-weber", sw_compute, sw_cutoff, sw_destroy};

al_status md_sw_create(const md_sw_opts *opts, al_potential *out, al_err *err)
{
    out->ops = NULL;
    out->self = NULL;
    if (!(opts->sigma > 0) || !(opts->a > 1) || !(opts->skin >= 0))
        return al_fail(err, AL_EINVAL, "Stillinger-Weber: sigma must be > 0, a > 1 and skin >= 0 "
                       "(got sigma %g, a %g, skin %g)", opts->sigma, opts->a, opts->skin);
    sw *s = al_calloc(1, sizeof *s);
    if (!s) return al_fail(err, AL_ENOMEM, "Stillinger-Weber: out of memory");
    s->o = *opts;
    al_nlist_init(&s->nl);
    out->ops = &sw_ops;
    out->self = s;
    return AL_OK;
}
