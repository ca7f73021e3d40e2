/*
 * Fitting a GAP (see gap.h): sparse points on a uniform grid of each 2-body descriptor's
 * observed distances, K_MM block diagonal over descriptors, and for each frame the rows of
 * K_NM for its energy, 3N force components and 6 virial components, folded into the sparse GP
 * frame by frame so memory stays O(m² + m·N_atoms).
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "gp/gap_model.h"

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
    if (s->n_2b == GP_MAX_2B) return al_fail(err, AL_EINVAL, "GAP: more than %d 2-body descriptors", GP_MAX_2B);
    if (!(cutoff > 0) || !(width > 0) || width > cutoff || !(delta > 0) || !(theta > 0) || n_sparse < 1)
        return al_fail(err, AL_EINVAL, "GAP 2-body %s-%s: needs cutoff > 0, 0 < transition width <= cutoff, "
                       "delta > 0, theta > 0, n_sparse >= 1 (got %g Å, %g Å, %g eV, %g Å, %zu)",
                       al_element_symbol(z1), al_element_symbol(z2), cutoff, width, delta, theta, n_sparse);
    s->two_body[s->n_2b++] = (gp_2b_hyper){{z1, z2, cutoff, width}, delta, theta, n_sparse};
    return AL_OK;
}

double gp__max_cutoff(const gp_gap_spec *s)
{
    double rc = 0;
    for (size_t d = 0; d < s->n_2b; d++) rc = fmax(rc, s->two_body[d].desc.cutoff);
    return rc;
}

void gp_model_destroy(gp_model *m)
{
    if (!m) return;
    al_free(m->xs);
    al_free(m->ws);
    al_free(m->alpha);
    gp_dtc_destroy(m->dtc);
    al_nlist_fini(&m->nl);
    desc_values_fini(&m->dv);
    al_free(m);
}

/* Uniform grids between the smallest and largest distance each descriptor sees in the data. */
static al_status choose_sparse(gp_model *m, const al_frame *frames, size_t n, al_err *err)
{
    const gp_gap_spec *s = &m->spec;
    double lo[GP_MAX_2B], hi[GP_MAX_2B];
    for (size_t d = 0; d < s->n_2b; d++) lo[d] = INFINITY, hi[d] = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        AL_TRY(err, al_nlist_build(&m->nl, &frames[k], gp__max_cutoff(s), 0.0, err));
        for (size_t d = 0; d < s->n_2b; d++) {
            AL_TRY(err, desc_2b_compute(&s->two_body[d].desc, &frames[k], &m->nl, &m->dv, err));
            for (size_t q = 0; q < m->dv.n; q++) lo[d] = fmin(lo[d], m->dv.x[q]), hi[d] = fmax(hi[d], m->dv.x[q]);
        }
    }
    m->m = 0;
    for (size_t d = 0; d < s->n_2b; d++) {
        if (!(hi[d] >= lo[d]))
            return al_fail(err, AL_EINVAL, "GAP: no %s-%s pair within %g Å in the training frames",
                           al_element_symbol(s->two_body[d].desc.z1), al_element_symbol(s->two_body[d].desc.z2),
                           s->two_body[d].desc.cutoff);
        m->first[d] = m->m;
        m->m += s->two_body[d].n_sparse;
    }
    m->xs = al_malloc(m->m * sizeof *m->xs);
    m->ws = al_malloc(m->m * sizeof *m->ws);
    m->alpha = al_calloc(m->m, sizeof *m->alpha);
    if (!m->xs || !m->ws || !m->alpha) return al_fail(err, AL_ENOMEM, "GAP: out of memory");
    for (size_t d = 0; d < s->n_2b; d++) {
        size_t ns = s->two_body[d].n_sparse;
        for (size_t t = 0; t < ns; t++) {
            double x = ns > 1 ? lo[d] + (hi[d] - lo[d]) * t / (ns - 1) : 0.5 * (lo[d] + hi[d]), unused;
            m->xs[m->first[d] + t] = x;
            m->ws[m->first[d] + t] = desc_cutoff(x, s->two_body[d].desc.cutoff, s->two_body[d].desc.transition_width, &unused);
        }
    }
    return AL_OK;
}

