/*
 * The MPI task farm (run under mpiexec -n 2): a campaign whose labels, MD replicas and tuning
 * trials are computed by rank 1 gives exactly the dataset (and trial log) of the same campaign
 * run on one process; a worker that fails a label reports it with its rank, after one retry,
 * and the other labels still arrive; a failing trial fit is reported with its rank. On one rank
 * (no mpiexec) only the single-process part runs.
 */
#include <math.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "core/comm.h"
#include "core/dataset.h"
#include "core/extxyz.h"
#include "gp/bo/bo.h"
#include "orchestrator/farm.h"
#include "orchestrator/loop.h"
#include "orchestrator/loop_impl.h"
#include "tests/harness/al_test.h"
#include "tests/orc/campaign_checks.h"

static void load(al_test *t, const char *file, const char *dir, orc_campaign *c)
{
    al_err err;
    char path[1024];
    snprintf(path, sizeof path, "%sloop/%s", al_test_data_dir(), file);
    AL_CHECK_OK(t, orc_campaign_load(path, c, &err), &err);
    snprintf(c->output.directory, sizeof c->output.directory, "%s", dir);
    rm_rf(dir);
}

typedef struct results {
    int ok, failed;
    char msg[512];
} results;

static al_status record(size_t i, al_frame *labeled, al_status st, const char *msg, void *user, al_err *err)
{
    results *r = user;
    if (st) {
        r->failed++;
        snprintf(r->msg, sizeof r->msg, "%s", msg);
    } else if (labeled->labels == (AL_LBL_ENERGY | AL_LBL_FORCES | AL_LBL_VIRIAL)) {
        r->ok++;
    }
    return AL_OK;
}

static al_status no_replica(size_t k, const orc_replica_outcome *out, void *user, al_err *err)
{
    return al_fail(err, AL_EINVAL, "replica %zu should have failed", k);
}

static al_status note_trial(size_t k, const orc_trial_outcome *o, void *user, al_err *err)
{
    *(orc_trial_outcome *)user = *o;
    return AL_OK;
}

/* A replica whose model file is missing ends the stage with the rank and replica named; a trial
 * that cannot fit (no labeled frame) is a failed trial with the rank named. */
static void failing_replica_and_trial(al_test *t, orc_farm *farm, const al_frame *frame)
{
    al_err err;
    orc_replica_task task = {3, frame, false};
    al_status st = orc_farm_replicas(farm, "/nonexistent/model.h5", 7, &task, 1, no_replica, NULL, NULL, &err);
    AL_CHECK(t, st != AL_OK);
    AL_CHECK_CONTAINS(t, err.msg, "explore replica 3 failed on rank 1: rank 1: ");
    AL_CHECK_CONTAINS(t, err.msg, "/nonexistent/model.h5");
    AL_CHECK_OK(t, orc_farm_trial_data(farm, frame, 1, frame, 1, &err), &err);
    orc_trial_outcome o = {1, 0, 0, 0, 0, ""};
    double x[BO_MAX_DIM] = {1.0, 0.002, 0.05};   /* two_body.delta, sigma_energy, sigma_force */
    AL_CHECK_OK(t, orc_farm_trials(farm, x, 1, 3, note_trial, NULL, &o, &err), &err);
    AL_CHECK(t, o.ok == 0 && isnan(o.value));
    AL_CHECK_CONTAINS(t, o.msg, "rank 1: ");
}

/* The frames of tests/data/loop/si8.xyz (one 8-atom silicon cell). */
static void read_si8(al_test *t, al_frame **f, size_t *n)
{
    al_err err;
    char path[1024];
    snprintf(path, sizeof path, "%sloop/si8.xyz", al_test_data_dir());
    AL_CHECK_OK(t, al_xyz_read_all(path, f, n, &err), &err);
}

/* Rank 0 hands three DFT labels to rank 1; the second frame has two atoms 0.2 Å apart. */
static void failing_label(al_test *t, orc_farm *farm)
{
    al_err err;
    al_frame *f = NULL;
    size_t n = 0;
    read_si8(t, &f, &n);
    al_frame frames[3];
    for (int k = 0; k < 3; k++) {
        al_frame_init(&frames[k]);
        al_frame_copy(&frames[k], &f[0], &err);
        frames[k].pos[0][0] += 0.05 * k;
    }
    frames[1].pos[1][0] = frames[1].pos[0][0] + 0.2;
    frames[1].pos[1][1] = frames[1].pos[0][1];
    frames[1].pos[1][2] = frames[1].pos[0][2];
    /* The DFT campaign gives the worker its labeler; its pseudopotential path made absolute,
     * as in a campaign directory's effective file, and fixed occupations (near-ideal crystals). */
    char cmd[4096], yaml[1024];
    snprintf(yaml, sizeof yaml, "%sdft.yaml", al_test_tmp_dir(t));
    snprintf(cmd, sizeof cmd, "sed -e 's#\\.\\./dft/#%sdft/#' -e '/smearing/d' %sloop/si_dft.yaml > %s",
             al_test_data_dir(), al_test_data_dir(), yaml);
    AL_CHECK(t, system(cmd) == 0);
    AL_CHECK_OK(t, orc_farm_setup(farm, yaml, &err), &err);
    results r = {0, 0, ""};
    AL_CHECK_OK(t, orc_farm_label(farm, frames, 3, record, NULL, &r, &err), &err);
    AL_CHECK(t, r.ok == 2 && r.failed == 1);
    AL_CHECK_CONTAINS(t, r.msg, "rank 1: ");
    AL_CHECK_CONTAINS(t, r.msg, "atoms 1 and 2 overlap: 0.2000 Å apart (minimum 0.5000 Å)");
    failing_replica_and_trial(t, farm, &f[0]);   /* unlabeled */
    for (int k = 0; k < 3; k++) al_frame_fini(&frames[k]);
    al_frame_fini(&f[0]);
    al_free(f);
}

