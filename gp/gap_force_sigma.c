/*
 * Exact DTC predictive standard deviation of the forces on a few atoms (gap.h, docs/gap.md).
 *
 * Force components are derivative observations of the energy GP (Rasmussen and Williams,
 * Gaussian Processes for Machine Learning (2006), sec. 9.4): the frame energy
 * E = Σ_d Σ_q c_q f_d(x_q) is linear in the latent functions f_d, so F_iα = −∂E/∂r_iα is too. Its
 * covariance with the sparse values is the force row of the fit (gap_fit.c),
 *     k_f[s] = −∂k_E[s]/∂r_iα,   k_E[s] = Σ_q c_q k(x_q, x_s) w_s,
 * and its prior variance, with the descriptors independent a priori,
 *     k_ff = Σ_d Σ_{q,q'} ∂²/∂r_iα∂r'_iα [c_q c_q' k(x_q, x_q')] at r' = r.
 * The DTC variance is then k_ff − ‖L⁻¹k_f‖² + ‖R⁻ᵀk_f‖², as for a local energy (sparse_gp.h).
 *
 * Only instances that move with atom i contribute: the 2-body instances with i at either end,
 * and the SOAP environments of i and of its neighbours. Every vector d_e of an instance runs from
 * its centre to atom_e, so ∂x_q/∂r_iα = Σ_e ([atom_e = i] − [centre_q = i]) ∂x_q/∂d_eα, and the
 * same for c_q; a vector to the centre's own image does not move. For 2-body instances this sum
 * is taken here; for SOAP the descriptor forms the one Jacobian column ∂x_q/∂r_i of each moving
 * environment directly (desc_soap_columns), from the coefficients the prediction kept, without
 * the full Jacobians of the environments.
 *
 * Kernel derivatives, with the product rule over c_q c_q' k:
 *  - SOAP, k = δ²(p·p')^ζ, c = 1: ∂²k/∂p∂p' = δ²[ζ g^{ζ−1} I + ζ(ζ−1) g^{ζ−2} p' pᵀ], g = p·p';
 *  - 2-body, k = δ² exp(−u²/2), u = (x − x')/θ: ∂k/∂x = −k u/θ, ∂k/∂x' = k u/θ,
 *    ∂²k/∂x∂x' = k (1 − u²)/θ².
 * Cost per atom, for its ~(1 + neighbours) moving SOAP environments: the neighbour terms of i
 * (~2 × neighbours; whole environments in gp__force_var, which has nothing kept), one pass
 * through the power spectrum per environment, one product of their 3 derivative rows each with
 * the sparse points (3·dim·m per environment, the largest part; the kernel weights g^{ζ−1}
 * differ per sparse point, so it does not factor), the products of the rows with each other for
 * the prior, and 3 rows of the two triangular solves (m² each).
 */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "gp/gap_model.h"

/* The instances of one descriptor that move with one atom, with their derivatives. */
typedef struct moving {
    size_t n, cap, cap_dx, dim;
    size_t *q;       /* instance indices */
    double *dx;      /* n × 3 × dim: row α of entry k, ∂x_q/∂r_α, at (3k + α)·dim */
    double *dc;      /* n × 3: ∂c_q/∂r_α */
} moving;

static void moving_free(moving *mv)
{
    al_free(mv->q);
    al_free(mv->dx);
    al_free(mv->dc);
}

/* Appends instance q with zero derivatives. */
static al_status moving_push(moving *mv, size_t q, al_err *err)
{
    size_t need = (mv->n + 1) * 3 * mv->dim;
    if (mv->n == mv->cap) {
        size_t cap = 2 * mv->cap + 16;
        size_t *qq = al_realloc(mv->q, cap * sizeof *qq);
        if (qq) mv->q = qq;
        double *dc = qq ? al_realloc(mv->dc, 3 * cap * sizeof *dc) : NULL;
        if (!dc) return al_fail(err, AL_ENOMEM, "GAP: out of memory for the force sigma");
        mv->dc = dc;
        mv->cap = cap;
    }
    if (need > mv->cap_dx) {
        double *dx = al_realloc(mv->dx, 2 * need * sizeof *dx);
        if (!dx) return al_fail(err, AL_ENOMEM, "GAP: out of memory for the force sigma");
        mv->dx = dx;
        mv->cap_dx = 2 * need;
    }
    memset(mv->dx + mv->n * 3 * mv->dim, 0, 3 * mv->dim * sizeof *mv->dx);
    memset(mv->dc + 3 * mv->n, 0, 3 * sizeof *mv->dc);
    mv->q[mv->n++] = q;
    return AL_OK;
}

