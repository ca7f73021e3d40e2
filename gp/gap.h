/*
 * The GAP model: fit from labeled frames, predict energy, forces, virial and uncertainty.
 *
 * Energy model (QUIP's convention, docs/gap.md):
 *     E = Σ_Z N_Z e0_Z + Σ_d Σ_q c_q Σ_s α_s k_d(x_q, x_s) w_s,
 * where d runs over descriptors, q over their instances in the frame, s over the descriptor's
 * sparse points with cutoff weights w_s. For the 2-body descriptor the kernel is the squared
 * exponential k = δ² exp(−(x − x')² / 2θ²), for SOAP the dot product k = δ² (p·p')^ζ of unit
 * power spectra. The weights α come from the sparse GP of
 * gp/sparse_gp.h with total energies, force components and virial components as observations,
 * with noise σ_E·√N, σ_F and σ_V·√N (per-atom regularisation, as gap_fit does).
 *
 * Uncertainty: the predictive standard deviation of each atom's local energy (the sum of the
 * instances centred on it), from the same sparse GP; summarised as max and mean over atoms. With
 * it, on request, the exact predictive standard deviation of the force on the few atoms with the
 * largest local-energy sigma (eV/Å; docs/gap.md).
 */
#ifndef GP_GAP_H
#define GP_GAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/elements.h"
#include "core/frame.h"
#include "core/potential.h"
#include "gp/desc/desc.h"
#include "gp/desc/soap.h"

enum { GP_MAX_DESC = 16 };

typedef enum gp_kind { GP_KIND_2B, GP_KIND_SOAP } gp_kind;

/* How a descriptor's sparse points are chosen from the training environments. AUTO is a
 * uniform grid for 2-body and CUR for SOAP. CUR samples environments by their leverage in the
 * rank-k SVD of the descriptor matrix (Mahoney and Drineas, PNAS 106, 697 (2009)),
 * deterministically (systematic sampling, gp/gap_sparse.c); CUR_RANDOM draws them with QUIP's
 * randomised rule (seeded); RANDOM is a seeded uniform draw. With n_sparse >= the number of
 * environments, all are taken. */
typedef enum gp_sparse_method {
    GP_SPARSE_AUTO, GP_SPARSE_UNIFORM, GP_SPARSE_CUR, GP_SPARSE_CUR_RANDOM, GP_SPARSE_RANDOM
} gp_sparse_method;

/* One descriptor with its kernel hyperparameters. */
typedef struct gp_desc_hyper {
    gp_kind kind;
    desc_2b_spec b2;          /* GP_KIND_2B */
    desc_soap_spec soap;      /* GP_KIND_SOAP: centre species soap.z, radial and angular basis */
    desc_soap_species soap_species;   /* its neighbour species; n = 0: every species of the model */
    double delta;             /* eV: kernel scale */
    double theta;             /* Å: squared-exponential length (2-body) */
    int zeta;                 /* power of the normalised dot product (SOAP) */
    size_t n_sparse;          /* 2-body: uniform grid over observed distances; SOAP: CUR */
    gp_sparse_method sparse_method;
} gp_desc_hyper;

typedef struct gp_gap_spec {
    size_t n_desc;
    gp_desc_hyper desc[GP_MAX_DESC];
    double e0[AL_MAX_Z + 1];       /* eV per isolated atom */
    double sigma_energy;           /* eV/atom */
    double sigma_force;            /* eV/Å */
    double sigma_virial;           /* eV/atom */
    double sparse_jitter;          /* added to the diagonal of K_MM (eV²) */
    uint64_t seed;                 /* for the randomised sparse-point choices */
    double max_memory_gib;         /* refuse fits estimated above this; 0: the available memory */
} gp_gap_spec;

/* Regularisation as the thesis (0.002 eV/atom, 0.05 eV/Å, 0.05 eV/atom, jitter 1e-10); no descriptors. */
gp_gap_spec gp_gap_spec_default(void);
/* Adds a 2-body descriptor for the species pair (z1, z2). */
al_status gp_gap_spec_add_2b(gp_gap_spec *s, int z1, int z2, double cutoff, double width, double delta,
                             double theta, size_t n_sparse, al_err *err);
