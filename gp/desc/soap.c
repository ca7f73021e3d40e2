/* SOAP power spectrum with gradients, following QUIP's definitions (see soap.h).
 * Coefficients are stored as X[lm·K + A] with channel A = s·n + a (species s, radial a); each
 * neighbour changes only the n channels of its own species, so its ∂X/∂d is kept as an
 * nlm × n × 3 block plus the species index, as QUIP does for its "original" power spectrum. */
#include "gp/desc/soap.h"

#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "gp/desc/desc_impl.h"
#include "gp/desc/ylm.h"

#define PI 3.14159265358979323846

struct desc_soap {
    desc_soap_spec spec;
    double alpha;
    int n, lmax, nlm;
    int ns, kch;       /* neighbour species, channels K = ns·n */
    int sz[DESC_SOAP_MAX_SPECIES];
    int central_all;   /* the centre's Gaussian in every species channel */
    size_t dim;
    double *rb;        /* n grid centres */
    double *l00;       /* L[0][n]: the centre atom's coefficients */
    double *t;         /* T = C⁻¹L, n × n (row k, column n') */
    /* scratch, grown on demand */
    size_t cap_nb;
    double *x;         /* nlm × K coefficients X_lm,A */
    double *dx;        /* per neighbour: nlm × n × 3 (its own species' channels) */
    int *nsp;          /* per neighbour: species index */
    double *mm, *g;    /* contraction scratch: (l_max + 1) × K × K and nlm × K */
    double *yc;        /* column scratch: (l_max + 1) × K × 3K */
    double *p;         /* dim */
    /* Jacobian columns of chosen atoms (desc_soap_columns), grown on demand */
    size_t cap_col, cap_atoms;
    int *col_atom;     /* per column: its atom */
    double *col_dx;    /* per column: ∂X/∂r_a over all channels, nlm × K × 3 */
    unsigned char *moved;   /* n_atoms: the centres a chosen atom may move */
};

void desc_bessel_il_scaled(int l_max, double x, double *out, double *dout)
{
    double v[64];
    int lm = l_max + 1;   /* one more order for the derivative */
    if (x < 1e-300) {
        for (int l = 0; l <= l_max; l++) {
            out[l] = l == 0 ? 1.0 : 0.0;
            if (dout) dout[l] = l == 0 ? -1.0 : l == 1 ? 1.0 / 3.0 : 0.0;
        }
        return;
    }
    if (x <= 30.0) {
        /* i_l(x) = x^l/(2l+1)!! Σ_k (x²/2)^k / (k! (2l+3)(2l+5)…(2l+2k+1)): positive terms only. */
        double ex = exp(-x), pref = ex;
        for (int l = 0; l <= lm; l++) {
            if (l > 0) pref *= x / (2 * l + 1);
            double term = 1.0, sum = 1.0;
            for (int k = 1; k < 400; k++) {
                term *= 0.5 * x * x / (k * (2.0 * l + 2 * k + 1));
                sum += term;
                if (term < 1e-17 * sum) break;
            }
            v[l] = pref * sum;
        }
    } else {
        double e2 = exp(-2.0 * x);
        v[0] = (1.0 - e2) / (2.0 * x);
        v[1] = (0.5 * (1.0 + e2) - v[0]) / x;
        for (int l = 1; l < lm; l++) v[l + 1] = v[l - 1] - (2 * l + 1) / x * v[l];
    }
    for (int l = 0; l <= l_max; l++) {
        out[l] = v[l];
        /* d/dx [e^{−x} i_l] = e^{−x}(i_{l+1} + (l/x) i_l) − e^{−x} i_l */
        if (dout) dout[l] = v[l + 1] + (l / x) * v[l] - v[l];
    }
}

void desc_soap_destroy(desc_soap *s)
{
    if (!s) return;
    al_free(s->rb);
    al_free(s->l00);
    al_free(s->t);
    al_free(s->x);
    al_free(s->dx);
    al_free(s->nsp);
    al_free(s->mm);
    al_free(s->g);
    al_free(s->yc);
    al_free(s->p);
    al_free(s->col_atom);
    al_free(s->col_dx);
    al_free(s->moved);
    al_free(s);
}

