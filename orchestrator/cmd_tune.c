/*
 * `galore tune TRAIN.xyz --space tune.yaml -o best.yaml`: Bayesian optimisation of GAP
 * hyperparameters (gp/bo/bo.h, gp/bo/bo_gap.h; docs/bayesopt.md).
 *
 * The base model is the campaign's gap section (defaults, or --campaign FILE), with one
 * descriptor per species (pair) present in TRAIN.xyz. A validation split is drawn once from
 * TRAIN.xyz with the seed; every trial fits on the rest and is scored on it. The trial log
 * (CSV) is rewritten after every trial; when it exists at start the search resumes from it and
 * never repeats a trial. best.yaml holds a `gap:` section to paste into a campaign file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "core/alloc.h"
#include "core/comm.h"
#include "core/elements.h"
#include "core/extxyz.h"
#include "core/log.h"
#include "gp/bo/bo_gap.h"
#include "orchestrator/campaign.h"
#include "orchestrator/cli.h"
#include "orchestrator/gap_spec.h"

const char orc_usage_tune[] =
    "usage: galore tune TRAIN.xyz --space TUNE.yaml -o BEST.yaml [options]\n"
    "\n"
    "Tunes GAP hyperparameters by Bayesian optimisation: each trial fits a GAP on TRAIN.xyz minus\n"
    "a validation split (drawn once, seeded) and scores energy_weight * energy MAE (eV/atom) +\n"
    "force_weight * force MAE (eV/A) on the split. TUNE.yaml:\n"
    "  space:                          # the tuned keys of the campaign's gap section\n"
    "    soap.delta:   {min: 0.05, max: 1.0, scale: log}\n"
    "    soap.n_max:   {min: 4, max: 8, type: int}\n"
    "    sigma_force:  {min: 0.01, max: 0.2, scale: log}\n"
    "  bayesopt:                       # optional: budget, batch, seed, acquisition (ei|ucb),\n"
    "    budget: 20                    #   energy_weight, force_weight, validation_fraction,\n"
    "                                  #   patience\n"
    "options (override TUNE.yaml):\n"
    "  --campaign FILE      base gap section and bayesopt settings (a file with only those sections\n"
    "                       is fine; default: built-in defaults)\n"
    "  --log FILE           trial log, CSV (default BEST.yaml.trials.csv); resumed when present\n"
    "  --budget N           total trials   --batch Q   proposals per round (constant liar);\n"
    "                       under mpirun each rank fits one trial of a round (batch >= ranks)\n"
    "  --seed S             validation split and search seed (default: the campaign's loop.seed)\n"
    "  --test FILE          at the end, fit the base and the best on all of TRAIN.xyz and report\n"
    "                       their errors on FILE (reporting only; never used by the search)\n";

typedef struct tune_cfg {
    long budget, batch, seed, patience;
    int acquisition;
    double energy_weight, force_weight, validation_fraction;
} tune_cfg;

/* ---- TUNE.yaml ------------------------------------------------------------------------ */

