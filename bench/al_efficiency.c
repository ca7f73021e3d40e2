/*
 * Label efficiency of active learning: how many labels a campaign needs to reach a test force
 * RMSE, selecting by GAP uncertainty and CUR diversity, against the same campaign selecting at
 * random from its MD candidates (no uncertainty window, random picks), over several seeds.
 * Silicon with the Stillinger-Weber potential as the labeler, so that it runs in minutes.
 *
 * The test set is independent of both: SW molecular dynamics of a 64-atom cell at 600, 1200,
 * 1800 and 2500 K (crystal to liquid), SW labels. Every iteration's model of every campaign is
 * evaluated on it, giving learning curves (labels, force RMSE); the benchmark prints them and
 * the labels each strategy needed to reach the target.
 *
 * usage: bench_al_efficiency [CAMPAIGN.yaml [TARGET_eV/Å [SEEDS [WORKDIR [RANDOM_FACTOR]]]]]
 *        (defaults: bench/al_efficiency.yaml, 0.07, 3, /tmp/galore-al-efficiency, 2: random
 *        selection gets twice the iterations, so its labels to the target are measured;
 *        0 runs the active campaigns only, for comparing select settings against a random
 *        curve measured before, since random selection does not depend on them)
 */
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_util.h"
#include "core/alloc.h"
#include "core/extxyz.h"
#include "core/log.h"
#include "engines/md/analytic.h"
#include "engines/md/md.h"
#include "gp/gap.h"
#include "orchestrator/loop.h"
#include "orchestrator/state.h"

enum { MAX_POINTS = 64 };

typedef struct curve {
    int n;
    double labels[MAX_POINTS], rmse[MAX_POINTS];
} curve;

/* SW-labeled frames from MD of the campaign's start structure at four temperatures. */
static al_status make_test_set(const orc_campaign *c, al_frame **out, size_t *n_out, al_err *err)
{
    al_frame *start = NULL;
    size_t n0 = 0;
    char path[2 * ORC_PATH_LEN], dir[ORC_PATH_LEN];
    snprintf(dir, sizeof dir, "%s", c->path);
    snprintf(path, sizeof path, "%s/%s", dirname(dir), c->system.structure);   /* beside the file */
    AL_TRY(err, al_xyz_read_all(c->system.structure[0] == '/' ? c->system.structure : path, &start, &n0, err));
    al_frame big;
    al_frame_init(&big);
    int rep[3] = {(int)c->system.supercell.v[0], (int)c->system.supercell.v[1], (int)c->system.supercell.v[2]};
    size_t n = start[0].n_atoms * (size_t)(rep[0] * rep[1] * rep[2]);
    AL_TRY(err, al_frame_alloc(&big, n, err));
    size_t p = 0;
    for (int a = 0; a < rep[0]; a++)
        for (int b = 0; b < rep[1]; b++)
            for (int d = 0; d < rep[2]; d++)
                for (size_t i = 0; i < start[0].n_atoms; i++, p++) {
                    big.z[p] = start[0].z[i];
                    for (int k = 0; k < 3; k++)
                        big.pos[p][k] = start[0].pos[i][k] + a * start[0].cell[0][k] + b * start[0].cell[1][k] +
                                        d * start[0].cell[2][k];
                }
    for (int k = 0; k < 3; k++) {
        big.pbc[k] = true;
        for (int j = 0; j < 3; j++) big.cell[k][j] = rep[k] * start[0].cell[k][j];
    }
    al_potential sw;
    md_sw_opts so = md_sw_opts_default();
    AL_TRY(err, md_sw_create(&so, &sw, err));
    const double temps[] = {600, 1200, 1800, 2500};
    al_frame *test = al_calloc(200, sizeof *test);
    size_t nt = 0;
    for (int t = 0; t < 4; t++) {
        md_segment seg = {temps[t], temps[t], 3000, 0, 250};
        md_opts o = md_opts_default();
        o.segments = &seg;
        o.n_segments = 1;
        o.seed = 1000 + (uint64_t)t;
        o.thermostat = MD_LANGEVIN;
        o.sigma_hi = 0;
        md_result r;
        md_result_init(&r);
        AL_TRY(err, md_run(&o, &big, &sw, &r, err));
        /* The last 8 checks (after 1 ps of equilibration) are the test frames. */
        for (size_t k = r.n_candidates > 8 ? r.n_candidates - 8 : 0; k < r.n_candidates; k++) {
            al_frame *f = &test[nt++];
            al_frame_init(f);
            al_frame_copy(f, &r.candidates[k], err);
            al_frame_alloc_forces(f, err);
            double vir[9];
            al_pot_result res = {.forces = f->forces, .virial = vir};
            AL_TRY(err, al_potential_compute(&sw, f, &res, err));
            f->energy = res.energy;
            f->labels = AL_LBL_ENERGY | AL_LBL_FORCES;
        }
        md_result_fini(&r);
    }
    al_potential_destroy(&sw);
    al_frame_fini(&big);
    for (size_t i = 0; i < n0; i++) al_frame_fini(&start[i]);
    al_free(start);
    *out = test;
    *n_out = nt;
    return AL_OK;
}

static double force_rmse(gp_model *m, const al_frame *test, size_t n)
{
    double s = 0;
    size_t k = 0;
    for (size_t f = 0; f < n; f++) {
        double (*F)[3] = al_malloc(test[f].n_atoms * sizeof *F);
        al_pot_result r = {.forces = F};
        al_err err;
        if (gp_model_predict(m, &test[f], &r, &err) == AL_OK)
            for (size_t i = 0; i < test[f].n_atoms; i++)
                for (int c = 0; c < 3; c++) {
                    double d = F[i][c] - test[f].forces[i][c];
                    s += d * d;
                    k++;
                }
        al_free(F);
    }
    return k ? sqrt(s / (double)k) : NAN;
}