/* The instances of v that move with atom `atom`, with ∂x_q/∂r and ∂c_q/∂r (see the top). */
static al_status gather_moving(const desc_values *v, int atom, moving *mv, al_err *err)
{
    size_t dim = v->dim;
    mv->n = 0;
    mv->dim = dim;
    for (size_t q = 0; q < v->n; q++) {
        bool pushed = false;
        for (size_t e = v->goff[q]; e < v->goff[q + 1]; e++) {
            int sign = (v->g_atom[e] == atom) - (v->centre[q] == atom);
            if (!sign) continue;
            if (!pushed) AL_TRY(err, moving_push(mv, q, err));
            pushed = true;
            double *dx = mv->dx + (mv->n - 1) * 3 * dim, *dc = mv->dc + 3 * (mv->n - 1);
            const double *g = v->g_dx + e * dim * 3;   /* ∂x/∂d, dim × 3 */
            for (size_t k = 0; k < dim; k++)
                for (int a = 0; a < 3; a++) dx[a * dim + k] += sign * g[3 * k + a];
            for (int a = 0; a < 3; a++) dc[a] += sign * v->g_dc[e][a];
        }
    }
    return AL_OK;
}

/* The instances of desc_soap_columns' output that `atom` moves, with its column ∂x_q/∂r_α as
 * rows α (no cutoff weight: c = 1). */
static al_status gather_columns(const desc_values *v, int atom, moving *mv, al_err *err)
{
    size_t dim = v->dim;
    mv->n = 0;
    mv->dim = dim;
    for (size_t q = 0; q < v->n; q++)
        for (size_t e = v->goff[q]; e < v->goff[q + 1]; e++) {
            if (v->g_atom[e] != atom) continue;
            AL_TRY(err, moving_push(mv, q, err));
            double *dx = mv->dx + (mv->n - 1) * 3 * dim;
            const double *g = v->g_dx + e * dim * 3;   /* dim × 3 */
            for (size_t k = 0; k < dim; k++)
                for (int a = 0; a < 3; a++) dx[a * dim + k] = g[3 * k + a];
        }
    return AL_OK;
}

/* The largest number of instances one of the k atoms moves. */
static size_t most_moving(const desc_values *v, const size_t *atoms, size_t k)
{
    size_t most = 0;
    for (size_t r = 0; r < k; r++) {
        size_t n = 0;
        for (size_t e = 0; e < v->n_grad; e++) n += v->g_atom[e] == (int)atoms[r];
        most = n > most ? n : most;
    }
    return most;
}

/* SOAP (c = 1; the sparse weights are 1, as in the fit's rows): the force rows
 * k_f[α][s] −= δ²ζ g_qs^{ζ−1} x_s·∂x_q/∂r_α, with g (n_instances × ns) the instances' dot
 * products with the sparse points; the 3 derivative rows of all moving instances meet the
 * sparse points in one product (scratch: c, 3n × ns, and fac, ns). */
static void soap_rows(const gp_model *m, size_t d, const double *g, const moving *mv, double *c, double *fac,
                      double *kf)
{
    const gp_desc_hyper *h = &m->spec.desc[d];
    const gp_desc_model *dm = &m->d[d];
    size_t ns = dm->ns, dim = dm->dim;
    double d2 = h->delta * h->delta;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(3 * mv->n), (int)ns, (int)dim, 1.0, mv->dx, (int)dim,
                dm->xs, (int)dim, 0.0, c, (int)ns);
    for (size_t k = 0; k < mv->n; k++) {
        const double *gq = g + mv->q[k] * ns, *rows = c + 3 * k * ns;
        for (size_t t = 0; t < ns; t++) fac[t] = d2 * h->zeta;
        for (int p = 1; p < h->zeta; p++)   /* the power one factor at a time: vectorises over t */
            for (size_t t = 0; t < ns; t++) fac[t] *= gq[t];
        for (int a = 0; a < 3; a++) {
            double *row = kf + a * m->m + dm->first;
            for (size_t t = 0; t < ns; t++) row[t] -= fac[t] * rows[a * ns + t];
        }
    }
}

