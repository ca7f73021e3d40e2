/*
 * `galore select CANDIDATES.xyz -n N -o PICKED.xyz`: the selection stage of a campaign on its
 * own (selectors/sel.h, docs/selection.md). Uncertainties come from a model (--model, its mean
 * atomic σ per frame) or from a per-frame info key (gap_sigma_mean as `galore predict` writes
 * it, or md_uncertainty from exploration); descriptor summaries are the per-species average
 * SOAP vectors with the campaign's SOAP settings (orchestrator/summary.h). The chosen frames
 * are written with selected_by, selection_score and uncertainty in their info.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/extxyz.h"
#include "core/rng.h"
#include "gp/gap.h"
#include "orchestrator/campaign.h"
#include "orchestrator/cli.h"
#include "orchestrator/gap_spec.h"
#include "orchestrator/summary.h"
#include "selectors/sel.h"

const char orc_usage_select[] =
    "usage: galore select CANDIDATES.xyz -n N -o PICKED.xyz [options]\n"
    "\n"
    "Chooses at most N frames to label: an uncertainty window, then a diversity stage\n"
    "(docs/selection.md). Each chosen frame gets selected_by, selection_score and uncertainty.\n"
    "options:\n"
    "  --model MODEL.h5       uncertainty = mean atomic sigma predicted by this galore model\n"
    "  --key NAME             else read it from this per-frame info key (default gap_sigma_mean,\n"
    "                         then md_uncertainty); eV per atom\n"
    "  --train TRAIN.xyz      training set: farthest-point sampling keeps away from it\n"
    "  --window MIN:MAX       uncertainty window in eV/atom (default: the campaign's)\n"
    "  --above-max skip|cap   frames above MAX: dropped, or kept ranked as if at MAX\n"
    "  --diversity cur|fps|random|none   stage after the window (none: most uncertain first)\n"
    "  --cur-variant greedy|random\n"
    "  --campaign FILE        select and gap sections (defaults otherwise)\n"
    "  --seed S               for the random stages (default: the campaign's loop.seed)\n";

typedef struct select_args {
    const char *cand, *out, *model, *key, *train, *window, *campaign;
    const char *above, *diversity, *variant;
    long n, seed;
} select_args;

static int parse_args(int argc, char **argv, select_args *a)
{
    memset(a, 0, sizeof *a);
    a->n = -1;
    a->seed = -1;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (o[0] != '-') {
            if (a->cand) return orc_cli_usage_error("select", "more than one candidate file ('%s')", o);
            a->cand = o;
            continue;
        }
        if (!v) return orc_cli_usage_error("select", "option %s needs a value", o);
        i++;
        if (!strcmp(o, "-n")) a->n = atol(v);
        else if (!strcmp(o, "-o")) a->out = v;
        else if (!strcmp(o, "--model")) a->model = v;
        else if (!strcmp(o, "--key")) a->key = v;
        else if (!strcmp(o, "--train")) a->train = v;
        else if (!strcmp(o, "--window")) a->window = v;
        else if (!strcmp(o, "--above-max")) a->above = v;
        else if (!strcmp(o, "--diversity")) a->diversity = v;
        else if (!strcmp(o, "--cur-variant")) a->variant = v;
        else if (!strcmp(o, "--campaign")) a->campaign = v;
        else if (!strcmp(o, "--seed")) a->seed = atol(v);
        else return orc_cli_usage_error("select", "unknown option '%s'", o);
    }
    if (!a->cand || !a->out || a->n < 1)
        return orc_cli_usage_error("select", "needs CANDIDATES.xyz, -n N (N >= 1) and -o PICKED.xyz");
    return 0;
}

/* Applies the command-line overrides to the select section; 2 on a bad value. */
static int apply_options(const select_args *a, orc_select *s)
{
    if (a->window) {
        char *end;
        double lo = strtod(a->window, &end), hi = NAN;
        if (*end == ':') hi = strtod(end + 1, &end);
        if (*end || !(lo >= 0) || !(hi >= lo))
            return orc_cli_usage_error("select", "--window needs MIN:MAX with 0 <= MIN <= MAX (got '%s')",
                                       a->window);
        s->uncertainty_min = lo, s->uncertainty_max = hi;
    }
    if (a->above) {
        if (strcmp(a->above, "skip") && strcmp(a->above, "cap"))
            return orc_cli_usage_error("select", "--above-max is skip or cap (got '%s')", a->above);
        s->above_max = !strcmp(a->above, "cap");
    }
    if (a->diversity) {
        static const char *names[] = {"cur", "fps", "random", "none"};
        int k = 0;
        while (k < 4 && strcmp(names[k], a->diversity)) k++;
        if (k == 4)
            return orc_cli_usage_error("select", "--diversity is cur, fps, random or none (got '%s')",
                                       a->diversity);
        s->diversity = k;
    }
    if (a->variant) {
        if (strcmp(a->variant, "greedy") && strcmp(a->variant, "random"))
            return orc_cli_usage_error("select", "--cur-variant is greedy or random (got '%s')", a->variant);
        s->cur_variant = !strcmp(a->variant, "random");
    }
    return 0;
}

