/*
 * The campaign loop end to end, with the Stillinger–Weber labeler and a 2-body GAP on 8-atom
 * silicon: a full run ends with a stated reason, labels every frame it selected, keeps the
 * test set out of the fits and logs each stage; a campaign stopped after every single stage
 * and resumed each time, and campaigns killed with SIGKILL at random moments and resumed, end
 * with exactly the dataset of the uninterrupted run.
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/dataset.h"
#include "core/extxyz.h"
#include "core/rng.h"
#include "orchestrator/loop.h"
#include "orchestrator/report.h"
#include "orchestrator/signals.h"
#include "orchestrator/state.h"
#include "tests/harness/al_test.h"
#include "tests/orc/campaign_checks.h"

/* Campaign `file` of tests/data/loop into c, writing to dir (emptied first). */
static void load_file(al_test *t, const char *file, const char *dir, orc_campaign *c)
{
    al_err err;
    char path[1024];
    snprintf(path, sizeof path, "%sloop/%s", al_test_data_dir(), file);
    AL_CHECK_OK(t, orc_campaign_load(path, c, &err), &err);
    snprintf(c->output.directory, sizeof c->output.directory, "%s", dir);
    rm_rf(dir);
}

static void load(al_test *t, const char *dir, orc_campaign *c) { load_file(t, "si_sw.yaml", dir, c); }

/* The uninterrupted run of campaign `file` in <tmp>/ref, for the comparisons; returns its
 * directory. */
static const char *run_reference(al_test *t, const char *file, orc_campaign *c)
{
    al_err err;
    const char *ref = sub(t, "ref");
    load_file(t, file, ref, c);
    AL_CHECK_OK(t, orc_campaign_start(c, NULL, &err), &err);
    return ref;
}

static void test_full_run(al_test *t)
{
    static orc_campaign c;
    al_err err;
    const char *dir = sub(t, "full");
    load(t, dir, &c);
    AL_CHECK_OK(t, orc_campaign_start(&c, NULL, &err), &err);
    orc_state s;
    state_of(t, dir, &s);
    AL_CHECK(t, s.stage == ORC_STAGE_DONE);
    AL_CHECK_STR(t, s.stop_reason, "the iteration budget (loop.max_iterations = 2) is used");
    AL_CHECK(t, s.n_history == 3 && s.history[2].iteration == 2);
    /* 8 initial frames (2 test, 6 train) and 2 picks in each of 2 iterations, all labeled. */
    AL_CHECK_MSG(t, s.n_labels == 12, "%ld labels", s.n_labels);
    AL_CHECK(t, s.history[0].n_train == 6 && s.history[2].n_train == 10);
    for (size_t i = 0; i < s.n_history; i++)
        AL_CHECK(t, s.history[i].force_mae > 0 && s.history[i].force_mae < 2.0);
    /* The report: figures that render, and the error table of the state. */
    AL_CHECK_OK(t, orc_report_write(dir, &err), &err);
    const char *figs[] = {"errors_energy", "errors_force", "parity_energy", "parity_force",
                          "calibration", "uncertainty", "provenance"};
    for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++) {
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "rsvg-convert -o %s/report/%s.png %s/report/%s.svg", dir, figs[i], dir, figs[i]);
        AL_CHECK_MSG(t, system(cmd) == 0, "%s.svg does not render", figs[i]);
    }
    char md[1100], row[128];
    snprintf(md, sizeof md, "%s/report/report.md", dir);
    FILE *fp = fopen(md, "r");
    char text[16384] = "";
    if (fp) text[fread(text, 1, sizeof text - 1, fp)] = '\0', fclose(fp);
    snprintf(row, sizeof row, "| 2 | 10 | 12 | %.3f | %.4f |", 1e3 * s.history[2].energy_mae, s.history[2].force_mae);
    AL_CHECK_CONTAINS(t, text, row);
    AL_CHECK_CONTAINS(t, text, "8 labels of the initial set, 4 of configurations found by MD exploration.");
    snprintf(md, sizeof md, "%s/report/report.html", dir);
    AL_CHECK(t, access(md, R_OK) == 0);
    /* A second start on the same directory is refused; resume of a finished campaign is a no-op. */
    AL_CHECK(t, orc_campaign_start(&c, NULL, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, "already holds a campaign; continue it with 'galore resume ");
    AL_CHECK_OK(t, orc_campaign_resume(dir, NULL, &err), &err);
    orc_state_fini(&s);
}

/* Starts campaign c in dir and resumes it after every single stage until it is done; returns
 * the number of resumes. */