size_t desc_soap_dim(const desc_soap *s) { return s->dim; }

size_t desc_soap_coef_len(const desc_soap *s) { return (size_t)s->nlm * s->kch; }

/* The orthonormalisation of the Gaussian grid: S = LLᵀ and T = C⁻¹L. */
static al_status setup_basis(desc_soap *s, al_err *err)
{
    int n = s->n;
    double a = s->alpha, sig = s->spec.atom_sigma;
    double spacing = (s->spec.cutoff + sig * sqrt(2.0 * 10.0 * log(10.0))) / n;
    double S[400], C[400], L[400];
    for (int k = 0; k < n; k++) s->rb[k] = spacing * k;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double ri = s->rb[i], rj = s->rb[j], sum = ri + rj;
            /* ∫_0^∞ r² g_i g_j dr in closed form (erf expression). */
            S[i * n + j] = (exp(-a * (ri * ri + rj * rj)) * sqrt(2.0) * pow(a, 1.5) * sum +
                            a * exp(-0.5 * a * (ri - rj) * (ri - rj)) * sqrt(PI) * (1.0 + a * sum * sum) *
                                (1.0 + erf(sqrt(a / 2.0) * sum))) / sqrt(128.0 * pow(a, 5));
            C[i * n + j] = exp(-a * (ri - rj) * (ri - rj));
        }
    memcpy(L, S, sizeof(double) * n * n);
    if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', n, L, n) != 0)
        return al_fail(err, AL_EINVAL, "SOAP: the radial basis overlap is singular (n_max %d)", n);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) L[i * n + j] = 0.0;
    for (int j = 0; j < n; j++) s->l00[j] = L[j];   /* first row of L */
    memcpy(s->t, L, sizeof(double) * n * n);
    lapack_int ipiv[20];
    if (LAPACKE_dgesv(LAPACK_ROW_MAJOR, n, n, C, n, ipiv, s->t, n) != 0)
        return al_fail(err, AL_EINVAL, "SOAP: the radial interpolation matrix is singular (n_max %d, atom_sigma %g)", n, sig);
    return AL_OK;
}

/* The species list: 1..max species, distinct atomic numbers. */
static al_status check_species(const desc_soap_species *sp, al_err *err)
{
    if (sp->n < 0 || sp->n > DESC_SOAP_MAX_SPECIES)
        return al_fail(err, AL_EINVAL, "SOAP: needs 1 to %d neighbour species (got %d)", DESC_SOAP_MAX_SPECIES, sp->n);
    for (int a = 0; a < sp->n; a++) {
        if (sp->z[a] < 1 || sp->z[a] > 118)
            return al_fail(err, AL_EINVAL, "SOAP: neighbour species %d has atomic number %d", a + 1, sp->z[a]);
        for (int b = 0; b < a; b++)
            if (sp->z[a] == sp->z[b])
                return al_fail(err, AL_EINVAL, "SOAP: atomic number %d appears twice in the species list", sp->z[a]);
    }
    return AL_OK;
}

/* Species list and centre-atom rule into s (QUIP turns central_reference_all_species on by
 * default only when there is one species). */
static void set_species(desc_soap *s, const desc_soap_species *sp)
{
    s->ns = sp && sp->n > 0 ? sp->n : 1;
    if (sp && sp->n > 0) memcpy(s->sz, sp->z, (size_t)sp->n * sizeof *s->sz);
    else s->sz[0] = s->spec.z;
    desc_soap_central c = sp ? sp->central : DESC_SOAP_CENTRAL_DEFAULT;
    s->central_all = c == DESC_SOAP_CENTRAL_ALL || (c == DESC_SOAP_CENTRAL_DEFAULT && s->ns == 1);
}

al_status desc_soap_create(const desc_soap_spec *spec, desc_soap **out, al_err *err)
{
    return desc_soap_create_species(spec, NULL, out, err);
}

