/*
 * The validation MD after the campaign loop (orchestrator/stage_validate.c), on the loop
 * tests' silicon campaign with a validate section (tests/data/loop/si_sw_validate.yaml): the
 * final 2-body GAP drives 64 atoms at 600 K against Stillinger-Weber MD of the same cell and
 * settings, written here as the reference trajectory. Checked: the tables and their columns,
 * the first peak of g(r) at the Si-Si bond length of SW silicon (2.35 Å), R_chi, the report
 * section and its figures, a validation killed half-way and resumed giving the same g(r), and
 * the messages for bad references.
 */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/extxyz.h"
#include "engines/analysis/rdf.h"
#include "engines/analysis/sq.h"
#include "engines/md/analytic.h"
#include "engines/md/md.h"
#include "orchestrator/initial.h"
#include "orchestrator/loop.h"
#include "orchestrator/report.h"
#include "orchestrator/signals.h"
#include "orchestrator/state.h"
#include "tests/harness/al_test.h"
#include "tests/orc/campaign_checks.h"

/* Stillinger-Weber MD of the 2x2x2 diamond cell with the campaign's validation settings:
 * frames every 20 steps after 0.2 ps of 1.6 ps at 600 K, written to path. */
static void write_sw_reference(al_test *t, const char *path)
{
    al_err err;
    char start[1024];
    snprintf(start, sizeof start, "%sloop/si8.xyz", al_test_data_dir());
    al_frame *f = NULL, cell;
    size_t n = 0;
    AL_CHECK_OK(t, al_xyz_read_all(start, &f, &n, &err), &err);
    al_frame_init(&cell);
    al_rng rng;
    al_rng_seed(&rng, 0, 0);
    int rep[3] = {2, 2, 2};
    AL_CHECK_OK(t, orc_initial_rattle(&f[0], rep, 1, 0, 0, &rng, &cell, &err), &err);
    al_potential sw;
    md_sw_opts so = md_sw_opts_default();
    AL_CHECK_OK(t, md_sw_create(&so, &sw, &err), &err);
    md_segment seg = {600, 600, 1600, 0, 20};
    md_opts o = md_opts_default();
    o.thermostat = MD_LANGEVIN;
    o.thermostat_period = 50;
    o.segments = &seg, o.n_segments = 1, o.seed = 77;
    o.traj = fopen(path, "w");
    o.traj_stride = 20;
    md_result res;
    md_result_init(&res);
    AL_CHECK(t, o.traj != NULL);
    /* The trajectory also holds the first 0.2 ps; a short equilibration run first keeps
     * only the sampled part, like the campaign's equilibration. */
    md_segment eq = {600, 600, 200, 0, 20};
    md_opts oe = o;
    oe.segments = &eq, oe.traj = NULL;
    AL_CHECK_OK(t, md_run(&oe, &cell, &sw, &res, &err), &err);
    seg.duration = 1400;
    o.keep_velocities = true;
    md_result res2;
    md_result_init(&res2);
    AL_CHECK_OK(t, md_run(&o, &res.final, &sw, &res2, &err), &err);
    fclose(o.traj);
    md_result_fini(&res);
    md_result_fini(&res2);
    al_potential_destroy(&sw);
    al_frame_fini(&cell);
    al_frames_free(f, n);
}

/* The campaign with a validate section, writing to dir (emptied), its reference in tmp. */
static void load(al_test *t, const char *dir, orc_campaign *c)
{
    static int written;
    al_err err;
    char path[1024];
    const char *ref = sub(t, "sw_reference.xyz");
    if (!written++) write_sw_reference(t, ref);
    snprintf(path, sizeof path, "%sloop/si_sw_validate.yaml", al_test_data_dir());
    AL_CHECK_OK(t, orc_campaign_load(path, c, &err), &err);
    snprintf(c->output.directory, sizeof c->output.directory, "%s", dir);
    snprintf(c->validate.reference_trajectory, sizeof c->validate.reference_trajectory, "%s", ref);
    rm_rf(dir);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    char *text = al_calloc(1 << 20, 1);
    if (text) text[fread(text, 1, (1 << 20) - 1, fp)] = '\0';
    fclose(fp);
    return text;
}

