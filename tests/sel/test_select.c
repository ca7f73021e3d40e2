/*
 * Selection stages: CUR on matrices of known rank and leverage, farthest-point sampling on a
 * small planar example worked out by hand (with and without a training set), window
 * boundaries, pipelines, seeded determinism and bad inputs with their exact messages.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness/al_test.h"
#include "core/alloc.h"
#include "core/rng.h"
#include "selectors/sel.h"

/* n × dim matrix of rank r: (n × r Gaussian) · (r × dim Gaussian), seeded. */
static void low_rank(size_t n, size_t dim, size_t r, unsigned seed, double *a)
{
    al_rng g;
    al_rng_seed(&g, seed, 0);
    double b[64 * 8], c[8 * 64];
    for (size_t i = 0; i < n * r; i++) b[i] = al_rng_normal(&g);
    for (size_t i = 0; i < r * dim; i++) c[i] = al_rng_normal(&g);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dim; j++) {
            double s = 0;
            for (size_t t = 0; t < r; t++) s += b[i * r + t] * c[t * dim + j];
            a[i * dim + j] = s;
        }
}

/* max |A − A Cᵀ (C Cᵀ)⁻¹ C| / max |A| for the k chosen rows C (Gauss–Jordan on k × k). */
static double reconstruction_error(size_t n, size_t dim, const double *a, const sel_result *r)
{
    size_t k = r->n;
    double g[8][16], amax = 0, emax = 0;
    for (size_t p = 0; p < k; p++)
        for (size_t q = 0; q < k; q++) {
            double s = 0;
            for (size_t j = 0; j < dim; j++)
                s += a[r->picks[p].index * dim + j] * a[r->picks[q].index * dim + j];
            g[p][q] = s;
            g[p][k + q] = p == q;
        }
    for (size_t c = 0; c < k; c++) {
        size_t piv = c;
        for (size_t i = c + 1; i < k; i++)
            if (fabs(g[i][c]) > fabs(g[piv][c])) piv = i;
        for (size_t j = 0; j < 2 * k; j++) {
            double t = g[c][j]; g[c][j] = g[piv][j]; g[piv][j] = t;
        }
        double d = g[c][c];
        for (size_t j = 0; j < 2 * k; j++) g[c][j] /= d;
        for (size_t i = 0; i < k; i++) {
            if (i == c) continue;
            double f = g[i][c];
            for (size_t j = 0; j < 2 * k; j++) g[i][j] -= f * g[c][j];
        }
    }
    for (size_t i = 0; i < n; i++) {
        double w[8], coef[8];
        for (size_t p = 0; p < k; p++) {
            double s = 0;
            for (size_t j = 0; j < dim; j++) s += a[i * dim + j] * a[r->picks[p].index * dim + j];
            w[p] = s;
        }
        for (size_t p = 0; p < k; p++) {
            coef[p] = 0;
            for (size_t q = 0; q < k; q++) coef[p] += g[p][k + q] * w[q];
        }
        for (size_t j = 0; j < dim; j++) {
            double s = 0;
            for (size_t p = 0; p < k; p++) s += coef[p] * a[r->picks[p].index * dim + j];
            emax = fmax(emax, fabs(s - a[i * dim + j]));
            amax = fmax(amax, fabs(a[i * dim + j]));
        }
    }
    return emax / amax;
}

