/*
 * Fitting a GAP (see gap.h): sparse points per descriptor (gap_sparse.c), K_MM block diagonal
 * over descriptors, and for each frame the rows of K_NM for its energy, 3N force components and
 * 6 virial components (Deringer et al., Chem. Rev. 121, 10073 (2021), sec. 3). Rows are
 * gathered in blocks of a few thousand and folded into the sparse GP's QR factor, so memory is
 * O(m² + m·block), independent of the number of observations.
 *
 * SOAP rows are assembled with BLAS-3: for an instance with neighbour entries e, the gradient of
 * k_s = δ²(p·p_s)^ζ with respect to d_e is δ²ζ(p·p_s)^{ζ−1} p_sᵀ ∂p/∂d_e, and all p_sᵀ ∂p/∂d_e
 * are one product (3·n_e × dim)·(dim × n_s).
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "gp/gap_model.h"

/* Rows of one frame: (1 + 3N + 9) × m, energy, forces, full virial (symmetrised when packed). */
typedef struct frame_rows {
    size_t cap_atoms, m;
    double *rows, *bt;   /* rows, and SOAP scratch: 3·n_e × dim gradients, 3·n_e × ns products */
    double *vsym;        /* 6 × m symmetrised virial rows (they overlap the rows they come from) */
    size_t cap_bt;
} frame_rows;

/* Adds one 2-body instance's contributions to the energy, force and virial rows. */
static void add_2b_instance(const gp_model *m, size_t d, const desc_values *v, size_t q, double *rows, size_t n_atoms)
{
    const gp_desc_hyper *h = &m->spec.desc[d];
    const gp_desc_model *dm = &m->d[d];
    size_t mm = m->m, vrow = 1 + 3 * n_atoms;
    for (size_t t = 0; t < dm->ns; t++) {
        size_t s = dm->first + t;
        double u = (v->x[q] - dm->xs[t]) / h->theta;
        double k = h->delta * h->delta * exp(-0.5 * u * u), dk = -k * u / h->theta;
        rows[s] += v->c[q] * k * dm->ws[t];
        for (size_t e = v->goff[q]; e < v->goff[q + 1]; e++) {
            double g[3];
            for (int a = 0; a < 3; a++) g[a] = (v->g_dc[e][a] * k + v->c[q] * dk * v->g_dx[3 * e + a]) * dm->ws[t];
            size_t i = (size_t)v->centre[q], j = (size_t)v->g_atom[e];
            for (int a = 0; a < 3; a++) {
                rows[(1 + 3 * j + a) * mm + s] -= g[a];
                rows[(1 + 3 * i + a) * mm + s] += g[a];
                for (int b = 0; b < 3; b++) rows[(vrow + 3 * a + b) * mm + s] -= v->g_d[e][a] * g[b];
            }
        }
    }
}

/* Adds one SOAP instance (c = 1, w_s = 1) to the rows; fr->bt holds the scratch. */
static al_status add_soap_instance(const gp_model *m, size_t d, const desc_values *v, size_t q, frame_rows *fr,
                                   size_t n_atoms, al_err *err)
{
    const gp_desc_hyper *h = &m->spec.desc[d];
    const gp_desc_model *dm = &m->d[d];
    size_t mm = m->m, ns = dm->ns, dim = dm->dim, vrow = 1 + 3 * n_atoms;
    size_t ne = v->goff[q + 1] - v->goff[q], need = ns * 2 + 3 * ne * (dim + ns);
    if (need > fr->cap_bt) {
        double *b = al_realloc(fr->bt, need * sizeof *b);
        if (!b) return al_fail(err, AL_ENOMEM, "GAP: out of memory for SOAP gradient rows");
        fr->bt = b, fr->cap_bt = need;
    }
    double *dots = fr->bt, *fac = dots + ns, *bt = fac + ns, *c = bt + 3 * ne * dim;
    double *rows = fr->rows, d2 = h->delta * h->delta;
    const double *x = v->x + q * dim;
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)ns, (int)dim, 1.0, dm->xs, (int)dim, x, 1, 0.0, dots, 1);
    for (size_t t = 0; t < ns; t++) {
        double pw = gp__ipow(dots[t], h->zeta - 1);
        rows[dm->first + t] += d2 * pw * dots[t];
        fac[t] = d2 * h->zeta * pw;
    }
    if (ne == 0) return AL_OK;
    /* bt[(e, a)][i] = ∂p_i/∂d_{e,a}; c = bt · X_sᵀ. */
    for (size_t e = 0; e < ne; e++)
        for (int a = 0; a < 3; a++)
            for (size_t i = 0; i < dim; i++) bt[(3 * e + a) * dim + i] = v->g_dx[((v->goff[q] + e) * dim + i) * 3 + a];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(3 * ne), (int)ns, (int)dim, 1.0, bt, (int)dim, dm->xs,
                (int)dim, 0.0, c, (int)ns);
    size_t i = (size_t)v->centre[q];
    for (size_t e = 0; e < ne; e++) {
        size_t g = v->goff[q] + e, j = (size_t)v->g_atom[g];
        for (int a = 0; a < 3; a++) {
            const double *ce = c + (3 * e + a) * ns;
            double *rj = rows + (1 + 3 * j + a) * mm + dm->first, *ri = rows + (1 + 3 * i + a) * mm + dm->first;
            double *v0 = rows + (vrow + a) * mm + dm->first, *v1 = rows + (vrow + 3 + a) * mm + dm->first;
            double *v2 = rows + (vrow + 6 + a) * mm + dm->first;
            double d0 = v->g_d[g][0], d1 = v->g_d[g][1], dd2 = v->g_d[g][2];
            for (size_t t = 0; t < ns; t++) {
                double gr = fac[t] * ce[t];
                rj[t] -= gr;
                ri[t] += gr;
                v0[t] -= d0 * gr;
                v1[t] -= d1 * gr;
                v2[t] -= dd2 * gr;
            }
        }
    }
    return AL_OK;
}

