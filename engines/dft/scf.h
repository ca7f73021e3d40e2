/*
 * The self-consistent field loop (Kohn and Sham, Phys. Rev. 140, A1133 (1965)) as a fixed-point
 * problem on the density, ρ_in → H[ρ_in] → ψ, f → ρ_out, accelerated by Pulay mixing with a
 * Kerker preconditioner (mixing.h). The energy of each step is the Kohn–Sham functional of the
 * new wavefunctions and their density ρ_out (term.h). Convergence: |ΔE| < tol_energy between
 * consecutive steps and ∫|ρ_out − ρ_in| / N_el < tol_density, both at once. With collinear
 * spin (the state's nspin = 2) the fixed point is on (ρ, m), each spin channel has its own
 * Hamiltonian v_eff,σ = v_loc + v_H[ρ] + v_xc,σ[ρ↑, ρ↓], and one Fermi level serves both.
 * The caller owns the solver choice (options) and decides what to do on non-convergence: the
 * loop returns AL_ENOCONV with the state and diagnostics filled.
 */
#ifndef PW_SCF_H
#define PW_SCF_H

#include <stdbool.h>

#include "engines/dft/mixing.h"
#include "engines/dft/occupation.h"
#include "engines/dft/scf_state.h"
#include "engines/dft/terms/term.h"

/* One line of progress, passed to the callback after every SCF step. */
typedef struct pw_scf_step {
    int iteration;        /* 1-based */
    double energy;        /* free energy F (Ha) */
    double delta_energy;  /* F − F_prev (Ha; the first step reports F) */
    double residual;      /* ∫|ρ_out − ρ_in| / N_el (dimensionless, per electron) */
    double eig_residual;  /* largest eigensolver residual (Ha) */
    double seconds;       /* wall time of this step */
    double magnetization; /* ∫ (ρ↑ − ρ↓) of the output density (μB); 0 without spin */
} pw_scf_step;

/* Band solver: block Davidson (davidson.h; default) or LOBPCG (lobpcg.h). */
typedef enum pw_eigensolver { PW_EIG_DAVIDSON = 0, PW_EIG_LOBPCG = 1 } pw_eigensolver;

typedef struct pw_scf_opts {
    pw_xc_kind xc;
    pw_smearing smearing;
    double smear_width;   /* Ha */
    double tol_energy;    /* Ha per cell */
    double tol_density;   /* per electron, see residual */
    int max_iter;
    pw_mix_opts mix;
    void (*progress)(void *user, const pw_scf_step *step); /* optional */
    void *user;
    pw_eigensolver eigensolver;
} pw_scf_opts;

/* Diagnostics of one SCF run. Histories are owned (pw_scf_diag_fini). Times in seconds. */
typedef struct pw_scf_diag {
    int iterations;
    bool converged;
    char reason[200];         /* why it stopped */
    size_t n_hist;
    double *residual_hist;    /* per step, density residual */
    double *energy_hist;      /* per step, free energy (Ha) */
    double t_setup, t_eigensolver, t_density, t_potential, t_mixing, t_energy, t_total;
} pw_scf_diag;

void pw_scf_diag_fini(pw_scf_diag *d);

/*
 * Runs the loop from the density in s->rho (and m in s->mag with spin) and the wavefunctions
 * in s->k[].psi (set them with density.h's guesses, or keep those of a previous similar run). On return s holds the last
 * wavefunctions, eigenvalues, occupations, projections, the input density and potentials of
 * the last step, and the energies in s->e. Errors: AL_ENOCONV (everything filled; diag says
 * why), AL_EINVAL, AL_ENOMEM.
 */
al_status pw_scf_run(const pw_system *sys, const pw_basis *b, const pw_scf_opts *o, pw_state *s,
                     pw_scf_diag *diag, al_err *err);

#endif
