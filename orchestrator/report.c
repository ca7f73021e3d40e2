/*
 * The campaign report (`galore report DIR`): a Markdown summary and a self-contained HTML page
 * with SVG figures, written to DIR/report/:
 *   errors_energy.svg, errors_force.svg  test errors against the number of labels;
 *   parity_energy.svg, parity_force.svg  the final model against the labels of the test set;
 *   calibration.svg                      each iteration's predicted standard deviation of the
 *                                        energy per atom against its actual error, test frames;
 *   uncertainty.svg                      histograms of the candidates' uncertainty per iteration;
 *   provenance.svg                       labels by the MD target temperature they came from;
 *   tuning.svg                           Bayesian optimisation trials: objective per trial
 *                                        and best so far, for each tuning;
 *   validation_gr.svg, validation_sk.svg the validation MD against its references, with the
 *                                        R_chi and coordination tables (report_validate.c).
 * Every number comes from the campaign directory: the state (errors of each iteration), the
 * dataset, the model files and the exploration candidates.
 */
#include "orchestrator/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/dataset.h"
#include "core/extxyz.h"
#include "gp/gap.h"
#include "orchestrator/state.h"
#include "orchestrator/svg_plot.h"
#include "orchestrator/validate.h"

/* A growing array of doubles. */
typedef struct vec {
    double *v;
    size_t n, cap;
} vec;

static int push(vec *a, double x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 64;
        double *v = al_realloc(a->v, cap * sizeof *v);
        if (!v) return -1;
        a->v = v, a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

typedef struct report {
    const char *dir;
    char out[1024];
    orc_state st;
    al_store *store;
    al_frame *test;
    size_t n_test;
    FILE *md;
} report;

static const char *path_in(const report *r, const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", r->out, name);
    return buf;
}

static al_status plot(report *r, const char *file, const char *title, const char *xl, const char *yl,
                      const orc_series *s, size_t n, al_err *err)
{
    char path[1200];
    orc_plot p = {title, xl, yl, s, n};
    AL_TRY(err, orc_svg_write(path_in(r, file, path, sizeof path), &p, err));
    fprintf(r->md, "![%s](%s)\n\n", title, file);
    return AL_OK;
}

static al_status errors_section(report *r, al_err *err)
{
    size_t n = r->st.n_history;
    fprintf(r->md, "## Test errors\n\n| iteration | training frames | labels | energy MAE (meV/atom) | "
                   "force MAE (eV/Å) | virial RMSE (meV/atom) |\n|---|---|---|---|---|---|\n");
    double *labels = al_malloc((n + 1) * sizeof *labels), *e = al_malloc((n + 1) * sizeof *e),
           *f = al_malloc((n + 1) * sizeof *f);
    if (!labels || !e || !f) {
        al_free(labels), al_free(e), al_free(f);
        return al_fail(err, AL_ENOMEM, "report: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const orc_iter_metrics *m = &r->st.history[i];
        fprintf(r->md, "| %d | %ld | %ld | %.3f | %.4f | %.3f |\n", m->iteration, m->n_train, m->n_labels,
                1e3 * m->energy_mae, m->force_mae, 1e3 * m->virial_rmse);
        labels[i] = (double)m->n_labels, e[i] = 1e3 * m->energy_mae, f[i] = m->force_mae;
    }
    fputc('\n', r->md);
    orc_series se = {"test set", labels, e, n, 0, 0}, sf = {"test set", labels, f, n, 0, 0};
    al_status st = plot(r, "errors_energy.svg", "Energy error against labels", "labels",
                        "energy MAE (meV/atom)", &se, 1, err);
    if (!st)
        st = plot(r, "errors_force.svg", "Force error against labels", "labels", "force MAE (eV/Å)", &sf, 1, err);
    al_free(labels), al_free(e), al_free(f);
    return st;
}

static al_status load_model(const report *r, int iteration, gp_model **m, al_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/models/iter_%03d.h5", r->dir, iteration);
    return gp_model_load(path, m, err);
}

/* Predictions of model m on the test frames: parity data and (|ΔE|/N, σ) pairs. */
static al_status predict_test(report *r, gp_model *m, vec *pe, vec *re, vec *pf, vec *rf, vec *err_e,
                              vec *sig, al_err *err)
{
    for (size_t k = 0; k < r->n_test; k++) {
        const al_frame *f = &r->test[k];
        double (*forces)[3] = al_malloc(f->n_atoms * sizeof *forces);
        if (!forces) return al_fail(err, AL_ENOMEM, "report: out of memory");
        al_pot_result res = {.forces = forces, .want_uncertainty = gp_model_has_variance(m)};
        al_status st = gp_model_predict(m, f, &res, err);
        double n = (double)f->n_atoms;
        int bad = 0;
        if (!st && pe) bad |= push(pe, res.energy / n) | push(re, f->energy / n);
        for (size_t i = 0; !st && pf && (f->labels & AL_LBL_FORCES) && i < f->n_atoms; i++)
            for (int c = 0; c < 3; c++) bad |= push(pf, forces[i][c]) | push(rf, f->forces[i][c]);
        if (!st && err_e && res.has_uncertainty)
            bad |= push(err_e, 1e3 * fabs(res.energy - f->energy) / n) | push(sig, 1e3 * res.sigma_mean);
        al_free(forces);
        if (st) return st;
        if (bad) return al_fail(err, AL_ENOMEM, "report: out of memory");
    }
    return AL_OK;
}

static void free_vecs(vec *v, size_t n)
{
    for (size_t i = 0; i < n; i++) al_free(v[i].v);
}

static al_status parity_section(report *r, al_err *err)
{
    if (!r->st.n_history || !r->n_test) return AL_OK;
    int last = r->st.history[r->st.n_history - 1].iteration;
    gp_model *m = NULL;
    AL_TRY(err, load_model(r, last, &m, err));
    vec v[4] = {{0}};
    al_status st = predict_test(r, m, &v[0], &v[1], &v[2], &v[3], NULL, NULL, err);
    gp_model_destroy(m);
    fprintf(r->md, "## Parity of the final model (iteration %d) on the test set\n\n", last);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < v[1].n; i++) lo = fmin(lo, v[1].v[i]), hi = fmax(hi, v[1].v[i]);
    double dx[2] = {lo, hi};
    orc_series se[2] = {{"test frames", v[1].v, v[0].v, v[0].n, 0, 1}, {"y = x", dx, dx, 2, 1, 0}};
    if (!st) st = plot(r, "parity_energy.svg", "Energy per atom: GAP against labels",
                       "label (eV/atom)", "GAP (eV/atom)", se, 2, err);
    lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < v[3].n; i++) lo = fmin(lo, v[3].v[i]), hi = fmax(hi, v[3].v[i]);
    double fx[2] = {lo, hi};
    orc_series sf[2] = {{"force components", v[3].v, v[2].v, v[2].n, 0, 1}, {"y = x", fx, fx, 2, 1, 0}};
    if (!st) st = plot(r, "parity_force.svg", "Forces: GAP against labels", "label (eV/Å)", "GAP (eV/Å)",
                       sf, 2, err);
    free_vecs(v, 4);
    return st;
}