/* g(r) of the SW reference trajectory in the CSV layout of `galore analyze` (same bins as the
 * campaign: 0.05 Å up to 6 Å). */
static void write_reference_csv(al_test *t, const char *xyz, const char *csv)
{
    al_err err;
    an_rdf *g = NULL;
    al_frame *f = NULL;
    size_t n = 0;
    AL_CHECK_OK(t, an_rdf_create(6.0, 120, &g, &err), &err);
    AL_CHECK_OK(t, al_xyz_read_all(xyz, &f, &n, &err), &err);
    for (size_t i = 0; i < n; i++) AL_CHECK_OK(t, an_rdf_add_frame(g, &f[i], &err), &err);
    double tot[120], part[120];
    an_rdf_total(g, tot);
    an_rdf_partial(g, 0, 0, part);
    FILE *fp = fopen(csv, "w");
    AL_CHECK(t, fp != NULL);
    fprintf(fp, "# g(r) of the SW reference\nr_angstrom,g_total,g_Si_Si\n");
    for (int b = 0; fp && b < 120; b++)
        fprintf(fp, "%.6f,%.10g,%.10g\n", an_rdf_r(g, b), tot[b], part[b]);
    if (fp) fclose(fp);
    an_rdf_destroy(g);
    al_frames_free(f, n);
}

/* Column `col` of a CSV file's numbers (header skipped) into y; returns the rows. */
static size_t csv_column(const char *path, int col, double *y, size_t cap)
{
    FILE *fp = fopen(path, "r");
    char line[4096];
    size_t n = 0;
    while (fp && fgets(line, sizeof line, fp)) {
        if (!strchr("0123456789.-", line[0])) continue;
        char *p = line;
        for (int k = 0; k < col && p; k++) p = strchr(p, ','), p = p ? p + 1 : NULL;
        if (p && n < cap) y[n++] = strtod(p, NULL);
    }
    if (fp) fclose(fp);
    return n;
}

/* The value of "rchi <ref> <what> total" in summary.txt. */
static double summary_rchi(const char *text, const char *ref, const char *what)
{
    char key[128];
    snprintf(key, sizeof key, "\nrchi %s %s total ", ref, what);
    const char *p = strstr(text, key);
    return p ? strtod(p + strlen(key), NULL) : NAN;
}

/* Position of the largest value of y (x = column 0 of the same file). */
static double peak_position(const char *path, int col)
{
    static double r[1000], y[1000];
    size_t n = csv_column(path, 0, r, 1000);
    csv_column(path, col, y, 1000);
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (y[i] > y[best]) best = i;
    return n ? r[best] : NAN;
}

static void check_header(al_test *t, const char *path, const char *want)
{
    char *text = slurp(path);
    AL_CHECK_MSG(t, text != NULL, "%s is missing", path);
    if (!text) return;
    text[strcspn(text, "\n")] = '\0';
    AL_CHECK_STR(t, text, want);
    al_free(text);
}

static void check_renders(al_test *t, const char *dir, const char *fig)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rsvg-convert -o %s/report/%s.png %s/report/%s.svg", dir, fig, dir,
             fig);
    AL_CHECK_MSG(t, system(cmd) == 0, "%s.svg does not render", fig);
}