static double frame_sigma(const al_frame *f, const char *key, double dflt)
{
    double v;
    return al_info_get_real(&f->info, key, &v) ? v : dflt;
}

/* K_NM rows of one frame packed to the front of fr->rows (present labels only) with their
 * targets y and noise sigma; *n_rows receives their number. */
static al_status frame_observations(gp_model *m, const al_frame *f, frame_rows *fr, double *y, double *sigma,
                                    size_t *n_rows, al_err *err)
{
    size_t n = f->n_atoms, mm = m->m, total = 1 + 3 * n + 9;
    memset(fr->rows, 0, total * mm * sizeof *fr->rows);
    AL_TRY(err, al_nlist_build(&m->nl, f, gp__max_cutoff(&m->spec), 0.0, err));
    for (size_t d = 0; d < m->spec.n_desc; d++) {
        AL_TRY(err, gp__describe(m, d, f, err));
        for (size_t q = 0; q < m->dv.n; q++) {
            if (m->spec.desc[d].kind == GP_KIND_2B) add_2b_instance(m, d, &m->dv, q, fr->rows, n);
            else AL_TRY(err, add_soap_instance(m, d, &m->dv, q, fr, n, err));
        }
    }
    size_t out = 0;
    double sqn = sqrt((double)n), e0 = 0;
    double se = frame_sigma(f, "energy_sigma", m->spec.sigma_energy), sf = frame_sigma(f, "force_sigma", m->spec.sigma_force);
    double sv = frame_sigma(f, "virial_sigma", m->spec.sigma_virial);
    for (size_t i = 0; i < n; i++) e0 += m->spec.e0[f->z[i]];
    if (f->labels & AL_LBL_ENERGY) {
        y[out] = f->energy - e0, sigma[out] = se * sqn;
        out++;
    }
    if (f->labels & AL_LBL_FORCES)
        for (size_t r = 0; r < 3 * n; r++, out++) {
            memmove(fr->rows + out * mm, fr->rows + (1 + r) * mm, mm * sizeof *fr->rows);
            y[out] = f->forces[r / 3][r % 3], sigma[out] = sf;
        }
    if (f->labels & AL_LBL_VIRIAL) {
        static const int pairs[6][2] = {{0, 0}, {1, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}};
        size_t vrow = 1 + 3 * n;
        for (int c = 0; c < 6; c++) {
            int a = pairs[c][0], b = pairs[c][1];
            const double *p = fr->rows + (vrow + 3 * a + b) * mm, *q = fr->rows + (vrow + 3 * b + a) * mm;
            for (size_t s = 0; s < mm; s++) fr->vsym[c * mm + s] = 0.5 * (p[s] + q[s]);
        }
        memcpy(fr->rows + out * mm, fr->vsym, 6 * mm * sizeof *fr->rows);
        for (int c = 0; c < 6; c++, out++) {
            int a = pairs[c][0], b = pairs[c][1];
            y[out] = 0.5 * (f->virial[a][b] + f->virial[b][a]), sigma[out] = sv * sqn;
        }
    }
    *n_rows = out;
    return AL_OK;
}

