/*
 * Curves of the validation MD (validate.h): g(r) and S(k) of trajectories and of a g(r) table,
 * the tables validate/gr.csv and validate/sk.csv, and R_chi between curves.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/elements.h"
#include "core/extxyz.h"
#include "engines/analysis/dynamics.h"
#include "engines/analysis/sq.h"
#include "orchestrator/validate.h"

void orc_curves_fini(orc_curves *cv)
{
    al_free(cv->r);
    al_free(cv->g);
    al_free(cv->k);
    al_free(cv->s);
    memset(cv, 0, sizeof *cv);
}

const char *orc_val_pair_name(const orc_curves *cv, int col, char *buf, size_t n)
{
    if (col == 0) return snprintf(buf, n, "total"), buf;
    for (int a = 0, p = 1; a < cv->n_species; a++)
        for (int b = a; b < cv->n_species; b++, p++)
            if (p == col)
                return snprintf(buf, n, "%s-%s", al_element_symbol(cv->z[a]),
                                al_element_symbol(cv->z[b])),
                       buf;
    return snprintf(buf, n, "?"), buf;
}

/* Grids and storage of cv for nr r points (the k grid is the campaign's). */
static al_status alloc_curves(orc_curves *cv, const orc_validate *v, size_t nr, al_err *err)
{
    size_t cols = 1 + (size_t)cv->n_pairs;
    cv->nr = nr;
    cv->nk = ORC_VAL_NK;
    cv->r = al_malloc(nr * sizeof *cv->r);
    cv->g = al_malloc(nr * cols * sizeof *cv->g);
    cv->k = al_malloc(cv->nk * sizeof *cv->k);
    cv->s = al_malloc(cv->nk * cols * sizeof *cv->s);
    if (!cv->r || !cv->g || !cv->k || !cv->s)
        return al_fail(err, AL_ENOMEM, "validate: out of memory");
    for (size_t q = 0; q < cv->nk; q++) cv->k[q] = v->k_max * (double)(q + 1) / (double)cv->nk;
    return AL_OK;
}

/* S(k) of every column of g, at density rho. */
static al_status transform(orc_curves *cv, const orc_validate *v, double rho, al_err *err)
{
    size_t cols = 1 + (size_t)cv->n_pairs;
    double *g = al_malloc(cv->nr * sizeof *g), *s = al_malloc(cv->nk * sizeof *s);
    if (!g || !s) {
        al_free(g), al_free(s);
        return al_fail(err, AL_ENOMEM, "validate: out of memory");
    }
    for (size_t c = 0; c < cols; c++) {
        for (size_t i = 0; i < cv->nr; i++) g[i] = cv->g[i * cols + c];
        an_sk_tabulated(cv->r, g, cv->nr, rho, cv->k, cv->nk, v->lorch, s);
        for (size_t q = 0; q < cv->nk; q++) cv->s[q * cols + c] = s[q];
    }
    al_free(g), al_free(s);
    return AL_OK;
}

/* Curves of a filled accumulator. */
static al_status curves_of_rdf(const orc_validate *v, const an_rdf *rdf, const char *label,
                               orc_curves *out, al_err *err)
{
    memset(out, 0, sizeof *out);
    out->label = label;
    out->n_species = an_rdf_n_species(rdf);
    for (int a = 0; a < out->n_species; a++) out->z[a] = an_rdf_species(rdf, a, &out->c[a]);
    out->n_pairs = out->n_species * (out->n_species + 1) / 2;
    out->density = an_rdf_density(rdf);
    out->frames = an_rdf_frames(rdf);
    size_t nr = (size_t)an_rdf_nbins(rdf), cols = 1 + (size_t)out->n_pairs;
    AL_TRY(err, alloc_curves(out, v, nr, err));
    double *col = al_malloc(nr * sizeof *col);
    if (!col) return al_fail(err, AL_ENOMEM, "validate: out of memory");
    an_rdf_total(rdf, col);
    for (size_t i = 0; i < nr; i++) out->r[i] = an_rdf_r(rdf, (int)i), out->g[i * cols] = col[i];
    for (int a = 0, p = 1; a < out->n_species; a++)
        for (int b = a; b < out->n_species; b++, p++) {
            an_rdf_partial(rdf, a, b, col);
            for (size_t i = 0; i < nr; i++) out->g[i * cols + (size_t)p] = col[i];
        }
    al_free(col);
    return transform(out, v, out->density, err);
}

static al_status rdf_new(const orc_validate *v, an_rdf **rdf, al_err *err)
{
    int nbins = (int)lround(v->r_max / v->bin_width);
    return an_rdf_create(nbins * v->bin_width, nbins > 0 ? nbins : 1, rdf, err);
}

/* Hands the accumulator to the caller (rdf not NULL) or frees it. */
static void keep_or_free(an_rdf *g, an_rdf **rdf)
{
    if (rdf)
        *rdf = g;
    else
        an_rdf_destroy(g);
}

al_status orc_val_curves_from_frames(const orc_validate *v, const al_frame *frames, size_t n,
                                     const char *label, orc_curves *out, an_rdf **rdf, al_err *err)
{
    an_rdf *g = NULL;
    memset(out, 0, sizeof *out);
    AL_TRY(err, rdf_new(v, &g, err));
    al_status st =
        n ? AL_OK : al_fail(err, AL_EINVAL, "validate: the %s has no frame to analyse", label);
    for (size_t t = 0; t < n && !st; t++) st = an_rdf_add_frame(g, &frames[t], err);
    if (!st) st = curves_of_rdf(v, g, label, out, err);
    if (st) an_rdf_destroy(g), g = NULL;
    keep_or_free(g, rdf);
    return st;
}

