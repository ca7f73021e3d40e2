/*
 * Real spherical harmonics for l ≤ 3 as homogeneous polynomials over r^l (convention and
 * normalisation in ylm_real.h; e.g. Blanco, Flórez and Bermejo, J. Mol. Struct. THEOCHEM
 * 419, 19 (1997), without the Condon–Shortley phase). Gradient with respect to v:
 *   ∇[P(v)/r^l] = ∇P/r^l − l P v / r^{l+2}.
 */
#include <math.h>
#include <string.h>

#include "engines/dft/ylm_real.h"

#define PI 3.14159265358979323846

/* Polynomial parts P_m(v) and their gradients, for m = −l..l. */
static void poly(int l, const double v[3], double *pv, double (*g)[3])
{
    double x = v[0], y = v[1], z = v[2], r2 = x * x + y * y + z * z;
    memset(g, 0, sizeof(double[3]) * (size_t)(2 * l + 1));
    switch (l) {
    case 0:
        pv[0] = 0.5 / sqrt(PI);
        break;
    case 1: {
        double c = sqrt(3 / (4 * PI));
        pv[0] = c * y; g[0][1] = c;
        pv[1] = c * z; g[1][2] = c;
        pv[2] = c * x; g[2][0] = c;
        break;
    }
    case 2: {
        double c = sqrt(15 / (4 * PI)), c0 = sqrt(5 / (16 * PI));
        pv[0] = c * x * y; g[0][0] = c * y; g[0][1] = c * x;
        pv[1] = c * y * z; g[1][1] = c * z; g[1][2] = c * y;
        pv[2] = c0 * (3 * z * z - r2);
        g[2][0] = -2 * c0 * x; g[2][1] = -2 * c0 * y; g[2][2] = 4 * c0 * z;
        pv[3] = c * x * z; g[3][0] = c * z; g[3][2] = c * x;
        pv[4] = 0.5 * c * (x * x - y * y); g[4][0] = c * x; g[4][1] = -c * y;
        break;
    }
    default: {
        double a = sqrt(35 / (32 * PI)), b = sqrt(105 / (4 * PI)), c = sqrt(21 / (32 * PI));
        double d = sqrt(7 / (16 * PI)), e = sqrt(105 / (16 * PI));
        pv[0] = a * y * (3 * x * x - y * y);
        g[0][0] = 6 * a * x * y; g[0][1] = a * (3 * x * x - 3 * y * y);
        pv[1] = b * x * y * z;
        g[1][0] = b * y * z; g[1][1] = b * x * z; g[1][2] = b * x * y;
        pv[2] = c * y * (4 * z * z - x * x - y * y);
        g[2][0] = -2 * c * x * y; g[2][1] = c * (4 * z * z - x * x - 3 * y * y);
        g[2][2] = 8 * c * y * z;
        pv[3] = d * z * (2 * z * z - 3 * x * x - 3 * y * y);
        g[3][0] = -6 * d * x * z; g[3][1] = -6 * d * y * z;
        g[3][2] = d * (6 * z * z - 3 * x * x - 3 * y * y);
        pv[4] = c * x * (4 * z * z - x * x - y * y);
        g[4][0] = c * (4 * z * z - 3 * x * x - y * y); g[4][1] = -2 * c * x * y;
        g[4][2] = 8 * c * x * z;
        pv[5] = e * z * (x * x - y * y);
        g[5][0] = 2 * e * x * z; g[5][1] = -2 * e * y * z; g[5][2] = e * (x * x - y * y);
        pv[6] = a * x * (x * x - 3 * y * y);
        g[6][0] = a * (3 * x * x - 3 * y * y); g[6][1] = -6 * a * x * y;
        break;
    }
    }
}

void pw_ylm_real_grad(int l, const double v[3], double *out, double (*grad)[3])
{
    double pv[7], g[7][3];
    double r2 = v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
    int nm = 2 * l + 1;
    if (r2 == 0 || l == 0) {
        for (int m = 0; m < nm; m++) out[m] = l == 0 ? 0.5 / sqrt(PI) : 0;
        if (grad) memset(grad, 0, sizeof(double[3]) * (size_t)nm);
        return;
    }
    poly(l, v, pv, g);
    double r = sqrt(r2), rl = pow(r, l);
    for (int m = 0; m < nm; m++) {
        out[m] = pv[m] / rl;
        if (grad)
            for (int a = 0; a < 3; a++) grad[m][a] = g[m][a] / rl - l * pv[m] * v[a] / (rl * r2);
    }
}

void pw_ylm_real(int l, const double v[3], double *out)
{
    pw_ylm_real_grad(l, v, out, NULL);
}