static size_t max_atoms_of(const al_frame *frames, size_t n)
{
    size_t most = 0;
    for (size_t k = 0; k < n; k++) most = most > frames[k].n_atoms ? most : frames[k].n_atoms;
    return most;
}

/* Rows per QR update: larger blocks amortise the factor's re-triangularisation. */
static size_t block_rows(size_t m, size_t frame_rows_max)
{
    size_t b = 2 * m > 2048 ? 2 * m : 2048;
    return b > frame_rows_max ? b : frame_rows_max;
}

static al_status fit_rows(gp_model *m, const al_frame *frames, size_t n, al_err *err)
{
    size_t total = 1 + 3 * max_atoms_of(frames, n) + 9, mm = m->m, cap = block_rows(mm, total), used = 0;
    frame_rows fr = {0, mm, al_malloc(total * mm * sizeof(double)), NULL, al_malloc(6 * mm * sizeof(double)), 0};
    double *blk = al_malloc(cap * mm * sizeof *blk), *y = al_malloc(cap * sizeof *y), *sg = al_malloc(cap * sizeof *sg);
    al_status st = fr.rows && fr.vsym && blk && y && sg ? AL_OK : al_fail(err, AL_ENOMEM, "GAP: out of memory for the fit rows");
    for (size_t k = 0; !st && k <= n; k++) {
        size_t nr = 0;
        if (k < n && !frames[k].labels) continue;
        if (k < n && used + total > cap) {
            st = gp_dtc_add_rows(m->dtc, used, blk, y, sg, err);
            used = 0;
        }
        if (!st && k == n) st = gp_dtc_add_rows(m->dtc, used, blk, y, sg, err);
        if (st || k == n) break;
        if (!(st = frame_observations(m, &frames[k], &fr, y + used, sg + used, &nr, err))) {
            memcpy(blk + used * mm, fr.rows, nr * mm * sizeof *blk);
            used += nr;
        }
        if (st) al_fail_wrap(err, "training frame %zu: ", k);
    }
    al_free(fr.rows);
    al_free(fr.bt);
    al_free(fr.vsym);
    al_free(blk);
    al_free(y);
    al_free(sg);
    return st;
}

/* Bytes the fit will need at most (descriptor matrices for CUR, K_MM, the solver, row blocks). */
static double fit_memory(const gp_model *m, const al_frame *frames, size_t n)
{
    size_t ms = 0, envs = 0, big = 0;
    for (size_t d = 0; d < m->spec.n_desc; d++) ms += m->spec.desc[d].n_sparse;
    for (size_t k = 0; k < n; k++) envs += frames[k].n_atoms;
    for (size_t d = 0; d < m->spec.n_desc; d++)
        if (m->spec.desc[d].kind == GP_KIND_SOAP) big += envs * m->d[d].dim;
    size_t total = 1 + 3 * max_atoms_of(frames, n) + 9, blk = block_rows(ms, total);
    double b = 8.0 * (3.0 * big + (double)ms * ms) + (double)gp_dtc_memory_bytes(ms, blk);
    return b + 8.0 * ((double)blk * ms + (double)total * ms);
}

static double available_memory(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    double kib = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lf kB", &kib) == 1) break;
    if (f) fclose(f);
    return kib > 0 ? kib * 1024.0 : 0.0;
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* FNV-1a over the frames' species, geometry and labels: identifies the training set. */
static uint64_t train_hash(const al_frame *frames, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t k = 0; k < n; k++) {
        const al_frame *f = &frames[k];
        if (!f->labels) continue;
        h = hash_bytes(h, &f->n_atoms, sizeof f->n_atoms);
        h = hash_bytes(h, f->cell, sizeof f->cell);
        h = hash_bytes(h, f->z, f->n_atoms * sizeof *f->z);
        h = hash_bytes(h, f->pos, f->n_atoms * sizeof *f->pos);
        h = hash_bytes(h, &f->labels, sizeof f->labels);
        if (f->labels & AL_LBL_ENERGY) h = hash_bytes(h, &f->energy, sizeof f->energy);
        if (f->labels & AL_LBL_FORCES) h = hash_bytes(h, f->forces, f->n_atoms * sizeof *f->forces);
        if (f->labels & AL_LBL_VIRIAL) h = hash_bytes(h, f->virial, sizeof f->virial);
    }
    return h;
}