/* Each iteration's predicted σ against its actual energy error on the test frames. */
static al_status calibration_section(report *r, al_err *err)
{
    enum { MAX_SERIES = 8 };
    size_t n = r->st.n_history, first = n > MAX_SERIES ? n - MAX_SERIES : 0;
    vec v[2 * MAX_SERIES] = {{0}};
    orc_series s[MAX_SERIES];
    char names[MAX_SERIES][32];
    size_t ns = 0;
    al_status st = AL_OK;
    for (size_t i = first; i < n && !st; i++) {
        gp_model *m = NULL;
        st = load_model(r, r->st.history[i].iteration, &m, err);
        if (!st && gp_model_has_variance(m))
            st = predict_test(r, m, NULL, NULL, NULL, NULL, &v[2 * ns + 1], &v[2 * ns], err);
        gp_model_destroy(m);
        if (st || !v[2 * ns].n) continue;
        snprintf(names[ns], sizeof names[ns], "iteration %d", r->st.history[i].iteration);
        s[ns] = (orc_series){names[ns], v[2 * ns].v, v[2 * ns + 1].v, v[2 * ns].n, 0, 1};
        ns++;
    }
    if (!st && ns) {
        fprintf(r->md, "## Uncertainty calibration\n\nEach point is a test frame: the model's mean "
                       "predicted standard deviation of the atomic energies against the actual error of "
                       "the energy per atom. A calibrated model puts the points around the diagonal.\n\n");
        st = plot(r, "calibration.svg", "Predicted uncertainty against actual error",
                  "predicted σ (meV/atom)", "|error| (meV/atom)", s, ns, err);
    }
    free_vecs(v, 2 * MAX_SERIES);
    return st;
}

