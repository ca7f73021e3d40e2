/*
 * Analytic force providers implementing al_potential (core/potential.h): Lennard-Jones and
 * Stillinger–Weber. Cheap, exact labels for tests, benchmarks and end-to-end runs of the
 * campaign loop, and reference potentials for MD. Energies in eV, forces eV/Å, virial eV
 * (virial = −Σ d ⊗ ∂E/∂d over the interatomic vectors d, i.e. −stress·volume).
 * Each keeps a neighbour list with a skin and reuses it between calls on moving atoms.
 */
#ifndef MD_ANALYTIC_H
#define MD_ANALYTIC_H

#include "core/potential.h"

typedef struct md_lj_opts {
    double epsilon;   /* eV */
    double sigma;     /* Å */
    double cutoff;    /* Å; the energy is shifted so that it is 0 there */
    double skin;      /* Å, neighbour-list skin */
} md_lj_opts;

/* Argon-like defaults: epsilon 0.0104 eV, sigma 3.40 Å, cutoff 2.5 sigma, skin 0.5 Å. */
md_lj_opts md_lj_opts_default(void);

typedef struct md_sw_opts {
    double epsilon, sigma, a, lambda, gamma, cos_theta0, A, B, p, q;
    double skin;      /* Å */
} md_sw_opts;

/* Stillinger and Weber's silicon, PRB 31, 5262 (1985), as in LAMMPS's Si.sw. */
md_sw_opts md_sw_opts_default(void);

/* Creates a potential owned by *out (free with al_potential_destroy). AL_EINVAL for bad options. */
al_status md_lj_create(const md_lj_opts *opts, al_potential *out, al_err *err);
al_status md_sw_create(const md_sw_opts *opts, al_potential *out, al_err *err);

#endif
