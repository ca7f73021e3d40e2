/* Structure factors (see sq.h). */
#include "engines/analysis/sq.h"

#include <complex.h>
#include <math.h>

#include "core/alloc.h"
#include "core/cell.h"

#define PI 3.14159265358979323846

static double sinc(double x) { return fabs(x) < 1e-8 ? 1.0 - x * x / 6.0 : sin(x) / x; }

void an_sk_partial(const an_rdf *g, int a, int b, const double *k, size_t nk, bool lorch, double *out)
{
    int nb = an_rdf_nbins(g);
    double dr = an_rdf_dr(g), r_max = nb * dr, rho = an_rdf_density(g);
    double *gab = al_malloc((size_t)nb * sizeof *gab);
    if (!gab) return;
    an_rdf_partial(g, a, b, gab);
    for (size_t q = 0; q < nk; q++) {
        double s = 0.0;
        for (int i = 0; i < nb; i++) {
            double lo = i * dr, hi = lo + dr, r = an_rdf_r(g, i);
            double shell = 4.0 * PI / 3.0 * (hi * hi * hi - lo * lo * lo);
            double w = lorch ? sinc(PI * r / r_max) : 1.0;
            s += shell * (gab[i] - 1.0) * sinc(k[q] * r) * w;
        }
        out[q] = 1.0 + rho * s;
    }
    al_free(gab);
}

/* Edges of the shell of point i of a tabulated grid (see sq.h). */
static void shell_edges(const double *r, size_t n, size_t i, double *lo, double *hi)
{
    double left = i > 0 ? r[i] - r[i - 1] : (n > 1 ? r[1] - r[0] : 2 * r[0]);
    double right = i + 1 < n ? r[i + 1] - r[i] : left;
    *lo = fmax(0.0, r[i] - 0.5 * left);
    *hi = r[i] + 0.5 * right;
}

void an_sk_tabulated(const double *r, const double *g, size_t n, double rho, const double *k, size_t nk,
                     bool lorch, double *out)
{
    double lo, r_max;
    if (n) shell_edges(r, n, n - 1, &lo, &r_max);
    for (size_t q = 0; q < nk; q++) {
        double s = 0.0;
        for (size_t i = 0; i < n; i++) {
            if (isnan(g[i])) continue;
            double hi;
            shell_edges(r, n, i, &lo, &hi);
            double shell = 4.0 * PI / 3.0 * (hi * hi * hi - lo * lo * lo);
            double w = lorch ? sinc(PI * r[i] / r_max) : 1.0;
            s += shell * (g[i] - 1.0) * sinc(k[q] * r[i]) * w;
        }
        out[q] = 1.0 + rho * s;
    }
}

al_status an_sk_bhatia_thornton(const an_rdf *g, const double *k, size_t nk, bool lorch,
                                double *s_nn, double *s_nc, double *s_cc, al_err *err)
{
    if (an_rdf_n_species(g) != 2)
        return al_fail(err, AL_EINVAL, "Bhatia-Thornton factors need exactly 2 species, the trajectory has %d",
                       an_rdf_n_species(g));
    double c1, c2;
    an_rdf_species(g, 0, &c1);
    an_rdf_species(g, 1, &c2);
    double *s = al_malloc(3 * nk * sizeof *s);
    if (!s) return al_fail(err, AL_ENOMEM, "out of memory");
    an_sk_partial(g, 0, 0, k, nk, lorch, s);
    an_sk_partial(g, 1, 1, k, nk, lorch, s + nk);
    an_sk_partial(g, 0, 1, k, nk, lorch, s + 2 * nk);
    for (size_t q = 0; q < nk; q++) {
        double s11 = s[q], s22 = s[nk + q], s12 = s[2 * nk + q];
        s_nn[q] = c1 * c1 * s11 + c2 * c2 * s22 + 2 * c1 * c2 * s12;
        s_nc[q] = c1 * c2 * (c1 * (s11 - s12) - c2 * (s22 - s12));
        s_cc[q] = c1 * c2 * (1.0 + c1 * c2 * (s11 + s22 - 2 * s12));
    }
    al_free(s);
    return AL_OK;
}

/*
 * Scattering data for the elements of the example campaigns. Neutron coherent lengths (fm):
 * V. F. Sears, Neutron News 3, 26 (1992), as updated in the NIST table. X-ray form factors:
 * f(s) = Σ_{i=1..5} a_i exp(−b_i s²) + c with s = k/(4π) in Å⁻¹, coefficients of D. Waasmaier
 * and A. Kirfel, Acta Cryst. A51, 416 (1995), the five-Gaussian refinement of the International
 * Tables (Vol. C, Table 6.1.1.4) parametrisation.
 */
typedef struct scat_row {
    int z;
    double b_fm;
    double a[5], b[5], c;
} scat_row;

