/*
 * The references of the validation MD: a g(r) table in the CSV layout of `galore analyze`
 * (r_angstrom, g_total, then g_A_B per pair), read strictly so that a wrong file is reported
 * with its line and text; and the check of the validate section's input files when a campaign
 * starts.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/elements.h"
#include "core/extxyz.h"
#include "engines/analysis/sq.h"
#include "orchestrator/validate.h"

enum { MAX_COLS = 2 + ORC_VAL_PAIRS };

typedef struct table {
    int ncols;
    int za[MAX_COLS], zb[MAX_COLS]; /* pair of each g_A_B column (columns >= 2) */
    size_t nrows, cap;
    double *v; /* nrows × ncols */
} table;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && strchr(" \t\r\n", s[n - 1])) s[--n] = '\0';
    return s;
}

/* "g_A_B" → the two atomic numbers; 0 when the name is not of that form. */
static int pair_of(const char *name, int *za, int *zb)
{
    char a[8], b[8];
    int used = 0;
    if (sscanf(name, "g_%7[A-Za-z]_%7[A-Za-z]%n", a, b, &used) != 2 || name[used]) return 0;
    *za = al_element_z(a), *zb = al_element_z(b);
    return *za && *zb;
}

static al_status read_header(const char *path, int line_no, char *line, table *t, al_err *err)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", trim(line));
    t->ncols = 0;
    int ok = 1;
    for (char *save = NULL, *c = strtok_r(line, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        c = trim(c);
        if (t->ncols == MAX_COLS)
            return al_fail(err, AL_EFORMAT, "%s:%d: more than %d columns", path, line_no, MAX_COLS);
        int k = t->ncols++;
        if (k == 0)
            ok &= !strcmp(c, "r_angstrom");
        else if (k == 1)
            ok &= !strcmp(c, "g_total");
        else if (!pair_of(c, &t->za[k], &t->zb[k]))
            return al_fail(err, AL_EFORMAT,
                           "%s:%d: column '%s' is not a pair g_A_B of two elements (as "
                           "written by galore analyze)",
                           path, line_no, c);
    }
    if (!ok || t->ncols < 2)
        return al_fail(err, AL_EFORMAT,
                       "%s:%d: expected the header r_angstrom,g_total[,g_A_B ...] as "
                       "written by galore analyze, got '%.80s'",
                       path, line_no, copy);
    return AL_OK;
}

static al_status read_row(const char *path, int line_no, char *line, table *t, al_err *err)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        double *v = al_realloc(t->v, cap * (size_t)t->ncols * sizeof *v);
        if (!v) return al_fail(err, AL_ENOMEM, "%s: out of memory", path);
        t->v = v, t->cap = cap;
    }
    double *row = t->v + t->nrows * (size_t)t->ncols;
    char copy[256], *p = line;
    snprintf(copy, sizeof copy, "%s", trim(line));
    int k = 0;
    for (; k < t->ncols; k++) {
        char *end;
        row[k] = strtod(p, &end);
        if (end == p) break;
        p = end;
        while (*p == ' ' || *p == '\t') p++;
        if (k + 1 < t->ncols && *p++ != ',') break;
    }
    if (k < t->ncols || *trim(p))
        return al_fail(err, AL_EFORMAT, "%s:%d: expected %d numbers like the header, got '%.80s'",
                       path, line_no, t->ncols, copy);
    if (t->nrows && !(row[0] > row[-t->ncols]))
        return al_fail(err, AL_EFORMAT, "%s:%d: r_angstrom must increase, got %g after %g", path,
                       line_no, row[0], row[-t->ncols]);
    t->nrows++;
    return AL_OK;
}

/* Reads the whole table; comment lines start with '#'. */
static al_status read_table(const char *path, table *t, al_err *err)
{
    memset(t, 0, sizeof *t);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return al_fail(err, AL_ENOTFOUND, "%s: cannot open the reference g(r): %s", path,
                       strerror(errno));
    char line[4096];
    int line_no = 0, have_header = 0;
    al_status st = AL_OK;
    while (!st && fgets(line, sizeof line, fp)) {
        line_no++;
        if (line[0] == '#' || !*trim(line)) continue;
        st = have_header ? read_row(path, line_no, line, t, err)
                         : read_header(path, line_no, line, t, err);
        have_header = 1;
    }
    fclose(fp);
    if (!st && t->nrows < 2)
        st = al_fail(err, AL_EFORMAT,
                     "%s: the reference g(r) has %zu rows of numbers; at least 2 are needed", path,
                     t->nrows);
    if (st) al_free(t->v), t->v = NULL;
    return st;
}

/* Column of model's curves for the pair (za, zb), or -1. */
static int model_column(const orc_curves *m, int za, int zb)
{
    for (int a = 0, p = 1; a < m->n_species; a++)
        for (int b = a; b < m->n_species; b++, p++)
            if ((m->z[a] == za && m->z[b] == zb) || (m->z[a] == zb && m->z[b] == za)) return p;
    return -1;
}

