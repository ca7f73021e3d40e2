/*
 * GAP prediction (see gap.h): energy, forces and virial from the instances' kernels with the
 * sparse points, and each atom's local-energy standard deviation from the sparse GP, using the
 * atom's summed covariance vector with the sparse points and its prior variance.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "gp/gap_model.h"

/* Adds one instance's energy, forces and virial; returns its energy. */
static double predict_instance(const gp_model *m, size_t d, const desc_values *v, size_t q, al_pot_result *out)
{
    const gp_2b_hyper *h = &m->spec.two_body[d];
    double e = 0.0, de_dx = 0.0;
    for (size_t s = m->first[d]; s < m->first[d] + h->n_sparse; s++) {
        double dk, k = gp__k2b(h, v->x[q], m->xs[s], &dk);
        e += m->alpha[s] * k * m->ws[s];
        de_dx += m->alpha[s] * dk * m->ws[s];
    }
    for (size_t g = v->goff[q]; g < v->goff[q + 1]; g++) {
        double grad[3];
        for (int a = 0; a < 3; a++) grad[a] = v->g_dc[g][a] * e + v->c[q] * de_dx * v->g_dx[3 * g + a];
        size_t i = (size_t)v->centre[q], j = (size_t)v->g_atom[g];
        for (int a = 0; a < 3; a++) {
            if (out->forces) out->forces[j][a] -= grad[a], out->forces[i][a] += grad[a];
            if (out->virial)
                for (int b = 0; b < 3; b++) out->virial[3 * a + b] -= v->g_d[g][a] * grad[b];
        }
    }
    return v->c[q] * e;
}

/* Per-atom local-energy variances: k_i[s] = Σ_{q at i} c_q k(x_q, x_s) w_s and the prior
 * Σ_{q,q' at i} c_q c_q' k(x_q, x_q'), for every descriptor. */
static al_status atom_variances(gp_model *m, const al_frame *f, double *kvec, double *kxx, al_err *err)
{
    size_t n = f->n_atoms, mm = m->m;
    memset(kvec, 0, n * mm * sizeof *kvec);
    memset(kxx, 0, n * sizeof *kxx);
    for (size_t d = 0; d < m->spec.n_2b; d++) {
        const gp_2b_hyper *h = &m->spec.two_body[d];
        AL_TRY(err, desc_2b_compute(&h->desc, f, &m->nl, &m->dv, err));
        const desc_values *v = &m->dv;
        for (size_t q = 0; q < v->n; q++) {
            size_t i = (size_t)v->centre[q];
            for (size_t s = m->first[d]; s < m->first[d] + h->n_sparse; s++)
                kvec[i * mm + s] += v->c[q] * gp__k2b(h, v->x[q], m->xs[s], NULL) * m->ws[s];
            /* Instances of one atom are consecutive in the list. */
            for (size_t p = q; p < v->n && (size_t)v->centre[p] == i; p++)
                kxx[i] += (p == q ? 1.0 : 2.0) * v->c[q] * v->c[p] * gp__k2b(h, v->x[q], v->x[p], NULL);
        }
    }
    return AL_OK;
}

static al_status predict_uncertainty(gp_model *m, const al_frame *f, al_pot_result *out, al_err *err)
{
    size_t n = f->n_atoms;
    double *kvec = al_malloc((n ? n : 1) * m->m * sizeof *kvec), *kxx = al_malloc((n ? n : 1) * sizeof *kxx);
    double *var = al_malloc((n ? n : 1) * sizeof *var);
    al_status st = kvec && kxx && var ? AL_OK : al_fail(err, AL_ENOMEM, "GAP: out of memory for variances");
    if (!st) st = atom_variances(m, f, kvec, kxx, err);
    if (!st) st = gp_dtc_variance(m->dtc, n, kvec, kxx, var, err);
    if (!st) {
        double sum = 0, mx = 0;
        for (size_t i = 0; i < n; i++) {
            double sd = sqrt(var[i] > 0 ? var[i] : 0.0);
            if (out->atom_sigma) out->atom_sigma[i] = sd;
            sum += sd;
            mx = fmax(mx, sd);
        }
        out->sigma_max = mx;
        out->sigma_mean = n ? sum / n : 0.0;
        out->has_uncertainty = true;
    }
    al_free(kvec);
    al_free(kxx);
    al_free(var);
    return st;
}

al_status gp_model_predict(gp_model *m, const al_frame *f, al_pot_result *out, al_err *err)
{
    if (out->forces) memset(out->forces, 0, f->n_atoms * sizeof *out->forces);
    if (out->virial) memset(out->virial, 0, 9 * sizeof *out->virial);
    out->has_uncertainty = false;
    double e = 0.0;
    for (size_t i = 0; i < f->n_atoms; i++) e += m->spec.e0[f->z[i]];
    AL_TRY(err, al_nlist_update(&m->nl, f, gp__max_cutoff(&m->spec), 0.5, err));
    for (size_t d = 0; d < m->spec.n_2b; d++) {
        AL_TRY(err, desc_2b_compute(&m->spec.two_body[d].desc, f, &m->nl, &m->dv, err));
        for (size_t q = 0; q < m->dv.n; q++) e += predict_instance(m, d, &m->dv, q, out);
    }
    out->energy = e;
    if (out->want_uncertainty) AL_TRY(err, predict_uncertainty(m, f, out, err));
    return AL_OK;
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