/* The trials of two campaigns' searches: the same points and objective values, in order. */
static void same_trials(al_test *t, const orc_campaign *c, const char *dir_a, const char *dir_b, const char *file)
{
    al_err err;
    char pa[1200], pb[1200];
    snprintf(pa, sizeof pa, "%s/bo/%s", dir_a, file);
    snprintf(pb, sizeof pb, "%s/bo/%s", dir_b, file);
    bo_space space;
    AL_CHECK_OK(t, orc_tune_space(&c->gap, &space, &err), &err);
    bo_log a, b;
    bo_log_init(&a, &space);
    bo_log_init(&b, &space);
    AL_CHECK_OK(t, bo_log_load(&a, pa, &err), &err);
    AL_CHECK_OK(t, bo_log_load(&b, pb, &err), &err);
    AL_CHECK_MSG(t, a.n == b.n && a.n == 6, "%zu trials against %zu", a.n, b.n);
    for (size_t k = 0; k < a.n && k < b.n; k++) {
        AL_CHECK_MSG(t, a.t[k].value == b.t[k].value && a.t[k].ok == b.t[k].ok, "trial %zu: %.17g against %.17g",
                     k, a.t[k].value, b.t[k].value);
        AL_CHECK(t, !memcmp(a.t[k].x, b.t[k].x, a.space.d * sizeof *a.t[k].x));
    }
    bo_log_fini(&a);
    bo_log_fini(&b);
}

/* Tuning with batches of two trials: farmed, the trials of a batch run on the worker. */
static void tuned_campaign(al_test *t, orc_farm *farm)
{
    static orc_campaign c;
    al_err err;
    char one[1024], farmed[1024];
    snprintf(one, sizeof one, "%sbo_one_rank", al_test_tmp_dir(t));
    snprintf(farmed, sizeof farmed, "%sbo_farmed", al_test_tmp_dir(t));
    load(t, "si_sw_bo.yaml", one, &c);
    c.bayesopt.batch = 2;
    AL_CHECK_OK(t, orc_campaign_start(&c, NULL, &err), &err);
    load(t, "si_sw_bo.yaml", farmed, &c);
    c.bayesopt.batch = 2;
    orc_run_opts o = {0, farm, 0};
    farm->set_up = false;
    AL_CHECK_OK(t, orc_campaign_start(&c, &o, &err), &err);
    same_dataset(t, one, farmed);
    same_trials(t, &c, one, farmed, "iter_000.csv");
}

static void test_two_ranks_same_dataset(al_test *t)
{
    static orc_campaign c;
    al_err err;
    int argc = 0;
    char **argv = NULL;
    AL_CHECK_OK(t, al_comm_init(&argc, &argv, &err), &err);
    const al_comm *w = al_comm_world();
    if (al_comm_rank(w) != 0) {   /* the worker */
        AL_CHECK_OK(t, orc_farm_serve(w, al_comm_self(), &err), &err);
        return;
    }
    char one[1024], farmed[1024];
    snprintf(one, sizeof one, "%sone_rank", al_test_tmp_dir(t));
    snprintf(farmed, sizeof farmed, "%sfarmed", al_test_tmp_dir(t));
    load(t, "si_sw.yaml", one, &c);
    AL_CHECK_OK(t, orc_campaign_start(&c, NULL, &err), &err);
    if (al_comm_size(w) < 2) {
        fprintf(stderr, "one rank: the farm part of this test runs under mpiexec -n 2\n");
        return;
    }
    orc_farm farm;
    orc_farm_init(&farm, w, 1);
    orc_run_opts o = {0, &farm, 0};
    load(t, "si_sw.yaml", farmed, &c);
    AL_CHECK_OK(t, orc_campaign_start(&c, &o, &err), &err);
    same_dataset(t, one, farmed);
    tuned_campaign(t, &farm);
    farm.set_up = false;   /* a second setup: the worker makes the DFT labeler */
    failing_label(t, &farm);
    orc_farm_stop(&farm);
}

/* The DFT campaign's labeler with 2x2x1 k-points (pseudopotential path made absolute). */
static void kpoint_campaign(al_test *t, char *yaml, size_t n)
{
    char cmd[4096];
    snprintf(yaml, n, "%skpts.yaml", al_test_tmp_dir(t));
    snprintf(cmd, sizeof cmd, "sed -e 's#\\.\\./dft/#%sdft/#' -e 's#^  labeler: dft#  labeler: dft\\n  kpts: [2, 2, 1]#' "
             "%sloop/si_dft.yaml > %s", al_test_data_dir(), al_test_data_dir(), yaml);
    AL_CHECK(t, system(cmd) == 0);
}

