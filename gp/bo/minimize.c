/*
 * Box-constrained minimisation for the surrogate's hyperparameters and the acquisition:
 * limited-memory BFGS (Nocedal and Wright, Numerical Optimization, 2nd ed., Springer 2006,
 * algorithm 7.4, memory 6) with the step projected onto the box and Armijo backtracking
 * (sufficient decrease 1e-4 measured along the projected step). Variables sitting on a bound
 * with the gradient pushing outward are frozen for the step; when the quasi-Newton direction
 * is not a descent direction the memory is dropped and steepest descent is used.
 */
#include "gp/bo/bo_impl.h"

#include <math.h>
#include <string.h>

enum { MEM = 6, NMAX = BO_MAX_DIM + 2 };

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

static double dot(size_t n, const double *a, const double *b)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* Two-loop recursion: d = −H g restricted to the free variables. */
static void direction(size_t n, const double *g, const unsigned char *fixed, double s[MEM][NMAX],
                      double y[MEM][NMAX], const double *rho, int m, int head, double *d)
{
    double q[NMAX], a[MEM];
    for (size_t i = 0; i < n; i++) q[i] = fixed[i] ? 0 : -g[i];
    for (int k = 0; k < m; k++) {
        int j = (head - 1 - k + MEM) % MEM;
        a[j] = rho[j] * dot(n, s[j], q);
        for (size_t i = 0; i < n; i++) q[i] -= a[j] * y[j][i];
    }
    if (m > 0) {
        int j = (head - 1 + MEM) % MEM;
        double gamma = dot(n, s[j], y[j]) / dot(n, y[j], y[j]);
        for (size_t i = 0; i < n; i++) q[i] *= gamma;
    }
    for (int k = m - 1; k >= 0; k--) {
        int j = (head - 1 - k + MEM) % MEM;
        double b = rho[j] * dot(n, y[j], q);
        for (size_t i = 0; i < n; i++) q[i] += (a[j] - b) * s[j][i];
    }
    for (size_t i = 0; i < n; i++) d[i] = fixed[i] ? 0 : q[i];
}

double bo__minimize(size_t n, bo__fn f, void *user, const double *lo, const double *hi, double *x,
                    int max_iter)
{
    double s[MEM][NMAX], y[MEM][NMAX], rho[MEM], g[NMAX], gn[NMAX], xn[NMAX], d[NMAX];
    unsigned char fixed[NMAX];
    int m = 0, head = 0;
    for (size_t i = 0; i < n; i++) x[i] = clampd(x[i], lo[i], hi[i]);
    double fx = f(x, g, user);
    if (!isfinite(fx)) return fx;
    for (int it = 0; it < max_iter; it++) {
        double pg = 0;
        for (size_t i = 0; i < n; i++) {
            fixed[i] = (x[i] <= lo[i] && g[i] > 0) || (x[i] >= hi[i] && g[i] < 0);
            if (!fixed[i]) pg = fmax(pg, fabs(g[i]));
        }
        if (pg < 1e-9) break;
        direction(n, g, fixed, s, y, rho, m, head, d);
        if (dot(n, d, g) >= 0) {   /* not a descent direction: restart */
            m = 0;
            for (size_t i = 0; i < n; i++) d[i] = fixed[i] ? 0 : -g[i];
        }
        double t = 1.0, fnew = NAN;
        int accepted = 0;
        for (int ls = 0; ls < 40; ls++, t *= 0.5) {
            for (size_t i = 0; i < n; i++) xn[i] = clampd(x[i] + t * d[i], lo[i], hi[i]);
            double step_dot = 0;
            for (size_t i = 0; i < n; i++) step_dot += g[i] * (xn[i] - x[i]);
            fnew = f(xn, gn, user);
            if (isfinite(fnew) && fnew <= fx + 1e-4 * step_dot) {
                accepted = 1;
                break;
            }
        }
        if (!accepted) break;
        double sy = 0, ss = 0;
        for (size_t i = 0; i < n; i++) {
            s[head][i] = xn[i] - x[i];
            y[head][i] = gn[i] - g[i];
            sy += s[head][i] * y[head][i];
            ss += s[head][i] * s[head][i];
        }
        if (sy > 1e-12 * ss && ss > 0) {   /* curvature condition: keep the pair */
            rho[head] = 1.0 / sy;
            head = (head + 1) % MEM;
            if (m < MEM) m++;
        }
        double change = fx - fnew;
        memcpy(x, xn, n * sizeof *x);
        memcpy(g, gn, n * sizeof *g);
        fx = fnew;
        if (change <= 1e-12 * (1 + fabs(fx))) break;
    }
    return fx;
}