static const char *scalar_of(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static al_status yfail(al_err *err, const char *path, const yaml_node_t *n, const char *fmt,
                       const char *a, const char *b)
{
    char what[300];
    snprintf(what, sizeof what, fmt, a, b);
    return al_fail(err, AL_EFORMAT, "%s:%zu:%zu: %s", path, n->start_mark.line + 1,
                   n->start_mark.column + 1, what);
}

static al_status ynum(const char *path, const yaml_node_t *n, const char *key, double *out, al_err *err)
{
    const char *s = scalar_of(n);
    char *end = NULL;
    if (s) *out = strtod(s, &end);
    if (!s || end == s || *end) return yfail(err, path, n, "%s: expected a number, got '%s'", key, s ? s : "");
    return AL_OK;
}

static al_status parse_param(const char *path, yaml_document_t *doc, const char *name,
                             yaml_node_t *v, bo_space *space, al_err *err)
{
    double lo = 0, hi = 0;
    int have_lo = 0, have_hi = 0, log_scale = 0, integer = 0;
    if (v->type != YAML_MAPPING_NODE)
        return yfail(err, path, v, "space.%s: expected {min: ..., max: ...}%s", name, "");
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key), *x = yaml_document_get_node(doc, p->value);
        const char *key = scalar_of(k), *val = scalar_of(x);
        if (!key) return yfail(err, path, k, "space.%s: keys must be plain words%s", name, "");
        if (!strcmp(key, "min") || !strcmp(key, "max")) {
            int is_min = !strcmp(key, "min");
            AL_TRY(err, ynum(path, x, key, is_min ? &lo : &hi, err));
            *(is_min ? &have_lo : &have_hi) = 1;
        } else if (!strcmp(key, "scale") && val && (!strcmp(val, "log") || !strcmp(val, "linear")))
            log_scale = !strcmp(val, "log");
        else if (!strcmp(key, "type") && val && (!strcmp(val, "int") || !strcmp(val, "real")))
            integer = !strcmp(val, "int");
        else
            return yfail(err, path, k, "space.%s: unknown key or value '%s' (min, max, scale: "
                                       "log|linear, type: int|real)", name, key);
    }
    if (!have_lo || !have_hi)
        return yfail(err, path, v, "space.%s: needs both min and max%s", name, "");
    if (bo_space_add(space, name, lo, hi, log_scale, integer, err))
        return al_fail_wrap(err, "%s:%zu:%zu: ", path, v->start_mark.line + 1, v->start_mark.column + 1);
    return AL_OK;
}

static al_status parse_settings(const char *path, yaml_document_t *doc, yaml_node_t *m, tune_cfg *c,
                                al_err *err)
{
    if (m->type != YAML_MAPPING_NODE) return yfail(err, path, m, "bayesopt: expected a mapping%s%s", "", "");
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key), *x = yaml_document_get_node(doc, p->value);
        const char *key = scalar_of(k);
        double v = 0;
        if (key && !strcmp(key, "acquisition")) {
            const char *s = scalar_of(x);
            if (!s || (strcmp(s, "ei") && strcmp(s, "ucb")))
                return yfail(err, path, x, "bayesopt.acquisition: expected ei or ucb, got '%s'%s", s ? s : "", "");
            c->acquisition = !strcmp(s, "ucb");
            continue;
        }
        if (!key) return yfail(err, path, k, "bayesopt: keys must be plain words%s%s", "", "");
        AL_TRY(err, ynum(path, x, key, &v, err));
        if (!strcmp(key, "budget")) c->budget = (long)v;
        else if (!strcmp(key, "batch")) c->batch = (long)v;
        else if (!strcmp(key, "seed")) c->seed = (long)v;
        else if (!strcmp(key, "patience")) c->patience = (long)v;
        else if (!strcmp(key, "energy_weight")) c->energy_weight = v;
        else if (!strcmp(key, "force_weight")) c->force_weight = v;
        else if (!strcmp(key, "validation_fraction")) c->validation_fraction = v;
        else
            return yfail(err, path, k, "bayesopt: unknown key '%s' (budget, batch, seed, acquisition, "
                                       "energy_weight, force_weight, validation_fraction, patience)%s", key, "");
    }
    return AL_OK;
}

static al_status load_space(const char *path, bo_space *space, tune_cfg *c, al_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return al_fail(err, AL_ENOTFOUND, "%s: cannot open the search-space file", path);
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    al_status st = AL_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        st = al_fail(err, AL_EFORMAT, "%s:%zu:%zu: YAML: %s", path, parser.problem_mark.line + 1,
                     parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error");
        yaml_parser_delete(&parser);
        fclose(f);
        return st;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    bo_space_init(space);
    if (!root || root->type != YAML_MAPPING_NODE) {
        st = al_fail(err, AL_EFORMAT, "%s: expected a mapping with a 'space' section", path);
        goto done;
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top && !st; p++) {
        yaml_node_t *k = yaml_document_get_node(&doc, p->key), *v = yaml_document_get_node(&doc, p->value);
        const char *key = scalar_of(k);
        if (key && !strcmp(key, "bayesopt")) {
            st = parse_settings(path, &doc, v, c, err);
        } else if (key && !strcmp(key, "space") && v->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top && !st; q++) {
                yaml_node_t *qk = yaml_document_get_node(&doc, q->key);
                const char *name = scalar_of(qk);
                if (!name) st = yfail(err, path, qk, "space: parameter names must be plain words%s%s", "", "");
                else st = parse_param(path, &doc, name, yaml_document_get_node(&doc, q->value), space, err);
            }
        } else {
            st = yfail(err, path, k, "unknown section '%s' (space, bayesopt)%s", key ? key : "", "");
        }
    }
    if (!st && space->d == 0) st = al_fail(err, AL_EFORMAT, "%s: the 'space' section names no parameter", path);
done:
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    return st;
}

