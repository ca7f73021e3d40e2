/*
 * NPT with the MTK barostat (Martyna, Tobias, Klein, JCP 101, 4177 (1994)), integrated as in
 * Tuckerman, Alejandre, López-Rendón, Jochim, Martyna, J. Phys. A 39, 5629 (2006).
 * With the symmetric cell-velocity matrix v_g (1/fs), mass W per component and N_f particle
 * degrees of freedom:
 *   dr/dt   = v + v_g r
 *   dv/dt   = F/(mC) − (v_g + tr(v_g)/N_f) v − v_ξ v
 *   dh/dt   = v_g h                                   (h: lattice vectors as columns)
 *   W dv_g/dt = G − v_ξb W v_g,   G = Σ m C v⊗v + Ξ − V P_ext 1 + (2K/N_f) 1
 * where Ξ is the potential's virial (eV). The isotropic cell keeps v_g = v_ε 1 and uses
 * tr(G)/3; with W = (N_f + 3) k_B T τ_b²/3 this is MTK's isotropic barostat with mass
 * (N_f + 3) k_B T τ_b². The flexible cell keeps v_g symmetric, so the cell does not rotate.
 * Trotter splitting, per step h:
 *   NHC_b(h/2) NHC_p(h/2) G-kick(h/2) v-kick(h/2) drift(h) F v-kick(h/2) G-kick(h/2)
 *   NHC_p(h/2) NHC_b(h/2)
 * Kick and drift are solved exactly in the eigenbasis of v_g:
 *   ṽ_k ← ṽ_k e^{−μ_k h} + h ã_k e^{−μ_k h/2} sinhc(μ_k h/2),   μ_k = λ_k + tr(v_g)/N_f
 *   r̃_k ← r̃_k e^{λ_k h} + h ṽ_k e^{λ_k h/2} sinhc(λ_k h/2),     cell rows likewise ×e^{λ_k h}.
 * Conserved: K + U + P_ext V + W/2 Σ v_g² + both chains' energies.
 */
#include <math.h>

#include "core/units.h"
#include "engines/md/md_impl.h"

void md__sym3_eig(const double a_in[9], double w[3], double u[9])
{
    double a[9];
    for (int k = 0; k < 9; k++) {
        a[k] = a_in[k];
        u[k] = (k % 4 == 0) ? 1.0 : 0.0;
    }
    for (int sweep = 0; sweep < 50; sweep++) {
        double off = fabs(a[1]) + fabs(a[2]) + fabs(a[5]);
        double scale = fabs(a[0]) + fabs(a[4]) + fabs(a[8]);
        if (off <= 1e-300 || off <= 1e-17 * scale) break;
        for (int p = 0; p < 2; p++)
            for (int q = p + 1; q < 3; q++) {
                double apq = a[3 * p + q];
                if (apq == 0.0) continue;
                /* Rotation that zeroes a_pq (Golub and Van Loan, algorithm 8.4.1). */
                double tau = (a[3 * q + q] - a[3 * p + p]) / (2.0 * apq);
                double t = (tau >= 0 ? 1.0 : -1.0) / (fabs(tau) + sqrt(1.0 + tau * tau));
                double c = 1.0 / sqrt(1.0 + t * t), s = t * c;
                for (int k = 0; k < 3; k++) {   /* a ← a J */
                    double akp = a[3 * k + p], akq = a[3 * k + q];
                    a[3 * k + p] = c * akp - s * akq;
                    a[3 * k + q] = s * akp + c * akq;
                }
                for (int k = 0; k < 3; k++) {   /* a ← Jᵀ a */
                    double apk = a[3 * p + k], aqk = a[3 * q + k];
                    a[3 * p + k] = c * apk - s * aqk;
                    a[3 * q + k] = s * apk + c * aqk;
                }
                for (int k = 0; k < 3; k++) {   /* U ← U J */
                    double ukp = u[3 * k + p], ukq = u[3 * k + q];
                    u[3 * k + p] = c * ukp - s * ukq;
                    u[3 * k + q] = s * ukp + c * ukq;
                }
            }
    }
    for (int k = 0; k < 3; k++) w[k] = a[4 * k];
}

static double sinhc(double x)
{
    return fabs(x) < 1e-4 ? 1.0 + x * x / 6.0 * (1.0 + x * x / 20.0) : sinh(x) / x;
}

static void to_eig(const double u[9], const double x[3], double y[3])
{
    for (int k = 0; k < 3; k++) y[k] = u[k] * x[0] + u[3 + k] * x[1] + u[6 + k] * x[2];
}

