/*
 * The SELECT stage of the campaign loop: the candidates of this iteration's replicas pass the
 * uncertainty window, then the diversity stage among the survivors, then the per-iteration
 * budget; the picks join the dataset as training frames of the next iteration, each with the
 * reason it was picked.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/extxyz.h"
#include "core/log.h"
#include "orchestrator/gap_spec.h"
#include "orchestrator/loop_impl.h"
#include "orchestrator/summary.h"
#include "selectors/sel.h"

/* Every candidate of this iteration's replicas, in replica order. */
static al_status read_candidates(orc_run *run, al_frame **cand, size_t *n, al_err *err)
{
    *cand = NULL;
    *n = 0;
    for (size_t r = 0; r < (size_t)run->c->explore.replicas; r++) {
        char path[1200], name[64];
        snprintf(name, sizeof name, "replica_%zu.xyz", r);
        al_frame *c = NULL;
        size_t m = 0;
        AL_TRY(err, al_xyz_read_all(orc_explore_path(run, run->st.iteration, name, path, sizeof path), &c, &m, err));
        al_frame *all = al_realloc(*cand, (*n + m + 1) * sizeof *all);
        if (!all) {
            for (size_t i = 0; i < m; i++) al_frame_fini(&c[i]);
            al_free(c);
            return al_fail(err, AL_ENOMEM, "select: out of memory");
        }
        memcpy(all + *n, c, m * sizeof *c);   /* the frames move; their arrays stay */
        al_free(c);
        *cand = all;
        *n += m;
    }
    return AL_OK;
}

/* Summary rows of frames (n × dim) into a new array. */
static al_status summaries(orc_summary *s, const al_frame *frames, size_t n, double **rows, al_err *err)
{
    size_t dim = orc_summary_dim(s);
    *rows = al_malloc((n ? n : 1) * dim * sizeof **rows);
    if (!*rows) return al_fail(err, AL_ENOMEM, "select: out of memory for descriptor summaries");
    for (size_t i = 0; i < n; i++) AL_TRY(err, orc_summary_row(s, &frames[i], *rows + i * dim, err));
    return AL_OK;
}

/* Stages of the campaign's select section. */
/* Stages of the campaign's select section: the window, then the diversity stage; without one
 * ("none") the most uncertain survivors. */
static size_t stage_names(const orc_select *s, const char **names)
{
    static const char *const diversity[] = {"cur", "fps", "random", "top"};
    size_t k = 0;
    names[k++] = "window";
    names[k++] = diversity[s->diversity >= 0 && s->diversity < 4 ? s->diversity : 3];
    return k;
}

static al_status append_picks(orc_run *run, al_frame *cand, const sel_result *picks, al_err *err)
{
    size_t done = al_store_count(run->store) - run->st.stage_first_frame;
    for (size_t k = done; k < picks->n; k++) {
        const sel_pick *p = &picks->picks[k];
        al_frame *f = &cand[p->index];
        AL_TRY(err, al_info_set_str(&f->info, "selected_by", sel_reason_name(p->reason), err));
        AL_TRY(err, al_info_set_real(&f->info, "selection_score", p->score, err));
        AL_TRY(err, al_info_set_int(&f->info, "explore_iteration", run->st.iteration, err));
        al_store_meta meta = {AL_ROLE_TRAIN, run->st.iteration + 1};
        AL_TRY(err, al_store_append(run->store, f, &meta, NULL, err));
    }
    return AL_OK;
}

/* Runs the selection pipeline on the candidates; the picks go to out. */
static al_status choose(orc_run *run, al_frame *cand, size_t n, sel_result *out, al_err *err)
{
    al_frame *train = NULL;
    size_t n_train = 0;
    al_store_filter flt = al_store_filter_all();
    flt.roles = 1u << AL_ROLE_TRAIN;
    flt.labels_all = AL_LBL_ENERGY;
    size_t *idx = NULL;
    AL_TRY(err, al_store_select(run->store, &flt, &idx, &n_train, err));
    al_status st = (train = al_calloc(n_train + 1, sizeof *train)) ? AL_OK : al_fail(err, AL_ENOMEM, "select: out of memory");
    for (size_t k = 0; !st && k < n_train; k++) st = al_store_read(run->store, idx[k], &train[k], NULL, err);
    al_free(idx);
    int species[AL_MAX_Z];
    int n_species = orc_species_of(train, n_train, species);
    orc_summary *sum = NULL;
    double *u = al_malloc((n + 1) * sizeof *u), *rows = NULL, *train_rows = NULL;
    for (size_t i = 0; u && i < n; i++)
        if (!al_info_get_real(&cand[i].info, "md_uncertainty", &u[i])) u[i] = INFINITY;
    if (!st && !u) st = al_fail(err, AL_ENOMEM, "select: out of memory");
    if (!st) st = orc_summary_create(&run->c->gap.soap, species, n_species, &sum, err);
    if (!st) st = summaries(sum, cand, n, &rows, err);
    if (!st) st = summaries(sum, train, n_train, &train_rows, err);
    if (!st) {
        sel_input in = {n, u, orc_summary_dim(sum), rows, n_train, train_rows};
        sel_params p = sel_params_default();
        p.u_min = run->c->select.uncertainty_min;
        p.u_max = run->c->select.uncertainty_max;
        p.above_max = (sel_above)run->c->select.above_max;
        p.cur_mode = run->c->select.cur_variant == 1 ? SEL_CUR_RANDOM : SEL_CUR_GREEDY;
        p.rng = &run->rng;
        const char *names[2];
        size_t n_stages = stage_names(&run->c->select, names);
        st = sel_run(&in, &p, names, n_stages, (size_t)run->c->select.per_iteration, out, err);
    }
    orc_summary_destroy(sum);
    al_free(u);
    al_free(rows);
    al_free(train_rows);
    for (size_t k = 0; train && k < n_train; k++) al_frame_fini(&train[k]);
    al_free(train);
    return st;
}

al_status orc_stage_select(orc_run *run, orc_stage *next, al_err *err)
{
    al_frame *cand = NULL;
    size_t n = 0;
    AL_TRY(err, read_candidates(run, &cand, &n, err));
    sel_result picks;
    sel_result_init(&picks);
    al_status st = n ? choose(run, cand, n, &picks, err) : AL_OK;
    if (!st) st = append_picks(run, cand, &picks, err);
    if (!st) {
        orc_json_int(run->stage_event, "candidates", (long)n);
        orc_json_int(run->stage_event, "selected", (long)picks.n);
        al_info("select: %zu of %zu candidates", picks.n, n);
    }
    *next = ORC_STAGE_LABEL;
    if (!st && picks.n == 0) {
        snprintf(run->st.stop_reason, sizeof run->st.stop_reason,
                 "converged: no candidate within the uncertainty window [%g, %g] eV/atom",
                 run->c->select.uncertainty_min, run->c->select.uncertainty_max);
        *next = ORC_STAGE_DONE;
    }
    sel_result_fini(&picks);
    for (size_t i = 0; i < n; i++) al_frame_fini(&cand[i]);
    al_free(cand);
    return st;
}
