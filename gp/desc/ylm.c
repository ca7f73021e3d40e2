/*
 * Real solid harmonics by recursion, carried with their gradients (forward differentiation
 * through each product), then scaled to orthonormal spherical harmonics (see ylm.h).
 */
#include "gp/desc/ylm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct dual {
    double v, g[3];
} dual;

static dual dual_lin(double a, dual p, double b, dual q)
{
    dual r = {a * p.v + b * q.v, {a * p.g[0] + b * q.g[0], a * p.g[1] + b * q.g[1], a * p.g[2] + b * q.g[2]}};
    return r;
}

/* coordinate c (0 x, 1 y, 2 z) times s */
static dual times_coord(const double d[3], int c, dual s)
{
    dual r = {d[c] * s.v, {d[c] * s.g[0], d[c] * s.g[1], d[c] * s.g[2]}};
    r.g[c] += s.v;
    return r;
}

/* r² times s */
static dual times_r2(const double d[3], double r2, dual s)
{
    dual r = {r2 * s.v, {0, 0, 0}};
    for (int c = 0; c < 3; c++) r.g[c] = r2 * s.g[c] + 2.0 * d[c] * s.v;
    return r;
}

enum { MAX_L = 24 };

void desc_ylm(int l_max, const double d[3], double *y, double *grad)
{
    static const double four_pi = 4.0 * 3.14159265358979323846;
    dual s[(MAX_L + 2) * (MAX_L + 2)];
    double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
#define S(l, m) s[(l) * (l) + (l) + (m)]
    S(0, 0) = (dual){1.0, {0, 0, 0}};
    for (int l = 0; l < l_max; l++) {
        double f = sqrt((l == 0 ? 2.0 : 1.0) * (2 * l + 1) / (2.0 * l + 2));
        dual xs = times_coord(d, 0, S(l, l)), ys = times_coord(d, 1, S(l, l));
        dual xm = times_coord(d, 0, S(l, -l)), ym = times_coord(d, 1, S(l, -l));
        S(l + 1, l + 1) = dual_lin(f, xs, l == 0 ? 0.0 : -f, ym);
        S(l + 1, -l - 1) = dual_lin(f, ys, l == 0 ? 0.0 : f, xm);
        for (int m = -l; m <= l; m++) {
            double den = sqrt((double)(l + m + 1) * (l - m + 1));
            dual zs = times_coord(d, 2, S(l, m));
            if (abs(m) <= l - 1) {
                dual r2s = times_r2(d, r2, S(l - 1, m));
                S(l + 1, m) = dual_lin((2 * l + 1) / den, zs, -sqrt((double)(l + m) * (l - m)) / den, r2s);
            } else {
                S(l + 1, m) = dual_lin((2 * l + 1) / den, zs, 0.0, zs);
            }
        }
    }
    /* Y = sqrt((2l+1)/4π) S / r^l, and ∇Y = sqrt((2l+1)/4π) (∇S / r^l − l S d / r^{l+2}). */
    double r = sqrt(r2);
    for (int l = 0; l <= l_max; l++) {
        double norm = sqrt((2 * l + 1) / four_pi), rl = pow(r, l);
        for (int m = -l; m <= l; m++) {
            int idx = l * l + l + m;
            y[idx] = norm * S(l, m).v / rl;
            if (grad)
                for (int c = 0; c < 3; c++)
                    grad[3 * idx + c] = norm * (S(l, m).g[c] / rl - l * S(l, m).v * d[c] / (rl * r2));
        }
    }
#undef S
}