static void test_leverage_hand(al_test *t)
{
    /* Rows e1, e2, e1: the e1 direction is shared by two rows, so
     * π = ½(½, 1, ½) = (0.25, 0.5, 0.25) with r = 2. */
    const double a[] = {1, 0, 0, 1, 1, 0};
    double lev[3];
    size_t r = 0;
    al_err err;
    AL_CHECK_OK(t, sel_leverage(3, 2, a, 0, lev, &r, &err), &err);
    AL_CHECK(t, r == 2);
    AL_CHECK_CLOSE(t, lev[0], 0.25, 1e-14);
    AL_CHECK_CLOSE(t, lev[1], 0.5, 1e-14);
    AL_CHECK_CLOSE(t, lev[2], 0.25, 1e-14);
    /* Rank 1 (top direction only: σ1 = √2 along e1): π = (½, 0, ½). */
    AL_CHECK_OK(t, sel_leverage(3, 2, a, 1, lev, &r, &err), &err);
    AL_CHECK(t, r == 1);
    AL_CHECK_CLOSE(t, lev[0], 0.5, 1e-14);
    AL_CHECK_CLOSE(t, lev[1], 0.0, 1e-14);

    /* Greedy CUR picks row 1 (π = 0.5), then row 0 (after deflating e2, rows 0 and 2 tie). */
    sel_input in = {3, NULL, 2, a, 0, NULL};
    sel_params p = sel_params_default();
    sel_result res;
    sel_result_init(&res);
    const char *stages[] = {"cur"};
    AL_CHECK_OK(t, sel_run(&in, &p, stages, 1, 2, &res, &err), &err);
    AL_CHECK(t, res.n == 2);
    AL_CHECK(t, res.picks[0].index == 1 && res.picks[1].index == 0);
    AL_CHECK(t, res.picks[0].reason == SEL_REASON_LEVERAGE);
    AL_CHECK_CLOSE(t, res.picks[0].score, 0.5, 1e-14);
    AL_CHECK_STR(t, sel_reason_name(res.picks[0].reason), "leverage");
    sel_result_fini(&res);
}

static void test_cur_rank_k_span(al_test *t)
{
    enum { N = 40, D = 12, R = 4 };
    double a[N * D];
    al_err err;
    low_rank(N, D, R, 7, a);
    double lev[N];
    size_t r = 0;
    AL_CHECK_OK(t, sel_leverage(N, D, a, 0, lev, &r, &err), &err);
    AL_CHECK(t, r == R);
    double sum = 0;
    for (int i = 0; i < N; i++) sum += lev[i];
    AL_CHECK_CLOSE(t, sum, 1.0, 1e-12);

    sel_input in = {N, NULL, D, a, 0, NULL};
    sel_params p = sel_params_default();
    sel_result res;
    sel_result_init(&res);
    sel_result all;
    sel_result_init(&all);
    AL_CHECK_OK(t, sel_result_all(&in, &all, &err), &err);
    AL_CHECK_OK(t, sel_cur_select(&in, &p, &all, R, &res, &err), &err);
    AL_CHECK(t, res.n == R);
    /* The R chosen rows reproduce every row: A = A Cᵀ(C Cᵀ)⁻¹ C. */
    AL_CHECK(t, reconstruction_error(N, D, a, &res) < 1e-10);
    /* Asking for more than the rank still gives distinct rows (the rest by leverage). */
    AL_CHECK_OK(t, sel_cur_select(&in, &p, &all, R + 3, &res, &err), &err);
    AL_CHECK(t, res.n == R + 3);
    for (size_t i = 0; i < res.n; i++)
        for (size_t j = 0; j < i; j++) AL_CHECK(t, res.picks[i].index != res.picks[j].index);

    /* Randomised variant: R draws ∝ leverage also span the rank-R row space (generic rows). */
    al_rng g;
    al_rng_seed(&g, 11, 0);
    p.cur_mode = SEL_CUR_RANDOM;
    p.rng = &g;
    AL_CHECK_OK(t, sel_cur_select(&in, &p, &all, R, &res, &err), &err);
    AL_CHECK(t, reconstruction_error(N, D, a, &res) < 1e-8);
    sel_result_fini(&res);
    sel_result_fini(&all);
}

/* With duplicated rows plain top-leverage would return the same direction twice; the
 * deflation picks one row of each distinct direction first. */
