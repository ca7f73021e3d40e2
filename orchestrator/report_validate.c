/*
 * The report's "Validation MD" section (validate.h): figures of the final model's g(r) and
 * S(k) against the references (validation_gr.svg, validation_sk.svg, and one figure per
 * partial when there are several species), the R_chi values, coordination numbers and the MD
 * settings, all read back from DIR/validate/ and the effective campaign file.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "orchestrator/svg_plot.h"
#include "orchestrator/validate.h"

enum { MAX_COLS = 1 + 3 * (1 + ORC_VAL_PAIRS) };

/* A CSV table of numbers with a header (validate/gr.csv, validate/sk.csv). */
typedef struct csv {
    int ncols;
    char names[MAX_COLS][48];
    size_t n;
    double *v; /* n × ncols */
} csv;

static int read_csv(const char *path, csv *t)
{
    memset(t, 0, sizeof *t);
    FILE *fp = fopen(path, "r");
    if (!fp) return 0;
    char line[8192];
    size_t cap = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!t->ncols) {
            for (char *s = NULL, *c = strtok_r(line, ",", &s); c && t->ncols < MAX_COLS;
                 c = strtok_r(NULL, ",", &s))
                snprintf(t->names[t->ncols++], sizeof t->names[0], "%s", c);
            continue;
        }
        if (t->n == cap) {
            double *v =
                al_realloc(t->v, (cap = cap ? 2 * cap : 512) * (size_t)t->ncols * sizeof *v);
            if (!v) break;
            t->v = v;
        }
        char *p = line;
        for (int k = 0; k < t->ncols; k++, p += *p == ',')
            t->v[t->n * (size_t)t->ncols + (size_t)k] = strtod(p, &p);
        t->n++;
    }
    fclose(fp);
    return t->ncols > 0 && t->n > 0;
}

static int column(const csv *t, const char *name)
{
    for (int k = 0; k < t->ncols; k++)
        if (!strcmp(t->names[k], name)) return k;
    return -1;
}

/* The finite points of column k against column 0, into x and y (n each). */
static size_t finite_points(const csv *t, int k, double *x, double *y)
{
    size_t m = 0;
    for (size_t i = 0; i < t->n; i++) {
        double yi = t->v[i * (size_t)t->ncols + (size_t)k];
        if (isfinite(yi)) x[m] = t->v[i * (size_t)t->ncols], y[m++] = yi;
    }
    return m;
}

/* A figure of the columns <prefix>_{model,reference,reference_csv}; 0 when none is there. */
static int figure(FILE *md, const char *out_dir, const csv *t, const char *prefix, const char *file,
                  const char *title, int is_gr, al_err *err, al_status *st)
{
    static const char *const who[] = {"model", "reference", "reference_csv"};
    static const char *const label[] = {"final model MD", "reference trajectory",
                                        "reference g(r) table"};
    orc_series s[3];
    double *buf = al_malloc((6 * t->n + 1) * sizeof *buf);
    size_t ns = 0;
    for (int w = 0; buf && w < 3; w++) {
        char name[96];
        snprintf(name, sizeof name, "%s_%s", prefix, who[w]);
        int k = column(t, name);
        if (k < 0) continue;
        double *x = buf + 2 * ns * t->n, *y = x + t->n;
        size_t m = finite_points(t, k, x, y);
        if (m) s[ns] = (orc_series){label[w], x, y, m, w > 0, 0}, ns++;
    }
    if (ns) {
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", out_dir, file);
        orc_plot p = {title, is_gr ? "r (Å)" : "k (Å⁻¹)", is_gr ? "g(r)" : "S(k)", s, ns};
        *st = orc_svg_write(path, &p, err);
        if (!*st) fprintf(md, "![%s](%s)\n\n", title, file);
    }
    al_free(buf);
    return ns > 0;
}

/* The MD settings of the validation, from the effective campaign file. */
static void settings(FILE *md, const char *dir)
{
    static const char *const ens[] = {"NVE", "NVT", "NPT"};
    static const char *const thermo[] = {"Nosé-Hoover thermostat", "Langevin thermostat"};
    char path[1200];
    snprintf(path, sizeof path, "%s/campaign.yaml", dir);
    orc_campaign *c = al_calloc(1, sizeof *c);
    al_err ignored;
    if (!c || orc_campaign_load(path, c, &ignored) != AL_OK) {
        al_free(c);
        return;
    }
    const orc_validate *v = &c->validate;
    fprintf(md, "Settings: %s MD%s%s, time step %g fs; schedule:", ens[v->ensemble % 3],
            v->ensemble ? " with a " : "", v->ensemble ? thermo[v->thermostat % 2] : "",
            v->timestep);
    for (int s = 0; s < v->schedule.n; s++) {
        const orc_segment *g = &v->schedule.seg[s];
        if (g->kind == ORC_SEG_HOLD)
            fprintf(md, "%s hold %g K for %g ps", s ? "," : "", g->temperature, 1e-3 * g->duration);
        else
            fprintf(md, "%s ramp %g → %g K over %g ps", s ? "," : "", g->t_start, g->t_end,
                    1e-3 * g->duration);
    }
    fprintf(
        md,
        "; frames every %ld steps after %g ps of equilibration; supercell %ld×%ld×%ld; g(r) up to "
        "%g Å in bins of %g Å, S(k) up to %g Å⁻¹%s.\n\n",
        v->sample_every, 1e-3 * v->equilibration, v->supercell.v[0], v->supercell.v[1],
        v->supercell.v[2], v->r_max, v->bin_width, v->k_max,
        v->lorch ? " with the Lorch window" : "");
    al_free(c);
}

