/*
 * Bayesian optimisation of an expensive scalar objective over a box of continuous and integer
 * parameters (used to tune GAP hyperparameters; see docs/bayesopt.md).
 *
 * Search space. Each parameter has bounds [lo, hi], a scale (linear, or logarithmic for
 * positive quantities spanning decades: delta, sigmas, atom_sigma, cutoff) and an integer flag
 * (n_max, l_max, n_sparse, zeta). The surrogate works in the unit cube u ∈ [0, 1]^d:
 * x = lo + u (hi − lo), or x = lo (hi/lo)^u on a log scale. Integer parameters are rounded to
 * the nearest integer inside the map from u to x, so the objective only ever sees integers and
 * every trial is stored at its rounded value (and mapped back to u for the surrogate).
 *
 * Surrogate: a dense GP with the Matérn 5/2 kernel with one length per dimension (ARD),
 *     k(u, u') = σ_f² (1 + √5 r + 5r²/3) exp(−√5 r),  r² = Σ_j (u_j − u'_j)² / ℓ_j²,
 * plus noise σ_n² on the diagonal, on observations standardised to zero mean and unit
 * variance (Rasmussen and Williams, Gaussian Processes for Machine Learning, MIT Press 2006,
 * eqs. 4.17 and 5.8–5.9). Its hyperparameters θ = (log σ_f², log ℓ_1..ℓ_d, log σ_n²) maximise
 * the log marginal likelihood with analytic gradients, from several seeded starts.
 *
 * Acquisition (the objective is minimised): expected improvement over the best value f*,
 *     EI = (f* − μ − ξ) Φ(z) + σ φ(z),  z = (f* − μ − ξ)/σ   (Jones et al., J. Glob. Optim.
 *     13, 455 (1998)),
 * or the confidence bound  UCB = κσ − μ  (the negative of the lower bound μ − κσ; Srinivas et
 * al., ICML 2010), maximised over the unit cube by local quasi-Newton searches from the best of
 * many seeded random points. Batches of q proposals use the constant liar (Ginsbourger, Le Riche
 * and Carraro, in Computational Intelligence in Expensive Optimization Problems, Springer 2010):
 * each proposal is added to the data with the value min(y) before the next is chosen, so the
 * batch is spread out; proposals never repeat a trial of the log or of the batch.
 *
 * Determinism and resume: the first n_init trials follow a seeded Latin hypercube; afterwards
 * every random choice of a proposal is drawn from stream (seed, number of trials in the log),
 * so a proposal is a function of the log's contents alone: a search restored from a saved log
 * proposes exactly what the uninterrupted search would have, and never repeats a trial.
 */
#ifndef BO_BO_H
#define BO_BO_H

#include <stddef.h>

#include "core/comm.h"
#include "core/status.h"

enum { BO_MAX_DIM = 16, BO_NAME_LEN = 32 };

typedef struct bo_param {
    char name[BO_NAME_LEN];
    double lo, hi;
    int log_scale;               /* 1: sampled uniformly in log x (needs lo > 0) */
    int integer;                 /* 1: rounded to the nearest integer */
} bo_param;

typedef struct bo_space {
    size_t d;
    bo_param p[BO_MAX_DIM];
} bo_space;

void bo_space_init(bo_space *s);
/* AL_EINVAL for an empty or duplicate name, lo ≥ hi, non-finite bounds, log scale with
 * lo ≤ 0, an integer range holding no integer, or more than BO_MAX_DIM parameters. */
al_status bo_space_add(bo_space *s, const char *name, double lo, double hi, int log_scale,
                       int integer, al_err *err);
/* Index of a parameter by name, or −1. */
int bo_space_find(const bo_space *s, const char *name);
/* Unit-cube coordinates to parameters (integers rounded; results clamped to [lo, hi]). */
void bo_space_from_unit(const bo_space *s, const double *u, double *x);
/* Parameters to unit-cube coordinates (clamped to [0, 1]). */
void bo_space_to_unit(const bo_space *s, const double *x, double *u);

/* One evaluation of the objective. `value` is minimised; the errors are recorded as given
 * (NaN when the objective has none). */
typedef struct bo_eval {
    double value;
    double energy_mae;           /* eV/atom */
    double force_mae;            /* eV/Å */
} bo_eval;

typedef struct bo_trial {
    double x[BO_MAX_DIM];        /* parameters as evaluated (integers already rounded) */
    double value, energy_mae, force_mae;
    double fit_time;             /* s, wall clock of the objective call */
    int ok;                      /* 0: the objective failed; value is NaN */
} bo_trial;

/* The trial log (plain data): bo_log_init / bo_log_fini. */
typedef struct bo_log {
    bo_space space;              /* copied at init; names are the log's columns */
    size_t n, cap;
    bo_trial *t;
} bo_log;

void bo_log_init(bo_log *log, const bo_space *s);
void bo_log_fini(bo_log *log);
al_status bo_log_add(bo_log *log, const bo_trial *t, al_err *err);
/* Index of the successful trial of lowest value (the first on ties), or −1 when none. */
long bo_log_best(const bo_log *log);
/* 1 when a trial with parameters x (relative tolerance 1e-9) is in the log. */
int bo_log_contains(const bo_log *log, const double *x);