static void test_cur_duplicates(al_test *t)
{
    /* Row 0 repeated 4 times (rows 0..3), plus rows along e2 and e3. */
    const double a[] = {3, 0, 0, 3, 0, 0, 3, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0.5};
    sel_input in = {6, NULL, 3, a, 0, NULL};
    sel_params p = sel_params_default();
    sel_result res;
    sel_result_init(&res);
    al_err err;
    const char *stages[] = {"cur"};
    AL_CHECK_OK(t, sel_run(&in, &p, stages, 1, 3, &res, &err), &err);
    AL_CHECK(t, res.n == 3);
    int seen_e1 = 0, seen_e2 = 0, seen_e3 = 0;
    for (size_t i = 0; i < res.n; i++) {
        seen_e1 += res.picks[i].index <= 3;
        seen_e2 += res.picks[i].index == 4;
        seen_e3 += res.picks[i].index == 5;
    }
    AL_CHECK(t, seen_e1 == 1 && seen_e2 == 1 && seen_e3 == 1);
    sel_result_fini(&res);
}

static void test_cur_random_seeded(al_test *t)
{
    enum { N = 50, D = 6 };
    double a[N * D];
    low_rank(N, D, 6, 3, a);
    for (int j = 0; j < D; j++) a[10 * D + j] = 0;   /* a zero row has zero leverage */
    sel_input in = {N, NULL, D, a, 0, NULL};
    sel_params p = sel_params_default();
    p.cur_mode = SEL_CUR_RANDOM;
    const char *stages[] = {"cur"};
    al_err err;
    size_t first[5] = {0};
    int differs = 0;
    for (unsigned seed = 1; seed <= 8; seed++) {
        size_t idx[2][5];
        for (int rep = 0; rep < 2; rep++) {
            al_rng g;
            al_rng_seed(&g, seed, 0);
            p.rng = &g;
            sel_result res;
            sel_result_init(&res);
            AL_CHECK_OK(t, sel_run(&in, &p, stages, 1, 5, &res, &err), &err);
            AL_CHECK(t, res.n == 5);
            for (int i = 0; i < 5 && i < (int)res.n; i++) {
                idx[rep][i] = res.picks[i].index;
                AL_CHECK(t, res.picks[i].index != 10);
                AL_CHECK(t, res.picks[i].score > 0);
            }
            sel_result_fini(&res);
        }
        AL_CHECK(t, memcmp(idx[0], idx[1], sizeof idx[0]) == 0);   /* same seed, same picks */
        if (seed == 1) memcpy(first, idx[0], sizeof first);
        else if (memcmp(first, idx[0], sizeof first) != 0) differs = 1;
    }
    AL_CHECK(t, differs);
}

/* The planar example of the file header: six points, worked out by hand. */
static const double pts[] = {0, 0, 4, 0, 0, 3, 1, 1, 2, 1, 1, 2};

static void test_fps_plane(al_test *t)
{
    sel_input in = {6, NULL, 2, pts, 0, NULL};
    sel_params p = sel_params_default();
    sel_result res;
    sel_result_init(&res);
    al_err err;
    const char *stages[] = {"fps"};
    AL_CHECK_OK(t, sel_run(&in, &p, stages, 1, 4, &res, &err), &err);
    AL_CHECK(t, res.n == 4);
    /* mean (4/3, 7/6): B is farthest (√305/6); then C (5 from B); A (3 from C); E (√5). */
    size_t want[] = {1, 2, 0, 4};
    double score[] = {sqrt(305.0) / 6, 5, 3, sqrt(5.0)};
    for (int i = 0; i < 4; i++) {
        AL_CHECK(t, res.picks[i].index == want[i]);
        AL_CHECK_CLOSE(t, res.picks[i].score, score[i], 1e-14);
        AL_CHECK(t, res.picks[i].reason == SEL_REASON_DISTANCE);
    }
    /* The same points in reverse order give the same chosen points. */
    double rev[12];
    for (int i = 0; i < 6; i++) rev[2 * i] = pts[2 * (5 - i)], rev[2 * i + 1] = pts[2 * (5 - i) + 1];
    in.desc = rev;
    AL_CHECK_OK(t, sel_run(&in, &p, stages, 1, 4, &res, &err), &err);
    for (int i = 0; i < 4; i++) AL_CHECK(t, res.picks[i].index == 5 - want[i]);
    sel_result_fini(&res);
}