/* Two rattled copies of si8.xyz labeled by this process alone. */
static void local_labels(al_test *t, const char *yaml, al_frame *frames)
{
    static orc_campaign c;
    al_err err;
    al_frame *f = NULL;
    size_t n = 0;
    read_si8(t, &f, &n);
    AL_CHECK_OK(t, orc_campaign_load(yaml, &c, &err), &err);
    AL_CHECK(t, c.dft.kpts.n == 3 && c.dft.kpts.v[0] == 2 && c.dft.kpts.v[2] == 1);
    al_potential pot = {0}, safe = {0};
    AL_CHECK_OK(t, orc_labeler_create(&c, NULL, &pot, &safe, &err), &err);
    for (int k = 0; k < 2; k++) {
        al_frame_init(&frames[k]);
        AL_CHECK_OK(t, al_frame_copy(&frames[k], &f[0], &err), &err);
        frames[k].pos[k + 1][1] += 0.1;
        AL_CHECK_OK(t, al_frame_alloc_forces(&frames[k], &err), &err);
        al_pot_result res = {.forces = frames[k].forces, .virial = &frames[k].virial[0][0]};
        AL_CHECK_OK(t, al_potential_compute(&pot, &frames[k], &res, &err), &err);
        frames[k].energy = res.energy;
    }
    al_potential_destroy(&pot);
    al_potential_destroy(&safe);
    al_frames_free(f, n);
}

static al_status keep(size_t i, al_frame *labeled, al_status st, const char *msg, void *user, al_err *err)
{
    return st ? al_fail(err, st, "label %zu: %s", i, msg) : AL_OK;
}

/* Three ranks: rank 0 runs the campaign, ranks 1 and 2 form one worker that computes each DFT
 * label together, sharing its k-points; the labels equal one process's to rounding. */
static void test_group_of_ranks(al_test *t)
{
    al_err err;
    int argc = 0;
    char **argv = NULL;
    AL_CHECK_OK(t, al_comm_init(&argc, &argv, &err), &err);
    const al_comm *w = al_comm_world();
    int rank = al_comm_rank(w);
    al_comm *group = NULL;
    AL_CHECK_OK(t, al_comm_split(w, rank == 0 ? 0 : 1, rank, &group, &err), &err);
    if (rank != 0) {
        AL_CHECK_OK(t, orc_farm_serve(w, group, &err), &err);
        al_comm_destroy(group);
        return;
    }
    al_comm_destroy(group);
    char yaml[1024];
    kpoint_campaign(t, yaml, sizeof yaml);
    al_frame ref[2], farmed[2];
    local_labels(t, yaml, ref);
    if (al_comm_size(w) < 3) {
        fprintf(stderr, "fewer than 3 ranks: the group part of this test runs under mpiexec -n 3\n");
        for (int k = 0; k < 2; k++) al_frame_fini(&ref[k]);
        return;
    }
    orc_farm farm;
    orc_farm_init(&farm, w, 2);
    AL_CHECK(t, farm.n_workers == 1 && orc_farm_rank(&farm, 0) == 1);
    AL_CHECK_OK(t, orc_farm_setup(&farm, yaml, &err), &err);
    for (int k = 0; k < 2; k++) {
        al_frame_init(&farmed[k]);
        AL_CHECK_OK(t, al_frame_copy(&farmed[k], &ref[k], &err), &err);
        farmed[k].labels = 0;
    }
    AL_CHECK_OK(t, orc_farm_label(&farm, farmed, 2, keep, NULL, NULL, &err), &err);
    orc_farm_stop(&farm);
    for (int k = 0; k < 2; k++) {
        double df = 0, dv = 0;
        for (size_t i = 0; i < 3 * ref[k].n_atoms; i++)
            df = fmax(df, fabs((&farmed[k].forces[0][0])[i] - (&ref[k].forces[0][0])[i]));
        for (int i = 0; i < 9; i++) dv = fmax(dv, fabs((&farmed[k].virial[0][0])[i] - (&ref[k].virial[0][0])[i]));
        AL_CHECK_MSG(t, fabs(farmed[k].energy - ref[k].energy) < 1e-8 && df < 1e-7 && dv < 1e-7,
                     "frame %d: ΔE %.3g eV, ΔF %.3g eV/Å, Δvirial %.3g eV", k, farmed[k].energy - ref[k].energy, df, dv);
        AL_CHECK(t, ref[k].energy < -800 && fabs(ref[k].forces[k + 1][1]) > 0.05);
        al_frame_fini(&ref[k]);
        al_frame_fini(&farmed[k]);
    }
}

static const al_test_case cases[] = {
    {"two_ranks_same_dataset", test_two_ranks_same_dataset, AL_TEST_MPI},
    {"group_of_ranks", test_group_of_ranks, AL_TEST_MPI3},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