/* ---- best.yaml ------------------------------------------------------------------------- */

static const gp_desc_hyper *first_of(const gp_gap_spec *s, gp_kind k)
{
    for (size_t d = 0; d < s->n_desc; d++)
        if (s->desc[d].kind == k) return &s->desc[d];
    return NULL;
}

static int write_best(const char *path, const gp_gap_spec *s, const bo_log *log, long b, const char *train)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    const bo_trial *t = &log->t[b];
    fprintf(f, "# galore tune: best of %zu trials (trial %ld) on %s\n", log->n, b, train);
    fprintf(f, "# validation: energy MAE %.4f meV/atom, force MAE %.5f eV/Å, objective %.8g\n",
            1e3 * t->energy_mae, t->force_mae, t->value);
    fprintf(f, "gap:\n  sigma_energy: %.8g eV\n  sigma_force: %.8g eV/Å\n  sigma_virial: %.8g eV\n"
               "  sparse_jitter: %.8g\n", s->sigma_energy, s->sigma_force, s->sigma_virial, s->sparse_jitter);
    int first = 1;
    for (int z = 1; z <= AL_MAX_Z; z++)
        if (s->e0[z] != 0.0) {
            fprintf(f, "%s%s: %.12g", first ? "  e0: {" : ", ", al_element_symbol(z), s->e0[z]);
            first = 0;
        }
    if (!first) fprintf(f, "}\n");
    const gp_desc_hyper *h = first_of(s, GP_KIND_2B);
    fprintf(f, "  two_body:\n    enabled: %s\n", h ? "true" : "false");
    if (h)
        fprintf(f, "    cutoff: %.8g Å\n    transition_width: %.8g Å\n    n_sparse: %zu\n"
                   "    delta: %.8g eV\n    theta: %.8g Å\n",
                h->b2.cutoff, h->b2.transition_width, h->n_sparse, h->delta, h->theta);
    h = first_of(s, GP_KIND_SOAP);
    fprintf(f, "  soap:\n    enabled: %s\n", h ? "true" : "false");
    if (h)
        fprintf(f, "    cutoff: %.8g Å\n    transition_width: %.8g Å\n    n_max: %d\n    l_max: %d\n"
                   "    atom_sigma: %.8g Å\n    zeta: %d\n    delta: %.8g eV\n    n_sparse: %zu\n"
                   "    sparse_method: %s\n",
                h->soap.cutoff, h->soap.transition_width, h->soap.n_max, h->soap.l_max, h->soap.atom_sigma,
                h->zeta, h->delta, h->n_sparse, h->sparse_method == GP_SPARSE_RANDOM ? "random" : "cur");
    return fclose(f);
}

/* ---- the search ------------------------------------------------------------------------ */

typedef struct tune_args {
    const char *train, *space, *out, *campaign, *log, *test;
    long budget, batch, seed;
} tune_args;