static void test_fps_training_set(al_test *t)
{
    const double train[] = {4, 0.5};   /* next to B */
    sel_input in = {6, NULL, 2, pts, 1, train};
    sel_params p = sel_params_default();
    sel_result res;
    sel_result_init(&res);
    al_err err;
    const char *stages[] = {"fps"};
    AL_CHECK_OK(t, sel_run(&in, &p, stages, 1, 3, &res, &err), &err);
    /* C (√22.25 from the training point), A (3 from C), E (√4.25 from the training point);
     * B, 0.5 from the training point, is not taken. */
    AL_CHECK(t, res.n == 3);
    AL_CHECK(t, res.picks[0].index == 2);
    AL_CHECK_CLOSE(t, res.picks[0].score, sqrt(22.25), 1e-14);
    AL_CHECK(t, res.picks[1].index == 0);
    AL_CHECK_CLOSE(t, res.picks[1].score, 3.0, 1e-14);
    AL_CHECK(t, res.picks[2].index == 4);
    AL_CHECK_CLOSE(t, res.picks[2].score, sqrt(4.25), 1e-14);
    sel_result_fini(&res);
}

static const double unc[] = {0.004, 0.005, 0.01, 0.5, 0.50001, INFINITY};

static void test_window_bounds(al_test *t)
{
    sel_input in = {6, unc, 0, NULL, 0, NULL};
    sel_params p = sel_params_default();
    p.u_min = 0.005;
    p.u_max = 0.5;
    sel_result res;
    sel_result_init(&res);
    al_err err;
    const char *win[] = {"window"};
    AL_CHECK_OK(t, sel_run(&in, &p, win, 1, 10, &res, &err), &err);
    /* Both ends inclusive: 0.005 and 0.5 stay, 0.004 and everything above 0.5 go. */
    AL_CHECK(t, res.n == 3);
    for (size_t i = 0; i < res.n; i++) {
        AL_CHECK(t, res.picks[i].index == i + 1);
        AL_CHECK(t, res.picks[i].reason == SEL_REASON_UNCERTAINTY);
        AL_CHECK(t, res.picks[i].score == unc[i + 1]);
    }
    p.above_max = SEL_ABOVE_CAP;
    AL_CHECK_OK(t, sel_run(&in, &p, win, 1, 10, &res, &err), &err);
    AL_CHECK(t, res.n == 5);
    AL_CHECK(t, res.picks[3].score == 0.5 && res.picks[3].uncertainty == 0.50001);
    AL_CHECK(t, res.picks[4].score == 0.5 && isinf(res.picks[4].uncertainty));

    /* window → top: most uncertain first; capped frames rank as the cap, ties by index. */
    const char *wt[] = {"window", "top"};
    AL_CHECK_OK(t, sel_run(&in, &p, wt, 2, 3, &res, &err), &err);
    AL_CHECK(t, res.n == 3);
    AL_CHECK(t, res.picks[0].index == 3 && res.picks[1].index == 4 && res.picks[2].index == 5);
    p.above_max = SEL_ABOVE_SKIP;
    AL_CHECK_OK(t, sel_run(&in, &p, wt, 2, 2, &res, &err), &err);
    AL_CHECK(t, res.n == 2 && res.picks[0].index == 3 && res.picks[1].index == 2);
    /* An empty window selects nothing (not an error). */
    p.u_min = 1.0;
    p.u_max = 2.0;
    AL_CHECK_OK(t, sel_run(&in, &p, wt, 2, 2, &res, &err), &err);
    AL_CHECK(t, res.n == 0);
    sel_result_fini(&res);
}