static al_status build_kmm(const gp_model *m, double **kmm, al_err *err)
{
    *kmm = al_calloc(m->m * m->m, sizeof **kmm);
    if (!*kmm) return al_fail(err, AL_ENOMEM, "GAP: out of memory for %zu sparse points", m->m);
    for (size_t d = 0; d < m->spec.n_2b; d++) {
        const gp_2b_hyper *h = &m->spec.two_body[d];
        for (size_t a = m->first[d]; a < m->first[d] + h->n_sparse; a++)
            for (size_t b = m->first[d]; b < m->first[d] + h->n_sparse; b++)
                (*kmm)[a * m->m + b] = gp__k2b(h, m->xs[a], m->xs[b], NULL) * m->ws[a] * m->ws[b];
    }
    return AL_OK;
}

typedef struct frame_rows {
    size_t n_rows, m;
    double *rows;        /* (1 + 3N + 9) × m: energy, forces, full virial (symmetrised later) */
    double *y, *sigma;
} frame_rows;

/* Accumulates one instance's contributions to the energy, force and virial rows. */
static void add_instance(const gp_model *m, size_t d, const desc_values *v, size_t q, double *rows, size_t n_atoms)
{
    const gp_2b_hyper *h = &m->spec.two_body[d];
    size_t mm = m->m, vrow = 1 + 3 * n_atoms;
    for (size_t s = m->first[d]; s < m->first[d] + h->n_sparse; s++) {
        double dk, k = gp__k2b(h, v->x[q], m->xs[s], &dk);
        rows[s] += v->c[q] * k * m->ws[s];
        for (size_t e = v->goff[q]; e < v->goff[q + 1]; e++) {
            double g[3];
            for (int a = 0; a < 3; a++) g[a] = (v->g_dc[e][a] * k + v->c[q] * dk * v->g_dx[3 * e + a]) * m->ws[s];
            size_t i = (size_t)v->centre[q], j = (size_t)v->g_atom[e];
            for (int a = 0; a < 3; a++) {
                rows[(1 + 3 * j + a) * mm + s] -= g[a];
                rows[(1 + 3 * i + a) * mm + s] += g[a];
                for (int b = 0; b < 3; b++) rows[(vrow + 3 * a + b) * mm + s] -= v->g_d[e][a] * g[b];
            }
        }
    }
}

/* K_NM rows of one frame and its observations; only labels present in the frame are kept. */
static al_status frame_observations(gp_model *m, const al_frame *f, frame_rows *fr, al_err *err)
{
    size_t n = f->n_atoms, mm = m->m, total = 1 + 3 * n + 9;
    memset(fr->rows, 0, total * mm * sizeof *fr->rows);
    AL_TRY(err, al_nlist_build(&m->nl, f, gp__max_cutoff(&m->spec), 0.0, err));
    for (size_t d = 0; d < m->spec.n_2b; d++) {
        AL_TRY(err, desc_2b_compute(&m->spec.two_body[d].desc, f, &m->nl, &m->dv, err));
        for (size_t q = 0; q < m->dv.n; q++) add_instance(m, d, &m->dv, q, fr->rows, n);
    }
    /* Pack the rows of present labels to the front, with their targets and noise. */
    size_t out = 0;
    double sqn = sqrt((double)n), e0 = 0;
    for (size_t i = 0; i < n; i++) e0 += m->spec.e0[f->z[i]];
    if (f->labels & AL_LBL_ENERGY) {
        fr->y[out] = f->energy - e0, fr->sigma[out] = m->spec.sigma_energy * sqn;
        out++;
    }
    if (f->labels & AL_LBL_FORCES)
        for (size_t r = 0; r < 3 * n; r++, out++) {
            memmove(fr->rows + out * mm, fr->rows + (1 + r) * mm, mm * sizeof *fr->rows);
            fr->y[out] = f->forces[r / 3][r % 3], fr->sigma[out] = m->spec.sigma_force;
        }
    if (f->labels & AL_LBL_VIRIAL) {
        static const int pairs[6][2] = {{0, 0}, {1, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}};
        size_t vrow = 1 + 3 * n;
        for (int c = 0; c < 6; c++, out++) {
            int a = pairs[c][0], b = pairs[c][1];
            for (size_t s = 0; s < mm; s++)
                fr->rows[out * mm + s] = 0.5 * (fr->rows[(vrow + 3 * a + b) * mm + s] + fr->rows[(vrow + 3 * b + a) * mm + s]);
            fr->y[out] = 0.5 * (f->virial[a][b] + f->virial[b][a]), fr->sigma[out] = m->spec.sigma_virial * sqn;
        }
    }
    fr->n_rows = out;
    return AL_OK;
}

