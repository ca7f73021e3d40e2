/*
 * The MPI task farm (run under mpiexec -n 2): a campaign whose labels are computed by rank 1
 * gives exactly the dataset of the same campaign labeled on one process; a worker that fails a
 * label reports it with its rank, after one retry, and the other labels still arrive. On one
 * rank (no mpiexec) only the single-process part runs.
 */
#include <stdlib.h>

#include "core/alloc.h"
#include "core/comm.h"
#include "core/dataset.h"
#include "core/extxyz.h"
#include "orchestrator/farm.h"
#include "orchestrator/loop.h"
#include "tests/harness/al_test.h"
#include "tests/orc/campaign_checks.h"

static void load(al_test *t, const char *file, const char *dir, orc_campaign *c)
{
    al_err err;
    char path[1024];
    snprintf(path, sizeof path, "%sloop/%s", al_test_data_dir(), file);
    AL_CHECK_OK(t, orc_campaign_load(path, c, &err), &err);
    snprintf(c->output.directory, sizeof c->output.directory, "%s", dir);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) al_test_fail(t, __FILE__, __LINE__, "cannot remove %s", dir);
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

/* Rank 0 hands three DFT labels to rank 1; the second frame has two atoms 0.2 Å apart. */
static void failing_label(al_test *t, orc_farm *farm)
{
    al_err err;
    char path[1024];
    snprintf(path, sizeof path, "%sloop/si8.xyz", al_test_data_dir());
    al_frame *f = NULL;
    size_t n = 0;
    AL_CHECK_OK(t, al_xyz_read_all(path, &f, &n, &err), &err);
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
    for (int k = 0; k < 3; k++) al_frame_fini(&frames[k]);
    al_frame_fini(&f[0]);
    al_free(f);
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
        AL_CHECK_OK(t, orc_farm_serve(w, &err), &err);
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
    orc_farm_init(&farm, w);
    orc_run_opts o = {0, &farm, 0};
    load(t, "si_sw.yaml", farmed, &c);
    AL_CHECK_OK(t, orc_campaign_start(&c, &o, &err), &err);
    same_dataset(t, one, farmed);
    farm.set_up = false;   /* a second setup: the worker keeps its first campaign */
    failing_label(t, &farm);
    orc_farm_stop(&farm);
}

static const al_test_case cases[] = {
    {"two_ranks_same_dataset", test_two_ranks_same_dataset, AL_TEST_MPI},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