/* window → fps: reasons come from the last stage, uncertainties are carried along. */
static void test_pipeline(al_test *t)
{
    const double u[] = {0.1, 0.0001, 0.2, 0.3, 0.05, 0.9};
    sel_input in = {6, u, 2, pts, 0, NULL};
    sel_params p = sel_params_default();
    p.u_min = 0.01;
    p.u_max = 0.5;
    sel_result res;
    sel_result_init(&res);
    al_err err;
    const char *st[] = {"window", "fps"};
    AL_CHECK_OK(t, sel_run(&in, &p, st, 2, 10, &res, &err), &err);
    /* Survivors A, C, D, E (B too sure, F above max); all four come back, C first (farthest
     * from the survivors' mean (0.75, 1.25)). */
    AL_CHECK(t, res.n == 4);
    AL_CHECK(t, res.picks[0].index == 2);
    AL_CHECK_CLOSE(t, res.picks[0].score, sqrt(0.75 * 0.75 + 1.75 * 1.75), 1e-14);
    AL_CHECK(t, res.picks[0].uncertainty == 0.2);
    for (size_t i = 0; i < res.n; i++) AL_CHECK(t, res.picks[i].index != 1 && res.picks[i].index != 5);
    sel_result_fini(&res);
}

static void test_random_seeded(al_test *t)
{
    enum { N = 30 };
    double u[N];
    for (int i = 0; i < N; i++) u[i] = 0.01 * i;
    sel_input in = {N, u, 0, NULL, 0, NULL};
    sel_params p = sel_params_default();
    const char *st[] = {"random"};
    al_err err;
    size_t got[2][6];
    for (int rep = 0; rep < 2; rep++) {
        al_rng g;
        al_rng_seed(&g, 42, 0);
        p.rng = &g;
        sel_result res;
        sel_result_init(&res);
        AL_CHECK_OK(t, sel_run(&in, &p, st, 1, 6, &res, &err), &err);
        AL_CHECK(t, res.n == 6);
        for (size_t i = 0; i < 6 && i < res.n; i++) {
            got[rep][i] = res.picks[i].index;
            AL_CHECK(t, res.picks[i].index < N);
            AL_CHECK(t, res.picks[i].reason == SEL_REASON_RANDOM);
            AL_CHECK(t, res.picks[i].uncertainty == u[res.picks[i].index]);
            for (size_t j = 0; j < i; j++) AL_CHECK(t, res.picks[i].index != res.picks[j].index);
        }
        sel_result_fini(&res);
    }
    AL_CHECK(t, memcmp(got[0], got[1], sizeof got[0]) == 0);
}