/* SOAP prior: Σ_{q,q'} ∂x_qᵀ (∂²k/∂x∂x') ∂x_q' for each α, i.e.
 * δ² Σ_{a,b} [ζ g^{ζ−1} (∂x_a·∂x_b) + ζ(ζ−1) g^{ζ−2} (∂x_a·x_b)(x_a·∂x_b)], g = x_a·x_b, from
 * products of the n moving instances' rows: per α the rows ∂x_a/∂r_α are every third row of
 * mv->dx (scratch: n·dim + 7n² values). */
static void soap_prior(const gp_model *m, size_t d, const desc_values *v, const moving *mv, double *scratch,
                       double kff[3])
{
    const gp_desc_hyper *h = &m->spec.desc[d];
    size_t n = mv->n, dim = v->dim;
    int z = h->zeta, ni = (int)n, di = (int)dim;
    double d2 = h->delta * h->delta, *xm = scratch, *gg = xm + n * dim, *dd = gg + n * n, *dx = dd + 3 * n * n;
    for (size_t a = 0; a < n; a++) memcpy(xm + a * dim, v->x + mv->q[a] * dim, dim * sizeof *xm);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ni, ni, di, 1.0, xm, di, xm, di, 0.0, gg, ni);
    for (int al = 0; al < 3; al++) {
        const double *da = mv->dx + al * dim;   /* n rows, 3·dim apart */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ni, ni, di, 1.0, da, 3 * di, da, 3 * di, 0.0,
                    dd + al * n * n, ni);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ni, ni, di, 1.0, da, 3 * di, xm, di, 0.0,
                    dx + al * n * n, ni);
    }
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            double g = gg[a * n + b], c1 = z * gp__ipow(g, z - 1), c2 = z * (z - 1) * gp__ipow(g, z - 2);
            for (int al = 0; al < 3; al++) {
                const double *ddal = dd + al * n * n, *dxal = dx + al * n * n;
                kff[al] += d2 * (c1 * ddal[a * n + b] + c2 * dxal[a * n + b] * dxal[b * n + a]);
            }
        }
}

/* 2-body force rows: k_f[α][s] −= w_s (∂c/∂r_α k + c ∂k/∂x ∂x/∂r_α). */
static void pair_rows(const gp_model *m, size_t d, const desc_values *v, const moving *mv, double *kf)
{
    const gp_desc_hyper *h = &m->spec.desc[d];
    const gp_desc_model *dm = &m->d[d];
    double d2 = h->delta * h->delta, th = h->theta;
    for (size_t k = 0; k < mv->n; k++) {
        size_t q = mv->q[k];
        const double *dx = mv->dx + 3 * k, *dc = mv->dc + 3 * k;
        for (size_t t = 0; t < dm->ns; t++) {
            double u = (v->x[q] - dm->xs[t]) / th, kk = d2 * exp(-0.5 * u * u), dk = -kk * u / th;
            for (int a = 0; a < 3; a++) kf[a * m->m + dm->first + t] -= dm->ws[t] * (dc[a] * kk + v->c[q] * dk * dx[a]);
        }
    }
}

/* 2-body prior: ∂_r∂_r'[c c' k] = c_r c'_r' k + c_r c' k_x' x'_r' + c c'_r' k_x x_r + c c' k_xx' x_r x'_r'.
 * The summand is symmetric in the two instances (swapping them flips u, so k_x and k_x' swap). */