static al_status fill_from_table(const orc_validate *v, const char *path, const table *t,
                                 const orc_curves *model, orc_curves *out, al_err *err)
{
    size_t cols = 1 + (size_t)model->n_pairs;
    int col_of[MAX_COLS] = {0, 0};
    for (int k = 2; k < t->ncols; k++)
        if ((col_of[k] = model_column(model, t->za[k], t->zb[k])) < 0)
            return al_fail(err, AL_EFORMAT, "%s: column g_%s_%s: the model MD has no %s-%s pair",
                           path, al_element_symbol(t->za[k]), al_element_symbol(t->zb[k]),
                           al_element_symbol(t->za[k]), al_element_symbol(t->zb[k]));
    memcpy(out->z, model->z, sizeof out->z);
    memcpy(out->c, model->c, sizeof out->c);
    out->n_species = model->n_species, out->n_pairs = model->n_pairs;
    out->density = model->density;
    out->nr = t->nrows, out->nk = model->nk;
    out->r = al_malloc(t->nrows * sizeof *out->r);
    out->g = al_malloc(t->nrows * cols * sizeof *out->g);
    out->k = al_malloc(out->nk * sizeof *out->k);
    out->s = al_malloc(out->nk * cols * sizeof *out->s);
    if (!out->r || !out->g || !out->k || !out->s)
        return al_fail(err, AL_ENOMEM, "validate: out of memory");
    memcpy(out->k, model->k, out->nk * sizeof *out->k);
    for (size_t i = 0; i < t->nrows; i++) {
        const double *row = t->v + i * (size_t)t->ncols;
        out->r[i] = row[0];
        for (size_t c = 0; c < cols; c++) out->g[i * cols + c] = NAN; /* pairs the table lacks */
        out->g[i * cols] = row[1];
        for (int k = 2; k < t->ncols; k++) out->g[i * cols + (size_t)col_of[k]] = row[k];
    }
    double *g = al_malloc(t->nrows * sizeof *g), *s = al_malloc(out->nk * sizeof *s);
    for (size_t c = 0; g && s && c < cols; c++) {
        for (size_t i = 0; i < t->nrows; i++) g[i] = out->g[i * cols + c];
        an_sk_tabulated(out->r, g, t->nrows, out->density, out->k, out->nk, v->lorch, s);
        for (size_t q = 0; q < out->nk; q++) out->s[q * cols + c] = isnan(g[0]) && c ? NAN : s[q];
    }
    int ok = g && s;
    al_free(g), al_free(s);
    return ok ? AL_OK : al_fail(err, AL_ENOMEM, "validate: out of memory");
}

al_status orc_val_curves_from_csv(const orc_validate *v, const char *path, const orc_curves *model,
                                  orc_curves *out, al_err *err)
{
    memset(out, 0, sizeof *out);
    out->label = "reference_csv";
    table t;
    AL_TRY(err, read_table(path, &t, err));
    al_status st = fill_from_table(v, path, &t, model, out, err);
    al_free(t.v);
    if (st) orc_curves_fini(out);
    return st;
}

/* The file of key can be opened (the message names the campaign file, key and path). */
static al_status check_open(const orc_campaign *c, const char *key, const char *path, al_err *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return al_fail(err, AL_ENOTFOUND, "%s: validate.%s: cannot open %s: %s", c->path, key, path,
                       strerror(errno));
    fclose(fp);
    return AL_OK;
}

/* The first frame of an extxyz file can be read. */
static al_status check_xyz(const orc_campaign *c, const char *key, const char *path, al_err *err)
{
    AL_TRY(err, check_open(c, key, path, err));
    al_xyz_reader *rd = NULL;
    al_frame f;
    al_frame_init(&f);
    int done = 0;
    al_status st = al_xyz_open(path, &rd, err);
    if (!st) st = al_xyz_read_next(rd, &f, &done, err);
    if (!st && done)
        st = al_fail(err, AL_EFORMAT, "%s: validate.%s: %s holds no frame", c->path, key, path);
    al_frame_fini(&f);
    al_xyz_close(rd);
    return st;
}

al_status orc_validate_check_inputs(const orc_campaign *c, al_err *err)
{
    const orc_validate *v = &c->validate;
    if (!v->enabled) return AL_OK;
    if (v->structure[0]) AL_TRY(err, check_xyz(c, "structure", v->structure, err));
    if (v->reference_trajectory[0])
        AL_TRY(err, check_xyz(c, "reference_trajectory", v->reference_trajectory, err));
    if (!v->reference_gr[0]) return AL_OK;
    AL_TRY(err, check_open(c, "reference_gr", v->reference_gr, err));
    table t;
    AL_TRY(err, read_table(v->reference_gr, &t, err));
    al_free(t.v);
    return AL_OK;
}
