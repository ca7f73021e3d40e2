/*
 * GAP prediction (see gap.h): energy, forces and virial from the instances' kernels with the
 * sparse points, and each atom's local-energy standard deviation from the sparse GP.
 *
 * SOAP instances: ∂ε_q/∂p_q = Σ_s α_s δ² ζ (p_q·p_s)^{ζ−1} p_s, contracted by the descriptor
 * with each neighbour's ∂p_q/∂d_e without forming the Jacobian (desc_soap_contract).
 *
 * Local-energy variance of atom i (Deringer et al., Chem. Rev. 121, 10073, eq. for the DTC
 * predictive variance): with k_i[s] = Σ_{q at i} c_q k(x_q, x_s) w_s and the prior
 * k_ii = Σ_{q,q' at i} c_q c_q' k(x_q, x_q'), σ_i² = k_ii − ‖L⁻¹k_i‖² + ‖R⁻ᵀk_i‖² (sparse_gp.h).
 *
 * Force uncertainty: the exact DTC variance of the force components of a few atoms
 * (gap_force_sigma.c), after the local energies' variances have chosen them. When it is asked
 * for, the SOAP pass keeps each centre's coefficients and dot products with the sparse points,
 * so that the force sigma does not expand the environments or form those products again.
 */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "gp/gap_model.h"

typedef struct pred_ctx {
    al_pot_result *out;
    double *local;       /* n_atoms local energies, or NULL */
    double *kvec, *kxx;  /* n_atoms × m and n_atoms, or NULL without uncertainty */
} pred_ctx;

static void apply_gradient(const desc_values *v, size_t q, size_t g, const double grad[3], al_pot_result *out)
{
    size_t i = (size_t)v->centre[q], j = (size_t)v->g_atom[g];
    for (int a = 0; a < 3; a++) {
        if (out->forces) out->forces[j][a] -= grad[a], out->forces[i][a] += grad[a];
        if (out->virial)
            for (int b = 0; b < 3; b++) out->virial[3 * a + b] -= v->g_d[g][a] * grad[b];
    }
}

/* 2-body instances of descriptor d; returns their energy. */
static double predict_2b(const gp_model *m, size_t d, pred_ctx *cx)
{
    const gp_desc_hyper *h = &m->spec.desc[d];
    const gp_desc_model *dm = &m->d[d];
    const desc_values *v = &m->dv;
    double total = 0.0, d2 = h->delta * h->delta;
    for (size_t q = 0; q < v->n; q++) {
        size_t i = (size_t)v->centre[q];
        double e = 0.0, de_dx = 0.0;
        for (size_t t = 0; t < dm->ns; t++) {
            double u = (v->x[q] - dm->xs[t]) / h->theta, k = d2 * exp(-0.5 * u * u) * dm->ws[t];
            e += m->alpha[dm->first + t] * k;
            de_dx -= m->alpha[dm->first + t] * k * u / h->theta;
            if (cx->kvec) cx->kvec[i * m->m + dm->first + t] += v->c[q] * k;
        }
        if (cx->kxx) {   /* instances of one atom are consecutive in the list */
            for (size_t p = q; p < v->n && (size_t)v->centre[p] == i; p++) {
                double u = (v->x[q] - v->x[p]) / h->theta;
                cx->kxx[i] += (p == q ? 1.0 : 2.0) * v->c[q] * v->c[p] * d2 * exp(-0.5 * u * u);
            }
        }
        for (size_t g = v->goff[q]; g < v->goff[q + 1]; g++) {
            double grad[3];
            for (int a = 0; a < 3; a++) grad[a] = v->g_dc[g][a] * e + v->c[q] * de_dx * v->g_dx[3 * g + a];
            apply_gradient(v, q, g, grad, cx->out);
        }
        if (cx->local) cx->local[i] += v->c[q] * e;
        total += v->c[q] * e;
    }
    return total;
}

/* SOAP: per instance (c = 1, w_s = 1) the dot products with the sparse points, the energy
 * ε = Σ_s α_s δ² (v·x_s)^ζ and u = ∂ε/∂v = X_sᵀ w with w_s = α_s δ² ζ (v·x_s)^{ζ−1}; the
 * descriptor contracts u with its Jacobian (desc_soap_contract). With kept_dots the dot products
 * of instance q stay in its row q, for the force sigma. */