/* Histogram counts of x over [lo, hi) in nb bins (bin centres in c). */
static void histogram(const vec *x, double lo, double hi, size_t nb, double *c, double *h)
{
    for (size_t b = 0; b < nb; b++) c[b] = lo + (b + 0.5) * (hi - lo) / (double)nb, h[b] = 0;
    for (size_t i = 0; i < x->n; i++) {
        double u = (x->v[i] - lo) / (hi - lo) * (double)nb;
        if (u >= 0 && u < (double)nb) h[(size_t)u] += 1;
    }
}

/* The candidates' uncertainty (meV/atom) of iteration k's exploration. */
static void candidate_uncertainty(const report *r, int k, vec *u)
{
    for (int rep = 0;; rep++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/explore/iter_%03d/replica_%d.xyz", r->dir, k, rep);
        al_frame *f = NULL;
        size_t n = 0;
        al_err ignored;
        if (al_xyz_read_all(path, &f, &n, &ignored)) return;
        for (size_t i = 0; i < n; i++) {
            double s;
            if (al_info_get_real(&f[i].info, "md_uncertainty", &s)) push(u, 1e3 * s);
            al_frame_fini(&f[i]);
        }
        al_free(f);
    }
}

static al_status uncertainty_section(report *r, al_err *err)
{
    enum { MAX_SERIES = 8, NB = 30 };
    vec u[MAX_SERIES] = {{0}};
    int iters[MAX_SERIES], ns = 0;
    double hi = 0;
    for (size_t i = 0; i < r->st.n_history && ns < MAX_SERIES; i++) {
        candidate_uncertainty(r, r->st.history[i].iteration, &u[ns]);
        if (!u[ns].n) continue;
        for (size_t j = 0; j < u[ns].n; j++) hi = fmax(hi, u[ns].v[j]);
        iters[ns++] = r->st.history[i].iteration;
    }
    al_status st = AL_OK;
    if (ns) {
        static double c[MAX_SERIES][NB], h[MAX_SERIES][NB];
        char names[MAX_SERIES][32];
        orc_series s[MAX_SERIES];
        for (int i = 0; i < ns; i++) {
            histogram(&u[i], 0, hi * (1 + 1e-9), NB, c[i], h[i]);
            snprintf(names[i], sizeof names[i], "iteration %d", iters[i]);
            s[i] = (orc_series){names[i], c[i], h[i], NB, 0, 0};
        }
        fprintf(r->md, "## Uncertainty of the explored configurations\n\n");
        st = plot(r, "uncertainty.svg", "Candidates by uncertainty", "largest atomic σ (meV)", "candidates",
                  s, (size_t)ns, err);
    }
    free_vecs(u, MAX_SERIES);
    return st;
}

/* Where the labels came from: the MD target temperature of each selected frame. */
static al_status provenance_section(report *r, al_err *err)
{
    vec t = {0};
    size_t initial = 0;
    for (size_t i = 0; i < al_store_count(r->store); i++) {
        al_frame f;
        al_store_meta meta;
        al_frame_init(&f);
        AL_TRY(err, al_store_read(r->store, i, &f, &meta, err));
        double temp;
        if (!f.labels) {
        } else if (al_info_get_real(&f.info, "md_temperature", &temp)) {
            push(&t, temp);
        } else {
            initial++;
        }
        al_frame_fini(&f);
    }
    fprintf(r->md, "## Where the labels came from\n\n%zu labels of the initial set, %zu of "
                   "configurations found by MD exploration.\n\n", initial, t.n);
    al_status st = AL_OK;
    if (t.n) {
        enum { NB = 20 };
        double lo = INFINITY, hi = -INFINITY, c[NB], h[NB];
        for (size_t i = 0; i < t.n; i++) lo = fmin(lo, t.v[i]), hi = fmax(hi, t.v[i]);
        if (!(hi > lo)) lo -= 50, hi += 50;
        histogram(&t, lo, hi * (1 + 1e-9), NB, c, h);
        orc_series s = {"labels", c, h, NB, 0, 0};
        st = plot(r, "provenance.svg", "Labels from exploration by MD temperature", "target temperature (K)",
                  "labels", &s, 1, err);
    }
    al_free(t.v);
    return st;
}

