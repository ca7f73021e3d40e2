/*
 * Options, validation and initial state of an MD run: defaults, name parsing, checks with
 * messages that name the bad value, masses from the periodic table, and seeded
 * Maxwell–Boltzmann velocities v_iα ~ N(0, k_B T/(m_i C)) with the centre-of-mass momentum
 * removed and the kinetic temperature rescaled to exactly T over N_f = 3N − 3 degrees of
 * freedom (3N for Langevin, which does not conserve momentum).
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/units.h"
#include "engines/md/md_impl.h"

md_opts md_opts_default(void)
{
    return (md_opts){.dt = 1.0, .ensemble = MD_NVT, .thermostat = MD_NOSE_HOOVER,
                     .cell_mode = MD_CELL_ISOTROPIC, .thermostat_period = 100.0, .nh_chain = 3,
                     .nh_sy_order = 3, .nh_substeps = 1, .barostat_period = 1000.0, .seed = 1,
                     .check_every = 10, .traj_stride = 1, .log_stride = 1, .observe_every = 1};
}

static al_status parse_name(const char *s, const char *what, const char *const *names, int n,
                            int *out, al_err *err)
{
    for (int k = 0; k < n; k++)
        if (s && strcmp(s, names[k]) == 0) {
            *out = k;
            return AL_OK;
        }
    char list[128] = "";
    for (int k = 0; k < n; k++) {
        strcat(list, names[k]);
        if (k + 1 < n) strcat(list, ", ");
    }
    return al_fail(err, AL_EINVAL, "md: unknown %s '%s' (expected %s)", what, s ? s : "(null)", list);
}

al_status md_ensemble_parse(const char *s, md_ensemble *out, al_err *err)
{
    static const char *const names[] = {"nve", "nvt", "npt"};
    int k = 0;
    AL_TRY(err, parse_name(s, "ensemble", names, 3, &k, err));
    *out = (md_ensemble)k;
    return AL_OK;
}

al_status md_thermostat_parse(const char *s, md_thermostat *out, al_err *err)
{
    static const char *const names[] = {"nose-hoover", "langevin"};
    int k = 0;
    AL_TRY(err, parse_name(s, "thermostat", names, 2, &k, err));
    *out = (md_thermostat)k;
    return AL_OK;
}

al_status md_cell_mode_parse(const char *s, md_cell_mode *out, al_err *err)
{
    static const char *const names[] = {"iso", "flex"};
    int k = 0;
    AL_TRY(err, parse_name(s, "cell mode", names, 2, &k, err));
    *out = (md_cell_mode)k;
    return AL_OK;
}

const char *md_stop_name(md_stop s)
{
    switch (s) {
    case MD_STOP_NONE: return "completed";
    case MD_STOP_UNCERTAINTY: return "uncertainty";
    case MD_STOP_MIN_DISTANCE: return "min_distance";
    case MD_STOP_ENERGY_JUMP: return "energy_jump";
    }
    return "unknown";
}

static al_status check_segments(const md_opts *o, al_err *err)
{
    if (!o->segments || o->n_segments == 0)
        return al_fail(err, AL_EINVAL, "md: the schedule has no segments");
    for (size_t k = 0; k < o->n_segments; k++) {
        const md_segment *g = &o->segments[k];
        if (!(g->duration > 0) || !isfinite(g->duration))
            return al_fail(err, AL_EINVAL, "md: segment %zu: duration must be > 0 fs (got %g)", k + 1,
                           g->duration);
        if (!(g->t_start > 0) || !(g->t_end > 0) || !isfinite(g->t_start) || !isfinite(g->t_end))
            return al_fail(err, AL_EINVAL, "md: segment %zu: temperatures must be > 0 K (got %g to %g)",
                           k + 1, g->t_start, g->t_end);
        if (!isfinite(g->pressure))
            return al_fail(err, AL_EINVAL, "md: segment %zu: pressure %g GPa is not finite", k + 1,
                           g->pressure);
        if (g->sample_every < 0)
            return al_fail(err, AL_EINVAL, "md: segment %zu: sample_every must be >= 0 (got %ld)", k + 1,
                           g->sample_every);
        if (g->duration / o->dt > 1e12)
            return al_fail(err, AL_EINVAL, "md: segment %zu: %g fs is too many steps of %g fs", k + 1,
                           g->duration, o->dt);
    }
    return AL_OK;
}

al_status md_opts_check(const md_opts *o, al_err *err)
{
    if (!(o->dt > 0) || !isfinite(o->dt))
        return al_fail(err, AL_EINVAL, "md: timestep must be > 0 fs (got %g)", o->dt);
    if ((unsigned)o->ensemble > MD_NPT)
        return al_fail(err, AL_EINVAL, "md: unknown ensemble %d (expected nve, nvt or npt)", (int)o->ensemble);
    if ((unsigned)o->thermostat > MD_LANGEVIN)
        return al_fail(err, AL_EINVAL, "md: unknown thermostat %d (expected nose-hoover or langevin)",
                       (int)o->thermostat);
    if ((unsigned)o->cell_mode > MD_CELL_FLEXIBLE)
        return al_fail(err, AL_EINVAL, "md: unknown cell mode %d (expected iso or flex)", (int)o->cell_mode);
    if (o->ensemble == MD_NPT && o->thermostat == MD_LANGEVIN)
        return al_fail(err, AL_EINVAL, "md: npt runs with the nose-hoover thermostat, not langevin");
    if (o->ensemble != MD_NVE && !(o->thermostat_period > 0))
        return al_fail(err, AL_EINVAL, "md: thermostat period must be > 0 fs (got %g)", o->thermostat_period);
    if (o->ensemble == MD_NPT && !(o->barostat_period > 0))
        return al_fail(err, AL_EINVAL, "md: barostat period must be > 0 fs (got %g)", o->barostat_period);
    if (o->nh_chain < 1 || o->nh_chain > MD_MAX_CHAIN)
        return al_fail(err, AL_EINVAL, "md: Nose-Hoover chain length must be 1..%d (got %d)", MD_MAX_CHAIN,
                       o->nh_chain);
    if (o->nh_sy_order != 1 && o->nh_sy_order != 3 && o->nh_sy_order != 5)
        return al_fail(err, AL_EINVAL, "md: Suzuki-Yoshida order must be 1, 3 or 5 (got %d)", o->nh_sy_order);
    if (o->nh_substeps < 1)
        return al_fail(err, AL_EINVAL, "md: Nose-Hoover substeps must be >= 1 (got %d)", o->nh_substeps);
    if (o->check_every < 1)
        return al_fail(err, AL_EINVAL, "md: check_every must be >= 1 step (got %ld)", o->check_every);
    if (o->sigma_lo < 0 || o->sigma_hi < 0 || (o->sigma_hi > 0 && o->sigma_hi < o->sigma_lo))
        return al_fail(err, AL_EINVAL, "md: uncertainty window [%g, %g] eV is not valid", o->sigma_lo,
                       o->sigma_hi);
    if (o->min_distance < 0 || o->max_energy_jump < 0)
        return al_fail(err, AL_EINVAL, "md: min_distance (%g Å) and max_energy_jump (%g eV/atom) must be >= 0",
                       o->min_distance, o->max_energy_jump);
    if ((o->traj && o->traj_stride < 1) || (o->log && o->log_stride < 1) ||
        (o->observe && o->observe_every < 1))
        return al_fail(err, AL_EINVAL, "md: output strides must be >= 1 (trajectory %ld, log %ld, observer %ld)",
                       o->traj_stride, o->log_stride, o->observe_every);
    return check_segments(o, err);
}

/* Copies the start frame and allocates per-atom arrays; checks species, cell and positions. */
al_status md__sys_init(md_sys *s, const md_opts *o, const al_frame *start, const al_potential *pot,
                       al_err *err)
{
    memset(s, 0, sizeof *s);
    al_frame_init(&s->f);
    s->o = *o;
    s->pot = pot;
    if (start->n_atoms == 0) return al_fail(err, AL_EINVAL, "md: the start structure has no atoms");
    if (o->ensemble == MD_NPT && (!start->pbc[0] || !start->pbc[1] || !start->pbc[2] ||
                                  !(al_frame_volume(start) > 0)))
        return al_fail(err, AL_EINVAL, "md: npt needs a periodic cell in all three directions");
    AL_TRY(err, al_frame_copy(&s->f, start, err));
    al_frame_clear_labels(&s->f);
    /* The start frame's info and extra columns describe it, not the MD frames made from it. */
    al_info_fini(&s->f.info);
    while (s->f.n_props > 0) al_frame_remove_prop(&s->f, s->f.props[0].name);
    AL_TRY(err, al_frame_alloc_vel(&s->f, err));
    s->n = start->n_atoms;
    s->mass = al_calloc(s->n, sizeof *s->mass);
    s->force = al_calloc(s->n, sizeof *s->force);
    s->atom_sigma = al_calloc(s->n, sizeof *s->atom_sigma);
    if (!s->mass || !s->force || !s->atom_sigma) return al_fail(err, AL_ENOMEM, "md: out of memory");
    for (size_t i = 0; i < s->n; i++) {
        s->mass[i] = al_element_mass(start->z[i]);
        if (!(s->mass[i] > 0))
            return al_fail(err, AL_EINVAL, "md: atom %zu has atomic number %d with no known mass", i + 1,
                           start->z[i]);
        for (int a = 0; a < 3; a++)
            if (!isfinite(start->pos[i][a]))
                return al_fail(err, AL_EINVAL, "md: atom %zu has a non-finite position", i + 1);
    }
    bool langevin = o->ensemble == MD_NVT && o->thermostat == MD_LANGEVIN;
    s->nf = langevin || s->n == 1 ? 3.0 * (double)s->n : 3.0 * (double)s->n - 3.0;
    al_rng_seed(&s->rng, o->seed, o->replica);
    return AL_OK;
}

