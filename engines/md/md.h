/*
 * Molecular dynamics for exploration: a trajectory driven by any al_potential through a
 * temperature (and pressure) schedule, with an uncertainty watch that emits candidate frames
 * and stops runs that leave the model's domain.
 *
 * Ensembles and integrators (engines/md/md_step.c, md_nhc.c, md_baro.c):
 *   NVE  velocity Verlet (Swope et al., JCP 76, 637 (1982)).
 *   NVT  Nosé–Hoover chains (Martyna, Klein, Tuckerman, JCP 97, 2635 (1992)), integrated with
 *        the Suzuki–Yoshida factorisation of Martyna et al., Mol. Phys. 87, 1117 (1996); or
 *        Langevin dynamics with the BAOAB splitting (Leimkuhler and Matthews, Appl. Math. Res.
 *        Express 2013, 34 (2013)).
 *   NPT  MTK barostat (Martyna, Tobias, Klein, JCP 101, 4177 (1994)) with the reversible
 *        integrator of Tuckerman et al., J. Phys. A 39, 5629 (2006); isotropic or flexible
 *        (symmetric cell-velocity matrix, no rotation) cell; Nosé–Hoover chains on particles
 *        and on the barostat.
 *
 * Units: time fs, temperature K, energy eV, length Å, mass amu (from core/elements.h),
 * velocity Å/fs, pressure GPa. Uncertainty is the potential's sigma_max (eV, largest per-atom
 * local-energy standard deviation).
 *
 * Ownership: md_run borrows the potential, the start frame and every pointer in md_opts
 * (segments, FILE streams, callbacks) for the duration of the call only.
 */
#ifndef MD_MD_H
#define MD_MD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/frame.h"
#include "core/potential.h"
#include "core/status.h"

typedef enum md_ensemble { MD_NVE = 0, MD_NVT = 1, MD_NPT = 2 } md_ensemble;
typedef enum md_thermostat { MD_NOSE_HOOVER = 0, MD_LANGEVIN = 1 } md_thermostat;
typedef enum md_cell_mode { MD_CELL_ISOTROPIC = 0, MD_CELL_FLEXIBLE = 1 } md_cell_mode;

/* One schedule segment: hold (t_start == t_end) or linear ramp, over `duration`. */
typedef struct md_segment {
    double t_start, t_end;  /* K; the target at time τ into the segment is
                               t_start + (t_end − t_start)·τ/duration */
    double duration;        /* fs; rounded to a whole number of steps (at least one) */
    double pressure;        /* GPa, NPT target */
    long sample_every;      /* steps between checks in this segment; 0: md_opts.check_every */
} md_segment;

/* Why a trajectory ended. */
typedef enum md_stop {
    MD_STOP_NONE = 0,        /* the schedule ran to its end */
    MD_STOP_UNCERTAINTY,     /* sigma_max above the window's upper bound */
    MD_STOP_MIN_DISTANCE,    /* two atoms closer than min_distance */
    MD_STOP_ENERGY_JUMP      /* |ΔE_pot|/N between two checks above max_energy_jump */
} md_stop;

/* Instantaneous thermodynamic state, passed to the observer and written to the log. */
typedef struct md_thermo {
    long step;
    double time;            /* fs */
    double t_target;        /* K */
    double temperature;     /* K, 2 E_kin / (N_f k_B) */
    double epot, ekin;      /* eV */
    double econs;           /* eV, the integrator's conserved quantity (see docs/md.md) */
    double pressure;        /* GPa, (2 E_kin + tr W) / (3V); 0 without a cell */
    double volume;          /* Å³ */
    double cell[3][3];      /* Å */
    const al_frame *frame;  /* current state (positions, velocities), valid during the call */
} md_thermo;

typedef void (*md_observer)(const md_thermo *th, void *user);