/* Per-frame uncertainties from the model or the info key. */
static al_status uncertainties(const select_args *a, al_frame *f, size_t n, double *u, al_err *err)
{
    if (a->model) {
        gp_model *m = NULL;
        AL_TRY(err, gp_model_load(a->model, &m, err));
        if (!gp_model_has_variance(m)) {
            gp_model_destroy(m);
            return al_fail(err, AL_EINVAL, "%s: the model has no uncertainty (a QUIP XML file?)", a->model);
        }
        al_status st = AL_OK;
        for (size_t i = 0; i < n && !st; i++) {
            double *sig = al_malloc((f[i].n_atoms ? f[i].n_atoms : 1) * sizeof *sig);
            al_pot_result r;
            memset(&r, 0, sizeof r);
            r.want_uncertainty = true;
            r.atom_sigma = sig;
            st = sig ? gp_model_predict(m, &f[i], &r, err) : al_fail(err, AL_ENOMEM, "out of memory");
            u[i] = r.sigma_mean;
            al_free(sig);
        }
        gp_model_destroy(m);
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        const char *key = a->key ? a->key : "gap_sigma_mean";
        if (al_info_get_real(&f[i].info, key, &u[i])) continue;
        if (!a->key && al_info_get_real(&f[i].info, "md_uncertainty", &u[i])) continue;
        return al_fail(err, AL_EINVAL, "%s: frame %zu has no '%s' (give --model or --key)", a->cand, i,
                       key);
    }
    return AL_OK;
}

static al_status summaries(orc_summary *s, const al_frame *f, size_t n, double **rows, al_err *err)
{
    size_t dim = orc_summary_dim(s);
    *rows = al_malloc((n ? n : 1) * dim * sizeof **rows);
    if (!*rows) return al_fail(err, AL_ENOMEM, "out of memory for descriptor summaries");
    for (size_t i = 0; i < n; i++) AL_TRY(err, orc_summary_row(s, &f[i], *rows + i * dim, err));
    return AL_OK;
}

static al_status run(const select_args *a, const orc_campaign *c, al_err *err)
{
    al_frame *cand = NULL, *train = NULL, *all = NULL;
    size_t n = 0, nt = 0;
    double *u = NULL, *rows = NULL, *trows = NULL;
    orc_summary *sum = NULL;
    sel_result res;
    sel_result_init(&res);
    al_status st = al_xyz_read_all(a->cand, &cand, &n, err);
    if (!st && a->train) st = al_xyz_read_all(a->train, &train, &nt, err);
    if (!st && !(u = al_malloc((n ? n : 1) * sizeof *u))) st = al_fail(err, AL_ENOMEM, "out of memory");
    if (!st) st = uncertainties(a, cand, n, u, err);
    const orc_select *s = &c->select;
    int need_desc = s->diversity == 0 || s->diversity == 1;
    if (!st && need_desc) {
        int species[AL_MAX_Z + 1], ns;
        all = al_malloc((n + nt) * sizeof *all);
        if (!all) st = al_fail(err, AL_ENOMEM, "out of memory");
        for (size_t i = 0; !st && i < n + nt; i++) all[i] = i < n ? cand[i] : train[i - n];   /* shallow */
        ns = st ? 0 : orc_species_of(all, n + nt, species);
        if (!st) st = orc_summary_create(&c->gap.soap, species, ns, &sum, err);
        if (!st) st = summaries(sum, cand, n, &rows, err);
        if (!st && nt) st = summaries(sum, train, nt, &trows, err);
    }
    if (!st) {
        al_rng g;
        al_rng_seed(&g, (uint64_t)(a->seed >= 0 ? a->seed : c->loop.seed), 0);
        sel_input in = {n, u, sum ? orc_summary_dim(sum) : 0, rows, trows ? nt : 0, trows};
        sel_params p = sel_params_default();
        p.u_min = s->uncertainty_min;
        p.u_max = s->uncertainty_max;
        p.above_max = (sel_above)s->above_max;
        p.cur_mode = s->cur_variant ? SEL_CUR_RANDOM : SEL_CUR_GREEDY;
        p.rng = &g;
        static const char *const div[] = {"cur", "fps", "random", "top"};
        const char *names[2] = {"window", div[s->diversity]};
        st = sel_run(&in, &p, names, 2, (size_t)a->n, &res, err);
    }
    FILE *fp = NULL;
    if (!st && !(fp = fopen(a->out, "w"))) st = al_fail(err, AL_EIO, "%s: cannot write", a->out);
    for (size_t k = 0; !st && k < res.n; k++) {
        const sel_pick *pk = &res.picks[k];
        al_frame *f = &cand[pk->index];
        if (!st) st = al_info_set_str(&f->info, "selected_by", sel_reason_name(pk->reason), err);
        if (!st) st = al_info_set_real(&f->info, "selection_score", pk->score, err);
        if (!st) st = al_info_set_real(&f->info, "uncertainty", pk->uncertainty, err);
        if (!st) st = al_xyz_write(fp, f, err);
        if (!st)
            printf("%3zu  frame %5zu  uncertainty %.5f eV/atom  %s %.6g\n", k, pk->index, pk->uncertainty,
                   sel_reason_name(pk->reason), pk->score);
    }
    if (fp && fclose(fp) != 0 && !st) st = al_fail(err, AL_EIO, "%s: write failed", a->out);
    if (!st) printf("selected %zu of %zu candidates into %s\n", res.n, n, a->out);
    sel_result_fini(&res);
    orc_summary_destroy(sum);
    al_free(all);
    al_free(u);
    al_free(rows);
    al_free(trows);
    al_frames_free(cand, n);
    al_frames_free(train, nt);
    return st;
}

int orc_cmd_select(int argc, char **argv)
{
    select_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc) return rc;
    static orc_campaign c;
    al_err err;
    al_err_clear(&err);
    orc_campaign_defaults(&c);
    if (a.campaign && orc_campaign_load(a.campaign, &c, &err) != AL_OK) {
        fprintf(stderr, "galore select: %s\n", err.msg);
        return 2;
    }
    if ((rc = apply_options(&a, &c.select))) return rc;
    al_status st = run(&a, &c, &err);
    if (st) {
        fprintf(stderr, "galore select: %s\n", err.msg);
        return st == AL_EIO || st == AL_ENOMEM ? 1 : 2;
    }
    return 0;
}