al_status orc_val_curves_from_file(const orc_validate *v, const char *path, const char *label,
                                   orc_curves *out, an_rdf **rdf, al_err *err)
{
    an_rdf *g = NULL;
    al_xyz_reader *rd = NULL;
    al_frame f;
    al_frame_init(&f);
    memset(out, 0, sizeof *out);
    AL_TRY(err, rdf_new(v, &g, err));
    int done = 0;
    al_status st = al_xyz_open(path, &rd, err);
    while (!st && !(st = al_xyz_read_next(rd, &f, &done, err)) && !done)
        st = an_rdf_add_frame(g, &f, err);
    if (!st && !an_rdf_frames(g))
        st = al_fail(err, AL_EFORMAT, "%s: the reference trajectory has no frame", path);
    if (!st) st = curves_of_rdf(v, g, label, out, err);
    al_frame_fini(&f);
    al_xyz_close(rd);
    if (st) an_rdf_destroy(g), g = NULL;
    keep_or_free(g, rdf);
    return st;
}

/* Linear interpolation of column c of cv's g (what 'g') or S at x; NaN outside its grid. */
static double interp(const orc_curves *cv, char what, size_t c, double x)
{
    const double *xs = what == 'g' ? cv->r : cv->k, *ys = what == 'g' ? cv->g : cv->s;
    size_t n = what == 'g' ? cv->nr : cv->nk, cols = 1 + (size_t)cv->n_pairs;
    if (n == 0 || x < xs[0] - 1e-9 || x > xs[n - 1] + 1e-9) return NAN;
    size_t i = 0;
    while (i + 2 < n && xs[i + 1] < x) i++;
    if (n == 1) return ys[c];
    double w = (x - xs[i]) / (xs[i + 1] - xs[i]);
    return (1 - w) * ys[i * cols + c] + w * ys[(i + 1) * cols + c];
}

static al_status write_table(const char *dir, char what, const orc_curves *model,
                             const orc_curves *refs, int n_refs, al_err *err)
{
    char path[1200], tmp[1300], name[64];
    snprintf(path, sizeof path, "%s/%s", dir, what == 'g' ? "gr.csv" : "sk.csv");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp) return al_fail(err, AL_EIO, "%s: cannot write", tmp);
    fputs(what == 'g' ? "r_angstrom" : "k_inverse_angstrom", fp);
    for (int c = 0; c <= model->n_pairs; c++) {
        orc_val_pair_name(model, c, name, sizeof name);
        if (c) name[strcspn(name, "-")] = '_';
        fprintf(fp, ",%s_%s_model", what == 'g' ? "g" : "S", name);
        for (int k = 0; k < n_refs; k++)
            fprintf(fp, ",%s_%s_%s", what == 'g' ? "g" : "S", name, refs[k].label);
    }
    fputc('\n', fp);
    size_t n = what == 'g' ? model->nr : model->nk, cols = 1 + (size_t)model->n_pairs;
    const double *x = what == 'g' ? model->r : model->k, *y = what == 'g' ? model->g : model->s;
    for (size_t i = 0; i < n; i++) {
        fprintf(fp, "%.6f", x[i]);
        for (size_t c = 0; c < cols; c++) {
            fprintf(fp, ",%.8g", y[i * cols + c]);
            for (int k = 0; k < n_refs; k++) fprintf(fp, ",%.8g", interp(&refs[k], what, c, x[i]));
        }
        fputc('\n', fp);
    }
    if (fclose(fp) != 0 || rename(tmp, path) != 0)
        return al_fail(err, AL_EIO, "%s: cannot write", path);
    return AL_OK;
}

al_status orc_val_write_tables(const char *dir, const orc_curves *model, const orc_curves *refs,
                               int n_refs, al_err *err)
{
    AL_TRY(err, write_table(dir, 'g', model, refs, n_refs, err));
    return write_table(dir, 's', model, refs, n_refs, err);
}

double orc_val_rchi(const orc_curves *model, const orc_curves *ref, char what, int col,
                    size_t *used)
{
    size_t nm = what == 'g' ? model->nr : model->nk, nr = what == 'g' ? ref->nr : ref->nk;
    size_t cm = 1 + (size_t)model->n_pairs, cr = 1 + (size_t)ref->n_pairs;
    double *ym = al_malloc((nm + 1) * sizeof *ym), *xr = al_malloc((nr + 1) * sizeof *xr),
           *yr = al_malloc((nr + 1) * sizeof *yr), rchi = NAN;
    size_t m = 0;
    *used = 0;
    for (size_t i = 0; ym && i < nm; i++)
        ym[i] = (what == 'g' ? model->g : model->s)[i * cm + (size_t)col];
    for (size_t i = 0; xr && yr && i < nr; i++) { /* the reference's points that have a value */
        double y = (what == 'g' ? ref->g : ref->s)[i * cr + (size_t)col];
        if (!isnan(y)) xr[m] = (what == 'g' ? ref->r : ref->k)[i], yr[m++] = y;
    }
    al_err ignored;
    if (ym && xr && yr && m &&
        an_rchi(what == 'g' ? model->r : model->k, ym, nm, xr, yr, m, &rchi, used, &ignored) !=
            AL_OK)
        rchi = NAN;
    al_free(ym), al_free(xr), al_free(yr);
    return rchi;
}