al_status desc_soap_create_species(const desc_soap_spec *spec, const desc_soap_species *sp, desc_soap **out,
                                   al_err *err)
{
    *out = NULL;
    if (sp) AL_TRY(err, check_species(sp, err));
    if (spec->n_max < 1 || spec->n_max > 20 || spec->l_max < 0 || spec->l_max > 20 || !(spec->cutoff > 0) ||
        !(spec->atom_sigma > 0) || !(spec->transition_width > 0) || spec->transition_width > spec->cutoff)
        return al_fail(err, AL_EINVAL, "SOAP: needs 1 <= n_max <= 20, 0 <= l_max <= 20, cutoff > 0, atom_sigma > 0 "
                       "and 0 < transition width <= cutoff (got %d, %d, %g Å, %g Å, %g Å)", spec->n_max,
                       spec->l_max, spec->cutoff, spec->atom_sigma, spec->transition_width);
    desc_soap *s = al_calloc(1, sizeof *s);
    if (!s) return al_fail(err, AL_ENOMEM, "SOAP: out of memory");
    s->spec = *spec;
    s->n = spec->n_max;
    s->lmax = spec->l_max;
    s->nlm = DESC_YLM_COUNT(spec->l_max);
    s->alpha = 0.5 / (spec->atom_sigma * spec->atom_sigma);
    set_species(s, sp);
    s->kch = s->ns * s->n;
    size_t k = (size_t)s->kch;
    s->dim = (size_t)(s->lmax + 1) * k * (k + 1) / 2 + 1;
    s->rb = al_malloc(s->n * sizeof *s->rb);
    s->l00 = al_malloc(s->n * sizeof *s->l00);
    s->t = al_malloc((size_t)s->n * s->n * sizeof *s->t);
    s->x = al_malloc((size_t)s->nlm * k * sizeof *s->x);
    s->mm = al_malloc((size_t)(s->lmax + 1) * k * k * sizeof *s->mm);
    s->g = al_malloc((size_t)s->nlm * k * sizeof *s->g);
    s->yc = al_malloc(3 * (size_t)(s->lmax + 1) * k * k * sizeof *s->yc);
    s->p = al_malloc(s->dim * sizeof *s->p);
    al_status st = s->rb && s->l00 && s->t && s->x && s->mm && s->g && s->yc && s->p ? setup_basis(s, err)
                                                                          : al_fail(err, AL_ENOMEM, "SOAP: out of memory");
    if (st) {
        desc_soap_destroy(s);
        return st;
    }
    *out = s;
    return AL_OK;
}

/* Radial functions c_ln = f_c Σ_k h_lk T_kn of one neighbour at distance r, with d/dr. */
static void radial(const desc_soap *s, double r, double fc, double dfc, double *R, double *dR)
{
    int n = s->n, L = s->lmax;
    double il[21], dil[21], h[21 * 20], dh[21 * 20];
    for (int k = 0; k < n; k++) {
        double rk = s->rb[k], g = exp(-s->alpha * (r - rk) * (r - rk));
        desc_bessel_il_scaled(L, 2.0 * s->alpha * r * rk, il, dil);
        for (int l = 0; l <= L; l++) {
            h[l * n + k] = g * il[l];
            dh[l * n + k] = g * (-2.0 * s->alpha * (r - rk) * il[l] + 2.0 * s->alpha * rk * dil[l]);
        }
    }
    for (int l = 0; l <= L; l++)
        for (int m = 0; m < n; m++) {
            double v = 0, dv = 0;
            for (int k = 0; k < n; k++) v += h[l * n + k] * s->t[k * n + m], dv += dh[l * n + k] * s->t[k * n + m];
            R[l * n + m] = fc * v;
            dR[l * n + m] = dfc * v + fc * dv;
        }
}

/* Neighbour vector d of species index sp: adds its density to the coefficients x (nlm × K)
 * unless x is NULL, and writes its ∂X/∂d (nlm × n × 3, the channels of species sp only) into dx. */
static void add_neighbour(const desc_soap *s, const double d[3], double r, int sp, double *x, double *dx)
{
    int n = s->n, kch = s->kch, off = sp * n;
    double R[21 * 20], dR[21 * 20], y[441], gy[3 * 441], dfc;
    double fc = desc_cutoff(r, s->spec.cutoff, s->spec.transition_width, &dfc);
    radial(s, r, fc, dfc, R, dR);
    desc_ylm(s->lmax, d, y, gy);
    for (int l = 0; l <= s->lmax; l++)
        for (int m = -l; m <= l; m++) {
            int lm = l * l + l + m;
            for (int a = 0; a < n; a++) {
                double rv = R[l * n + a], drv = dR[l * n + a];
                if (x) x[lm * kch + off + a] += rv * y[lm];
                for (int c = 0; c < 3; c++)
                    dx[(lm * n + a) * 3 + c] = drv * d[c] / r * y[lm] + rv * gy[3 * lm + c];
            }
        }
}