void md__sys_fini(md_sys *s)
{
    al_frame_fini(&s->f);
    al_free(s->mass);
    al_free(s->force);
    al_free(s->atom_sigma);
}

/* Maxwell–Boltzmann draw at temperature t (K), zero momentum, rescaled to exactly t. */
void md__init_velocities(md_sys *s, double t)
{
    double kt = AL_BOLTZMANN_EV * t, p[3] = {0, 0, 0}, mtot = 0.0;
    for (size_t i = 0; i < s->n; i++) {
        double sd = sqrt(kt / (s->mass[i] * AL_AMU_ANG2_FS2_EV));
        for (int a = 0; a < 3; a++) {
            s->f.vel[i][a] = sd * al_rng_normal(&s->rng);
            p[a] += s->mass[i] * s->f.vel[i][a];
        }
        mtot += s->mass[i];
    }
    if (s->n > 1)
        for (size_t i = 0; i < s->n; i++)
            for (int a = 0; a < 3; a++) s->f.vel[i][a] -= p[a] / mtot;
    double ke = md__kinetic(s, NULL);
    double f = ke > 0 ? sqrt(0.5 * s->nf * kt / ke) : 0.0;
    for (size_t i = 0; i < s->n; i++)
        for (int a = 0; a < 3; a++) s->f.vel[i][a] *= f;
}