typedef struct soap_cb {
    gp_model *m;
    size_t d;
    pred_ctx *cx;
    double energy;
    double *dots, *w, *kept_dots;
} soap_cb;

static void soap_weight(void *user, size_t q, int centre, const double *v, double *u)
{
    soap_cb *cb = user;
    const gp_model *m = cb->m;
    const gp_desc_hyper *h = &m->spec.desc[cb->d];
    const gp_desc_model *dm = &m->d[cb->d];
    const double *alpha = m->alpha + dm->first;
    size_t ns = dm->ns, dim = dm->dim, i = (size_t)centre;
    double d2 = h->delta * h->delta, e = 0.0, *dots = cb->kept_dots ? cb->kept_dots + q * ns : cb->dots;
    double *kv = cb->cx->kvec ? cb->cx->kvec + i * m->m + dm->first : NULL;
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)ns, (int)dim, 1.0, dm->xs, (int)dim, v, 1, 0.0, dots, 1);
    for (size_t t = 0; t < ns; t++) {
        double pw = gp__ipow(dots[t], h->zeta - 1), k = d2 * pw * dots[t];
        e += alpha[t] * k;
        cb->w[t] = alpha[t] * d2 * h->zeta * pw;
        if (kv) kv[t] += k;
    }
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)ns, (int)dim, 1.0, dm->xs, (int)dim, cb->w, 1, 0.0, u, 1);
    if (cb->cx->kxx) cb->cx->kxx[i] += gp__kernel_pair(m, cb->d, v, v);
    if (cb->cx->local) cb->cx->local[i] += e;
    cb->energy += e;
}

/* Room in m->d[d] for what the force sigma reuses instead of computing it again
 * (gap_force_sigma.c): each SOAP centre's coefficients and dot products with the sparse points. */
static al_status keep_room(gp_model *m, size_t d, const al_frame *f, al_err *err)
{
    gp_desc_model *dm = &m->d[d];
    size_t centres = 0;
    for (size_t i = 0; i < f->n_atoms; i++) centres += f->z[i] == m->spec.desc[d].soap.z;
    centres = centres ? centres : 1;
    size_t need_c = centres * desc_soap_coef_len(dm->soap), need_d = centres * dm->ns;
    if (need_c > dm->cap_coef) {
        double *c = al_realloc(dm->coef, need_c * sizeof *c);
        if (!c) return al_fail(err, AL_ENOMEM, "GAP: out of memory for the SOAP coefficients of %zu atoms", centres);
        dm->coef = c;
        dm->cap_coef = need_c;
    }
    if (need_d > dm->cap_dots) {
        double *g = al_realloc(dm->dots, need_d * sizeof *g);
        if (!g) return al_fail(err, AL_ENOMEM, "GAP: out of memory for the SOAP kernels of %zu atoms", centres);
        dm->dots = g;
        dm->cap_dots = need_d;
    }
    return AL_OK;
}

static al_status predict_soap(gp_model *m, size_t d, const al_frame *f, pred_ctx *cx, double *energy, al_err *err)
{
    size_t ns = m->d[d].ns;
    bool keep = cx->out->want_uncertainty && cx->out->force_sigma_atoms > 0;
    if (keep) AL_TRY(err, keep_room(m, d, f, err));
    AL_TRY(err, gp__scratch(m, 2 * ns, err));
    soap_cb cb = {m, d, cx, 0.0, m->buf, m->buf + ns, keep ? m->d[d].dots : NULL};
    AL_TRY(err, desc_soap_contract(m->d[d].soap, f, &m->nl, soap_weight, &cb, keep ? m->d[d].coef : NULL, &m->dv, err));
    const desc_values *v = &m->dv;
    for (size_t q = 0; q < v->n; q++)
        for (size_t g = v->goff[q]; g < v->goff[q + 1]; g++) apply_gradient(v, q, g, v->g_dx + 3 * g, cx->out);
    *energy = cb.energy;
    return AL_OK;
}

