/*
 * Particle integrators.
 *
 * Velocity Verlet (Swope, Andersen, Berens, Wilson, JCP 76, 637 (1982)):
 *   v ← v + (h/2) a;  r ← r + h v;  F(r);  v ← v + (h/2) a,   a = F / (m C)
 * wrapped, for NVT, in half steps of the Nosé–Hoover chain (md_nhc.c):
 *   exp(iL_NHC h/2) · Verlet(h) · exp(iL_NHC h/2)   (Martyna et al., Mol. Phys. 87, 1117 (1996)).
 *
 * Langevin BAOAB (Leimkuhler and Matthews, Appl. Math. Res. Express 2013, 34):
 *   B: v += (h/2) a;  A: r += (h/2) v;  O: v ← c₁ v + √((1 − c₁²) kT/(m C)) ξ, c₁ = e^{−γh};
 *   A: r += (h/2) v;  F(r);  B: v += (h/2) a
 * The kinetic energy removed by O is summed in `heat`, so E_kin + E_pot + heat is the
 * conserved quantity reported for Langevin runs (it drifts only through discretisation).
 */
#include <math.h>

#include "core/log.h"
#include "core/units.h"
#include "engines/md/md_impl.h"

double md__kinetic(const md_sys *s, double k2[9])
{
    double ke2 = 0.0;
    if (k2)
        for (int a = 0; a < 9; a++) k2[a] = 0.0;
    for (size_t i = 0; i < s->n; i++) {
        const double *v = s->f.vel[i];
        double mc = s->mass[i] * AL_AMU_ANG2_FS2_EV;
        ke2 += mc * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        if (k2)
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) k2[3 * a + b] += mc * v[a] * v[b];
    }
    return 0.5 * ke2;
}

al_status md__forces(md_sys *s, al_err *err)
{
    al_pot_result r = {.forces = s->force, .virial = s->virial};
    r.want_uncertainty = s->want_sigma;
    r.atom_sigma = s->want_sigma ? s->atom_sigma : NULL;
    r.force_sigma_atoms = s->want_sigma ? s->o.force_sigma_atoms : 0;
    double t0 = al_wtime();
    al_status st = al_potential_compute(s->pot, &s->f, &r, err);
    s->force_seconds += al_wtime() - t0;
    s->n_force_calls++;
    if (st) {
        AL_TRACE(err);
        return st;
    }
    if (!isfinite(r.energy))
        return al_fail(err, AL_EINVAL, "md: the potential returned a non-finite energy (%g eV)",
                       r.energy);
    s->epot = r.energy;
    s->has_sigma = s->want_sigma && r.has_uncertainty;
    s->sigma_max = s->has_sigma ? r.sigma_max : 0.0;
    s->force_sigma_max = s->has_sigma ? r.force_sigma_max : 0.0;
    return AL_OK;
}

static void kick(md_sys *s, double h)
{
    for (size_t i = 0; i < s->n; i++) {
        double c = h / (s->mass[i] * AL_AMU_ANG2_FS2_EV);
        for (int a = 0; a < 3; a++) s->f.vel[i][a] += c * s->force[i][a];
    }
}

static void drift(md_sys *s, double h)
{
    for (size_t i = 0; i < s->n; i++)
        for (int a = 0; a < 3; a++) s->f.pos[i][a] += h * s->f.vel[i][a];
}

static void scale_vel(md_sys *s, double f)
{
    for (size_t i = 0; i < s->n; i++)
        for (int a = 0; a < 3; a++) s->f.vel[i][a] *= f;
}

static void thermostat_half(md_sys *s)
{
    double ke = md__kinetic(s, NULL);
    double f = md__nhc_half(&s->nhc_p, ke, s->kt, 0.5 * s->o.dt, s->o.nh_sy_order, s->o.nh_substeps);
    scale_vel(s, f);
}

al_status md__step_verlet(md_sys *s, bool thermostat, al_err *err)
{
    double h = s->o.dt;
    if (thermostat) thermostat_half(s);
    kick(s, 0.5 * h);
    drift(s, h);
    AL_TRY(err, md__forces(s, err));
    kick(s, 0.5 * h);
    if (thermostat) thermostat_half(s);
    return AL_OK;
}

/* O step: exact Ornstein–Uhlenbeck update of the velocities for time h. */
static void ou(md_sys *s, double h)
{
    double gamma = 1.0 / s->o.thermostat_period;
    double c1 = exp(-gamma * h), c2 = sqrt(1.0 - c1 * c1);
    double ke0 = md__kinetic(s, NULL);
    for (size_t i = 0; i < s->n; i++) {
        double sd = c2 * sqrt(s->kt / (s->mass[i] * AL_AMU_ANG2_FS2_EV));
        for (int a = 0; a < 3; a++) s->f.vel[i][a] = c1 * s->f.vel[i][a] + sd * al_rng_normal(&s->rng);
    }
    s->heat += ke0 - md__kinetic(s, NULL);
}

al_status md__step_baoab(md_sys *s, al_err *err)
{
    double h = s->o.dt;
    kick(s, 0.5 * h);
    drift(s, 0.5 * h);
    ou(s, h);
    drift(s, 0.5 * h);
    AL_TRY(err, md__forces(s, err));
    kick(s, 0.5 * h);
    return AL_OK;
}
