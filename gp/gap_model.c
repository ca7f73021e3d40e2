/*
 * GAP model storage, descriptors and kernels shared by fit and prediction (see gap_model.h).
 * Kernels (QUIP's covariance types): 2-body ard_se k = δ² exp(−(r − r')²/2θ²); SOAP
 * dot_product k = δ² (p·p')^ζ of unit power spectra (Bartók, Kondor, Csányi, PRB 87, 184115).
 */
#include "gp/gap_model.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"

gp_gap_spec gp_gap_spec_default(void)
{
    gp_gap_spec s;
    memset(&s, 0, sizeof s);
    s.sigma_energy = 0.002;
    s.sigma_force = 0.05;
    s.sigma_virial = 0.05;
    s.sparse_jitter = 1e-10;
    return s;
}

al_status gp_gap_spec_add_2b(gp_gap_spec *s, int z1, int z2, double cutoff, double width, double delta,
                             double theta, size_t n_sparse, al_err *err)
{
    if (s->n_desc == GP_MAX_DESC) return al_fail(err, AL_EINVAL, "GAP: more than %d descriptors", GP_MAX_DESC);
    if (!(cutoff > 0) || !(width > 0) || width > cutoff || !(delta > 0) || !(theta > 0) || n_sparse < 1)
        return al_fail(err, AL_EINVAL, "GAP 2-body %s-%s: needs cutoff > 0, 0 < transition width <= cutoff, "
                       "delta > 0, theta > 0, n_sparse >= 1 (got %g Å, %g Å, %g eV, %g Å, %zu)",
                       al_element_symbol(z1), al_element_symbol(z2), cutoff, width, delta, theta, n_sparse);
    gp_desc_hyper h = {.kind = GP_KIND_2B, .b2 = {z1, z2, cutoff, width}, .delta = delta, .theta = theta,
                       .n_sparse = n_sparse};
    s->desc[s->n_desc++] = h;
    return AL_OK;
}

al_status gp_gap_spec_add_soap(gp_gap_spec *s, int z, double cutoff, double width, int n_max, int l_max,
                               double atom_sigma, int zeta, double delta, size_t n_sparse, al_err *err)
{
    if (s->n_desc == GP_MAX_DESC) return al_fail(err, AL_EINVAL, "GAP: more than %d descriptors", GP_MAX_DESC);
    if (zeta < 1 || !(delta > 0) || n_sparse < 1)
        return al_fail(err, AL_EINVAL, "GAP SOAP %s: needs zeta >= 1, delta > 0 and n_sparse >= 1 (got %d, %g eV, %zu)",
                       al_element_symbol(z), zeta, delta, n_sparse);
    gp_desc_hyper h = {.kind = GP_KIND_SOAP, .soap = {z, cutoff, width, atom_sigma, n_max, l_max}, .delta = delta,
                       .zeta = zeta, .n_sparse = n_sparse};
    desc_soap *probe = NULL;
    AL_TRY(err, desc_soap_create(&h.soap, &probe, err));   /* validates the SOAP parameters */
    desc_soap_destroy(probe);
    s->desc[s->n_desc++] = h;
    return AL_OK;
}

/* Every atomic number named by the descriptors of s, ascending; returns the count. */
static int model_species(const gp_gap_spec *s, int *z)
{
    bool seen[AL_MAX_Z + 1] = {false};
    for (size_t d = 0; d < s->n_desc; d++) {
        const gp_desc_hyper *h = &s->desc[d];
        int a = h->kind == GP_KIND_SOAP ? h->soap.z : h->b2.z1, b = h->kind == GP_KIND_SOAP ? h->soap.z : h->b2.z2;
        if (a >= 1 && a <= AL_MAX_Z) seen[a] = true;
        if (b >= 1 && b <= AL_MAX_Z) seen[b] = true;
    }
    int n = 0;
    for (int k = 1; k <= AL_MAX_Z; k++)
        if (seen[k]) z[n++] = k;
    return n;
}

/* SOAP descriptors without an explicit species list see every species of the model. */
static al_status resolve_soap_species(gp_gap_spec *s, al_err *err)
{
    int z[AL_MAX_Z + 1], n = model_species(s, z);
    for (size_t d = 0; d < s->n_desc; d++) {
        gp_desc_hyper *h = &s->desc[d];
        if (h->kind != GP_KIND_SOAP || h->soap_species.n > 0) continue;
        if (n > DESC_SOAP_MAX_SPECIES)
            return al_fail(err, AL_EINVAL, "GAP SOAP %s: the model has %d species; SOAP handles at most %d",
                           al_element_symbol(h->soap.z), n, DESC_SOAP_MAX_SPECIES);
        h->soap_species.n = n;
        memcpy(h->soap_species.z, z, (size_t)n * sizeof *z);
    }
    return AL_OK;
}

double gp__max_cutoff(const gp_gap_spec *s)
{
    double rc = 0;
    for (size_t d = 0; d < s->n_desc; d++)
        rc = fmax(rc, s->desc[d].kind == GP_KIND_2B ? s->desc[d].b2.cutoff : s->desc[d].soap.cutoff);
    return rc;
}

void gp_model_destroy(gp_model *m)
{
    if (!m) return;
    for (size_t d = 0; d < GP_MAX_DESC; d++) {
        al_free(m->d[d].xs);
        al_free(m->d[d].ws);
        al_free(m->d[d].coef);
        al_free(m->d[d].dots);
        desc_soap_destroy(m->d[d].soap);
    }
    al_free(m->alpha);
    al_free(m->buf);
    gp_dtc_destroy(m->dtc);
    al_nlist_fini(&m->nl);
    desc_values_fini(&m->dv);
    al_free(m);
}