/* The objective of each trial in a trial log (bo/iter_NNN.csv: the value is the column after
 * the parameters; failed trials are skipped). */
static int read_trials(const char *path, vec *value)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return 0;
    char line[4096];
    int col = -1;
    while (fgets(line, sizeof line, fp)) {
        if (line[0] == '#') continue;
        if (col < 0) {   /* the header: find "value" */
            int k = 0;
            for (char *c = strtok(line, ",\n"); c; c = strtok(NULL, ",\n"), k++)
                if (!strcmp(c, "value")) col = k;
            continue;
        }
        int k = 0;
        for (char *c = strtok(line, ",\n"); c; c = strtok(NULL, ",\n"), k++)
            if (k == col && strcmp(c, "nan")) push(value, atof(c));
    }
    fclose(fp);
    return 1;
}

static al_status tuning_section(report *r, al_err *err)
{
    enum { MAX_SERIES = 4 };
    vec v[MAX_SERIES] = {{0}};
    static double x[MAX_SERIES][512], best[MAX_SERIES][512];
    char names[2 * MAX_SERIES][48];
    orc_series s[2 * MAX_SERIES];
    size_t ns = 0, nt = 0;
    for (int it = 0; it <= r->st.iteration && nt < MAX_SERIES; it++) {
        char path[1200];
        snprintf(path, sizeof path, "%s/bo/iter_%03d.csv", r->dir, it);
        if (!read_trials(path, &v[nt]) || !v[nt].n) continue;
        size_t n = v[nt].n < 512 ? v[nt].n : 512;
        for (size_t k = 0; k < n; k++) {
            x[nt][k] = (double)(k + 1);
            best[nt][k] = k ? fmin(best[nt][k - 1], v[nt].v[k]) : v[nt].v[k];
        }
        snprintf(names[2 * nt], sizeof names[0], "trials, iteration %d", it);
        snprintf(names[2 * nt + 1], sizeof names[0], "best, iteration %d", it);
        s[ns++] = (orc_series){names[2 * nt], x[nt], v[nt].v, n, 0, 1};
        s[ns++] = (orc_series){names[2 * nt + 1], x[nt], best[nt], n, 0, 0};
        nt++;
    }
    al_status st = AL_OK;
    if (ns) {
        fprintf(r->md, "## Hyperparameter tuning\n\nBayesian optimisation trials on the validation "
                       "frames (weighted energy and force MAE); the trial logs are in bo/.\n\n");
        st = plot(r, "tuning.svg", "Bayesian optimisation of the hyperparameters", "trial",
                  "objective", s, ns, err);
    }
    free_vecs(v, MAX_SERIES);
    return st;
}

static al_status read_test_set(report *r, al_err *err)
{
    al_store_filter flt = al_store_filter_all();
    flt.roles = 1u << AL_ROLE_TEST;
    flt.labels_all = AL_LBL_ENERGY;
    size_t *idx = NULL;
    AL_TRY(err, al_store_select(r->store, &flt, &idx, &r->n_test, err));
    r->test = al_calloc(r->n_test + 1, sizeof *r->test);
    al_status st = r->test ? AL_OK : al_fail(err, AL_ENOMEM, "report: out of memory");
    for (size_t k = 0; !st && k < r->n_test; k++) st = al_store_read(r->store, idx[k], &r->test[k], NULL, err);
    al_free(idx);
    return st;
}