/* The power spectrum of X (unnormalised), in QUIP's order. */
static void power_spectrum(const desc_soap *s, double *p)
{
    int n = s->kch;
    size_t i = 0;
    for (int a = 0; a < n; a++)
        for (int b = 0; b <= a; b++) {
            double fac = a == b ? 1.0 : sqrt(2.0);
            for (int l = 0; l <= s->lmax; l++) {
                double sum = 0;
                for (int lm = l * l; lm <= l * l + 2 * l; lm++) sum += s->x[lm * n + a] * s->x[lm * n + b];
                p[i++] = fac * sum / sqrt(2.0 * l + 1.0);
            }
        }
    p[i] = 0.0;
}

/* ∂p_(AB,l)/∂d = (2l+1)^(−1/2)·fac·Σ_m (∂X_lm,A X_lm,B + X_lm,A ∂X_lm,B), where ∂X is nonzero
 * only in the channels of the neighbour's species sp. */
static double pair_gradient(const desc_soap *s, const double *dx, int sp, int c, int a, int b, int l)
{
    int n = s->n, kch = s->kch;
    int ina = a / n == sp, inb = b / n == sp, ra = a % n, rb = b % n;
    double sum = 0;
    if (ina && inb) {
        for (int lm = l * l; lm <= l * l + 2 * l; lm++)
            sum += dx[(lm * n + ra) * 3 + c] * s->x[lm * kch + b] + s->x[lm * kch + a] * dx[(lm * n + rb) * 3 + c];
    } else if (ina) {
        for (int lm = l * l; lm <= l * l + 2 * l; lm++) sum += dx[(lm * n + ra) * 3 + c] * s->x[lm * kch + b];
    } else if (inb) {
        for (int lm = l * l; lm <= l * l + 2 * l; lm++) sum += s->x[lm * kch + a] * dx[(lm * n + rb) * 3 + c];
    }
    return sum;
}

/* ∂v/∂d for one neighbour (species index sp) from its ∂X/∂d, with v = p/|p|:
 * ∂v = (∂p − v(v·∂p))/|p|. */
static void vector_gradient(const desc_soap *s, const double *v, double norm, const double *dx, int sp, double *out)
{
    int n = s->kch;
    size_t dim = s->dim;
    for (int c = 0; c < 3; c++) {
        size_t i = 0;
        double dot = 0;
        for (int a = 0; a < n; a++)
            for (int b = 0; b <= a; b++) {
                double fac = a == b ? 1.0 : sqrt(2.0);
                for (int l = 0; l <= s->lmax; l++) {
                    double dp = fac * pair_gradient(s, dx, sp, c, a, b, l) / sqrt(2.0 * l + 1.0);
                    out[i * 3 + c] = dp;
                    dot += v[i] * dp;
                    i++;
                }
            }
        out[(dim - 1) * 3 + c] = 0.0;
        for (size_t k = 0; k + 1 < dim; k++) out[k * 3 + c] = (out[k * 3 + c] - v[k] * dot) / norm;
    }
}

static al_status grow_scratch(desc_soap *s, size_t nb, al_err *err)
{
    if (nb <= s->cap_nb) return AL_OK;
    size_t cap = nb + 16;
    double *dx = al_realloc(s->dx, cap * s->nlm * s->n * 3 * sizeof *dx);
    if (dx) s->dx = dx;
    int *nsp = dx ? al_realloc(s->nsp, cap * sizeof *nsp) : NULL;
    if (!nsp) return al_fail(err, AL_ENOMEM, "SOAP: out of memory for %zu neighbours", nb);
    s->nsp = nsp;
    s->cap_nb = cap;
    return AL_OK;
}