static al_status check_fit_input(const gp_gap_spec *spec, const al_frame *frames, size_t n, al_err *err)
{
    if (spec->n_desc == 0) return al_fail(err, AL_EINVAL, "GAP: the model has no descriptor");
    if (!(spec->sigma_energy > 0 && spec->sigma_force > 0 && spec->sigma_virial > 0))
        return al_fail(err, AL_EINVAL, "GAP: sigma_energy, sigma_force and sigma_virial must be > 0");
    size_t labelled = 0;
    for (size_t k = 0; k < n; k++) labelled += frames[k].labels != 0;
    if (labelled == 0) return al_fail(err, AL_EINVAL, "GAP: none of the %zu training frames has labels", n);
    return AL_OK;
}

/* Sparse points copied from another model with the same descriptors. */
static al_status copy_sparse(gp_model *m, const gp_model *src, al_err *err)
{
    if (src->spec.n_desc != m->spec.n_desc)
        return al_fail(err, AL_EINVAL, "GAP refit: the sparse-point source has %zu descriptors, the spec %zu",
                       src->spec.n_desc, m->spec.n_desc);
    for (size_t d = 0; d < m->spec.n_desc; d++) {
        if (src->d[d].dim != m->d[d].dim || src->spec.desc[d].kind != m->spec.desc[d].kind)
            return al_fail(err, AL_EINVAL, "GAP refit: descriptor %zu of the sparse-point source differs from the spec", d);
        AL_TRY(err, gp__sparse_alloc(m, d, src->d[d].ns, err));
        memcpy(m->d[d].xs, src->d[d].xs, src->d[d].ns * src->d[d].dim * sizeof(double));
        memcpy(m->d[d].ws, src->d[d].ws, src->d[d].ns * sizeof(double));
    }
    return gp__alpha_alloc(m, err);
}

static al_status fit(const gp_gap_spec *spec, const al_frame *frames, size_t n, const gp_model *src, gp_model **out,
                     al_err *err)
{
    *out = NULL;
    AL_TRY(err, check_fit_input(spec, frames, n, err));
    gp_model *m = NULL;
    AL_TRY(err, gp__model_new(spec, &m, err));
    double need = fit_memory(m, frames, n), avail = spec->max_memory_gib > 0 ? spec->max_memory_gib * 1073741824.0
                                                                            : available_memory();
    al_info("GAP fit: %zu frames; estimated memory %.2f GiB (%.2f GiB available)", n, need / 1073741824.0,
            avail / 1073741824.0);
    double *kmm = NULL, t0 = al_wtime();
    al_status st = AL_OK;
    if (avail > 0 && need > avail)
        st = al_fail(err, AL_ENOMEM, "GAP fit needs about %.2f GiB but only %.2f GiB are available; reduce n_sparse "
                     "or the number of training frames", need / 1073741824.0, avail / 1073741824.0);
    if (!st) st = src ? copy_sparse(m, src, err) : gp__choose_sparse(m, frames, n, err);
    if (!st) st = gp__build_kmm(m, &kmm, err);
    if (!st) st = gp_dtc_create(m->m, kmm, spec->sparse_jitter, &m->dtc, err);
    if (!st) al_info("GAP fit: %zu sparse points, sparse selection %.2f s", m->m, al_wtime() - t0);
    if (!st) st = fit_rows(m, frames, n, err);
    if (!st) st = gp_dtc_solve(m->dtc, m->alpha, err);
    al_free(kmm);
    if (st) {
        gp_model_destroy(m);
        return st;
    }
    m->train_hash = train_hash(frames, n);
    m->n_train = n;
    al_info("GAP fit done in %.2f s (%zu observations)", al_wtime() - t0, gp_dtc_n_obs(m->dtc));
    *out = m;
    return AL_OK;
}

al_status gp_gap_fit(const gp_gap_spec *spec, const al_frame *frames, size_t n, gp_model **out, al_err *err)
{
    return fit(spec, frames, n, NULL, out, err);
}

al_status gp_gap_refit(const gp_gap_spec *spec, const gp_model *sparse_from, const al_frame *frames, size_t n,
                       gp_model **out, al_err *err)
{
    return fit(spec, frames, n, sparse_from, out, err);
}
