/*
 * The GAP objective adapter: hyperparameter names applied to every descriptor of their kind,
 * re-validation of bad combinations, the space check, the seeded validation split, and the
 * objective's weighted sum on a small 2-body model.
 */
#include <math.h>
#include <string.h>

#include "core/extxyz.h"
#include "gp/bo/bo_gap.h"
#include "tests/harness/al_test.h"

static gp_gap_spec base_spec(al_err *err)
{
    gp_gap_spec s = gp_gap_spec_default();
    gp_gap_spec_add_2b(&s, 14, 14, 5.0, 0.5, 1.0, 1.0, 20, err);
    gp_gap_spec_add_2b(&s, 8, 14, 4.0, 0.5, 1.0, 1.0, 20, err);
    gp_gap_spec_add_soap(&s, 14, 5.0, 1.0, 6, 6, 0.5, 4, 0.2, 1000, err);
    gp_gap_spec_add_soap(&s, 8, 5.0, 1.0, 6, 6, 0.5, 4, 0.2, 1000, err);
    return s;
}

static void test_apply(al_test *t)
{
    al_err err;
    gp_gap_spec base = base_spec(&err), out;
    AL_CHECK(t, base.n_desc == 4);
    bo_space s;
    bo_space_init(&s);
    bo_space_add(&s, "soap.delta", 0.05, 1, 1, 0, NULL);
    bo_space_add(&s, "soap.n_max", 4, 8, 0, 1, NULL);
    bo_space_add(&s, "two_body.theta", 0.5, 2, 0, 0, NULL);
    bo_space_add(&s, "sigma_force", 0.01, 0.2, 1, 0, NULL);
    bo_space_add(&s, "soap.n_sparse", 100, 2000, 1, 1, NULL);
    AL_CHECK_OK(t, bo_gap_check_space(&s, &base, &err), &err);
    double x[5] = {0.3, 5, 1.5, 0.07, 640};
    AL_CHECK_OK(t, bo_gap_apply(&base, &s, x, &out, &err), &err);
    AL_CHECK(t, out.n_desc == 4);
    for (size_t d = 0; d < out.n_desc; d++) {
        const gp_desc_hyper *h = &out.desc[d];
        if (h->kind == GP_KIND_SOAP) {
            AL_CHECK(t, h->delta == 0.3 && h->soap.n_max == 5 && h->soap.l_max == 6);
            AL_CHECK(t, h->n_sparse == 640 && h->zeta == 4);
        } else {
            AL_CHECK(t, h->theta == 1.5 && h->delta == 1.0);
        }
    }
    AL_CHECK(t, out.desc[1].b2.z1 == 8 && out.desc[1].b2.cutoff == 4.0);   /* untouched */
    AL_CHECK(t, out.sigma_force == 0.07 && out.sigma_energy == base.sigma_energy);
    AL_CHECK(t, base.desc[2].delta == 0.2);   /* the base is not modified */

    /* A combination the constructors refuse: transition width beyond the 2-body cutoff. */
    bo_space w;
    bo_space_init(&w);
    bo_space_add(&w, "two_body.transition_width", 0.1, 6, 0, 0, NULL);
    double xw = 5.5;
    AL_CHECK(t, bo_gap_apply(&base, &w, &xw, &out, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, "0 < transition width <= cutoff");
}

static void test_check_space(al_test *t)
{
    al_err err;
    gp_gap_spec base = base_spec(&err), only2b = gp_gap_spec_default();
    gp_gap_spec_add_2b(&only2b, 14, 14, 5.0, 0.5, 1.0, 1.0, 20, &err);
    bo_space s;
    bo_space_init(&s);
    bo_space_add(&s, "soap.zeta", 1, 6, 0, 0, NULL);
    AL_CHECK(t, bo_gap_check_space(&s, &base, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "tune: 'soap.zeta' is an integer; declare it with type: int");
    bo_space_init(&s);
    bo_space_add(&s, "soap.delta", 0.1, 1, 0, 0, NULL);
    AL_CHECK(t, bo_gap_check_space(&s, &only2b, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "tune: 'soap.delta' given but the model has no SOAP descriptor");
    bo_space_init(&s);
    bo_space_add(&s, "cutoff", 3, 6, 0, 0, NULL);
    AL_CHECK(t, bo_gap_check_space(&s, &base, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, "tune: 'cutoff' is not a tunable GAP hyperparameter");
    size_t np = 0;
    for (const bo_gap_param *p = bo_gap_params(); p->name; p++) np++;
    AL_CHECK(t, np == 17);
}

static void test_split(al_test *t)
{
    unsigned char a[50], b[50];
    size_t na, nb;
    al_err err;
    AL_CHECK_OK(t, bo_gap_split(50, 0.1, 7, a, &na, &err), &err);
    AL_CHECK_OK(t, bo_gap_split(50, 0.1, 7, b, &nb, &err), &err);
    AL_CHECK(t, na == 5 && nb == 5 && memcmp(a, b, 50) == 0);
    size_t c = 0;
    for (int i = 0; i < 50; i++) c += a[i];
    AL_CHECK(t, c == 5);
    AL_CHECK_OK(t, bo_gap_split(50, 0.1, 8, b, &nb, &err), &err);
    AL_CHECK(t, memcmp(a, b, 50) != 0);
    AL_CHECK_OK(t, bo_gap_split(3, 0.01, 1, a, &na, &err), &err);   /* at least one */
    AL_CHECK(t, na == 1);
    AL_CHECK_OK(t, bo_gap_split(3, 0.99, 1, a, &na, &err), &err);   /* at most n − 1 */
    AL_CHECK(t, na == 2);
    AL_CHECK(t, bo_gap_split(1, 0.5, 1, a, &na, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "validation split: needs at least 2 frames (got 1)");
    AL_CHECK(t, bo_gap_split(10, 1.0, 1, a, &na, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "validation split: fraction 1 must lie in (0, 1)");
}

/* The objective is w_E·E + w_F·F of the errors bo_gap_errors reports, and those errors agree
 * with a direct prediction of the validation frames. */
static void test_objective(al_test *t)
{
    al_frame *fr = NULL;
    size_t n = 0;
    al_err err;
    char path[1024];
    snprintf(path, sizeof path, "%ssel/si_crystal_train.xyz", al_test_data_dir());
    AL_CHECK_OK(t, al_xyz_read_all(path, &fr, &n, &err), &err);
    if (n != 6) goto done;
    gp_gap_spec base = gp_gap_spec_default();
    gp_gap_spec_add_2b(&base, 14, 14, 5.0, 0.5, 1.0, 1.0, 12, &err);
    bo_space s;
    bo_space_init(&s);
    bo_space_add(&s, "two_body.delta", 0.1, 10, 1, 0, NULL);
    bo_gap_problem p = {base, &s, fr, 4, fr + 4, 2, 2.0, 0.5};
    double x = 3.0;
    bo_eval ev;
    AL_CHECK_OK(t, bo_gap_objective(&x, &ev, &p, &err), &err);
    AL_CHECK_REL(t, ev.value, 2.0 * ev.energy_mae + 0.5 * ev.force_mae, 1e-14, 0);
    gp_gap_spec spec;
    gp_model *m = NULL;
    AL_CHECK_OK(t, bo_gap_apply(&base, &s, &x, &spec, &err), &err);
    AL_CHECK_OK(t, gp_gap_fit(&spec, fr, 4, &m, &err), &err);
    if (!m) goto done;
    double se = 0, sf = 0, forces[64][3];
    for (int i = 4; i < 6; i++) {
        al_pot_result r;
        memset(&r, 0, sizeof r);
        r.forces = forces;
        AL_CHECK_OK(t, gp_model_predict(m, &fr[i], &r, &err), &err);
        se += fabs(r.energy - fr[i].energy) / 64 / 2;
        for (int a = 0; a < 64; a++)
            for (int c = 0; c < 3; c++) sf += fabs(forces[a][c] - fr[i].forces[a][c]) / (2 * 64 * 3);
    }
    gp_model_destroy(m);
    AL_CHECK_REL(t, ev.energy_mae, se, 1e-12, 0);
    AL_CHECK_REL(t, ev.force_mae, sf, 1e-12, 0);
done:
    al_frames_free(fr, n);
}

static const al_test_case cases[] = {
    {"bo_gap_apply", test_apply, AL_TEST_FAST},
    {"bo_gap_check_space", test_check_space, AL_TEST_FAST},
    {"bo_gap_split", test_split, AL_TEST_FAST},
    {"bo_gap_objective", test_objective, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