/* A full campaign with its validation against the SW trajectory and its own g(r) table. */
static void test_validation_md(al_test *t)
{
    static orc_campaign c;
    al_err err;
    const char *dir = sub(t, "validated"), *csv = sub(t, "sw_reference_gr.csv");
    load(t, dir, &c);
    write_reference_csv(t, c.validate.reference_trajectory, csv);
    snprintf(c.validate.reference_gr, sizeof c.validate.reference_gr, "%s", csv);
    AL_CHECK_OK(t, orc_campaign_start(&c, NULL, &err), &err);
    orc_state s;
    state_of(t, dir, &s);
    AL_CHECK(t, s.stage == ORC_STAGE_DONE);
    AL_CHECK_STR(t, s.stop_reason, "the iteration budget (loop.max_iterations = 2) is used");
    orc_state_fini(&s);
    char path[1200], *text;
    snprintf(path, sizeof path, "%s/validate/gr.csv", dir);
    check_header(t, path,
                 "r_angstrom,g_total_model,g_total_reference,g_total_reference_csv,"
                 "g_Si_Si_model,g_Si_Si_reference,g_Si_Si_reference_csv");
    static double y[1000];
    AL_CHECK_MSG(t, csv_column(path, 0, y, 1000) == 120, "%zu rows", csv_column(path, 0, y, 1000));
    /* The first peak at the bond length of SW silicon, in the model's MD and the reference. */
    double peak_model = peak_position(path, 1), peak_ref = peak_position(path, 2);
    AL_CHECK_MSG(t, fabs(peak_model - 2.35) < 0.1, "model peak at %g Å", peak_model);
    AL_CHECK_MSG(t, fabs(peak_ref - 2.35) < 0.1, "reference peak at %g Å", peak_ref);
    snprintf(path, sizeof path, "%s/validate/sk.csv", dir);
    check_header(t, path,
                 "k_inverse_angstrom,S_total_model,S_total_reference,S_total_reference_csv,"
                 "S_Si_Si_model,S_Si_Si_reference,S_Si_Si_reference_csv");
    AL_CHECK(t, csv_column(path, 0, y, 1000) == 400 && fabs(y[399] - 15.0) < 1e-9);
    /* R_chi against the trajectory and against its own table agree (the same g(r)). */
    snprintf(path, sizeof path, "%s/validate/summary.txt", dir);
    text = slurp(path);
    AL_CHECK(t, text != NULL);
    double rg = summary_rchi(text, "reference", "gr"), rs = summary_rchi(text, "reference", "sk");
    double rg_csv = summary_rchi(text, "reference_csv", "gr"),
           rs_csv = summary_rchi(text, "reference_csv", "sk");
    printf("R_chi g(r) %.4f (table %.4f), S(k) %.4f (table %.4f)\n", rg, rg_csv, rs, rs_csv);
    /* The model reproduces SW's g(r) to about 6 % (R_chi 0.063 when written) and S(k) to 2 %. */
    AL_CHECK_MSG(t, isfinite(rg) && rg > 0.005 && rg < 0.15, "R_chi of g(r) %g", rg);
    AL_CHECK_MSG(t, isfinite(rs) && rs > 0.002 && rs < 0.1, "R_chi of S(k) %g", rs);
    AL_CHECK_REL(t, rg_csv, rg, 1e-4, 0);
    AL_CHECK_REL(t, rs_csv, rs, 1e-3, 0);
    AL_CHECK_CONTAINS(t, text, "\nmodel_iteration 2\nmodel_frames 71\n");
    /* Four neighbours within the first minimum, as in the diamond structure at 600 K. */
    const char *co = strstr(text, "\ncoordination Si Si ");
    double cut = 0, n_model = 0, n_ref = 0;
    AL_CHECK(t, co && sscanf(co, "\ncoordination Si Si %lf %lf %lf", &cut, &n_model, &n_ref) == 3);
    AL_CHECK_MSG(t, cut > 2.6 && cut < 3.4, "first minimum at %g Å", cut);
    AL_CHECK_CLOSE(t, n_model, 4.0, 0.05);
    AL_CHECK_CLOSE(t, n_ref, 4.0, 0.05);
    al_free(text);
    snprintf(path, sizeof path, "%s/validate/md", dir);
    AL_CHECK_MSG(t, access(path, F_OK) != 0, "the block files are left behind");
    /* The report's section with its tables and figures. */
    AL_CHECK_OK(t, orc_report_write(dir, &err), &err);
    snprintf(path, sizeof path, "%s/report/report.md", dir);
    text = slurp(path);
    AL_CHECK(t, text != NULL);
    AL_CHECK_CONTAINS(
        t, text,
        "## Validation MD\n\nThe final model (iteration 2) ran 1.6 ps of MD; 71 frames analysed.");
    AL_CHECK_CONTAINS(t, text, "| function | pair | reference | R_chi | points |");
    AL_CHECK_CONTAINS(
        t, text,
        "| centre | neighbour | cutoff (Å) | coordination, model | coordination, reference |");
    AL_CHECK_CONTAINS(t, text, "Settings: NVT MD with a Langevin thermostat, time step 1 fs");
    AL_CHECK_CONTAINS(t, text,
                      "![Pair distribution function: model against reference](validation_gr.svg)");
    al_free(text);
    check_renders(t, dir, "validation_gr");
    check_renders(t, dir, "validation_sk");
}