/* ε's gradient with respect to each neighbour vector, given u = ∂ε/∂v (dim) for the unit vector
 * v = p/|p|: with u' = (u − (u·v)v)/|p|, Σ_i u'_i ∂p_i = Σ_{lm,A} ∂X_lm,A G_lm,A where
 * G_lm,A = Σ_B M_l(A,B) X_lm,B and M_l(A,B) = u'_(AB,l)·fac/√(2l+1) (twice that on the diagonal,
 * symmetric) over channels A, B: one K×K product per l instead of the full dim × 3 Jacobian.
 * A neighbour of species s then needs only the n entries of G in its own channels. */
static void contract_gradient(desc_soap *s, const double *v, double norm, double *u, size_t nb, double *out)
{
    int n = s->kch, L = s->lmax, nr = s->n;
    size_t dim = s->dim;
    double uv = 0, *mm = s->mm, *g = s->g;
    u[dim - 1] = 0.0;
    for (size_t k = 0; k + 1 < dim; k++) uv += u[k] * v[k];
    size_t i = 0;
    for (int a = 0; a < n; a++)
        for (int b = 0; b <= a; b++)
            for (int l = 0; l <= L; l++, i++) {
                double w = (u[i] - uv * v[i]) / norm * (a == b ? 2.0 : sqrt(2.0)) / sqrt(2.0 * l + 1.0);
                mm[(l * n + a) * n + b] = w;
                mm[(l * n + b) * n + a] = w;
            }
    for (int l = 0; l <= L; l++)
        for (int lm = l * l; lm <= l * l + 2 * l; lm++)
            for (int a = 0; a < n; a++) {
                double sum = 0;
                for (int b = 0; b < n; b++) sum += mm[(l * n + a) * n + b] * s->x[lm * n + b];
                g[lm * n + a] = sum;
            }
    size_t nlmn = (size_t)s->nlm * nr;
    for (size_t e = 0; e < nb; e++) {
        const double *dx = s->dx + e * nlmn * 3;
        const double *ge = g + s->nsp[e] * nr;   /* the channels of this neighbour's species */
        double gx = 0, gy = 0, gz = 0;
        for (int lm = 0; lm < s->nlm; lm++, dx += 3 * nr, ge += n)
            for (int a = 0; a < nr; a++) gx += dx[3 * a] * ge[a], gy += dx[3 * a + 1] * ge[a], gz += dx[3 * a + 2] * ge[a];
        out[3 * e] = gx, out[3 * e + 1] = gy, out[3 * e + 2] = gz;
    }
}

/* Index of atomic number z in the neighbour species list, or −1. */
static int species_index(const desc_soap *s, int z)
{
    for (int k = 0; k < s->ns; k++)
        if (s->sz[k] == z) return k;
    return -1;
}

/* X = the centre atom's own Gaussian, l = m = 0: in its own species' channels, or in all of them. */
static void centre_density(desc_soap *s, int zi)
{
    memset(s->x, 0, (size_t)s->nlm * s->kch * sizeof *s->x);
    for (int sp = 0; sp < s->ns; sp++)
        if (s->central_all || s->sz[sp] == zi)
            for (int a = 0; a < s->n; a++) s->x[sp * s->n + a] += s->l00[a] / sqrt(4.0 * PI);
}

/* Coefficients X of atom i with each neighbour's ∂X/∂d in s->dx; fills the gradient entries'
 * atoms and vectors from g0 on. Returns the number of neighbours. */
static al_status expand_atom(desc_soap *s, const al_frame *f, const al_nlist *nl, size_t i, desc_values *out,
                             size_t *nb_out, al_err *err)
{
    size_t nb = 0, q = out->n, g0 = out->n_grad, nlmn = (size_t)s->nlm * s->n;
    for (size_t p = nl->offset[i]; p < nl->offset[i + 1]; p++)
        nb += species_index(s, f->z[nl->j[p]]) >= 0 && nl->r[p] < s->spec.cutoff;
    AL_TRY(err, grow_scratch(s, nb, err));
    if (q + 1 > out->cap || g0 + nb > out->cap_grad || s->dim > out->cap_dim)
        AL_TRY(err, desc__reserve(out, 2 * (q + 1), 2 * (g0 + nb) + 16, s->dim, err));
    centre_density(s, f->z[i]);
    size_t e = 0;
    for (size_t p = nl->offset[i]; p < nl->offset[i + 1]; p++) {
        int sp = species_index(s, f->z[nl->j[p]]);
        if (sp < 0 || nl->r[p] >= s->spec.cutoff) continue;
        s->nsp[e] = sp;
        add_neighbour(s, nl->d[p], nl->r[p], sp, s->x, s->dx + e * nlmn * 3);
        out->g_atom[g0 + e] = nl->j[p];
        memcpy(out->g_d[g0 + e], nl->d[p], sizeof out->g_d[0]);
        memset(out->g_dc[g0 + e], 0, sizeof out->g_dc[0]);
        e++;
    }
    *nb_out = nb;
    return AL_OK;
}