static al_status fit_rows(gp_model *m, const al_frame *frames, size_t n, al_err *err)
{
    size_t max_atoms = 0;
    for (size_t k = 0; k < n; k++) max_atoms = max_atoms > frames[k].n_atoms ? max_atoms : frames[k].n_atoms;
    size_t total = 1 + 3 * max_atoms + 9;
    frame_rows fr = {0, m->m, al_malloc(total * m->m * sizeof(double)), al_malloc(total * sizeof(double)),
                     al_malloc(total * sizeof(double))};
    al_status st = fr.rows && fr.y && fr.sigma ? AL_OK : al_fail(err, AL_ENOMEM, "GAP: out of memory for the rows of a frame");
    for (size_t k = 0; !st && k < n; k++) {
        if (!frames[k].labels) continue;
        if (!(st = frame_observations(m, &frames[k], &fr, err)))
            st = gp_dtc_add_rows(m->dtc, fr.n_rows, fr.rows, fr.y, fr.sigma, err);
        if (st) al_fail_wrap(err, "training frame %zu: ", k);
    }
    al_free(fr.rows);
    al_free(fr.y);
    al_free(fr.sigma);
    return st;
}

al_status gp_gap_fit(const gp_gap_spec *spec, const al_frame *frames, size_t n, gp_model **out, al_err *err)
{
    *out = NULL;
    if (spec->n_2b == 0) return al_fail(err, AL_EINVAL, "GAP: the model has no descriptor");
    if (!(spec->sigma_energy > 0 && spec->sigma_force > 0 && spec->sigma_virial > 0))
        return al_fail(err, AL_EINVAL, "GAP: sigma_energy, sigma_force and sigma_virial must be > 0");
    gp_model *m = al_calloc(1, sizeof *m);
    if (!m) return al_fail(err, AL_ENOMEM, "GAP: out of memory");
    m->spec = *spec;
    al_nlist_init(&m->nl);
    desc_values_init(&m->dv);
    double *kmm = NULL;
    double t0 = al_wtime();
    al_status st = choose_sparse(m, frames, n, err);
    if (!st) st = build_kmm(m, &kmm, err);
    if (!st) {
        al_info("GAP fit: %zu sparse points, %zu frames; solver needs %.1f MiB", m->m, n,
                gp_dtc_memory_bytes(m->m, 64) / 1048576.0);
        st = gp_dtc_create(m->m, kmm, spec->sparse_jitter, &m->dtc, err);
    }
    if (!st) st = fit_rows(m, frames, n, err);
    if (!st) st = gp_dtc_solve(m->dtc, m->alpha, err);
    al_free(kmm);
    if (st) {
        gp_model_destroy(m);
        return st;
    }
    al_info("GAP fit done in %.2f s (%zu observations)", al_wtime() - t0, gp_dtc_n_obs(m->dtc));
    *out = m;
    return AL_OK;
}