/* Local-energy sigmas from the gathered kernel rows, then the force sigma of the atoms they
 * rank highest. */
static al_status finish_uncertainty(gp_model *m, const al_frame *f, pred_ctx *cx, al_err *err)
{
    size_t n = f->n_atoms;
    double *var = al_malloc((n ? n : 1) * sizeof *var);
    if (!var) return al_fail(err, AL_ENOMEM, "GAP: out of memory for variances");
    al_status st = gp_dtc_variance(m->dtc, n, cx->kvec, cx->kxx, var, err);
    if (!st) {
        double sum = 0, mx = 0;
        for (size_t i = 0; i < n; i++) {
            double sd = sqrt(var[i] > 0 ? var[i] : 0.0);
            var[i] = sd;
            if (cx->out->atom_sigma) cx->out->atom_sigma[i] = sd;
            sum += sd;
            mx = fmax(mx, sd);
        }
        cx->out->sigma_max = mx;
        cx->out->sigma_mean = n ? sum / n : 0.0;
        if (cx->out->force_sigma_atoms > 0) st = gp__force_sigma(m, f, var, cx->out, err);
        cx->out->has_uncertainty = !st;
    }
    al_free(var);
    return st;
}

al_status gp_model_predict_ext(gp_model *m, const al_frame *f, al_pot_result *out, gp_predict_extra *extra,
                               al_err *err)
{
    size_t n = f->n_atoms;
    if (out->forces) memset(out->forces, 0, n * sizeof *out->forces);
    if (out->virial) memset(out->virial, 0, 9 * sizeof *out->virial);
    out->has_uncertainty = false;
    out->sigma_max = out->sigma_mean = out->force_sigma_max = 0.0;
    out->force_sigma_atom = -1;
    if (out->want_uncertainty && !m->dtc)
        return al_fail(err, AL_EINVAL, "GAP: this model has no variance factors (imported from QUIP XML); "
                       "uncertainty is not available");
    pred_ctx cx = {out, extra ? extra->local_energy : NULL, NULL, NULL};
    double e = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (f->z[i] < 0 || f->z[i] > AL_MAX_Z) return al_fail(err, AL_EINVAL, "GAP: atom %zu has atomic number %d", i, f->z[i]);
        e += m->spec.e0[f->z[i]];
        if (cx.local) cx.local[i] = m->spec.e0[f->z[i]];
    }
    if (out->want_uncertainty) {
        cx.kvec = al_calloc((n ? n : 1) * m->m, sizeof *cx.kvec);
        cx.kxx = al_calloc(n ? n : 1, sizeof *cx.kxx);
        if (!cx.kvec || !cx.kxx) {
            al_free(cx.kvec);
            al_free(cx.kxx);
            return al_fail(err, AL_ENOMEM, "GAP: out of memory for the covariances of %zu atoms", n);
        }
    }
    al_status st = al_nlist_update(&m->nl, f, gp__max_cutoff(&m->spec), 0.5, err);
    for (size_t d = 0; !st && d < m->spec.n_desc; d++) {
        double ed = 0.0;
        if (m->spec.desc[d].kind == GP_KIND_SOAP) st = predict_soap(m, d, f, &cx, &ed, err);
        else if (!(st = gp__describe(m, d, f, err))) ed = predict_2b(m, d, &cx);
        e += ed;
    }
    out->energy = e;
    if (!st && out->want_uncertainty) st = finish_uncertainty(m, f, &cx, err);
    al_free(cx.kvec);
    al_free(cx.kxx);
    return st;
}

al_status gp_model_predict(gp_model *m, const al_frame *f, al_pot_result *out, al_err *err)
{
    return gp_model_predict_ext(m, f, out, NULL, err);
}

static al_status potential_compute(void *self, const al_frame *f, al_pot_result *out, al_err *err)
{
    return gp_model_predict(self, f, out, err);
}

static double potential_cutoff(const void *self) { return gp__max_cutoff(&((const gp_model *)self)->spec); }

static const al_potential_ops gap_ops = {"gap", potential_compute, potential_cutoff, NULL};

void gp_model_as_potential(gp_model *m, al_potential *out)
{
    out->ops = &gap_ops;
    out->self = m;
}