/* The unit vector of the current X into v; returns |p|. */
static double unit_vector(desc_soap *s, double *v)
{
    power_spectrum(s, v);
    double norm = 0;
    for (size_t k = 0; k < s->dim; k++) norm += v[k] * v[k];
    norm = sqrt(norm);
    for (size_t k = 0; k < s->dim; k++) v[k] /= norm;
    return norm;
}

/* The neighbour list must reach the descriptor's cutoff. */
static al_status check_nlist(const desc_soap *s, const al_nlist *nl, al_err *err)
{
    if (nl->cutoff + nl->skin < s->spec.cutoff)
        return al_fail(err, AL_EINVAL, "SOAP: neighbour list cutoff %g Å is below the descriptor's %g Å",
                       nl->cutoff + nl->skin, s->spec.cutoff);
    return AL_OK;
}

/* Instances of the atoms of species z, each one's coefficients X into row q of coef when coef is
 * not NULL. */
/* Closes instance q of out: centre atom i, its n_grad gradient rows starting at g0. */
static void record_centre(desc_values *out, size_t q, int i, size_t g0, size_t n_grad)
{
    out->c[q] = 1.0;
    out->centre[q] = i;
    out->goff[q] = g0;
    out->n = q + 1;
    out->n_grad = g0 + n_grad;
}

static al_status soap_run(desc_soap *s, const al_frame *f, const al_nlist *nl, desc_soap_weight_fn fn, void *user,
                          double *coef, desc_values *out, al_err *err)
{
    AL_TRY(err, check_nlist(s, nl, err));
    size_t dim = s->dim;
    out->n = out->n_grad = 0;
    out->dim = dim;
    for (size_t i = 0; i < f->n_atoms; i++) {
        if (f->z[i] != s->spec.z) continue;
        size_t nb = 0, q = out->n, g0 = out->n_grad;
        AL_TRY(err, expand_atom(s, f, nl, i, out, &nb, err));
        double *v = out->x + q * dim, norm = unit_vector(s, v);
        if (coef) memcpy(coef + q * desc_soap_coef_len(s), s->x, desc_soap_coef_len(s) * sizeof *coef);
        if (fn) {
            fn(user, q, (int)i, v, s->p);
            contract_gradient(s, v, norm, s->p, nb, out->g_dx + g0 * 3);
        } else {
            for (size_t k = 0; k < nb; k++)
                vector_gradient(s, v, norm, s->dx + k * (size_t)s->nlm * s->n * 3, s->nsp[k], out->g_dx + (g0 + k) * dim * 3);
        }
        record_centre(out, q, (int)i, g0, nb);
    }
    if (out->goff) out->goff[out->n] = out->n_grad;
    return AL_OK;
}

/*
 * Jacobian columns of chosen atoms (desc_soap_columns). X is linear in the neighbour densities,
 * so an atom's column is one ∂X/∂r_a = Σ_e ([atom_e = a] − [centre = a]) ∂X_e/∂d_e (the sum over
 * this environment's vectors, a vector to the centre's own image does not move), followed by a
 * single pass through the power spectrum: one pass per column instead of one per neighbour.
 */

/* ∂v/∂r_a (dim × 3) of the current X (unit vector v, |p| = norm) from ∂X/∂r_a over all K
 * channels (dxa, nlm × K × 3): with Y_l[B][A,c] = Σ_m X_lm,B ∂X_lm,A,c (one K × 3K block per l,
 * accumulated over contiguous rows), ∂p_(AB,l) = fac·(2l+1)^(−1/2) (Y_l[B][A] + Y_l[A][B]), then
 * ∂v = (∂p − v(v·∂p))/|p| as in vector_gradient. */
