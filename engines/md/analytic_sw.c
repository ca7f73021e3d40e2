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

typedef struct sw_bond sw_bond;

typedef struct sw {
    md_sw_opts o;
    al_nlist nl;
    sw_bond *bonds;    /* scratch: bonds of one atom inside the cutoff */
    size_t cap;
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

/* x^p, by multiplication when p is a small non-negative integer (SW silicon: p = 4, q = 0). */
static double powp(double x, double p)
{
    if (p >= 0 && p <= 16 && p == (double)(int)p) {
        double r = 1.0;
        for (int k = 0; k < (int)p; k++) r *= x;
        return r;
    }
    return pow(x, p);
}

/* Pair energy and dφ2/dr. */
static double phi2(const md_sw_opts *o, double r, double *dphi)
{
    double rc = o->a * o->sigma;
    double sr = o->sigma / r, bp = o->B * powp(sr, o->p), bq = powp(sr, o->q);
    double e = exp(o->sigma / (r - rc));
    double poly = bp - bq;
    double dpoly = (-o->p * bp + o->q * bq) / r;
    double de = -o->sigma / ((r - rc) * (r - rc)) * e;
    *dphi = o->A * o->epsilon * (dpoly * e + poly * de);
    return o->A * o->epsilon * poly * e;
}

/* A bond of atom i inside the cutoff, with its three-body radial factor
 * e = exp(γσ / (r − aσ)) and de/dr precomputed once for all triplets it is part of. */
typedef struct sw_bond {
    size_t j;
    const double *d;
    double r, e, de;
    double g[3];       /* ∂E/∂d summed over the pair and every triplet of this bond */
} sw_bond;

/* Three-body term of the triplet (j, i, k) with bonds b1 = r_j − r_i, b2 = r_k − r_i; returns
 * the energy and the gradients g1 = ∂E/∂d1, g2 = ∂E/∂d2. */
static double phi3(const md_sw_opts *o, const sw_bond *b1, const sw_bond *b2, double g1[3], double g2[3])
{
    const double *d1 = b1->d, *d2 = b2->d;
    double r1 = b1->r, r2 = b2->r, inv12 = 1.0 / (r1 * r2);
    double cosv = (d1[0] * d2[0] + d1[1] * d2[1] + d1[2] * d2[2]) * inv12;
    double dc = cosv - o->cos_theta0;
    double pre = o->lambda * o->epsilon;
    double ee = b1->e * b2->e;
    double energy = pre * dc * dc * ee;
    /* ∂E/∂r through the radial factors, ∂E/∂cos through the angular one. */
    double dE_dr1 = pre * dc * dc * b1->de * b2->e / r1;
    double dE_dr2 = pre * dc * dc * b1->e * b2->de / r2;
    double dE_dcos = pre * 2.0 * dc * ee;
    double c1 = cosv / (r1 * r1), c2 = cosv / (r2 * r2);
    for (int a = 0; a < 3; a++) {
        g1[a] = dE_dr1 * d1[a] + dE_dcos * (d2[a] * inv12 - c1 * d1[a]);
        g2[a] = dE_dr2 * d2[a] + dE_dcos * (d1[a] * inv12 - c2 * d2[a]);
    }
    return energy;
}

/* Grows the bond buffer to hold n bonds. */
static al_status reserve_bonds(sw *s, size_t n, al_err *err)
{
    if (n <= s->cap) return AL_OK;
    sw_bond *b = al_realloc(s->bonds, n * sizeof *b);
    if (!b) return al_fail(err, AL_ENOMEM, "Stillinger-Weber: out of memory");
    s->bonds = b;
    s->cap = n;
    return AL_OK;
}

/* Bonds of atom i inside the cutoff; returns their number. */
static size_t gather_bonds(sw *s, size_t i, double rc)
{
    const md_sw_opts *o = &s->o;
    const al_nlist *nl = &s->nl;
    size_t nb = 0;
    for (size_t p = nl->offset[i]; p < nl->offset[i + 1]; p++) {
        double r = nl->r[p];
        if (r >= rc) continue;
        sw_bond *b = &s->bonds[nb++];
        double x = 1.0 / (r - rc);
        b->j = (size_t)nl->j[p];
        b->d = nl->d[p];
        b->r = r;
        b->e = exp(o->gamma * o->sigma * x);
        b->de = -o->gamma * o->sigma * x * x * b->e;
        b->g[0] = b->g[1] = b->g[2] = 0.0;
    }
    return nb;
}

static al_status sw_compute(void *self, const al_frame *f, al_pot_result *out, al_err *err)
{
    sw *s = self;
    const md_sw_opts *o = &s->o;
    double rc = o->a * o->sigma;
    AL_TRY(err, al_nlist_update(&s->nl, f, rc, o->skin, err));
    size_t maxn = 0;
    for (size_t i = 0; i < f->n_atoms; i++)
        if (s->nl.offset[i + 1] - s->nl.offset[i] > maxn) maxn = s->nl.offset[i + 1] - s->nl.offset[i];
    AL_TRY(err, reserve_bonds(s, maxn, err));
    md__result_begin(f, out);
    double energy = 0.0;
    for (size_t i = 0; i < f->n_atoms; i++) {
        size_t nb = gather_bonds(s, i, rc);
        sw_bond *b = s->bonds;
        for (size_t p = 0; p < nb; p++) {
            double dphi;
            /* Each bond appears twice in the full list: half of it each time. */
            energy += 0.5 * phi2(o, b[p].r, &dphi);
            for (int a = 0; a < 3; a++) b[p].g[a] += 0.5 * dphi * b[p].d[a] / b[p].r;
            for (size_t q = p + 1; q < nb; q++) {
                double g1[3], g2[3];
                energy += phi3(o, &b[p], &b[q], g1, g2);
                for (int a = 0; a < 3; a++) {
                    b[p].g[a] += g1[a];
                    b[q].g[a] += g2[a];
                }
            }
        }
        /* Every term is a function of the bond vectors of i: add each bond's gradient once. */
        for (size_t p = 0; p < nb; p++) md__add_gradient(out, i, b[p].j, b[p].d, b[p].g);
    }
    out->energy = energy;
    return AL_OK;
}

static void sw_destroy(void *self)
{
    sw *s = self;
    if (!s) return;
    al_nlist_fini(&s->nl);
    al_free(s->bonds);
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
