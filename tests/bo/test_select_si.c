/*
 * Selection on silicon (the acceptance case): a GAP trained only on crystalline
 * frames (1000 K diamond) scores candidates from the crystal (1000 K and 300 K) and from the
 * liquid (2500 K); the uncertainty window of the campaign defaults picks the liquid frames.
 * Data: tests/data/sel/ (copied from the Stillinger-Weber silicon benchmark set, see
 * make_si_fixture.py). This program needs the GAP (gp) and the selectors, so it is linked with
 * both (tests/CMakeLists.txt).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/extxyz.h"
#include "gp/gap.h"
#include "selectors/sel.h"
#include "tests/harness/al_test.h"

static void test_window_picks_liquid(al_test *t)
{
    al_frame *train = NULL, *cand = NULL;
    size_t n_train = 0, n_cand = 0;
    al_err err;
    char path[1024];
    snprintf(path, sizeof path, "%ssel/si_crystal_train.xyz", al_test_data_dir());
    AL_CHECK_OK(t, al_xyz_read_all(path, &train, &n_train, &err), &err);
    snprintf(path, sizeof path, "%ssel/si_candidates.xyz", al_test_data_dir());
    AL_CHECK_OK(t, al_xyz_read_all(path, &cand, &n_cand, &err), &err);
    if (n_train != 6 || n_cand != 12) {
        AL_CHECK(t, n_train == 6 && n_cand == 12);
        goto done;
    }
    /* A small thesis-like model: 2-body plus SOAP (n_max = l_max = 4, 60 sparse points). */
    gp_gap_spec spec = gp_gap_spec_default();
    AL_CHECK_OK(t, gp_gap_spec_add_2b(&spec, 14, 14, 5.0, 0.5, 1.0, 1.0, 15, &err), &err);
    AL_CHECK_OK(t, gp_gap_spec_add_soap(&spec, 14, 5.0, 1.0, 4, 4, 0.5, 4, 0.2, 60, &err), &err);
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&spec, train, n_train, &m, &err), &err);
    if (!m) goto done;
    double u[12];
    for (size_t i = 0; i < n_cand; i++) {
        double sig[64];
        al_pot_result r;
        memset(&r, 0, sizeof r);
        r.want_uncertainty = true;
        r.atom_sigma = sig;
        AL_CHECK_OK(t, gp_model_predict(m, &cand[i], &r, &err), &err);
        AL_CHECK(t, r.has_uncertainty);
        u[i] = r.sigma_mean;   /* eV per atom: mean local-energy standard deviation */
        printf("candidate %2zu %-14s sigma mean %.5f max %.5f eV\n", i,
               al_info_get_str(&cand[i].info, "config_type"), r.sigma_mean, r.sigma_max);
    }
    gp_model_destroy(m);
    sel_input in = {n_cand, u, 0, NULL, 0, NULL};
    sel_params p = sel_params_default();
    p.u_min = 0.005;   /* the campaign's default window: [0.005, 0.5] eV/atom */
    p.u_max = 0.5;
    sel_result res;
    sel_result_init(&res);
    const char *stages[] = {"window", "top"};
    AL_CHECK_OK(t, sel_run(&in, &p, stages, 2, 10, &res, &err), &err);
    AL_CHECK_MSG(t, res.n == 4, "%zu frames selected", res.n);
    for (size_t i = 0; i < res.n; i++) {
        const char *ct = al_info_get_str(&cand[res.picks[i].index].info, "config_type");
        AL_CHECK_MSG(t, ct && strcmp(ct, "liquid_T2500") == 0, "picked %zu (%s)",
                     res.picks[i].index, ct ? ct : "?");
    }
    sel_result_fini(&res);
done:
    al_frames_free(train, n_train);
    al_frames_free(cand, n_cand);
}

static const al_test_case cases[] = {
    {"sel_si_window_picks_liquid", test_window_picks_liquid, AL_TEST_SLOW},
    {0},
};
AL_TEST_MAIN(cases)