/* Runs the campaign in a child that gets signal sig (SIGKILL, or SIGTERM with the campaign's
 * handlers installed) as soon as the validation MD has finished its first block; the state
 * then names the VALIDATE stage. */
static void signal_during_validation(al_test *t, const orc_campaign *c, const char *dir, int sig)
{
    char block[1200];
    snprintf(block, sizeof block, "%s/validate/md/block_000.xyz", dir);
    pid_t pid = fork();
    if (pid == 0) {
        al_err err;
        if (sig == SIGTERM) orc_signals_install();
        al_status st = orc_campaign_start(c, NULL, &err);
        _exit(st == AL_EINTERRUPT ? 3 : st ? 1 : 0);
    }
    struct timespec ts = {0, 2000000L};
    int exited = 0, status = 0;
    while (access(block, F_OK) != 0 && !exited) { /* until the block exists or the run ends */
        nanosleep(&ts, NULL);
        exited = waitpid(pid, &status, WNOHANG) == pid;
    }
    if (!exited) kill(pid, sig), waitpid(pid, &status, 0);
    AL_CHECK_MSG(t, !exited, "the campaign ended before its validation had a block");
    if (sig == SIGTERM) /* stopped between blocks, resumable */
        AL_CHECK_MSG(t, WIFEXITED(status) && WEXITSTATUS(status) == 3, "exit status %d",
                     WEXITSTATUS(status));
    orc_state s;
    state_of(t, dir, &s);
    AL_CHECK_MSG(t, s.stage == ORC_STAGE_VALIDATE, "stopped in stage %s", orc_stage_name(s.stage));
    orc_state_fini(&s);
}

static void same_file(al_test *t, const char *dir_a, const char *dir_b, const char *name)
{
    char pa[1200], pb[1200];
    snprintf(pa, sizeof pa, "%s/%s", dir_a, name);
    snprintf(pb, sizeof pb, "%s/%s", dir_b, name);
    char *a = slurp(pa), *b = slurp(pb);
    AL_CHECK_MSG(t, a && b && !strcmp(a, b), "%s differs from %s", pb, pa);
    al_free(a);
    al_free(b);
}

/* Killed (SIGKILL) or stopped (SIGTERM) during its validation MD and resumed, a campaign
 * writes the g(r) and S(k) of the run that was not interrupted, byte for byte. The schedule
 * is 3.2 ps here (seven blocks), so SIGTERM finds blocks still to run. */