static int parse_args(int argc, char **argv, tune_args *a)
{
    memset(a, 0, sizeof *a);
    a->budget = a->batch = a->seed = -1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (o[0] != '-') {
            if (a->train) return orc_cli_usage_error("tune", "more than one training file ('%s')", o);
            a->train = o;
            continue;
        }
        if (!v) return orc_cli_usage_error("tune", "option %s needs a value", o);
        i++;
        if (!strcmp(o, "--space")) a->space = v;
        else if (!strcmp(o, "-o") || !strcmp(o, "--output")) a->out = v;
        else if (!strcmp(o, "--campaign")) a->campaign = v;
        else if (!strcmp(o, "--log")) a->log = v;
        else if (!strcmp(o, "--test")) a->test = v;
        else if (!strcmp(o, "--budget")) a->budget = atol(v);
        else if (!strcmp(o, "--batch")) a->batch = atol(v);
        else if (!strcmp(o, "--seed")) a->seed = atol(v);
        else return orc_cli_usage_error("tune", "unknown option '%s'", o);
    }
    if (!a->train || !a->space || !a->out)
        return orc_cli_usage_error("tune", "needs TRAIN.xyz, --space TUNE.yaml and -o BEST.yaml");
    if (a->budget == 0 || a->batch == 0 || a->budget < -1 || a->batch < -1)
        return orc_cli_usage_error("tune", "--budget and --batch must be at least 1");
    return 0;
}

/* Fits spec on all frames and prints its errors on the test file. */
static al_status report_test(const char *label, const gp_gap_spec *spec, const al_frame *train,
                             size_t n_train, const al_frame *test, size_t n_test, al_err *err)
{
    gp_model *m = NULL;
    double e, f, t0 = al_wtime();
    AL_TRY(err, gp_gap_fit(spec, train, n_train, &m, err));
    double t1 = al_wtime();
    al_status st = bo_gap_errors(m, test, n_test, &e, &f, err);
    gp_model_destroy(m);
    if (!st)
        printf("test %-8s energy MAE %.4f meV/atom, force MAE %.5f eV/Å (fit on %zu frames, %.1f s)\n",
               label, 1e3 * e, f, n_train, t1 - t0);
    return st;
}