static const scat_row scattering[] = {
    {8, 5.805, {2.960427, 2.508818, 0.637853, 0.722838, 1.142756},
     {14.182259, 5.936858, 0.112726, 34.958481, 0.390240}, 0.027014},
    {11, 3.63, {4.910127, 3.081783, 1.262067, 1.098938, 0.560991},
     {3.281434, 9.119178, 0.102763, 132.013947, 0.405878}, 0.079712},
    {14, 4.15071, {5.275329, 3.191038, 1.511514, 1.356849, 2.519114},
     {2.631338, 33.730728, 0.081119, 86.288643, 1.170087}, 0.145073},
    {15, 5.13, {1.950541, 4.146930, 1.494560, 1.522042, 5.729711},
     {0.908139, 27.044952, 0.071280, 67.520187, 1.981173}, 0.155233},
    {23, -0.443, {10.473575, 1.547881, 1.986381, 1.865616, 7.056250},
     {7.081940, 0.026040, 31.909672, 108.022842, 0.474882}, 0.067744},
    {32, 8.185, {16.540613, 1.567900, 3.727829, 3.345098, 6.785079},
     {2.866618, 0.012198, 13.432163, 58.866047, 0.210974}, 0.018726},
    {34, 7.97, {17.354071, 4.653248, 4.259489, 4.136455, 6.749163},
     {2.349787, 0.002550, 15.579460, 45.181202, 0.177432}, -3.160982},
};
enum { N_SCATTERING = sizeof scattering / sizeof scattering[0] };

static const scat_row *scat_find(int z)
{
    for (int i = 0; i < N_SCATTERING; i++)
        if (scattering[i].z == z) return &scattering[i];
    return NULL;
}

al_status an_neutron_length(int z, double *b_fm, al_err *err)
{
    const scat_row *s = scat_find(z);
    if (!s) return al_fail(err, AL_ENOTFOUND, "no neutron scattering length tabulated for Z=%d", z);
    *b_fm = s->b_fm;
    return AL_OK;
}

al_status an_xray_form_factor(int z, double k, double *f, al_err *err)
{
    const scat_row *s = scat_find(z);
    if (!s) return al_fail(err, AL_ENOTFOUND, "no X-ray form factor tabulated for Z=%d", z);
    double s2 = (k / (4.0 * PI)) * (k / (4.0 * PI)), v = s->c;
    for (int i = 0; i < 5; i++) v += s->a[i] * exp(-s->b[i] * s2);
    *f = v;
    return AL_OK;
}

al_status an_sk_total(const an_rdf *g, const double *k, size_t nk, bool lorch, bool xray, double *out,
                      al_err *err)
{
    int ns = an_rdf_n_species(g);
    double *sab = al_malloc(nk * sizeof *sab);
    if (!sab) return al_fail(err, AL_ENOMEM, "out of memory");
    for (size_t q = 0; q < nk; q++) out[q] = 0.0;
    al_status st = AL_OK;
    for (int a = 0; a < ns && !st; a++)
        for (int b = 0; b < ns && !st; b++) {
            double ca, cb, wa = 0, wb = 0;
            int za = an_rdf_species(g, a, &ca), zb = an_rdf_species(g, b, &cb);
            an_sk_partial(g, a, b, k, nk, lorch, sab);
            for (size_t q = 0; q < nk && !st; q++) {
                if (xray) {
                    if (!(st = an_xray_form_factor(za, k[q], &wa, err))) st = an_xray_form_factor(zb, k[q], &wb, err);
                } else if (!(st = an_neutron_length(za, &wa, err))) {
                    st = an_neutron_length(zb, &wb, err);
                }
                out[q] += ca * cb * wa * wb * (sab[q] - 1.0);
            }
        }
    for (size_t q = 0; q < nk && !st; q++) {
        double mean = 0.0, c, w = 0.0;
        for (int a = 0; a < ns && !st; a++) {
            int z = an_rdf_species(g, a, &c);
            st = xray ? an_xray_form_factor(z, k[q], &w, err) : an_neutron_length(z, &w, err);
            mean += c * w;
        }
        out[q] = 1.0 + out[q] / (mean * mean);
    }
    al_free(sab);
    return st;
}

double an_sq_direct(const al_frame *f, const int hkl[3], double *q_norm)
{
    double inv[3][3], q[3];
    al_mat3_inv(f->cell, inv, NULL);
    /* Reciprocal vectors b_j are the columns of 2π·inv (r·b_j = 2π s_j). */
    for (int a = 0; a < 3; a++) q[a] = 2 * PI * (hkl[0] * inv[a][0] + hkl[1] * inv[a][1] + hkl[2] * inv[a][2]);
    double complex sum = 0;
    for (size_t i = 0; i < f->n_atoms; i++) {
        double ph = q[0] * f->pos[i][0] + q[1] * f->pos[i][1] + q[2] * f->pos[i][2];
        sum += cexp(I * ph);
    }
    if (q_norm) *q_norm = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
    return creal(sum * conj(sum)) / (double)f->n_atoms;
}
