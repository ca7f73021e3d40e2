/*
 * Helpers shared by the campaign tests (test_loop.c, test_farm.c, test_validate.c): paths in
 * the test's scratch directory, comparing two campaigns' datasets frame by frame and reading a
 * campaign's state.
 */
#ifndef TESTS_ORC_CAMPAIGN_CHECKS_H
#define TESTS_ORC_CAMPAIGN_CHECKS_H

#include "core/dataset.h"
#include "orchestrator/state.h"
#include "tests/harness/al_test.h"

/* <test scratch dir>/name (four buffers in turn, so a few paths can be held at once). */
static inline const char *sub(al_test *t, const char *name)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s%s", al_test_tmp_dir(t), name);
    return buf[k];
}

static inline void rm_rf(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* Every frame of two campaign datasets equal: species, positions, labels, roles, iterations. */
static inline void same_dataset(al_test *t, const char *dir_a, const char *dir_b)
{
    al_err err;
    char pa[1100], pb[1100];
    snprintf(pa, sizeof pa, "%s/campaign.h5", dir_a);
    snprintf(pb, sizeof pb, "%s/campaign.h5", dir_b);
    al_store *a = NULL, *b = NULL;
    AL_CHECK_OK(t, al_store_open(pa, AL_STORE_READ, &a, &err), &err);
    AL_CHECK_OK(t, al_store_open(pb, AL_STORE_READ, &b, &err), &err);
    if (!a || !b) goto done;
    AL_CHECK_MSG(t, al_store_count(a) == al_store_count(b), "%zu frames against %zu",
                 al_store_count(a), al_store_count(b));
    for (size_t i = 0; i < al_store_count(a) && i < al_store_count(b); i++) {
        al_frame fa, fb;
        al_store_meta ma, mb;
        al_frame_init(&fa);
        al_frame_init(&fb);
        al_store_read(a, i, &fa, &ma, &err);
        al_store_read(b, i, &fb, &mb, &err);
        int same = fa.n_atoms == fb.n_atoms && ma.role == mb.role && ma.iteration == mb.iteration &&
                   fa.labels == fb.labels && !memcmp(fa.pos, fb.pos, fa.n_atoms * sizeof *fa.pos) &&
                   (!fa.labels || (fa.energy == fb.energy &&
                                   !memcmp(fa.forces, fb.forces, fa.n_atoms * sizeof *fa.forces)));
        AL_CHECK_MSG(t, same, "frame %zu differs", i);
        al_frame_fini(&fa);
        al_frame_fini(&fb);
    }
done:
    al_store_close(a);
    al_store_close(b);
}

static inline void state_of(al_test *t, const char *dir, orc_state *s)
{
    al_err err;
    char path[1100];
    snprintf(path, sizeof path, "%s/state", dir);
    AL_CHECK_OK(t, orc_state_load(s, path, &err), &err);
}

#endif
