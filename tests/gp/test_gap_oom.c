/*
 * Out-of-memory sweeps (libuv style): the k-th allocation fails, for every k until the call
 * succeeds. Fit, prediction with uncertainty (and the force sigma), and the model file and XML
 * readers must then return AL_ENOMEM, leave *out NULL and leak nothing (AddressSanitizer checks
 * the leaks).
 */
#include <stdlib.h>

#include "core/alloc.h"
#include "core/extxyz.h"
#include "gp/gap.h"
#include "tests/harness/al_test.h"

static long countdown;

static void *f_malloc(size_t n) { return countdown-- == 0 ? NULL : malloc(n); }
static void *f_calloc(size_t n, size_t s) { return countdown-- == 0 ? NULL : calloc(n, s); }
static void *f_realloc(void *p, size_t n) { return countdown-- == 0 ? NULL : realloc(p, n); }
static const al_allocator failing = {f_malloc, f_calloc, f_realloc, free};

static gp_gap_spec small_spec(void)
{
    al_err err;
    gp_gap_spec s = gp_gap_spec_default();
    gp_gap_spec_add_2b(&s, 14, 14, 4.0, 0.5, 1.0, 1.0, 6, &err);
    gp_gap_spec_add_soap(&s, 14, 3.5, 1.0, 3, 2, 0.5, 2, 0.2, 12, &err);
    s.sparse_jitter = 1e-8;
    return s;
}

static void test_fit_and_predict(al_test *t)
{
    al_err err;
    al_frame *f = NULL;
    size_t n = 0;
    AL_CHECK_OK(t, al_xyz_read_all(al_test_path(al_test_data_dir(), "md/sw_frames.xyz"), &f, &n, &err), &err);
    gp_gap_spec s = small_spec();
    int done = 0;
    for (long k = 0; !done && k < 100000; k++) {
        gp_model *m = NULL;
        countdown = k;
        al_set_allocator(&failing);
        al_status st = gp_gap_fit(&s, f, 2, &m, &err);
        al_set_allocator(NULL);
        if (st == AL_OK) done = 1;
        else AL_CHECK_MSG(t, st == AL_ENOMEM && m == NULL, "allocation %ld: status %d (%s)", k, (int)st, err.msg);
        gp_model_destroy(m);
    }
    AL_CHECK(t, done);
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, 2, &m, &err), &err);
    double sig[64], fsig[64];
    done = 0;
    for (long k = 0; !done && k < 100000; k++) {   /* with the force sigma: its own allocations */
        al_pot_result r = {.want_uncertainty = true, .atom_sigma = sig, .force_sigma_atoms = 4, .force_sigma = fsig};
        countdown = k;
        al_set_allocator(&failing);
        al_status st = gp_model_predict(m, &f[3], &r, &err);
        al_set_allocator(NULL);
        if (st == AL_OK) done = 1;
        else AL_CHECK_MSG(t, st == AL_ENOMEM, "allocation %ld: status %d (%s)", k, (int)st, err.msg);
    }
    AL_CHECK(t, done);
    gp_model_destroy(m);
    al_frames_free(f, n);
}

static void test_readers(al_test *t)
{
    al_err err;
    al_frame *f = NULL;
    size_t n = 0;
    AL_CHECK_OK(t, al_xyz_read_all(al_test_path(al_test_data_dir(), "md/sw_frames.xyz"), &f, &n, &err), &err);
    gp_gap_spec s = small_spec();
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, 2, &m, &err), &err);
    const char *h5 = al_test_path(al_test_tmp_dir(t), "oom.h5");
    AL_CHECK_OK(t, gp_model_save(m, h5, &err), &err);
    gp_model_destroy(m);
    const char *paths[2] = {h5, al_test_path(al_test_data_dir(), "gp/quip_small.xml")};
    for (int which = 0; which < 2; which++) {
        int done = 0;
        for (long k = 0; !done && k < 100000; k++) {
            gp_model *g = NULL;
            countdown = k;
            al_set_allocator(&failing);
            al_status st = gp_model_open(paths[which], &g, &err);
            al_set_allocator(NULL);
            if (st == AL_OK) done = 1;
            else AL_CHECK_MSG(t, st == AL_ENOMEM && g == NULL, "%s allocation %ld: status %d (%s)", paths[which], k,
                              (int)st, err.msg);
            gp_model_destroy(g);
        }
        AL_CHECK(t, done);
    }
    al_frames_free(f, n);
}

static const al_test_case cases[] = {
    {"fit_and_predict", test_fit_and_predict, AL_TEST_FAST},
    {"readers", test_readers, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
