/*
 * Reciprocal-space form factors of GTH/HGH pseudopotentials (formulas and normalisation in
 * gth.h). Local part: Goedecker, Teter and Hutter, PRB 54, 1703 (1996), eq. 5. Projectors:
 * Hartwigsen, Goedecker and Hutter, PRB 58, 3641 (1998), eqs. 3–4, here obtained from the
 * Gaussian Hankel transform
 *   ∫ r^{l+2} e^{−a r²} j_l(qr) dr = √π q^l e^{−q²/4a} / (2^{l+2} a^{l+3/2})
 * and its derivatives with respect to −a (each brings down a factor r²), which give the
 * projectors i = 1, 2, 3 (r^{l+2(i−1)}) as polynomials in t = q² r_l²/2:
 *   f_1 ∝ a^{−ν} e^{−t},  f_2 ∝ a^{−ν−1} e^{−t} (ν − t),
 *   f_3 ∝ a^{−ν−2} e^{−t} (ν(ν+1) − 2(ν+1) t + t²),  ν = l + 3/2, a = 1/(2 r_l²).
 */
#include <math.h>

#include "engines/dft/gth.h"

#define PI 3.14159265358979323846

/* S(t) of the local short-range part and its derivative dS/dt (gth.h). */
static void local_poly(const pw_gth *p, double t, double *s, double *ds)
{
    const double *c = p->c;
    *s = c[0] + c[1] * (3 - 2 * t) + c[2] * (15 - 20 * t + 4 * t * t) +
         c[3] * (105 - 210 * t + 84 * t * t - 8 * t * t * t);
    *ds = -2 * c[1] + c[2] * (-20 + 8 * t) + c[3] * (-210 + 168 * t - 24 * t * t);
}

double pw_gth_vloc_q(const pw_gth *p, double q)
{
    double rl = p->rloc, t = 0.5 * q * q * rl * rl, e = exp(-t), s, ds;
    local_poly(p, t, &s, &ds);
    return -4 * PI * p->zion * e / (q * q) + pow(2 * PI, 1.5) * rl * rl * rl * e * s;
}

double pw_gth_vloc_dq(const pw_gth *p, double q)
{
    double rl = p->rloc, t = 0.5 * q * q * rl * rl, e = exp(-t), s, ds;
    local_poly(p, t, &s, &ds);
    double coul = 4 * PI * p->zion * e * (rl * rl / q + 2 / (q * q * q));
    return coul + pow(2 * PI, 1.5) * rl * rl * rl * e * q * rl * rl * (ds - s);
}

double pw_gth_vloc_g0(const pw_gth *p)
{
    double rl = p->rloc;
    const double *c = p->c;
    return 2 * PI * p->zion * rl * rl +
           pow(2 * PI, 1.5) * rl * rl * rl * (c[0] + 3 * c[1] + 15 * c[2] + 105 * c[3]);
}

/* Polynomial P_i(t) of the projector form factor and dP/dt (see the file comment). */
static void proj_poly(int l, int i, double t, double *pp, double *dp)
{
    double nu = l + 1.5;
    switch (i) {
    case 0: *pp = 1; *dp = 0; break;
    case 1: *pp = nu - t; *dp = -1; break;
    default:
        *pp = nu * (nu + 1) - 2 * (nu + 1) * t + t * t;
        *dp = -2 * (nu + 1) + 2 * t;
        break;
    }
}

/*
 * Constant in front of q^l e^{−t} P_i(t): 4π · N_li · √π / (2^{l+2} a^{ν+i}), with the HGH
 * normalisation N_li = √2 / (r_l^{l+(4i+3)/2} √Γ(l+(4i+3)/2)) for 0-based i.
 */
static double proj_prefactor(double r, int l, int i)
{
    double e = l + (4 * i + 3) / 2.0;
    double norm = sqrt(2.0) / (pow(r, e) * sqrt(tgamma(e)));
    double a = 1 / (2 * r * r);
    return 4 * PI * norm * sqrt(PI) / (pow(2.0, l + 2) * pow(a, l + 1.5 + i));
}

double pw_gth_proj_q(const pw_gth *p, int l, int i, double q)
{
    double r = p->r[l], t = 0.5 * q * q * r * r, pp, dp;
    proj_poly(l, i, t, &pp, &dp);
    return proj_prefactor(r, l, i) * pow(q, l) * exp(-t) * pp;
}

double pw_gth_proj_dq(const pw_gth *p, int l, int i, double q)
{
    double r = p->r[l], t = 0.5 * q * q * r * r, pp, dp;
    proj_poly(l, i, t, &pp, &dp);
    double ql1 = l == 0 ? 0 : l * pow(q, l - 1); /* d q^l / dq */
    double val = ql1 * pp + pow(q, l) * q * r * r * (dp - pp);
    return proj_prefactor(r, l, i) * exp(-t) * val;
}

int pw_gth_nproj_total(const pw_gth *p)
{
    int n = 0;
    for (int l = 0; l < p->n_l; l++) n += (2 * l + 1) * p->n_proj[l];
    return n;
}
