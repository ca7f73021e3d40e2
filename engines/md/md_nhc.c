/*
 * Nosé–Hoover chains (Martyna, Klein, Tuckerman, JCP 97, 2635 (1992)):
 *   dv/dt  += −v_ξ1 v
 *   dv_ξ1/dt = G₁ − v_ξ2 v_ξ1,  G₁ = (2K − N_f k_B T)/Q₁
 *   dv_ξj/dt = G_j − v_ξj+1 v_ξj, G_j = (Q_{j−1} v_ξj−1² − k_B T)/Q_j,  dv_ξM/dt = G_M
 * with Q₁ = N_f k_B T τ² and Q_j = k_B T τ². The chain operator exp(iL_NHC h) is factorised
 * with Suzuki–Yoshida weights and n_c multiple steps as in Martyna, Tuckerman, Tobias, Klein,
 * Mol. Phys. 87, 1117 (1996), section 4; the velocities coupled to the chain are scaled by one
 * factor returned to the caller. Conserved contribution: Σ Q_j v_ξj²/2 + N_f kT ξ₁ + kT Σ ξ_j.
 */
#include <math.h>

#include "engines/md/md_impl.h"

void md__nhc_masses(md_nhc *c, double kt, double tau)
{
    for (int j = 0; j < c->m; j++) c->q[j] = (j == 0 ? c->nf : 1.0) * kt * tau * tau;
}

static int sy_weights(int order, double w[5])
{
    if (order == 3) {
        w[0] = w[2] = 1.0 / (2.0 - cbrt(2.0));
        w[1] = 1.0 - 2.0 * w[0];
        return 3;
    }
    if (order == 5) {
        w[0] = w[1] = w[3] = w[4] = 1.0 / (4.0 - cbrt(4.0));
        w[2] = 1.0 - 4.0 * w[0];
        return 5;
    }
    w[0] = 1.0;
    return 1;
}

/* Force on thermostat j given the (scaled) coupled kinetic energy. */
static double force_on(const md_nhc *c, int j, double ke, double kt)
{
    if (j == 0) return (2.0 * ke - c->nf * kt) / c->q[0];
    return (c->q[j - 1] * c->v[j - 1] * c->v[j - 1] - kt) / c->q[j];
}

/* exp(iL_NHC d): kicks from the chain's end to its start, scaling, drift, kicks back. */
static double chain_step(md_nhc *c, double ke, double kt, double d)
{
    int m = c->m;
    c->v[m - 1] += 0.5 * d * force_on(c, m - 1, ke, kt);
    for (int j = m - 2; j >= 0; j--) {
        double e = exp(-0.25 * d * c->v[j + 1]);
        c->v[j] = (c->v[j] * e + 0.5 * d * force_on(c, j, ke, kt)) * e;
    }
    double scale = exp(-d * c->v[0]);
    ke *= scale * scale;
    for (int j = 0; j < m; j++) c->eta[j] += d * c->v[j];
    for (int j = 0; j < m - 1; j++) {
        double e = exp(-0.25 * d * c->v[j + 1]);
        c->v[j] = (c->v[j] * e + 0.5 * d * force_on(c, j, ke, kt)) * e;
    }
    c->v[m - 1] += 0.5 * d * force_on(c, m - 1, ke, kt);
    return scale;
}

double md__nhc_half(md_nhc *c, double ke, double kt, double h, int sy_order, int substeps)
{
    double w[5], total = 1.0;
    int nw = sy_weights(sy_order, w);
    for (int k = 0; k < nw; k++)
        for (int n = 0; n < substeps; n++) {
            double s = chain_step(c, ke, kt, w[k] * h / substeps);
            ke *= s * s;
            total *= s;
        }
    return total;
}

double md__nhc_energy(const md_nhc *c, double kt)
{
    double e = 0.0;
    for (int j = 0; j < c->m; j++)
        e += 0.5 * c->q[j] * c->v[j] * c->v[j] + (j == 0 ? c->nf : 1.0) * kt * c->eta[j];
    return e;
}