/* The HTML page: the Markdown's headings and tables as HTML, figures inlined. */
static al_status write_html(const report *r, al_err *err)
{
    char md_path[1200], html_path[1200], tmp[1300];
    path_in(r, "report.md", md_path, sizeof md_path);
    path_in(r, "report.html", html_path, sizeof html_path);
    snprintf(tmp, sizeof tmp, "%s.tmp", html_path);
    FILE *in = fopen(md_path, "r"), *out = fopen(tmp, "w");
    if (!in || !out) {
        if (in) fclose(in);
        if (out) fclose(out);
        return al_fail(err, AL_EIO, "%s: cannot write the report", html_path);
    }
    fprintf(out, "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>galore campaign report</title>"
                 "<style>body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:"
                 "collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style></head><body>\n");
    char line[2048];
    int in_table = 0;
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\n")] = '\0';
        if (in_table && line[0] != '|') fputs("</table>\n", out), in_table = 0;
        if (!strncmp(line, "# ", 2)) {
            fprintf(out, "<h1>%s</h1>\n", line + 2);
        } else if (!strncmp(line, "## ", 3)) {
            fprintf(out, "<h2>%s</h2>\n", line + 3);
        } else if (line[0] == '|') {
            if (strstr(line, "|---")) continue;
            fputs(in_table ? "<tr>" : "<table><tr>", out);
            in_table = 1;
            for (char *c = strtok(line + 1, "|"); c; c = strtok(NULL, "|")) fprintf(out, "<td>%s</td>", c);
            fputs("</tr>\n", out);
        } else if (!strncmp(line, "![", 2)) {
            char *file = strchr(line, '('), svg[1200];
            if (!file) continue;
            file[strcspn(file, ")")] = '\0';
            FILE *fp = fopen(path_in(r, file + 1, svg, sizeof svg), "r");
            char buf[4096];
            while (fp && fgets(buf, sizeof buf, fp))   /* inline, without the XML declaration */
                if (strncmp(buf, "<?xml", 5)) fputs(buf, out);
            if (fp) fclose(fp);
        } else if (line[0]) {
            fprintf(out, "<p>%s</p>\n", line);
        }
    }
    if (in_table) fputs("</table>\n", out);
    fputs("</body></html>\n", out);
    fclose(in);
    if (fclose(out) != 0 || rename(tmp, html_path) != 0)
        return al_fail(err, AL_EIO, "%s: cannot write the report", html_path);
    return AL_OK;
}

al_status orc_report_write(const char *dir, al_err *err)
{
    report r;
    memset(&r, 0, sizeof r);
    r.dir = dir;
    snprintf(r.out, sizeof r.out, "%s/report", dir);
    char path[1200];
    snprintf(path, sizeof path, "%s/state", dir);
    AL_TRY(err, orc_state_load(&r.st, path, err));
    al_status st = AL_OK;
    if (mkdir(r.out, 0755) != 0 && errno != EEXIST) st = al_fail(err, AL_EIO, "%s: cannot create", r.out);
    snprintf(path, sizeof path, "%s/campaign.h5", dir);
    if (!st) st = al_store_open(path, AL_STORE_READ, &r.store, err);
    if (!st) st = read_test_set(&r, err);
    char md_tmp[1300], md_path[1200];
    path_in(&r, "report.md", md_path, sizeof md_path);
    snprintf(md_tmp, sizeof md_tmp, "%s.tmp", md_path);
    if (!st && !(r.md = fopen(md_tmp, "w"))) st = al_fail(err, AL_EIO, "%s: cannot write", md_tmp);
    if (!st) {
        fprintf(r.md, "# Campaign %s\n\nIteration %d, stage %s; %ld labels (%zu failed); %.0f s of wall "
                      "time.%s%s\n\n", dir, r.st.iteration, orc_stage_name(r.st.stage), r.st.n_labels,
                r.st.n_failed, r.st.elapsed, r.st.stage == ORC_STAGE_DONE ? " Finished: " : "",
                r.st.stage == ORC_STAGE_DONE ? r.st.stop_reason : "");
        st = errors_section(&r, err);
    }
    if (!st) st = parity_section(&r, err);
    if (!st) st = calibration_section(&r, err);
    if (!st) st = uncertainty_section(&r, err);
    if (!st) st = provenance_section(&r, err);
    if (!st) st = tuning_section(&r, err);
    if (!st) st = orc_report_validation(r.md, dir, r.out, err);
    if (r.md && fclose(r.md) != 0 && !st) st = al_fail(err, AL_EIO, "%s: cannot write", md_tmp);
    if (!st && rename(md_tmp, md_path) != 0) st = al_fail(err, AL_EIO, "%s: cannot write", md_path);
    if (!st) st = write_html(&r, err);
    for (size_t k = 0; k < r.n_test; k++) al_frame_fini(&r.test[k]);
    al_free(r.test);
    al_store_close(r.store);
    orc_state_fini(&r.st);
    return st;
}
