/*
 * The GAP model: fit from labeled frames, predict energy, forces, virial and uncertainty.
 *
 * Energy model (QUIP's convention, docs/gap.md):
 *     E = Σ_Z N_Z e0_Z + Σ_d Σ_q c_q Σ_s α_s k_d(x_q, x_s) w_s,
 * where d runs over descriptors, q over their instances in the frame, s over the descriptor's
 * sparse points with cutoff weights w_s. For the 2-body descriptor the kernel is the squared
 * exponential k = δ² exp(−(x − x')² / 2θ²). The weights α come from the sparse GP of
 * gp/sparse_gp.h with total energies, force components and virial components as observations,
 * with noise σ_E·√N, σ_F and σ_V·√N (per-atom regularisation, as gap_fit does).
 *
 * Uncertainty: the predictive standard deviation of each atom's local energy (the sum of the
 * instances centred on it), from the same sparse GP; summarised as max and mean over atoms.
 */
#ifndef GP_GAP_H
#define GP_GAP_H

#include <stddef.h>

#include "core/elements.h"
#include "core/frame.h"
#include "core/potential.h"
#include "gp/desc/desc.h"

enum { GP_MAX_2B = 16 };

typedef struct gp_2b_hyper {
    desc_2b_spec desc;
    double delta;         /* eV */
    double theta;         /* Å */
    size_t n_sparse;      /* uniform grid over the observed distances */
} gp_2b_hyper;

typedef struct gp_gap_spec {
    size_t n_2b;
    gp_2b_hyper two_body[GP_MAX_2B];
    double e0[AL_MAX_Z + 1];       /* eV per isolated atom */
    double sigma_energy;           /* eV/atom */
    double sigma_force;            /* eV/Å */
    double sigma_virial;           /* eV/atom */
    double sparse_jitter;
} gp_gap_spec;

/* Regularisation as the thesis (0.002 eV/atom, 0.05 eV/Å, 0.05 eV/atom, jitter 1e-10); no descriptors. */
gp_gap_spec gp_gap_spec_default(void);
/* Adds a 2-body descriptor for the species pair (z1, z2) with the given hyperparameters. */
al_status gp_gap_spec_add_2b(gp_gap_spec *s, int z1, int z2, double cutoff, double width, double delta,
                             double theta, size_t n_sparse, al_err *err);

typedef struct gp_model gp_model;

/* Fits a model to the labeled frames (energy, forces and virial, each where present). */
al_status gp_gap_fit(const gp_gap_spec *spec, const al_frame *frames, size_t n, gp_model **out,
                     al_err *err);
void gp_model_destroy(gp_model *m);

/* Prediction into out (core/potential.h: energy; forces, virial, atom_sigma when requested). */
al_status gp_model_predict(gp_model *m, const al_frame *f, al_pot_result *out, al_err *err);

/* The model as a force provider (borrowed: the model must outlive the potential). */
void gp_model_as_potential(gp_model *m, al_potential *out);

#endif