static void from_eig(const double u[9], const double y[3], double x[3])
{
    for (int i = 0; i < 3; i++) x[i] = u[3 * i] * y[0] + u[3 * i + 1] * y[1] + u[3 * i + 2] * y[2];
}

double md__baro_kinetic(const md_sys *s)
{
    double e = 0.0;
    for (int k = 0; k < 9; k++) e += s->vg[k] * s->vg[k];
    return 0.5 * s->wg * e;
}

/* v_g += h G / W, with G from the current velocities and virial. */
static void cell_kick(md_sys *s, double h)
{
    double k2[9], g[9];
    double ke = md__kinetic(s, k2);
    double vol = al_frame_volume(&s->f);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            int ab = 3 * a + b, ba = 3 * b + a;
            g[ab] = k2[ab] + 0.5 * (s->virial[ab] + s->virial[ba]);
            if (a == b) g[ab] += 2.0 * ke / s->nf - vol * s->p_ext;
        }
    if (s->o.cell_mode == MD_CELL_ISOTROPIC) {
        double tr = (g[0] + g[4] + g[8]) / 3.0;
        for (int k = 0; k < 9; k++) g[k] = (k % 4 == 0) ? tr : 0.0;
    }
    for (int k = 0; k < 9; k++) s->vg[k] += h * g[k] / s->wg;
}

static void coupled_kick(md_sys *s, const double lam[3], const double u[9], double h)
{
    double tr = lam[0] + lam[1] + lam[2], ek[3], ak[3];
    for (int k = 0; k < 3; k++) {
        double mu = lam[k] + tr / s->nf;
        ek[k] = exp(-mu * h);
        ak[k] = h * exp(-0.5 * mu * h) * sinhc(0.5 * mu * h);
    }
    for (size_t i = 0; i < s->n; i++) {
        double c = 1.0 / (s->mass[i] * AL_AMU_ANG2_FS2_EV), acc[3], vt[3], at[3];
        for (int a = 0; a < 3; a++) acc[a] = c * s->force[i][a];
        to_eig(u, s->f.vel[i], vt);
        to_eig(u, acc, at);
        for (int k = 0; k < 3; k++) vt[k] = vt[k] * ek[k] + ak[k] * at[k];
        from_eig(u, vt, s->f.vel[i]);
    }
}

static void coupled_drift(md_sys *s, const double lam[3], const double u[9], double h)
{
    double er[3], dv[3];
    for (int k = 0; k < 3; k++) {
        er[k] = exp(lam[k] * h);
        dv[k] = h * exp(0.5 * lam[k] * h) * sinhc(0.5 * lam[k] * h);
    }
    for (size_t i = 0; i < s->n; i++) {
        double rt[3], vt[3];
        to_eig(u, s->f.pos[i], rt);
        to_eig(u, s->f.vel[i], vt);
        for (int k = 0; k < 3; k++) rt[k] = rt[k] * er[k] + dv[k] * vt[k];
        from_eig(u, rt, s->f.pos[i]);
    }
    for (int a = 0; a < 3; a++) {
        double ct[3];
        to_eig(u, s->f.cell[a], ct);
        for (int k = 0; k < 3; k++) ct[k] *= er[k];
        from_eig(u, ct, s->f.cell[a]);
    }
}

static void chains_half(md_sys *s, bool baro_first)
{
    double h = 0.5 * s->o.dt;
    int sy = s->o.nh_sy_order, nc = s->o.nh_substeps;
    for (int pass = 0; pass < 2; pass++) {
        if ((pass == 0) == baro_first) {
            double f = md__nhc_half(&s->nhc_b, md__baro_kinetic(s), s->kt, h, sy, nc);
            for (int k = 0; k < 9; k++) s->vg[k] *= f;
        } else {
            double f = md__nhc_half(&s->nhc_p, md__kinetic(s, NULL), s->kt, h, sy, nc);
            for (size_t i = 0; i < s->n; i++)
                for (int a = 0; a < 3; a++) s->f.vel[i][a] *= f;
        }
    }
}

al_status md__step_npt(md_sys *s, al_err *err)
{
    double h = s->o.dt, lam[3], u[9];
    chains_half(s, true);
    cell_kick(s, 0.5 * h);
    md__sym3_eig(s->vg, lam, u);
    coupled_kick(s, lam, u, 0.5 * h);
    coupled_drift(s, lam, u, h);
    AL_TRY(err, md__forces(s, err));
    coupled_kick(s, lam, u, 0.5 * h);
    cell_kick(s, 0.5 * h);
    chains_half(s, false);
    return AL_OK;
}