static int run_stage_by_stage(al_test *t, const orc_campaign *c, const char *dir)
{
    al_err err;
    orc_run_opts one = {1, NULL, 0};
    AL_CHECK_OK(t, orc_campaign_start(c, &one, &err), &err);
    int resumes = 0;
    for (;;) {
        orc_state s;
        state_of(t, dir, &s);
        int done = s.stage == ORC_STAGE_DONE;
        orc_state_fini(&s);
        if (done || resumes >= 100) break;
        resumes++;
        AL_CHECK_OK(t, orc_campaign_resume(dir, &one, &err), &err);
    }
    AL_CHECK(t, resumes < 100);
    return resumes;
}

/* Stopped after every stage and resumed: the same dataset as the uninterrupted run. */
static void test_resume_after_each_stage(al_test *t)
{
    static orc_campaign c;
    const char *ref = run_reference(t, "si_sw.yaml", &c), *dir = sub(t, "stepwise");
    load(t, dir, &c);
    AL_CHECK(t, run_stage_by_stage(t, &c, dir) > 10);
    same_dataset(t, ref, dir);
}

/* Runs the campaign in a child process killed with SIGKILL after `delay_ms`. */
static void run_and_kill(al_test *t, const orc_campaign *c, const char *dir, long delay_ms)
{
    /* Killed before its first state file, a campaign is simply started again. */
    char state[1100];
    snprintf(state, sizeof state, "%s/state", dir);
    int resume = access(state, F_OK) == 0;
    pid_t pid = fork();
    if (pid == 0) {
        al_err err;
        al_status st = resume ? orc_campaign_resume(dir, NULL, &err) : orc_campaign_start(c, NULL, &err);
        _exit(st ? 1 : 0);
    }
    struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    AL_CHECK(t, WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

static void test_sigkill_and_resume(al_test *t)
{
    static orc_campaign c;
    al_err err;
    const char *ref = run_reference(t, "si_sw.yaml", &c);
    al_rng rng;
    al_rng_seed(&rng, 99, 0);
    char state[1100];
    for (int trial = 0; trial < 3; trial++) {
        const char *dir = sub(t, trial == 0 ? "killed0" : trial == 1 ? "killed1" : "killed2");
        load(t, dir, &c);
        run_and_kill(t, &c, dir, 20 + (long)al_rng_below(&rng, 1500));
        for (int k = 0; k < 3; k++) run_and_kill(t, &c, dir, 20 + (long)al_rng_below(&rng, 1500));
        snprintf(state, sizeof state, "%s/state", dir);
        if (access(state, F_OK) == 0)
            AL_CHECK_OK(t, orc_campaign_resume(dir, NULL, &err), &err);
        else
            AL_CHECK_OK(t, orc_campaign_start(&c, NULL, &err), &err);
        same_dataset(t, ref, dir);
    }
}

/* Two trial logs equal but for the fit times (the second-last column, wall clock). */
static int same_trials(const char *a, const char *b)
{
    char cmd[4800];
    snprintf(cmd, sizeof cmd,
             "awk -F, '{$(NF-1)=\"\"; print}' '%s' > '%s.cut' && awk -F, '{$(NF-1)=\"\"; print}' '%s' > '%s.cut' "
             "&& cmp -s '%s.cut' '%s.cut'", a, a, b, b, a, b);
    return system(cmd) == 0;
}

/* Hyperparameters tuned at iterations 0 and 2 on the validation frames; a campaign stopped
 * after every stage makes the same trials and the same dataset. */
static void test_bayesopt_in_the_loop(al_test *t)
{
    static orc_campaign c;
    al_err err;
    const char *ref = run_reference(t, "si_sw_bo.yaml", &c), *dir = sub(t, "stepwise");
    char a[1100], b[1100];
    for (int it = 0; it <= 2; it += 2) {
        snprintf(a, sizeof a, "%s/bo/iter_%03d.csv", ref, it);
        FILE *fp = fopen(a, "r");
        int lines = 0;
        char line[4096];
        while (fp && fgets(line, sizeof line, fp)) lines++;
        if (fp) fclose(fp);
        AL_CHECK_MSG(t, lines == 2 + 6, "%s: %d lines (comment, header, 6 trials expected)", a, lines);
    }
    snprintf(a, sizeof a, "%s/bo/iter_001.csv", ref);
    AL_CHECK(t, access(a, F_OK) != 0);
    /* The report draws the trials of both searches. */
    AL_CHECK_OK(t, orc_report_write(ref, &err), &err);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rsvg-convert -o %s/report/tuning.png %s/report/tuning.svg", ref, ref);
    AL_CHECK_MSG(t, system(cmd) == 0, "tuning.svg does not render");
    snprintf(a, sizeof a, "%s/report/tuning.svg", ref);
    FILE *fp = fopen(a, "r");
    char svg[65536] = "";
    if (fp) svg[fread(svg, 1, sizeof svg - 1, fp)] = '\0', fclose(fp);
    AL_CHECK_CONTAINS(t, svg, "trials, iteration 2");
    int points = 0;
    for (const char *q = svg; (q = strstr(q, "<circle cx")); q++) points++;
    AL_CHECK_MSG(t, points == 2 * 6 + 2, "%d points (2 × 6 trials and 2 legend marks)", points);
    load_file(t, "si_sw_bo.yaml", dir, &c);
    run_stage_by_stage(t, &c, dir);
    same_dataset(t, ref, dir);
    snprintf(a, sizeof a, "%s/bo/iter_002.csv", ref);
    snprintf(b, sizeof b, "%s/bo/iter_002.csv", dir);
    AL_CHECK_MSG(t, same_trials(a, b), "the resumed campaign's trials differ");
}

static int frames_in(const char *path)
{
    al_frame *f = NULL;
    size_t n = 0;
    al_err err;
    if (al_xyz_read_all(path, &f, &n, &err)) return -1;
    for (size_t i = 0; i < n; i++) al_frame_fini(&f[i]);
    al_free(f);
    return (int)n;
}

/* Trajectories every 20 steps while output.trajectory_max_mb has room: a 200-step replica of 8
 * atoms needs about 11 × (300 + 75·8) bytes = 0.01 MB, so a 0.015 MB cap admits one. */
static void test_trajectories_and_disk_cap(al_test *t)
{
    static orc_campaign c;
    al_err err;
    const char *dir = sub(t, "traj");
    load(t, dir, &c);
    c.loop.max_iterations = 1;
    c.explore.trajectory_stride = 20;
    c.output.trajectory_max_mb = 0.015;
    AL_CHECK_OK(t, orc_campaign_start(&c, NULL, &err), &err);
    char p0[1100], p1[1100];
    snprintf(p0, sizeof p0, "%s/explore/iter_000/replica_0.traj.xyz", dir);
    snprintf(p1, sizeof p1, "%s/explore/iter_000/replica_1.traj.xyz", dir);
    AL_CHECK_MSG(t, frames_in(p0) == 11, "%d frames", frames_in(p0));
    AL_CHECK(t, access(p1, F_OK) != 0);
}

/* SIGTERM stops the campaign cleanly (exit status 3 of a CLI run: resumable); `galore run` on
 * the same directory with the same settings then resumes it by itself (a requeued batch job),
 * and the dataset is the uninterrupted run's. Other settings on that directory are refused. */
static void test_sigterm_and_requeue(al_test *t)
{
    static orc_campaign c;
    al_err err;
    const char *ref = run_reference(t, "si_sw.yaml", &c), *dir = sub(t, "requeued");
    load(t, dir, &c);
    pid_t pid = fork();
    if (pid == 0) {
        int resumed;
        orc_signals_install();
        al_status st = orc_campaign_run(&c, NULL, &resumed, &err);
        _exit(st == AL_EINTERRUPT ? 3 : st ? 1 : 0);
    }
    /* Signal as the first exploration starts, not after a fixed time: the whole campaign
     * takes well under a second, so a timer would race with its end. */
    char events[1100], text[65536] = "";
    snprintf(events, sizeof events, "%s/events.jsonl", dir);
    for (int k = 0; k < 20000 && !strstr(text, "\"event\":\"explore_start\""); k++) {
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
        FILE *fp = fopen(events, "r");
        if (fp) text[fread(text, 1, sizeof text - 1, fp)] = '\0', fclose(fp);
    }
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    AL_CHECK_MSG(t, WIFEXITED(status) && WEXITSTATUS(status) == 3, "exit status %d", WEXITSTATUS(status));
    orc_state s;
    state_of(t, dir, &s);
    AL_CHECK(t, s.stage != ORC_STAGE_DONE);
    orc_state_fini(&s);
    FILE *fp = fopen(events, "r");
    if (fp) text[fread(text, 1, sizeof text - 1, fp)] = '\0', fclose(fp);
    AL_CHECK_CONTAINS(t, text, "\"error\":\"stopped by SIGTERM; the finished work is saved\"");
    orc_campaign other = c;
    other.select.per_iteration = 3;
    int resumed = 0;
    AL_CHECK(t, orc_campaign_run(&other, NULL, &resumed, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, " holds a campaign whose settings differ from ");
    AL_CHECK_OK(t, orc_campaign_run(&c, NULL, &resumed, &err), &err);
    AL_CHECK(t, resumed == 1);
    same_dataset(t, ref, dir);
}

/* The built-in DFT as labeler: every frame gets energy, forces and virial; the forces of the
 * labels sum to zero (the engine removes the drift) and the test errors are finite. */
static void test_dft_labels(al_test *t)
{
    static orc_campaign c;
    al_err err;
    const char *dir = sub(t, "dft");
    load_file(t, "si_dft.yaml", dir, &c);
    AL_CHECK_OK(t, orc_campaign_start(&c, NULL, &err), &err);
    orc_state s;
    state_of(t, dir, &s);
    AL_CHECK(t, s.stage == ORC_STAGE_DONE && s.n_failed == 0);
    AL_CHECK_MSG(t, s.n_labels == 5, "%ld labels", s.n_labels);   /* 4 initial + 1 pick */
    AL_CHECK(t, s.n_history == 2 && isfinite(s.history[1].force_mae));
    orc_state_fini(&s);
    char path[1100];
    snprintf(path, sizeof path, "%s/campaign.h5", dir);
    al_store *st = NULL;
    AL_CHECK_OK(t, al_store_open(path, AL_STORE_READ, &st, &err), &err);
    for (size_t i = 0; st && i < al_store_count(st); i++) {
        al_frame f;
        al_frame_init(&f);
        AL_CHECK_OK(t, al_store_read(st, i, &f, NULL, &err), &err);
        AL_CHECK(t, f.labels == (AL_LBL_ENERGY | AL_LBL_FORCES | AL_LBL_VIRIAL));
        double sum[3] = {0, 0, 0};
        for (size_t a = 0; f.forces && a < f.n_atoms; a++)
            for (int k = 0; k < 3; k++) sum[k] += f.forces[a][k];
        AL_CHECK(t, fabs(sum[0]) + fabs(sum[1]) + fabs(sum[2]) < 1e-8);
        /* ABINIT gives -3.9177532 Ha/atom = -106.61 eV/atom for the ideal crystal at 15 Ha
         * without smearing (shared reference case 1). A distorted cell at 6 Ha lies above
         * that by well under 2 eV/atom; the label is the free energy, which the smearing's
         * -TS (0.01 Ha) lowers by a fraction of an eV/atom. */
        double e = f.energy / (double)f.n_atoms;
        AL_CHECK_MSG(t, e > -107.5 && e < -104.6, "frame %zu: %.4f eV/atom", i, e);
        al_frame_fini(&f);
    }
    al_store_close(st);
}

/* A file system without the required free space stops the campaign before the next stage,
 * with a message saying what to do; once there is room, resume finishes it. */
static void test_disk_full_stops_cleanly(al_test *t)
{
    static orc_campaign c;
    al_err err;
    const char *dir = sub(t, "disk");
    load(t, dir, &c);
    c.loop.max_iterations = 1;
    orc_run_opts huge = {0, NULL, 1e12};   /* a million terabytes: never free */
    AL_CHECK(t, orc_campaign_start(&c, &huge, &err) == AL_EIO);
    AL_CHECK_CONTAINS(t, err.msg, " MB free on its file system (at least 1e+12 MB needed to go on); "
                                  "free some space, then 'galore resume ");
    orc_state s;
    state_of(t, dir, &s);
    AL_CHECK(t, s.stage == ORC_STAGE_INIT);
    orc_state_fini(&s);
    AL_CHECK_OK(t, orc_campaign_resume(dir, NULL, &err), &err);
    state_of(t, dir, &s);
    AL_CHECK(t, s.stage == ORC_STAGE_DONE);
    orc_state_fini(&s);
}

static const al_test_case cases[] = {
    {"full_run", test_full_run, AL_TEST_FAST},
    {"resume_after_each_stage", test_resume_after_each_stage, AL_TEST_SLOW},
    {"sigkill_and_resume", test_sigkill_and_resume, AL_TEST_SLOW},
    {"bayesopt_in_the_loop", test_bayesopt_in_the_loop, AL_TEST_SLOW},
    {"trajectories_and_disk_cap", test_trajectories_and_disk_cap, AL_TEST_FAST},
    {"sigterm_and_requeue", test_sigterm_and_requeue, AL_TEST_SLOW},
    {"dft_labels", test_dft_labels, AL_TEST_SLOW},
    {"disk_full_stops_cleanly", test_disk_full_stops_cleanly, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