static void column_gradient(desc_soap *s, const double *v, double norm, const double *dxa, double *out)
{
    int n = s->kch, n3 = 3 * s->kch, L = s->lmax;
    size_t dim = s->dim, i = 0;
    double *y = s->yc, dot[3] = {0, 0, 0};
    memset(y, 0, (size_t)(L + 1) * n * n3 * sizeof *y);
    for (int l = 0; l <= L; l++)
        for (int lm = l * l; lm <= l * l + 2 * l; lm++)
            for (int b = 0; b < n; b++) {
                double xb = s->x[lm * n + b], *row = y + ((size_t)l * n + b) * n3;
                const double *d = dxa + (size_t)lm * n3;
                for (int ac = 0; ac < n3; ac++) row[ac] += xb * d[ac];
            }
    for (int a = 0; a < n; a++)
        for (int b = 0; b <= a; b++) {
            double fac = a == b ? 1.0 : sqrt(2.0);
            for (int l = 0; l <= L; l++, i++) {
                const double *yl = y + (size_t)l * n * n3, w = fac / sqrt(2.0 * l + 1.0);
                for (int c = 0; c < 3; c++) {
                    out[i * 3 + c] = w * (yl[b * n3 + 3 * a + c] + yl[a * n3 + 3 * b + c]);
                    dot[c] += v[i] * out[i * 3 + c];
                }
            }
        }
    for (int c = 0; c < 3; c++) out[(dim - 1) * 3 + c] = 0.0;
    for (size_t k = 0; k + 1 < dim; k++)
        for (int c = 0; c < 3; c++) out[k * 3 + c] = (out[k * 3 + c] - v[k] * dot[c]) / norm;
}

/* Flags in s->moved the centres a chosen atom may move: the chosen atoms and their neighbours
 * within the cutoff (the neighbour list is full, so i is j's neighbour when j is i's). */
static al_status mark_moved(desc_soap *s, const al_frame *f, const al_nlist *nl, const unsigned char *chosen,
                            al_err *err)
{
    if (f->n_atoms > s->cap_atoms) {
        unsigned char *mv = al_realloc(s->moved, f->n_atoms);
        if (!mv) return al_fail(err, AL_ENOMEM, "SOAP: out of memory for %zu atoms", f->n_atoms);
        s->moved = mv;
        s->cap_atoms = f->n_atoms;
    }
    memset(s->moved, 0, f->n_atoms);
    for (size_t a = 0; a < f->n_atoms; a++) {
        if (!chosen[a]) continue;
        s->moved[a] = 1;
        for (size_t p = nl->offset[a]; p < nl->offset[a + 1]; p++)
            if (nl->r[p] < s->spec.cutoff) s->moved[nl->j[p]] = 1;
    }
    return AL_OK;
}

/* The column of atom a among the ncol of the current environment, appended (zero) if new. */
static al_status column_of(desc_soap *s, int a, size_t *ncol, size_t *c, al_err *err)
{
    size_t len = desc_soap_coef_len(s) * 3;
    for (*c = 0; *c < *ncol; (*c)++)
        if (s->col_atom[*c] == a) return AL_OK;
    if (*ncol == s->cap_col) {
        size_t cap = 2 * s->cap_col + 4;
        int *at = al_realloc(s->col_atom, cap * sizeof *at);
        if (at) s->col_atom = at;
        double *dx = at ? al_realloc(s->col_dx, cap * len * sizeof *dx) : NULL;
        if (!dx) return al_fail(err, AL_ENOMEM, "SOAP: out of memory for %zu Jacobian columns", cap);
        s->col_dx = dx;
        s->cap_col = cap;
    }
    s->col_atom[*c] = a;
    memset(s->col_dx + *c * len, 0, len * sizeof *s->col_dx);
    (*ncol)++;
    return AL_OK;
}

/* col += sign·blk, blk one neighbour's ∂X/∂d (nlm × n × 3) in the channels of species sp. */
static void add_block(const desc_soap *s, const double *blk, int sp, double sign, double *col)
{
    int n = s->n, kch = s->kch;
    for (int lm = 0; lm < s->nlm; lm++)
        for (int a = 0; a < 3 * n; a++) col[((size_t)lm * kch + sp * n) * 3 + a] += sign * blk[(lm * n) * 3 + a];
}