static void test_resume_during_validation(al_test *t)
{
    static orc_campaign c;
    al_err err;
    const char *ref = sub(t, "uninterrupted");
    load(t, ref, &c);
    c.validate.schedule.seg[0].duration = 3200;
    AL_CHECK_OK(t, orc_campaign_start(&c, NULL, &err), &err);
    for (int k = 0; k < 2; k++) {
        const char *dir = sub(t, k ? "terminated" : "killed");
        load(t, dir, &c);
        c.validate.schedule.seg[0].duration = 3200;
        signal_during_validation(t, &c, dir, k ? SIGTERM : SIGKILL);
        if (k) {
            char events[1200];
            snprintf(events, sizeof events, "%s/events.jsonl", dir);
            char *text = slurp(events);
            AL_CHECK(t, text != NULL);
            if (text)
                AL_CHECK_CONTAINS(t, text,
                                  "\"stage\":\"validate\",\"error\":\"stopped by SIGTERM; "
                                  "the finished work is saved\"");
            al_free(text);
        }
        AL_CHECK_OK(t, orc_campaign_resume(dir, NULL, &err), &err);
        same_dataset(t, ref, dir);
        same_file(t, ref, dir, "validate/gr.csv");
        same_file(t, ref, dir, "validate/sk.csv");
        same_file(t, ref, dir, "validate/summary.txt");
    }
}

/* A model whose MD brings atoms closer than explore.min_distance (here 2.3 Å, inside the
 * thermal spread of the 2.35 Å bond at 600 K) stops its validation early: the campaign still
 * ends, and the summary and the report say why, with no tables. */
static void test_validation_stopped_early(al_test *t)
{
    static orc_campaign c;
    al_err err;
    const char *dir = sub(t, "stopped");
    load(t, dir, &c);
    c.explore.min_distance = 2.3;
    c.loop.max_iterations = 1;
    AL_CHECK_OK(t, orc_campaign_start(&c, NULL, &err), &err);
    orc_state s;
    state_of(t, dir, &s);
    AL_CHECK(t, s.stage == ORC_STAGE_DONE);
    orc_state_fini(&s);
    char path[1200];
    snprintf(path, sizeof path, "%s/validate/summary.txt", dir);
    char *text = slurp(path);
    AL_CHECK(t, text != NULL);
    if (text) {
        AL_CHECK_CONTAINS(t, text, "\nmodel_frames 0\n");
        AL_CHECK_CONTAINS(t, text, "\nstopped_early atoms ");
        AL_CHECK_CONTAINS(t, text, "closer than min_distance 2.3 Å");
    }
    al_free(text);
    snprintf(path, sizeof path, "%s/validate/gr.csv", dir);
    AL_CHECK(t, access(path, F_OK) != 0);
    AL_CHECK_OK(t, orc_report_write(dir, &err), &err);
    snprintf(path, sizeof path, "%s/report/report.md", dir);
    text = slurp(path);
    AL_CHECK(t, text && strstr(text, "0 frames analysed. **The MD stopped early:** atoms "));
    al_free(text);
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (fp) fputs(text, fp), fclose(fp);
}