static void pair_prior(const gp_model *m, size_t d, const desc_values *v, const moving *mv, double kff[3])
{
    const gp_desc_hyper *h = &m->spec.desc[d];
    double d2 = h->delta * h->delta, th = h->theta;
    for (size_t a = 0; a < mv->n; a++)
        for (size_t b = 0; b <= a; b++) {
            size_t qa = mv->q[a], qb = mv->q[b];
            double u = (v->x[qa] - v->x[qb]) / th, kk = d2 * exp(-0.5 * u * u), w = a == b ? 1.0 : 2.0;
            double kx = -kk * u / th, kxp = kk * u / th, kxx = kk * (1.0 - u * u) / (th * th);
            double ca = v->c[qa], cb = v->c[qb];
            const double *xa = mv->dx + 3 * a, *xb = mv->dx + 3 * b, *cra = mv->dc + 3 * a, *crb = mv->dc + 3 * b;
            for (int al = 0; al < 3; al++)
                kff[al] += w * (cra[al] * crb[al] * kk + cra[al] * cb * kxp * xb[al] + ca * crb[al] * kx * xa[al] +
                                ca * cb * kxx * xa[al] * xb[al]);
        }
}

/* The k atoms with the largest sd, largest first (ties: lower index); k is small. */
static void top_atoms(const double *sd, size_t n, size_t k, size_t *out)
{
    for (size_t r = 0; r < k; r++) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
            bool taken = false;
            for (size_t p = 0; p < r && !taken; p++) taken = out[p] == i;
            if (!taken && (best == SIZE_MAX || sd[i] > sd[best])) best = i;
        }
        out[r] = best;
    }
}

/* The dot products of the columns' instances with the sparse points (v->n × ns) into g: copied
 * from the rows the prediction kept (one per centre of species z, in atom order) or computed. */
static void soap_dots(const gp_model *m, size_t d, const al_frame *f, const desc_values *v, bool kept, double *g)
{
    const gp_desc_model *dm = &m->d[d];
    size_t ns = dm->ns, dim = dm->dim;
    if (!kept) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)v->n, (int)ns, (int)dim, 1.0, v->x, (int)dim,
                    dm->xs, (int)dim, 0.0, g, (int)ns);
        return;
    }
    size_t row = 0, q = 0;
    for (size_t i = 0; i < f->n_atoms && q < v->n; i++) {
        if (f->z[i] != m->spec.desc[d].soap.z) continue;
        if ((int)i == v->centre[q]) memcpy(g + ns * q++, dm->dots + ns * row, ns * sizeof *g);
        row++;
    }
}

/* SOAP descriptor d: the Jacobian columns of the examined atoms (desc_soap_columns, from what
 * the prediction kept when `kept`), then each atom's force rows and prior. */
static al_status soap_descriptor(gp_model *m, size_t d, const al_frame *f, const size_t *atoms, size_t k, bool kept,
                                 unsigned char *chosen, moving *mv, double *kf, double *kff, al_err *err)
{
    const gp_desc_model *dm = &m->d[d];
    size_t ns = dm->ns, dim = dm->dim;
    memset(chosen, 0, f->n_atoms);
    for (size_t r = 0; r < k; r++) chosen[atoms[r]] = 1;
    AL_TRY(err, desc_soap_columns(dm->soap, f, &m->nl, chosen, kept ? dm->coef : NULL, &m->dv, err));
    const desc_values *v = &m->dv;
    size_t n = most_moving(v, atoms, k), n_dots = v->n * ns;
    if (n == 0) return AL_OK;
    AL_TRY(err, gp__scratch(m, n_dots + 3 * n * ns + ns + n * dim + 7 * n * n, err));
    double *g = m->buf, *work = g + n_dots, *fac = work + 3 * n * ns;
    soap_dots(m, d, f, v, kept, g);
    for (size_t r = 0; r < k; r++) {
        AL_TRY(err, gather_columns(v, (int)atoms[r], mv, err));
        if (mv->n == 0) continue;
        soap_rows(m, d, g, mv, work, fac, kf + 3 * r * m->m);
        soap_prior(m, d, v, mv, work, kff + 3 * r);
    }
    return AL_OK;
}

/* The examined atoms and their neighbours within rc: the centres of the instances that move. */
static void neighbour_mask(const al_nlist *nl, size_t n, const size_t *atoms, size_t k, double rc, unsigned char *mask)
{
    memset(mask, 0, n);
    for (size_t r = 0; r < k; r++) {
        size_t i = atoms[r];
        mask[i] = 1;
        for (size_t p = nl->offset[i]; p < nl->offset[i + 1]; p++)
            if (nl->r[p] < rc) mask[nl->j[p]] = 1;
    }
}