typedef struct md_opts {
    double dt;                      /* fs */
    md_ensemble ensemble;
    md_thermostat thermostat;       /* NVT; NPT uses Nosé–Hoover */
    md_cell_mode cell_mode;         /* NPT */
    double thermostat_period;       /* fs: NH period τ (Q₁ = N_f k_B T τ²); Langevin 1/γ */
    int nh_chain;                   /* thermostats per chain, 1..10 */
    int nh_sy_order;                /* Suzuki–Yoshida weights: 1, 3 or 5 */
    int nh_substeps;                /* multiple time steps per Suzuki–Yoshida weight, >= 1 */
    double barostat_period;         /* fs: W = (N_f + 3) k_B T τ_b² / 3 per cell component */

    const md_segment *segments;     /* borrowed */
    size_t n_segments;

    uint64_t seed;                  /* velocities and Langevin noise: stream `replica` of seed */
    uint64_t replica;
    bool keep_velocities;           /* use the start frame's velocities when it has them */

    /* Uncertainty watch, every check_every steps (or the segment's sample_every). */
    long check_every;
    double sigma_lo, sigma_hi;      /* eV; candidates have sigma_lo <= σ <= sigma_hi;
                                       σ > sigma_hi stops the run (sigma_hi 0: no bound) */
    double min_distance;            /* Å; 0 disables */
    double max_energy_jump;         /* eV/atom; 0 disables */
    int force_sigma_atoms;          /* at each check, the exact force σ of this many atoms of
                                       largest local-energy σ (md_force_uncertainty); it costs
                                       ~5 ms per check for a 1000-point SOAP model, so 0 (the
                                       default) leaves it out */

    /* Output (all optional). */
    FILE *traj;                     /* extxyz frames every traj_stride steps */
    long traj_stride;
    FILE *log;                      /* CSV thermodynamic log every log_stride steps */
    long log_stride;
    md_observer observe;            /* called every observe_every steps (and at step 0) */
    long observe_every;
    void *observe_user;
} md_opts;

/* Defaults: dt 1 fs, NVT Nosé–Hoover, τ 100 fs, chain 3, SY order 3, 1 substep, τ_b 1000 fs,
 * isotropic cell, seed 1, check_every 10, no window upper bound, min_distance 0, no jump
 * check, no output. Segments must be given. */
md_opts md_opts_default(void);

typedef struct md_result {
    long steps;                 /* steps run */
    double time;                /* fs */
    md_stop stop;
    char stop_reason[256];      /* "" when the schedule completed */
    double stop_value;          /* σ (eV), distance (Å) or jump (eV/atom) that stopped the run */
    al_frame *candidates;       /* frames with provenance in info (see docs/md.md) */
    size_t n_candidates, cap;
    al_frame final;             /* state after the last step (positions, velocities, cell) */
    double force_seconds;       /* wall time spent in the potential */
    double total_seconds;       /* wall time of md_run */
    long n_force_calls;
} md_result;

void md_result_init(md_result *r);
void md_result_fini(md_result *r);

/*
 * res must have been initialised with md_result_init (its previous contents are freed).
 * Runs the schedule from `start` (cell, positions, species; velocities used when
 * keep_velocities). An early stop is not an error: it returns AL_OK with res->stop set.
 * Errors: AL_EINVAL for bad options or start frame (message names the option and value),
 * the potential's errors, AL_EIO when an output stream fails.
 */
al_status md_run(const md_opts *o, const al_frame *start, const al_potential *pot,
                 md_result *res, al_err *err);

/* Checks options and schedule without running (the same messages as md_run). */
al_status md_opts_check(const md_opts *o, al_err *err);

/* Names for the CLI and campaign: "nve|nvt|npt", "nose-hoover|langevin", "iso|flex". */
al_status md_ensemble_parse(const char *s, md_ensemble *out, al_err *err);
al_status md_thermostat_parse(const char *s, md_thermostat *out, al_err *err);
al_status md_cell_mode_parse(const char *s, md_cell_mode *out, al_err *err);
const char *md_stop_name(md_stop s);

/*
 * Replicas: independent trajectories of one spec, run as separate tasks (serially here, or
 * farmed out by the campaign). Replica i uses random stream i of base.seed and multiplies
 * every schedule temperature by temperature_scale[i] (1 when NULL).
 */
typedef struct md_replica_spec {
    md_opts base;
    size_t n_replicas;
    const double *temperature_scale;   /* n_replicas factors, or NULL */
} md_replica_spec;

al_status md_run_replica(const md_replica_spec *s, size_t i, const al_frame *start,
                         const al_potential *pot, md_result *res, al_err *err);

/* Writes the CSV header of the thermodynamic log (md_run writes it when o->log is set). */
void md_log_header(FILE *fp);

#endif
