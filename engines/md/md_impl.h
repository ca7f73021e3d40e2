/*
 * Internal state of an MD run shared by the integrator files (md_step.c, md_nhc.c,
 * md_baro.c) and the driver (md_run.c). Not part of the public interface.
 *
 * Velocities are in Å/fs and masses in amu; C = AL_AMU_ANG2_FS2_EV converts m·v² to eV, so
 * the acceleration is F / (m C) in Å/fs².
 */
#ifndef MD_IMPL_H
#define MD_IMPL_H

#include "core/rng.h"
#include "engines/md/md.h"

enum { MD_MAX_CHAIN = 10 };

/* A Nosé–Hoover chain: positions η_j (dimensionless), velocities v_j (1/fs), masses Q_j (eV fs²). */
typedef struct md_nhc {
    int m;                   /* chain length */
    double nf;               /* degrees of freedom coupled to the first thermostat */
    double eta[MD_MAX_CHAIN], v[MD_MAX_CHAIN], q[MD_MAX_CHAIN];
} md_nhc;

typedef struct md_sys {
    al_frame f;              /* positions, velocities, cell: owned copy */
    size_t n;
    double *mass;            /* amu */
    double (*force)[3];      /* eV/Å */
    double *atom_sigma;      /* eV, filled at checks */
    double virial[9];        /* eV */
    double epot;             /* eV */
    double nf;               /* degrees of freedom of the particles */
    const al_potential *pot;
    al_rng rng;
    md_opts o;

    double kt;               /* target k_B T (eV) of the current step */
    double p_ext;            /* target pressure (eV/Å³) */
    md_nhc nhc_p, nhc_b;     /* particle and barostat chains */
    double vg[9];            /* cell velocity matrix (1/fs), symmetric */
    double wg;               /* barostat mass per component (eV fs²) */
    double heat;             /* energy taken out by the Langevin O steps (eV) */

    bool want_sigma;         /* request uncertainty in the next force call */
    bool has_sigma;
    double sigma_max;
    double force_sigma_max;  /* eV/Å, largest force sigma of the examined atoms (0: none) */
    double force_seconds;
    long n_force_calls;
} md_sys;

/* Setup (md_setup.c): copies the start frame, masses, degrees of freedom, RNG stream. */
al_status md__sys_init(md_sys *s, const md_opts *o, const al_frame *start, const al_potential *pot,
                       al_err *err);
void md__sys_fini(md_sys *s);
void md__init_velocities(md_sys *s, double t);

/* Kinetic energy (eV) and the kinetic tensor Σ m v⊗v C (eV, 9 values; may be NULL). */
double md__kinetic(const md_sys *s, double k2[9]);
/* Evaluates the potential at the current positions (uncertainty when want_sigma). */
al_status md__forces(md_sys *s, al_err *err);

/* Updates the chain masses for k_B T and period tau (fs): Q₁ = nf kT τ², Q_j = kT τ². */
void md__nhc_masses(md_nhc *c, double kt, double tau);
/* Propagates the chain for time h coupled to kinetic energy ke (eV); returns the factor by
 * which the coupled velocities must be scaled. */
double md__nhc_half(md_nhc *c, double ke, double kt, double h, int sy_order, int substeps);
/* Chain energy Σ Q v²/2 + nf kT η₁ + kT Σ_{j>1} η_j (eV). */
double md__nhc_energy(const md_nhc *c, double kt);

/* One step of each integrator (forces of the current positions must be valid on entry). */
al_status md__step_verlet(md_sys *s, bool thermostat, al_err *err);
al_status md__step_baoab(md_sys *s, al_err *err);
al_status md__step_npt(md_sys *s, al_err *err);
/* Barostat kinetic energy W/2 Σ vg² (eV). */
double md__baro_kinetic(const md_sys *s);

/* Eigen-decomposition of a symmetric 3×3 matrix a (row-major): a = U diag(w) Uᵀ, columns of U
 * (row-major u[3*i+k] is component i of vector k) are eigenvectors (Jacobi rotations). */
void md__sym3_eig(const double a[9], double w[3], double u[9]);

/* Watch and output (md_watch.c). */
typedef struct md_watch md_watch;
al_status md__watch_create(const md_sys *s, md_watch **out, al_err *err);
void md__watch_destroy(md_watch *w);
/* Fills th with the current state (step, time, target temperature given). */
void md__thermo(const md_sys *s, long step, double time, double t_target, md_thermo *th);
/* Runs the checks of a check step; emits a candidate or records a stop in res. */
al_status md__watch_check(md_watch *w, md_sys *s, const md_thermo *th, int segment, bool emit,
                          md_result *res, al_err *err);
/* Writes trajectory / log / observer output due at this step. */
al_status md__output(md_sys *s, const md_thermo *th, al_err *err);

#endif