/* Bad references are reported when the campaign starts, with file, line and text. */
static void test_bad_references(al_test *t)
{
    static orc_campaign c;
    al_err err;
    char want[2400];
    const char *dir = sub(t, "bad");
    load(t, dir, &c);
    snprintf(c.validate.reference_trajectory, sizeof c.validate.reference_trajectory,
             "/nonexistent/ref.xyz");
    AL_CHECK(t, orc_campaign_start(&c, NULL, &err) == AL_ENOTFOUND);
    snprintf(want, sizeof want,
             "%s: validate.reference_trajectory: cannot open /nonexistent/ref.xyz: No such "
             "file or directory",
             c.path);
    AL_CHECK_STR(t, err.msg, want);
    AL_CHECK_MSG(t, access(dir, F_OK) != 0, "a campaign directory was made");
    c.validate.reference_trajectory[0] = '\0';
    const char *csv = sub(t, "bad_header.csv");
    write_text(csv, "x,y\n1,2\n");
    snprintf(c.validate.reference_gr, sizeof c.validate.reference_gr, "%s", csv);
    AL_CHECK(t, orc_campaign_start(&c, NULL, &err) == AL_EFORMAT);
    snprintf(want, sizeof want,
             "%s:1: expected the header r_angstrom,g_total[,g_A_B ...] as written by galore "
             "analyze, got 'x,y'",
             csv);
    AL_CHECK_STR(t, err.msg, want);
    csv = sub(t, "bad_row.csv");
    write_text(csv, "# g(r)\nr_angstrom,g_total,g_Si_Si\n0.025,0,0\n0.075,0,abc\n");
    snprintf(c.validate.reference_gr, sizeof c.validate.reference_gr, "%s", csv);
    AL_CHECK(t, orc_campaign_start(&c, NULL, &err) == AL_EFORMAT);
    snprintf(want, sizeof want, "%s:4: expected 3 numbers like the header, got '0.075,0,abc'", csv);
    AL_CHECK_STR(t, err.msg, want);
    csv = sub(t, "bad_pair.csv");
    write_text(csv, "r_angstrom,g_total,g_Si_Xx\n0.025,0,0\n");
    snprintf(c.validate.reference_gr, sizeof c.validate.reference_gr, "%s", csv);
    AL_CHECK(t, orc_campaign_start(&c, NULL, &err) == AL_EFORMAT);
    snprintf(want, sizeof want,
             "%s:1: column 'g_Si_Xx' is not a pair g_A_B of two elements (as written by "
             "galore analyze)",
             csv);
    AL_CHECK_STR(t, err.msg, want);
    /* A validate section without a reference is refused when the file is read. */
    const char *yaml = sub(t, "no_reference.yaml");
    write_text(yaml,
               "dft: {labeler: sw}\nsystem: {structure: si8.xyz}\nvalidate:\n  sample_every: 5\n");
    AL_CHECK(t, orc_campaign_load(yaml, &c, &err) == AL_EFORMAT);
    snprintf(want, sizeof want,
             "%s:3:1: validate: needs a reference: reference_trajectory (extxyz), "
             "reference_gr (CSV) or both",
             yaml);
    AL_CHECK_STR(t, err.msg, want);
}

/* S(k) of a tabulated g(r) on the bins of an accumulator is the accumulator's own S(k): the
 * reference table path and the trajectory path transform alike. */
static void test_tabulated_transform(al_test *t)
{
    al_err err;
    char path[1024];
    snprintf(path, sizeof path, "%sloop/si8.xyz", al_test_data_dir());
    al_frame *f = NULL;
    size_t n = 0;
    an_rdf *g = NULL;
    AL_CHECK_OK(t, al_xyz_read_all(path, &f, &n, &err), &err);
    AL_CHECK_OK(t, an_rdf_create(7.0, 140, &g, &err), &err);
    AL_CHECK_OK(t, an_rdf_add_frame(g, &f[0], &err), &err);
    double r[140], gab[140], k[50], direct[50], tab[50];
    for (int b = 0; b < 140; b++) r[b] = an_rdf_r(g, b);
    an_rdf_partial(g, 0, 0, gab);
    for (int q = 0; q < 50; q++) k[q] = 0.3 * (q + 1);
    for (int lorch = 0; lorch < 2; lorch++) {
        an_sk_partial(g, 0, 0, k, 50, lorch, direct);
        an_sk_tabulated(r, gab, 140, an_rdf_density(g), k, 50, lorch, tab);
        for (int q = 0; q < 50; q++) AL_CHECK_CLOSE(t, tab[q], direct[q], 1e-9);
    }
    an_rdf_destroy(g);
    al_frames_free(f, n);
}

static const al_test_case cases[] = {
    {"tabulated_transform", test_tabulated_transform, AL_TEST_FAST},
    {"validation_md", test_validation_md, AL_TEST_FAST},
    {"resume_during_validation", test_resume_during_validation, AL_TEST_SLOW},
    {"validation_stopped_early", test_validation_stopped_early, AL_TEST_FAST},
    {"bad_references", test_bad_references, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