/* X of centre i into s->x (copied from xi, or expanded when xi is NULL) and the ∂X/∂r_a of the
 * chosen atoms that move it into s->col_dx; *ncol of them. Only their vectors' terms are
 * evaluated when X is given. */
static al_status centre_columns(desc_soap *s, const al_frame *f, const al_nlist *nl, size_t i,
                                const unsigned char *chosen, const double *xi, size_t *ncol, al_err *err)
{
    size_t c = 0, len = desc_soap_coef_len(s) * 3;
    *ncol = 0;
    if (chosen[i]) AL_TRY(err, column_of(s, (int)i, ncol, &c, err));
    if (xi) memcpy(s->x, xi, desc_soap_coef_len(s) * sizeof *s->x);
    else centre_density(s, f->z[i]);
    for (size_t p = nl->offset[i]; p < nl->offset[i + 1]; p++) {
        int sp = species_index(s, f->z[nl->j[p]]), b = nl->j[p];
        if (sp < 0 || nl->r[p] >= s->spec.cutoff) continue;
        bool by_centre = chosen[i] && (size_t)b != i, by_b = chosen[b] && (size_t)b != i;
        if (!xi || by_centre || by_b) add_neighbour(s, nl->d[p], nl->r[p], sp, xi ? NULL : s->x, s->dx);
        if (by_centre) add_block(s, s->dx, sp, -1.0, s->col_dx);   /* the centre's column is the first */
        if (by_b) {
            AL_TRY(err, column_of(s, b, ncol, &c, err));
            add_block(s, s->dx, sp, 1.0, s->col_dx + c * len);
        }
    }
    return AL_OK;
}

al_status desc_soap_columns(desc_soap *s, const al_frame *f, const al_nlist *nl, const unsigned char *chosen,
                            const double *coef, desc_values *out, al_err *err)
{
    AL_TRY(err, check_nlist(s, nl, err));
    AL_TRY(err, mark_moved(s, f, nl, chosen, err));
    AL_TRY(err, grow_scratch(s, 1, err));
    size_t dim = s->dim, len = desc_soap_coef_len(s), row = 0;
    out->n = out->n_grad = 0;
    out->dim = dim;
    for (size_t i = 0; i < f->n_atoms; i++) {
        if (f->z[i] != s->spec.z) continue;
        const double *xi = coef ? coef + row * len : NULL;
        row++;
        size_t ncol = 0, q = out->n, g0 = out->n_grad;
        if (s->moved[i]) AL_TRY(err, centre_columns(s, f, nl, i, chosen, xi, &ncol, err));
        if (ncol == 0) continue;
        if (q + 1 > out->cap || g0 + ncol > out->cap_grad || dim > out->cap_dim)
            AL_TRY(err, desc__reserve(out, 2 * (q + 1), 2 * (g0 + ncol) + 16, dim, err));
        double *v = out->x + q * dim, norm = unit_vector(s, v);
        for (size_t c = 0; c < ncol; c++) {
            column_gradient(s, v, norm, s->col_dx + c * len * 3, out->g_dx + (g0 + c) * dim * 3);
            out->g_atom[g0 + c] = s->col_atom[c];
            memset(out->g_d[g0 + c], 0, sizeof out->g_d[0]);
            memset(out->g_dc[g0 + c], 0, sizeof out->g_dc[0]);
        }
        record_centre(out, q, (int)i, g0, ncol);
    }
    if (out->goff) out->goff[out->n] = out->n_grad;
    return AL_OK;
}

al_status desc_soap_compute(desc_soap *s, const al_frame *f, const al_nlist *nl, desc_values *out, al_err *err)
{
    return soap_run(s, f, nl, NULL, NULL, NULL, out, err);
}

al_status desc_soap_contract(desc_soap *s, const al_frame *f, const al_nlist *nl, desc_soap_weight_fn fn, void *user,
                             double *coef, desc_values *out, al_err *err)
{
    return soap_run(s, f, nl, fn, user, coef, out, err);
}