al_status gp__model_new(const gp_gap_spec *spec, gp_model **out, al_err *err)
{
    *out = NULL;
    if (spec->n_desc == 0) return al_fail(err, AL_EINVAL, "GAP: the model has no descriptor");
    gp_model *m = al_calloc(1, sizeof *m);
    if (!m) return al_fail(err, AL_ENOMEM, "GAP: out of memory");
    m->spec = *spec;
    al_nlist_init(&m->nl);
    desc_values_init(&m->dv);
    al_status st = resolve_soap_species(&m->spec, err);
    if (st) {
        gp_model_destroy(m);
        return st;
    }
    for (size_t d = 0; d < spec->n_desc; d++) {
        m->d[d].dim = 1;
        if (spec->desc[d].kind != GP_KIND_SOAP) continue;
        st = desc_soap_create_species(&m->spec.desc[d].soap, &m->spec.desc[d].soap_species, &m->d[d].soap, err);
        if (st) {
            gp_model_destroy(m);
            return st;
        }
        m->d[d].dim = desc_soap_dim(m->d[d].soap);
    }
    *out = m;
    return AL_OK;
}

al_status gp__sparse_alloc(gp_model *m, size_t d, size_t ns, al_err *err)
{
    gp_desc_model *dm = &m->d[d];
    dm->ns = ns;
    dm->xs = al_malloc(ns * dm->dim * sizeof *dm->xs);
    dm->ws = al_malloc(ns * sizeof *dm->ws);
    if (!dm->xs || !dm->ws) return al_fail(err, AL_ENOMEM, "GAP: out of memory for %zu sparse points", ns);
    return AL_OK;
}

al_status gp__alpha_alloc(gp_model *m, al_err *err)
{
    m->m = 0;
    for (size_t d = 0; d < m->spec.n_desc; d++) {
        m->d[d].first = m->m;
        m->m += m->d[d].ns;
    }
    m->alpha = al_calloc(m->m, sizeof *m->alpha);
    if (!m->alpha) return al_fail(err, AL_ENOMEM, "GAP: out of memory");
    return AL_OK;
}

al_status gp__describe(gp_model *m, size_t d, const al_frame *f, al_err *err)
{
    const gp_desc_hyper *h = &m->spec.desc[d];
    if (h->kind == GP_KIND_2B) return desc_2b_compute(&h->b2, f, &m->nl, &m->dv, err);
    return desc_soap_compute(m->d[d].soap, f, &m->nl, &m->dv, err);
}

al_status gp__scratch(gp_model *m, size_t n, al_err *err)
{
    if (n <= m->cap_buf) return AL_OK;
    double *b = al_realloc(m->buf, n * sizeof *b);
    if (!b) return al_fail(err, AL_ENOMEM, "GAP: out of memory for %zu scratch values", n);
    m->buf = b;
    m->cap_buf = n;
    return AL_OK;
}

al_status gp__build_kmm(const gp_model *m, double **kmm, al_err *err)
{
    size_t mm = m->m;
    *kmm = al_calloc(mm * mm, sizeof **kmm);
    if (!*kmm) return al_fail(err, AL_ENOMEM, "GAP: out of memory for K_MM of %zu sparse points", mm);
    double *k = *kmm;
    for (size_t d = 0; d < m->spec.n_desc; d++) {
        const gp_desc_model *dm = &m->d[d];
        const gp_desc_hyper *h = &m->spec.desc[d];
        double *blk = k + dm->first * mm + dm->first;
        if (h->kind == GP_KIND_SOAP) {
            /* δ² (X_s X_sᵀ)^ζ: one BLAS-3 product, then the power. */
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)dm->ns, (int)dm->ns, (int)dm->dim, 1.0,
                        dm->xs, (int)dm->dim, dm->xs, (int)dm->dim, 0.0, blk, (int)mm);
            for (size_t a = 0; a < dm->ns; a++)
                for (size_t b = 0; b < dm->ns; b++)
                    blk[a * mm + b] = h->delta * h->delta * gp__ipow(blk[a * mm + b], h->zeta) * dm->ws[a] * dm->ws[b];
        } else {
            for (size_t a = 0; a < dm->ns; a++)
                for (size_t b = 0; b < dm->ns; b++)
                    blk[a * mm + b] = gp__kernel_pair(m, d, dm->xs + a, dm->xs + b) * dm->ws[a] * dm->ws[b];
        }
    }
    return AL_OK;
}

const gp_gap_spec *gp_model_spec(const gp_model *m) { return &m->spec; }
size_t gp_model_n_sparse(const gp_model *m, size_t d) { return d < m->spec.n_desc ? m->d[d].ns : 0; }
bool gp_model_has_variance(const gp_model *m) { return m->dtc != NULL; }

double gp__kernel_pair(const gp_model *m, size_t d, const double *x, const double *y)
{
    const gp_desc_hyper *h = &m->spec.desc[d];
    if (h->kind == GP_KIND_2B) {
        double u = (x[0] - y[0]) / h->theta;
        return h->delta * h->delta * exp(-0.5 * u * u);
    }
    double dot = cblas_ddot((int)m->d[d].dim, x, 1, y, 1);
    return h->delta * h->delta * gp__ipow(dot, h->zeta);
}