/* Appends to buf (capacity cap, *n used), truncating when full. */
static void append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
    if (*n + 1 >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *n, cap - *n, fmt, ap);
    va_end(ap);
    if (k > 0) *n = *n + (size_t)k < cap - 1 ? *n + (size_t)k : cap - 1;
}

/* The numbers of validate/summary.txt as text and tables. */
static void summary(FILE *md, FILE *in)
{
    char line[1400], rchi[8192] = "", coord[4096] = "", refs[4096] = "", stopped[1400] = "";
    char iteration[32] = "?", time_ps[32] = "?", frames[32] = "?";
    size_t nr = 0, nc = 0, nf = 0;
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\n")] = '\0';
        char key[32] = "", a[64] = "", b[64] = "", c[64] = "", rest[1300] = "", file[1300] = "";
        double x = 0, y = 0, z = 0;
        size_t n = 0;
        sscanf(line, "%31s %1299[^\n]", key, rest);
        if (!strcmp(key, "model_iteration"))
            snprintf(iteration, sizeof iteration, "%s", rest);
        else if (!strcmp(key, "time_ps"))
            snprintf(time_ps, sizeof time_ps, "%s", rest);
        else if (!strcmp(key, "model_frames"))
            snprintf(frames, sizeof frames, "%s", rest);
        else if (!strcmp(key, "stopped_early"))
            snprintf(stopped, sizeof stopped, " **The MD stopped early:** %s.", rest);
        else if (!strcmp(key, "reference") &&
                 sscanf(rest, "%63s %zu %lf %1299[^\n]", a, &n, &x, file) == 4)
            append(refs, sizeof refs, &nf, " Reference %s: %s%s.",
                   !strcmp(a, "reference") ? "trajectory" : "g(r) table", file,
                   n ? (snprintf(b, sizeof b, " (%zu frames)", n), b) : "");
        else if (!strcmp(key, "rchi") &&
                 sscanf(rest, "%63s %63s %63s %lf %zu", a, b, c, &x, &n) == 5)
            append(rchi, sizeof rchi, &nr, "| %s | %s | %s | %.4f | %zu |\n",
                   !strcmp(b, "gr") ? "g(r)" : "S(k)", c, a, x, n);
        else if (!strcmp(key, "coordination") &&
                 sscanf(rest, "%63s %63s %lf %lf %lf", a, b, &x, &y, &z) == 5)
            append(coord, sizeof coord, &nc, "| %s | %s | %.3f | %.3f | %.3f |\n", a, b, x, y, z);
    }
    fprintf(md, "The final model (iteration %s) ran %s ps of MD; %s frames analysed.%s%s\n\n",
            iteration, time_ps, frames, stopped, refs);
    if (nr)
        fprintf(md, "| function | pair | reference | R_chi | points |\n|---|---|---|---|---|\n%s\n",
                rchi);
    if (nc)
        fprintf(
            md,
            "| centre | neighbour | cutoff (Å) | coordination, model | coordination, reference |\n"
            "|---|---|---|---|---|\n%s\n",
            coord);
}

/* Figures of the totals, and of each partial when there are several species. */
static al_status figures(FILE *md, const char *dir, const char *out_dir, al_err *err)
{
    al_status st = AL_OK;
    for (int is_gr = 1; is_gr >= 0 && !st; is_gr--) {
        char path[1200];
        snprintf(path, sizeof path, "%s/validate/%s", dir, is_gr ? "gr.csv" : "sk.csv");
        csv t;
        if (!read_csv(path, &t)) continue;
        const char *f = is_gr ? "g" : "S";
        char prefix[64], file[96], title[128];
        snprintf(prefix, sizeof prefix, "%s_total", f);
        snprintf(file, sizeof file, "validation_%s.svg", is_gr ? "gr" : "sk");
        figure(md, out_dir, &t, prefix, file,
               is_gr ? "Pair distribution function: model against reference"
                     : "Structure factor: model against reference",
               is_gr, err, &st);
        int partials = 0;
        for (int k = 1; k < t.ncols; k++)
            partials += strstr(t.names[k], "_model") && !strstr(t.names[k], "_total_");
        for (int k = 1; partials > 1 && k < t.ncols && !st; k++) {
            size_t len = strlen(t.names[k]);
            if (len < 7 || strcmp(t.names[k] + len - 6, "_model") || strstr(t.names[k], "_total_"))
                continue;
            snprintf(prefix, sizeof prefix, "%.*s", (int)(len - 6), t.names[k]);
            snprintf(file, sizeof file, "validation_%s.svg", prefix);
            snprintf(title, sizeof title, "Partial %s: model against reference", prefix);
            figure(md, out_dir, &t, prefix, file, title, is_gr, err, &st);
        }
        al_free(t.v);
    }
    return st;
}

al_status orc_report_validation(FILE *md, const char *dir, const char *out_dir, al_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/validate/summary.txt", dir);
    FILE *in = fopen(path, "r");
    if (!in) return AL_OK; /* no validation (yet) */
    fprintf(md, "## Validation MD\n\n");
    summary(md, in);
    fclose(in);
    settings(md, dir);
    return figures(md, dir, out_dir, err);
}