/* 2-body descriptor d: the instances centred on the examined atoms and their neighbours, and each
 * examined atom's force rows and prior from those that move with it. */
static al_status pair_descriptor(gp_model *m, size_t d, const al_frame *f, const size_t *atoms, size_t k,
                                 unsigned char *mask, moving *mv, double *kf, double *kff, al_err *err)
{
    const desc_2b_spec *b2 = &m->spec.desc[d].b2;
    neighbour_mask(&m->nl, f->n_atoms, atoms, k, b2->cutoff, mask);
    AL_TRY(err, desc_2b_compute_some(b2, f, &m->nl, mask, &m->dv, err));
    for (size_t r = 0; r < k; r++) {
        AL_TRY(err, gather_moving(&m->dv, (int)atoms[r], mv, err));
        pair_rows(m, d, &m->dv, mv, kf + 3 * r * m->m);
        pair_prior(m, d, &m->dv, mv, kff + 3 * r);
    }
    return AL_OK;
}

/* σ = sqrt of the mean component variance per examined atom, and the frame's largest. */
static void write_sigmas(const size_t *atoms, size_t k, const double *var, al_pot_result *out)
{
    for (size_t r = 0; r < k; r++) {
        double s2 = (var[3 * r] + var[3 * r + 1] + var[3 * r + 2]) / 3.0, sd = sqrt(s2 > 0 ? s2 : 0.0);
        if (out->force_sigma) out->force_sigma[atoms[r]] = sd;
        if (out->force_sigma_atom < 0 || sd > out->force_sigma_max) {
            out->force_sigma_max = sd;
            out->force_sigma_atom = (long)atoms[r];
        }
    }
}

/* The component variances of the k atoms; kept: the prediction of f kept its SOAP coefficients
 * and dot products (gap_predict.c). */
static al_status force_var(gp_model *m, const al_frame *f, const size_t *atoms, size_t k, bool kept, double *var,
                           al_err *err)
{
    size_t mm = m->m;
    double *kf = al_calloc(3 * k * mm, sizeof *kf), *kff = al_calloc(3 * k, sizeof *kff);
    unsigned char *flags = al_malloc(f->n_atoms ? f->n_atoms : 1);   /* per-atom scratch */
    moving mv = {0};
    al_status st = kf && kff && flags ? AL_OK : al_fail(err, AL_ENOMEM, "GAP: out of memory for the force sigma of %zu atoms", k);
    for (size_t d = 0; !st && d < m->spec.n_desc; d++)
        st = m->spec.desc[d].kind == GP_KIND_SOAP ? soap_descriptor(m, d, f, atoms, k, kept, flags, &mv, kf, kff, err)
                                                  : pair_descriptor(m, d, f, atoms, k, flags, &mv, kf, kff, err);
    if (!st) st = gp_dtc_variance(m->dtc, 3 * k, kf, kff, var, err);
    moving_free(&mv);
    al_free(kf);
    al_free(kff);
    al_free(flags);
    return st;
}

al_status gp__force_var(gp_model *m, const al_frame *f, const size_t *atoms, size_t k, double *var, al_err *err)
{
    return force_var(m, f, atoms, k, false, var, err);
}

al_status gp__force_sigma(gp_model *m, const al_frame *f, const double *atom_sd, al_pot_result *out, al_err *err)
{
    size_t n = f->n_atoms, k = out->force_sigma_atoms < n ? out->force_sigma_atoms : n;
    if (out->force_sigma)
        for (size_t i = 0; i < n; i++) out->force_sigma[i] = NAN;
    if (k == 0) return AL_OK;
    size_t *atoms = al_malloc(k * sizeof *atoms);
    double *var = al_malloc(3 * k * sizeof *var);
    al_status st = atoms && var ? AL_OK : al_fail(err, AL_ENOMEM, "GAP: out of memory for the force sigma of %zu atoms", k);
    if (!st) top_atoms(atom_sd, n, k, atoms);
    if (!st) st = force_var(m, f, atoms, k, true, var, err);
    if (!st) write_sigmas(atoms, k, var, out);
    al_free(atoms);
    al_free(var);
    return st;
}