/* Runs one campaign and evaluates each iteration's model on the test set. */
static al_status run_one(orc_campaign *c, const char *dir, const al_frame *test, size_t nt, curve *cv, al_err *err)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) return al_fail(err, AL_EIO, "cannot clear %s", dir);
    snprintf(c->output.directory, sizeof c->output.directory, "%s", dir);
    AL_TRY(err, orc_campaign_start(c, NULL, err));
    char path[1200];
    snprintf(path, sizeof path, "%s/state", dir);
    orc_state st;
    AL_TRY(err, orc_state_load(&st, path, err));
    cv->n = 0;
    for (size_t i = 0; i < st.n_history && cv->n < MAX_POINTS; i++) {
        gp_model *m = NULL;
        snprintf(path, sizeof path, "%s/models/iter_%03d.h5", dir, st.history[i].iteration);
        if (gp_model_load(path, &m, err)) break;
        cv->labels[cv->n] = (double)st.history[i].n_labels;
        cv->rmse[cv->n++] = force_rmse(m, test, nt);
        gp_model_destroy(m);
    }
    orc_state_fini(&st);
    return AL_OK;
}

/* Labels at which the curve first reaches the target (linear interpolation), or NAN. */
static double labels_to_target(const curve *cv, double target)
{
    for (int i = 0; i < cv->n; i++)
        if (cv->rmse[i] <= target)
            return i == 0 ? cv->labels[0]
                          : cv->labels[i - 1] + (cv->labels[i] - cv->labels[i - 1]) *
                                                    (cv->rmse[i - 1] - target) / (cv->rmse[i - 1] - cv->rmse[i]);
    return NAN;
}

int main(int argc, char **argv)
{
    const char *yaml = argc > 1 ? argv[1] : "bench/al_efficiency.yaml";
    double target = argc > 2 ? atof(argv[2]) : 0.07;
    int seeds = argc > 3 ? atoi(argv[3]) : 3;
    const char *work = argc > 4 ? argv[4] : "/tmp/galore-al-efficiency";
    /* Random selection runs this many times the iterations, so that its labels to the target are
     * measured rather than cut off by the budget active learning needs. */
    int random_factor = argc > 5 ? atoi(argv[5]) : 2;
    al_log_set_level(AL_LOG_WARN);
    setvbuf(stdout, NULL, _IOLBF, 0);   /* curves appear as each campaign ends */
    static orc_campaign c;
    al_err err;
    if (orc_campaign_load(yaml, &c, &err)) return fprintf(stderr, "%s\n", err.msg), 2;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", work);
    if (system(cmd) != 0) return 1;
    al_frame *test = NULL;
    size_t nt = 0;
    double t0 = al_wtime();
    if (make_test_set(&c, &test, &nt, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    printf("# test set: %zu SW frames of %zu atoms at 600-2500 K (%.1f s)\n", nt, test[0].n_atoms, al_wtime() - t0);
    printf("# target: test force RMSE %.3f eV/Å\n", target);
    printf("%-8s %4s %8s %12s\n", "strategy", "seed", "labels", "F_RMSE_eV/A");
    double need[2][16];
    const double u_min = c.select.uncertainty_min;
    const int diversity = c.select.diversity;
    const long iterations = c.loop.max_iterations;
    const int n_strat = random_factor > 0 ? 2 : 1;
    for (int s = 0; s < seeds && s < 16; s++)
        for (int strat = 0; strat < n_strat; strat++) {
            c.loop.seed = 1 + s;
            c.select.uncertainty_min = strat == 0 ? u_min : 0.0;
            c.select.diversity = strat == 0 ? diversity : 2;   /* 2: random */
            c.loop.max_iterations = strat == 0 ? iterations : iterations * (random_factor > 1 ? random_factor : 1);
            char dir[1100];
            snprintf(dir, sizeof dir, "%s/%s_%d", work, strat == 0 ? "active" : "random", s + 1);
            curve cv = {0, {0}, {0}};
            double t = al_wtime();
            if (run_one(&c, dir, test, nt, &cv, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
            for (int i = 0; i < cv.n; i++)
                printf("%-8s %4d %8.0f %12.4f\n", strat == 0 ? "active" : "random", s + 1, cv.labels[i], cv.rmse[i]);
            need[strat][s] = labels_to_target(&cv, target);
            fprintf(stderr, "%s seed %d: %.0f s\n", strat == 0 ? "active" : "random", s + 1, al_wtime() - t);
        }
    double sum[2] = {0, 0};
    int reached[2] = {0, 0};
    for (int strat = 0; strat < n_strat; strat++)
        for (int s = 0; s < seeds && s < 16; s++)
            if (isfinite(need[strat][s])) sum[strat] += need[strat][s], reached[strat]++;
    printf("# labels to reach %.3f eV/Å: active %.1f (%d/%d seeds), random %.1f (%d/%d seeds)\n", target,
           reached[0] ? sum[0] / reached[0] : NAN, reached[0], seeds, reached[1] ? sum[1] / reached[1] : NAN,
           reached[1], seeds);
    /* A mean over the seeds that reached the target would flatter a strategy whose slow seeds ran
     * out of iterations, so the ratio is given only when every seed of both reached it. */
    if (reached[0] == seeds && reached[1] == seeds)
        printf("# ratio active/random: %.2f (target: at most 0.33)\n", (sum[0] / reached[0]) / (sum[1] / reached[1]));
    else if (n_strat == 2)
        printf("# no ratio: not every seed reached the target; give the campaigns more iterations\n");
    printf("# peak memory %.1f MiB, %.0f s in all\n", bench_peak_mib(), al_wtime() - t0);
    return 0;
}