/*
 * CSV file: a comment line "# galore bayesopt trial log, version 1", a header
 * "trial,<names...>,value,energy_mae,force_mae,fit_time_s,status", one row per trial with
 * 17 significant digits (exact round trip), status "ok" or "failed". Loading appends to a log
 * initialised with the same space; AL_EFORMAT (with file:line) when the columns do not match
 * the space's parameter names or a row is malformed, AL_EIO when the file cannot be read.
 */
al_status bo_log_save(const bo_log *log, const char *path, al_err *err);
al_status bo_log_load(bo_log *log, const char *path, al_err *err);

typedef enum bo_acq { BO_ACQ_EI = 0, BO_ACQ_UCB = 1 } bo_acq;

typedef struct bo_opts {
    unsigned long long seed;
    size_t budget;               /* total trials in the log at most, restored ones included */
    size_t batch;                /* proposals per round (constant liar when > 1) */
    size_t n_init;               /* Latin-hypercube trials first; 0 = max(5, d + 1) */
    bo_acq acq;
    double xi;                   /* EI margin, in standard deviations of the observed values
                                    (default 0; larger explores more) */
    double kappa;                /* UCB width (default 2) */
    size_t hyper_starts;         /* surrogate fits per proposal round (default 4) */
    size_t acq_samples;          /* random points scored per proposal (default 1000) */
    size_t acq_starts;           /* local searches from the best of them (default 5) */
    size_t patience;             /* stop after this many trials without improvement; 0 = off */
    double min_improvement;      /* an improvement smaller than this does not count */
    double target;               /* stop once the best value is ≤ target (−inf = off) */
    int log_value;               /* surrogate models log(value): for positive objectives such as
                                    validation errors that span decades (values must be > 0) */
    const al_comm *comm;         /* borrowed; NULL or one rank: serial. With several ranks every
                                    rank calls bo_run; trial b of a batch runs on rank b mod size
                                    and the results are shared, so all logs stay identical */
} bo_opts;

bo_opts bo_opts_default(void);

/* Objective: parameters in (d values, integers rounded), evaluation out. A failure is recorded
 * as a failed trial and the search goes on, except AL_EINTERRUPT, which stops it. */
typedef al_status (*bo_objective)(const double *x, bo_eval *out, void *user, al_err *err);

/*
 * Proposes the next q distinct parameter vectors (out: q × d) from the log (see the file
 * comment for determinism). AL_ENOTFOUND when the space holds no untried point (all-integer
 * spaces can be exhausted).
 */
al_status bo_propose(const bo_log *log, const bo_opts *o, size_t q, double *out, al_err *err);

/*
 * Runs the search: rounds of bo_propose (batch points each), evaluated one after another or
 * spread over the ranks of o->comm,
 * until the log holds `budget` trials or the early stop (patience, target) triggers. Trials
 * already in the log count towards the budget and are never repeated. *stopped_early (may be
 * NULL) is set to 1 when the stop came from patience or target.
 */
al_status bo_run(bo_log *log, const bo_opts *o, bo_objective f, void *user, int *stopped_early,
                 al_err *err);

/* Closed forms (objective minimised). EI with its derivatives ∂/∂μ and ∂/∂σ (may be NULL);
 * for σ = 0, EI = max(f* − μ − ξ, 0). */
double bo_ei(double mu, double sigma, double best, double xi, double *d_mu, double *d_sigma);
/* κσ − μ, with ∂/∂μ = −1 and ∂/∂σ = κ. */
double bo_ucb(double mu, double sigma, double kappa, double *d_mu, double *d_sigma);

/*
 * The surrogate (exposed for tests and reports). θ has d + 2 entries: log σ_f², log ℓ_1..ℓ_d,
 * log σ_n², for observations y already standardised. bo_gp_lml returns the log marginal
 * likelihood  −½ yᵀK⁻¹y − ½ log|K| − (n/2) log 2π  and its gradient (d + 2, may be NULL).
 */
al_status bo_gp_lml(size_t d, size_t n, const double *u, const double *y, const double *theta,
                    double *lml, double *grad, al_err *err);

typedef struct bo_gp bo_gp;
/* Fits the surrogate to n points u (n × d, unit cube) with raw values y: standardises y and,
 * when theta is NULL, fits θ by multi-start maximisation of the likelihood (seeded). */
al_status bo_gp_create(size_t d, size_t n, const double *u, const double *y, const double *theta,
                       size_t starts, unsigned long long seed, bo_gp **out, al_err *err);
void bo_gp_destroy(bo_gp *g);
/* The fitted θ (d + 2 values). */
const double *bo_gp_theta(const bo_gp *g);
/* Predictive mean and standard deviation of the latent function at u (raw y units), and their
 * gradients with respect to u (d values each; may be NULL). Uses scratch space of the
 * surrogate: one thread per surrogate. */
void bo_gp_predict(const bo_gp *g, const double *u, double *mu, double *sigma, double *dmu,
                   double *dsigma);

#endif