static int run(const tune_args *a, orc_campaign *c, al_err *err)
{
    int rc = 1;
    al_frame *frames = NULL, *test = NULL, *tr = NULL, *va = NULL;
    size_t n = 0, n_test = 0, n_va = 0, n_tr = 0;
    unsigned char *is_va = NULL;
    bo_space space;
    bo_log log;
    int log_open = 0;
    tune_cfg cfg = {c->bayesopt.budget, c->bayesopt.batch, c->loop.seed, c->bayesopt.patience,
                    c->bayesopt.acquisition,
                    c->bayesopt.energy_weight, c->bayesopt.force_weight, c->bayesopt.validation_fraction};
    if (load_space(a->space, &space, &cfg, err)) goto fail_input;
    if (a->budget > 0) cfg.budget = a->budget;
    if (a->batch > 0) cfg.batch = a->batch;
    if (a->seed >= 0) cfg.seed = a->seed;
    if (al_xyz_read_all(a->train, &frames, &n, err)) goto fail_input;
    if (a->test && al_xyz_read_all(a->test, &test, &n_test, err)) goto fail_input;
    int species[AL_MAX_Z + 1], ns = orc_species_of(frames, n, species);
    gp_gap_spec base;
    if (orc_gap_spec(&c->gap, species, ns, (uint64_t)cfg.seed, &base, err)) goto fail_input;
    if (bo_gap_check_space(&space, &base, err)) goto fail_input;
    is_va = al_malloc(n ? n : 1);
    tr = al_malloc((n ? n : 1) * sizeof *tr);
    va = al_malloc((n ? n : 1) * sizeof *va);
    if (!is_va || !tr || !va) {
        al_fail(err, AL_ENOMEM, "out of memory for %zu frames", n);
        goto fail;
    }
    if (bo_gap_split(n, cfg.validation_fraction, (uint64_t)cfg.seed, is_va, &n_va, err)) goto fail_input;
    n_va = n_tr = 0;
    for (size_t i = 0; i < n; i++) {   /* shallow copies: the frames stay owned by `frames` */
        if (is_va[i]) va[n_va++] = frames[i];
        else tr[n_tr++] = frames[i];
    }
    al_comm *world = al_comm_world();
    int size = al_comm_size(world), root = al_comm_rank(world) == 0;
    if (size > 1 && cfg.batch < size) cfg.batch = size;   /* one fit per rank at least */
    bo_log_init(&log, &space);
    log_open = 1;
    char log_path[2048];
    snprintf(log_path, sizeof log_path, "%s", a->log ? a->log : "");
    if (!a->log) snprintf(log_path, sizeof log_path, "%s.trials.csv", a->out);
    if (access(log_path, F_OK) == 0) {
        if (bo_log_load(&log, log_path, err)) goto fail_input;
        al_info("tune: resuming from %s (%zu trials)", log_path, log.n);
    }
    al_info("tune: %zu training and %zu validation frames, %zu parameters, budget %ld, batch %ld",
            n_tr, n_va, space.d, cfg.budget, cfg.batch);
    bo_gap_problem prob = {base, &space, tr, n_tr, va, n_va, cfg.energy_weight, cfg.force_weight};
    bo_opts o = bo_opts_default();
    o.seed = (unsigned long long)cfg.seed;
    o.batch = (size_t)cfg.batch;
    o.acq = cfg.acquisition ? BO_ACQ_UCB : BO_ACQ_EI;
    o.patience = (size_t)cfg.patience;
    o.log_value = 1;
    o.comm = world;
    int stopped = 0;
    /* Rounds of one batch, the log saved after each: proposals depend on the log only, so
     * this is the same search as one bo_run call, and a kill loses at most one round. */
    while (log.n < (size_t)cfg.budget && !stopped) {
        size_t before = log.n;
        o.budget = log.n + (size_t)cfg.batch < (size_t)cfg.budget ? log.n + (size_t)cfg.batch : (size_t)cfg.budget;
        if (bo_run(&log, &o, bo_gap_objective, &prob, &stopped, err)) goto fail;
        if (root && bo_log_save(&log, log_path, err)) goto fail;
        if (log.n == before) break;
    }
    long b = bo_log_best(&log);
    if (b < 0) {
        al_fail(err, AL_ENOCONV, "every one of the %zu trials failed (see the log above)", log.n);
        goto fail;
    }
    gp_gap_spec best;
    if (bo_gap_apply(&base, &space, log.t[b].x, &best, err)) goto fail;
    if (!root) {   /* rank 0 writes the files and reports */
        rc = 0;
        goto done;
    }
    if (write_best(a->out, &best, &log, b, a->train)) {
        al_fail(err, AL_EIO, "%s: cannot write", a->out);
        goto fail;
    }
    printf("best of %zu trials: trial %ld, objective %.6g (validation %.4f meV/atom, %.5f eV/Å)\n", log.n, b,
           log.t[b].value, 1e3 * log.t[b].energy_mae, log.t[b].force_mae);
    for (size_t j = 0; j < space.d; j++) printf("  %s = %.8g\n", space.p[j].name, log.t[b].x[j]);
    printf("written %s (trial log %s)\n", a->out, log_path);
    if (a->test) {
        if (report_test("base", &base, frames, n, test, n_test, err)) goto fail;
        if (report_test("best", &best, frames, n, test, n_test, err)) goto fail;
    }
    rc = 0;
    goto done;
fail_input:
    rc = 2;
    goto done;
fail:
    rc = 1;
done:
    if (rc) fprintf(stderr, "galore tune: %s\n", err->msg);
    if (log_open) bo_log_fini(&log);
    al_free(is_va);
    al_free(tr);
    al_free(va);
    al_frames_free(frames, n);
    al_frames_free(test, n_test);
    return rc;
}

int orc_cmd_tune(int argc, char **argv)
{
    tune_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc) return rc;
    static orc_campaign c;
    al_err err;
    al_err_clear(&err);
    /* MPI only when started by a launcher: a serial run never initialises it. */
    int launched = getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
    if (launched && al_comm_init(&argc, &argv, &err)) {
        fprintf(stderr, "galore tune: %s\n", err.msg);
        return 1;
    }
    orc_campaign_defaults(&c);
    if (a.campaign && orc_campaign_load_part(a.campaign, &c, &err) != AL_OK) {
        fprintf(stderr, "galore tune: %s\n", err.msg);
        return 2;
    }
    return run(&a, &c, &err);
}