/* Adds a SOAP descriptor centred on species z. Its neighbour density is resolved by species:
 * when the model is built, every species named by the spec's descriptors (SOAP centres and
 * 2-body pairs, ascending Z) becomes a channel, as gap_fit does for a multi-species system
 * (QUIP's n_species, species_Z); see gp/desc/soap.h and docs/gap.md. */
al_status gp_gap_spec_add_soap(gp_gap_spec *s, int z, double cutoff, double width, int n_max, int l_max,
                               double atom_sigma, int zeta, double delta, size_t n_sparse, al_err *err);

typedef struct gp_model gp_model;

/*
 * Fits a model to the labeled frames (energy, forces and virial, each where present; frames
 * without labels are skipped). A frame's info may override the regularisation with the QUIP keys
 * energy_sigma (eV/atom), force_sigma (eV/Å) and virial_sigma (eV/atom). The memory the fit
 * needs is estimated and logged first; AL_ENOMEM with the estimate when it exceeds
 * max_memory_gib (or the memory available). Same inputs and seed give a bit-identical model.
 */
al_status gp_gap_fit(const gp_gap_spec *spec, const al_frame *frames, size_t n, gp_model **out,
                     al_err *err);
void gp_model_destroy(gp_model *m);
/* As gp_gap_fit, with the sparse points (and their cutoff weights) of another model whose
 * descriptors match spec's, e.g. a QUIP model's, or a previous fit's. */
al_status gp_gap_refit(const gp_gap_spec *spec, const gp_model *sparse_from, const al_frame *frames, size_t n,
                       gp_model **out, al_err *err);

/* Prediction into out (core/potential.h: energy; forces, virial, atom_sigma, force_sigma when
 * requested).
 * The model keeps scratch space and a neighbour list: one model per thread. */
al_status gp_model_predict(gp_model *m, const al_frame *f, al_pot_result *out, al_err *err);

/* Extra per-frame outputs (NULL pointers: not requested): each atom's local energy (eV, e0 of
 * its species plus the instances centred on it, QUIP's local_energy). */
typedef struct gp_predict_extra {
    double *local_energy;       /* n_atoms */
} gp_predict_extra;
al_status gp_model_predict_ext(gp_model *m, const al_frame *f, al_pot_result *out,
                               gp_predict_extra *extra, al_err *err);

/* Hyperparameters of a model (borrowed), its total sparse points, and whether it can give
 * uncertainties (false for models read from QUIP XML, which stores no variance factors). */
const gp_gap_spec *gp_model_spec(const gp_model *m);
size_t gp_model_n_sparse(const gp_model *m, size_t d);
bool gp_model_has_variance(const gp_model *m);

/* Reads a QUIP GAP XML potential (2-body and SOAP descriptors; gap_fit's format). The model
 * predicts energies, forces and virials; it has no uncertainty (QUIP's file keeps no factors). */
al_status gp_model_read_quip_xml(const char *path, gp_model **out, al_err *err);

/* Writes the model in QUIP's GAP XML layout (gap_version 1686220958, vectors inline, sliced in
 * 50s), loadable by QUIP (`IP GAP`) and LAMMPS `pair_style quip`; only the mean is written. */
al_status gp_model_write_quip_xml(const gp_model *m, const char *path, al_err *err);

/*
 * The galore model file (HDF5, format "galore-gap-model" version 2; layout in gp/gap_h5.c and
 * docs/gap.md): hyperparameters, sparse points, coefficients, variance factors, e0, the
 * training-set hash and units as attributes. Version 1 files (single-species SOAP) are still
 * read; loading a file of another format version fails with AL_EFORMAT and a message naming
 * the versions; AL_EIO when it cannot be read.
 */
al_status gp_model_save(const gp_model *m, const char *path, al_err *err);
al_status gp_model_load(const char *path, gp_model **out, al_err *err);
/* Either kind of model file: HDF5 (by its signature) or else QUIP GAP XML. */
al_status gp_model_open(const char *path, gp_model **out, al_err *err);
/* FNV-1a hash of the training frames (0 when unknown, e.g. models read from QUIP XML). */
uint64_t gp_model_training_hash(const gp_model *m);

/* The model as a force provider (borrowed: the model must outlive the potential). */
void gp_model_as_potential(gp_model *m, al_potential *out);

#endif
