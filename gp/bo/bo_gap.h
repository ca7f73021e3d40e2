/*
 * Bayesian optimisation of GAP hyperparameters: the objective adapter between gp/bo/bo.h and
 * the GAP fit (gp/gap.h).
 *
 * Tunable names (the keys of the campaign's gap section; a name applies to every descriptor of
 * its kind, e.g. soap.delta to the SOAP of each species):
 *   two_body.cutoff, two_body.transition_width, two_body.delta, two_body.theta,
 *   two_body.n_sparse (integer), soap.cutoff, soap.transition_width, soap.atom_sigma,
 *   soap.delta, soap.n_max, soap.l_max, soap.zeta, soap.n_sparse (integers), sigma_energy,
 *   sigma_force, sigma_virial, sparse_jitter.
 * Units: Å, eV, eV/atom, eV/Å as in the campaign file.
 *
 * Objective: fit on the training frames, predict the validation frames (a split drawn once,
 * never the test set), and return
 *     value = w_E · MAE(E)/atom + w_F · MAE(F),
 * with MAE(E)/atom the mean over frames of |E_pred − E_ref| / N_atoms (eV/atom) and MAE(F) the
 * mean over all force components of |F_pred − F_ref| (eV/Å). A fit that fails (e.g. a
 * hyperparameter combination the descriptor refuses, or a fit beyond the memory limit) is a
 * failed trial, not an error of the search.
 */
#ifndef BO_BO_GAP_H
#define BO_BO_GAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "gp/bo/bo.h"
#include "gp/gap.h"

/* The tunable names, NULL-terminated, and whether each is an integer. */
typedef struct bo_gap_param {
    const char *name;
    int integer;
    const char *unit;
} bo_gap_param;
const bo_gap_param *bo_gap_params(void);

/* AL_EINVAL (naming the parameter) when a name is not tunable, an integer parameter is not
 * declared integer in the space, or the base spec has no descriptor of the name's kind. */
al_status bo_gap_check_space(const bo_space *s, const gp_gap_spec *base, al_err *err);

/* The base spec with the parameters x of space s applied, re-validated through
 * gp_gap_spec_add_2b / _add_soap (their messages on a bad combination). */
al_status bo_gap_apply(const gp_gap_spec *base, const bo_space *s, const double *x,
                       gp_gap_spec *out, al_err *err);

/* A seeded validation split: is_valid[i] = 1 for round(fraction·n) frames (at least 1 and at
 * most n − 1), chosen by a shuffle of stream 0 of seed. AL_EINVAL for n < 2 or a fraction
 * outside (0, 1). */
al_status bo_gap_split(size_t n, double fraction, uint64_t seed, unsigned char *is_valid,
                       size_t *n_valid, al_err *err);

/* Validation errors of a model on frames with energy and forces (frames lacking a label are
 * skipped for that error; AL_EINVAL when none has energies). */
al_status bo_gap_errors(gp_model *m, const al_frame *frames, size_t n, double *e_mae_per_atom,
                        double *f_mae, al_err *err);

typedef struct bo_gap_problem {
    gp_gap_spec base;
    const bo_space *space;                 /* borrowed */
    const al_frame *train;                 /* borrowed, n_train frames */
    size_t n_train;
    const al_frame *valid;                 /* borrowed, n_valid frames */
    size_t n_valid;
    double energy_weight;                  /* per eV/atom */
    double force_weight;                   /* per eV/Å */
} bo_gap_problem;

/* bo_objective for a bo_gap_problem (user). */
al_status bo_gap_objective(const double *x, bo_eval *out, void *user, al_err *err);

#endif