static void test_bad_inputs(al_test *t)
{
    al_err err;
    sel_params p = sel_params_default();
    sel_result res, all;
    sel_result_init(&res);
    sel_result_init(&all);
    const char *cur[] = {"cur"};
    sel_input empty = {0, NULL, 2, pts, 0, NULL};
    AL_CHECK(t, sel_run(&empty, &p, cur, 1, 2, &res, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "selection: no candidate frames");

    const double u[] = {0.1, NAN, 0.2};
    sel_input in = {3, u, 2, pts, 0, NULL};
    AL_CHECK(t, sel_run(&in, &p, cur, 1, 2, &res, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "selection: uncertainty of candidate 1 is NaN");
    const double uneg[] = {0.1, -0.5, 0.2};
    in.uncertainty = uneg;
    AL_CHECK(t, sel_run(&in, &p, cur, 1, 2, &res, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "selection: uncertainty of candidate 1 is -0.5 (< 0)");

    const double d[] = {0, 1, 2, INFINITY, 4, 5};
    sel_input bad = {3, NULL, 2, d, 0, NULL};
    AL_CHECK(t, sel_run(&bad, &p, cur, 1, 2, &res, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "selection: candidate descriptor row 1, column 1 is inf (must be finite)");

    sel_input ok = {3, NULL, 2, pts, 0, NULL};
    AL_CHECK_OK(t, sel_result_all(&ok, &all, &err), &err);
    AL_CHECK(t, sel_cur_select(&ok, &p, &all, 4, &res, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "selection cur: asked for 4 frames from 3 candidates");
    AL_CHECK(t, sel_fps_select(&ok, &p, &all, 0, &res, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "selection fps: asked for 0 frames from 3 candidates");
    AL_CHECK(t, sel_random_select(&ok, &p, &all, 2, &res, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "selection random: needs a seeded generator (rng is NULL)");
    AL_CHECK(t, sel_window_select(&ok, &p, &all, 2, &res, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "selection window: needs per-frame uncertainties (none given)");
    sel_input nodesc = {3, u + 0, 0, NULL, 0, NULL};
    AL_CHECK(t, sel_fps_select(&nodesc, &p, &all, 2, &res, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "selection fps: needs descriptor rows (none given)");

    const char *unknown[] = {"window", "kmeans"};
    AL_CHECK(t, sel_run(&ok, &p, unknown, 2, 2, &res, &err) == AL_ENOTFOUND);
    AL_CHECK_STR(t, err.msg, "selection: unknown stage 'kmeans' (window, top, cur, fps, random)");
    AL_CHECK(t, sel_run(&ok, &p, cur, 1, 0, &res, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "selection: budget must be at least 1");

    const double uu[] = {0.1, 0.2, 0.3};
    sel_input win = {3, uu, 0, NULL, 0, NULL};
    const char *w[] = {"window"};
    p.u_min = 0.3;
    p.u_max = 0.2;
    AL_CHECK(t, sel_run(&win, &p, w, 1, 2, &res, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "stage 'window': selection window: min 0.3 must not exceed max 0.2");
    sel_result_fini(&res);
    sel_result_fini(&all);
}

/* Out-of-memory sweep: the k-th allocation fails, for every k until the pipeline succeeds;
 * each attempt returns AL_ENOMEM (or succeeds) and leaks nothing (checked under ASan). */
static int alloc_budget;
static void *fail_malloc(size_t n) { return alloc_budget-- > 0 ? malloc(n) : NULL; }
static void *fail_calloc(size_t c, size_t n) { return alloc_budget-- > 0 ? calloc(c, n) : NULL; }
static void *fail_realloc(void *p, size_t n) { return alloc_budget-- > 0 ? realloc(p, n) : NULL; }

static void test_oom_sweep(al_test *t)
{
    static const al_allocator failing = {fail_malloc, fail_calloc, fail_realloc, free};
    const double u[] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
    const double train[] = {4, 0.5};
    sel_input in = {6, u, 2, pts, 1, train};
    const char *chains[3][2] = {{"window", "cur"}, {"window", "fps"}, {"window", "top"}};
    for (int c = 0; c < 3; c++) {
        int ok = 0;
        for (int k = 0; k < 200 && !ok; k++) {
            sel_params p = sel_params_default();
            sel_result res;
            sel_result_init(&res);
            al_err err;
            alloc_budget = k;
            al_set_allocator(&failing);
            al_status st = sel_run(&in, &p, chains[c], 2, 3, &res, &err);
            al_set_allocator(NULL);
            AL_CHECK_MSG(t, st == AL_OK || st == AL_ENOMEM, "%s: status %d at k = %d", chains[c][1],
                         (int)st, k);
            ok = st == AL_OK;
            if (ok) AL_CHECK(t, res.n == 3);
            sel_result_fini(&res);
        }
        AL_CHECK(t, ok);
    }
}

static const al_test_case cases[] = {
    {"sel_leverage_hand", test_leverage_hand, AL_TEST_FAST},
    {"sel_cur_rank_k_span", test_cur_rank_k_span, AL_TEST_FAST},
    {"sel_cur_duplicates", test_cur_duplicates, AL_TEST_FAST},
    {"sel_cur_random_seeded", test_cur_random_seeded, AL_TEST_FAST},
    {"sel_fps_plane", test_fps_plane, AL_TEST_FAST},
    {"sel_fps_training_set", test_fps_training_set, AL_TEST_FAST},
    {"sel_window_bounds", test_window_bounds, AL_TEST_FAST},
    {"sel_pipeline", test_pipeline, AL_TEST_FAST},
    {"sel_random_seeded", test_random_seeded, AL_TEST_FAST},
    {"sel_bad_inputs", test_bad_inputs, AL_TEST_FAST},
    {"sel_oom_sweep", test_oom_sweep, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
