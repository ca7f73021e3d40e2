/*
 * `galore analyze TRAJ.xyz`: pair correlations, structure factors, coordination, bond angles,
 * Q^n and diffusion of a trajectory (engines/analysis), written as CSV with units and SVG
 * plots, with R_chi against a reference curve.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/elements.h"
#include "core/extxyz.h"
#include "engines/analysis/dynamics.h"
#include "engines/analysis/local.h"
#include "engines/analysis/rdf.h"
#include "engines/analysis/sq.h"
#include "orchestrator/analyze_opts.h"
#include "orchestrator/cli.h"
#include "orchestrator/svg_plot.h"

const char orc_usage_analyze[] =
    "usage: galore analyze TRAJ.xyz [options]\n"
    "\n"
    "Structure and dynamics of a trajectory, written to DIR as CSV (with units in the header)\n"
    "and SVG plots; definitions in docs/analysis.md.\n"
    "  -o DIR              output folder (default: analysis)\n"
    "  --rmax R            largest r of g(r), Å (default 10)\n"
    "  --bins N            bins of g(r) (default 200)\n"
    "  --skip N            ignore the first N frames (equilibration; default 0)\n"
    "  --every N           use every N-th frame (default 1)\n"
    "  --kmax K, --nk N    S(k) up to K Å^-1 on N points (default 20, 400)\n"
    "  --lorch             Lorch window in the Fourier transform of g(r)\n"
    "  --coord A-B[:R]     coordination of B around A within R Å (default: first minimum of g_AB)\n"
    "  --angles A-B-C:R1:R2  bond-angle distribution at B, neighbours within R1 (A) and R2 (C) Å\n"
    "  --qn F-O:R          Q^n distribution of formers F bridged by O within R Å\n"
    "  --dt FS             time between the frames read, fs (enables MSD and diffusion)\n"
    "  --reference FILE    two-column CSV (x, y) to compare with, by R_chi\n"
    "  --compare WHAT      what the reference is: gr (total g(r)), sk-neutron, sk-xray\n";

static int write_gr(const orc_analyze_opts *o, const an_rdf *g)
{
    char path[4200];
    int nb = an_rdf_nbins(g), ns = an_rdf_n_species(g);
    double *r = al_malloc(nb * sizeof *r), *tot = al_malloc(nb * sizeof *tot);
    double *part = al_malloc((size_t)nb * ns * ns * sizeof *part);
    snprintf(path, sizeof path, "%s/gr.csv", o->out_dir);
    FILE *fp = fopen(path, "w");
    if (!fp || !r || !tot || !part) return 1;
    an_rdf_total(g, tot);
    fprintf(fp, "r_angstrom,g_total");
    for (int a = 0; a < ns; a++)
        for (int b = a; b < ns; b++) {
            fprintf(fp, ",g_%s_%s", al_element_symbol(an_rdf_species(g, a, NULL)), al_element_symbol(an_rdf_species(g, b, NULL)));
            an_rdf_partial(g, a, b, part + (size_t)(a * ns + b) * nb);
        }
    fputc('\n', fp);
    for (int k = 0; k < nb; k++) {
        r[k] = an_rdf_r(g, k);
        fprintf(fp, "%.6f,%.8g", r[k], tot[k]);
        for (int a = 0; a < ns; a++)
            for (int b = a; b < ns; b++) fprintf(fp, ",%.8g", part[(size_t)(a * ns + b) * nb + k]);
        fputc('\n', fp);
    }
    fclose(fp);
    orc_series s = {"total", r, tot, (size_t)nb, 0, 0};
    orc_plot p = {"Total pair distribution function", "r (Å)", "g(r)", &s, 1};
    snprintf(path, sizeof path, "%s/gr.svg", o->out_dir);
    al_err err;
    int rc = orc_svg_write(path, &p, &err) != AL_OK;
    al_free(r);
    al_free(tot);
    al_free(part);
    return rc;
}

static int write_sk(const orc_analyze_opts *o, const an_rdf *g, double *k, double *sn, double *sx,
                    int *have_n, int *have_x)
{
    char path[4200];
    int ns = an_rdf_n_species(g);
    size_t nk = (size_t)o->nk;
    al_err err;
    for (size_t q = 0; q < nk; q++) k[q] = o->kmax * (q + 1) / nk;
    *have_n = an_sk_total(g, k, nk, o->lorch, false, sn, &err) == AL_OK;
    *have_x = an_sk_total(g, k, nk, o->lorch, true, sx, &err) == AL_OK;
    double *part = al_malloc(nk * ns * ns * sizeof *part);
    snprintf(path, sizeof path, "%s/sk.csv", o->out_dir);
    FILE *fp = fopen(path, "w");
    if (!fp || !part) return 1;
    fprintf(fp, "k_inverse_angstrom");
    for (int a = 0; a < ns; a++)
        for (int b = a; b < ns; b++) {
            fprintf(fp, ",S_%s_%s", al_element_symbol(an_rdf_species(g, a, NULL)), al_element_symbol(an_rdf_species(g, b, NULL)));
            an_sk_partial(g, a, b, k, nk, o->lorch, part + (size_t)(a * ns + b) * nk);
        }
    fprintf(fp, "%s%s%s\n", *have_n ? ",S_neutron" : "", *have_x ? ",S_xray" : "",
            ns == 2 ? ",S_NN,S_NC,S_CC" : "");
    double *bt = al_malloc(3 * nk * sizeof *bt);
    int have_bt = ns == 2 && bt && an_sk_bhatia_thornton(g, k, nk, o->lorch, bt, bt + nk, bt + 2 * nk, &err) == AL_OK;
    for (size_t q = 0; q < nk; q++) {
        fprintf(fp, "%.6f", k[q]);
        for (int a = 0; a < ns; a++)
            for (int b = a; b < ns; b++) fprintf(fp, ",%.8g", part[(size_t)(a * ns + b) * nk + q]);
        if (*have_n) fprintf(fp, ",%.8g", sn[q]);
        if (*have_x) fprintf(fp, ",%.8g", sx[q]);
        if (have_bt) fprintf(fp, ",%.8g,%.8g,%.8g", bt[q], bt[nk + q], bt[2 * nk + q]);
        fputc('\n', fp);
    }
    fclose(fp);
    al_free(bt);
    al_free(part);
    orc_series s[2];
    size_t n = 0;
    if (*have_n) s[n++] = (orc_series){"neutron", k, sn, nk, 0, 0};
    if (*have_x) s[n++] = (orc_series){"X-ray", k, sx, nk, 0, 0};
    orc_plot p = {"Total structure factor (Faber-Ziman)", "k (Å⁻¹)", "S(k)", s, n};
    snprintf(path, sizeof path, "%s/sk.svg", o->out_dir);
    return n && orc_svg_write(path, &p, &err) != AL_OK;
}

static int species_of(const an_rdf *g, int z)
{
    for (int s = 0; s < an_rdf_n_species(g); s++)
        if (an_rdf_species(g, s, NULL) == z) return s;
    return -1;
}

/* Coordination distributions, Q^n and bond angles over the kept frames. */
static int write_local(const orc_analyze_opts *o, const an_rdf *g, const al_frame *frames, size_t n)
{
    char path[4200];
    al_err err;
    snprintf(path, sizeof path, "%s/coordination.csv", o->out_dir);
    FILE *fp = fopen(path, "w");
    if (!fp) return 1;
    fprintf(fp, "analysis,centre,neighbour,cutoff_angstrom,mean");
    for (int l = 0; l <= 8; l++) fprintf(fp, ",fraction_%d", l);
    fputc('\n', fp);
    for (int c = 0; c < o->n_coord + o->n_qn; c++) {
        int is_qn = c >= o->n_coord;
        orc_pair_spec s = is_qn ? o->qn[c - o->n_coord] : o->coord[c];
        int a = species_of(g, s.z[0]), b = species_of(g, s.z[1]);
        if (a < 0 || b < 0) {
            fprintf(stderr, "galore analyze: %s-%s: element not in the trajectory\n", al_element_symbol(s.z[0]), al_element_symbol(s.z[1]));
            fclose(fp);
            return 2;
        }
        double R = s.r[0] > 0 ? s.r[0] : an_rdf_first_minimum(g, a, b), mean = 0;
        an_counts cnt = {{0}, 0};
        for (size_t t = 0; t < n; t++) {
            al_status st = is_qn ? an_qn_add(&cnt, &frames[t], s.z[0], s.z[1], R, &err)
                                 : an_coordination_add(&cnt, &frames[t], s.z[0], s.z[1], R, &err);
            if (st) return fclose(fp), fprintf(stderr, "galore analyze: %s\n", err.msg), 1;
        }
        for (int l = 0; l <= AN_MAX_COORD; l++) mean += l * cnt.count[l] / cnt.total;
        fprintf(fp, "%s,%s,%s,%.4f,%.5f", is_qn ? "Qn" : "coordination", al_element_symbol(s.z[0]),
                al_element_symbol(s.z[1]), R, mean);
        for (int l = 0; l <= 8; l++) fprintf(fp, ",%.5f", cnt.count[l] / cnt.total);
        fputc('\n', fp);
        printf("%s %s-%s within %.3f Å: mean %.3f\n", is_qn ? "Q^n" : "coordination",
               al_element_symbol(s.z[0]), al_element_symbol(s.z[1]), R, mean);
    }
    fclose(fp);
    for (int k = 0; k < o->n_angles; k++) {
        const orc_pair_spec *s = &o->angles[k];
        an_angles ang;
        if (an_angles_init(&ang, 180, &err)) return 1;
        for (size_t t = 0; t < n; t++)
            if (an_angles_add(&ang, &frames[t], s->z[0], s->z[1], s->z[2], s->r[0], s->r[1], &err))
                return fprintf(stderr, "galore analyze: %s\n", err.msg), 1;
        snprintf(path, sizeof path, "%s/angles_%s-%s-%s.csv", o->out_dir, al_element_symbol(s->z[0]),
                 al_element_symbol(s->z[1]), al_element_symbol(s->z[2]));
        if (!(fp = fopen(path, "w"))) return 1;
        fprintf(fp, "angle_degree,probability_per_degree\n");
        for (int b = 0; b < 180; b++) fprintf(fp, "%.1f,%.6g\n", b + 0.5, an_angles_density(&ang, b));
        fclose(fp);
        an_angles_fini(&ang);
    }
    return 0;
}

static int write_msd(const orc_analyze_opts *o, const an_rdf *g, const al_frame *frames, size_t n)
{
    char path[4200];
    al_err err;
    snprintf(path, sizeof path, "%s/msd.csv", o->out_dir);
    FILE *fp = fopen(path, "w");
    if (!fp) return 1;
    int ns = an_rdf_n_species(g);
    an_msd m[AN_MAX_SPECIES];
    double dt = o->dt * o->every;
    for (int s = 0; s < ns; s++) {
        if (an_msd_compute(frames, n, dt, an_rdf_species(g, s, NULL), 1, &m[s], &err))
            return fclose(fp), fprintf(stderr, "galore analyze: %s\n", err.msg), 1;
        /* The linear regime: the second half of the lags up to half the trajectory, past the
         * ballistic start and before the statistics thin out. */
        double t_hi = 0.5 * (n - 1) * dt, t_lo = 0.5 * t_hi, d = 0;
        if (an_msd_diffusion(&m[s], t_lo, t_hi, &d, NULL, &err) == AL_OK)
            printf("diffusion %s: D = %.4g Å²/fs = %.4g cm²/s (fit %.0f-%.0f fs)\n",
                   al_element_symbol(an_rdf_species(g, s, NULL)), d, d * 0.1, t_lo, t_hi);
    }
    fprintf(fp, "time_fs");
    for (int s = 0; s < ns; s++) fprintf(fp, ",msd_%s_angstrom2", al_element_symbol(an_rdf_species(g, s, NULL)));
    fputc('\n', fp);
    for (size_t lag = 0; lag < n; lag++) {
        fprintf(fp, "%.4f", lag * dt);
        for (int s = 0; s < ns; s++) fprintf(fp, ",%.8g", m[s].msd[lag]);
        fputc('\n', fp);
    }
    for (int s = 0; s < ns; s++) an_msd_fini(&m[s]);
    fclose(fp);
    return 0;
}

/* Reads a two-column CSV (x, y; lines starting with # or a letter are skipped). */
static int read_reference(const char *path, double **x, double **y, size_t *n)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return fprintf(stderr, "galore analyze: %s: cannot open\n", path), 2;
    size_t cap = 256, line_no = 0;
    *x = al_malloc(cap * sizeof **x), *y = al_malloc(cap * sizeof **y), *n = 0;
    char line[512];
    while (fgets(line, sizeof line, fp)) {
        line_no++;
        if (line[0] == '#' || line[0] == '\n' || (line[0] >= 'A' && line[0] <= 'z')) continue;
        double a, b;
        if (sscanf(line, "%lf%*[ ,;\t]%lf", &a, &b) != 2) {
            fprintf(stderr, "galore analyze: %s:%zu: expected two numbers (x, y), got '%.40s'\n", path, line_no, line);
            fclose(fp);
            return 2;
        }
        if (*n == cap) *x = al_realloc(*x, (cap *= 2) * sizeof **x), *y = al_realloc(*y, cap * sizeof **y);
        (*x)[*n] = a, (*y)[(*n)++] = b;
    }
    fclose(fp);
    return 0;
}

static int compare_reference(const orc_analyze_opts *o, const an_rdf *g, const double *k, const double *sn,
                             const double *sx)
{
    double *xr = NULL, *yr = NULL, rchi = 0;
    size_t nr = 0, used = 0;
    int rc = read_reference(o->reference, &xr, &yr, &nr);
    int nb = an_rdf_nbins(g);
    double *r = al_malloc(nb * sizeof *r), *tot = al_malloc(nb * sizeof *tot);
    al_err err;
    if (!rc) {
        const double *xc = k, *yc = !strcmp(o->compare, "sk-xray") ? sx : sn;
        size_t nc = (size_t)o->nk;
        if (!strcmp(o->compare, "gr")) {
            for (int b = 0; b < nb; b++) r[b] = an_rdf_r(g, b);
            an_rdf_total(g, tot);
            xc = r, yc = tot, nc = (size_t)nb;
        }
        if (an_rchi(xc, yc, nc, xr, yr, nr, &rchi, &used, &err)) {
            fprintf(stderr, "galore analyze: %s\n", err.msg);
            rc = 2;
        } else {
            printf("R_chi against %s (%s, %zu points): %.4f\n", o->reference, o->compare, used, rchi);
            orc_series s[2] = {{"this trajectory", xc, yc, nc, 0, 0}, {"reference", xr, yr, nr, 1, 0}};
            orc_plot p = {"Comparison with the reference", strcmp(o->compare, "gr") ? "k (Å⁻¹)" : "r (Å)",
                          strcmp(o->compare, "gr") ? "S(k)" : "g(r)", s, 2};
            char path[4200];
            snprintf(path, sizeof path, "%s/compare.svg", o->out_dir);
            rc = orc_svg_write(path, &p, &err) != AL_OK;
        }
    }
    al_free(xr);
    al_free(yr);
    al_free(r);
    al_free(tot);
    return rc;
}

/* Reads the used frames into the g(r) accumulator, keeping copies when later passes need them. */
static int read_frames(const orc_analyze_opts *o, an_rdf *g, al_frame **kept, size_t *n_kept)
{
    al_err err;
    al_xyz_reader *rd = NULL;
    al_frame f;
    al_frame_init(&f);
    bool keep = o->n_coord || o->n_qn || o->n_angles || o->dt > 0;
    size_t index = 0, cap = 0;
    int done = 0;
    al_status st = al_xyz_open(o->traj, &rd, &err);
    while (!st && !(st = al_xyz_read_next(rd, &f, &done, &err)) && !done) {
        size_t i = index++;
        if (i < (size_t)o->skip || (i - o->skip) % o->every) continue;
        if ((st = an_rdf_add_frame(g, &f, &err))) break;
        if (!keep) continue;
        if (*n_kept == cap) *kept = al_realloc(*kept, (cap = cap ? 2 * cap : 64) * sizeof **kept);
        al_frame_init(&(*kept)[*n_kept]);
        if ((st = al_frame_copy(&(*kept)[(*n_kept)++], &f, &err))) break;
    }
    al_frame_fini(&f);
    al_xyz_close(rd);
    if (st) fprintf(stderr, "galore analyze: %s\n", err.msg);
    else if (!an_rdf_frames(g)) fprintf(stderr, "galore analyze: %s: no frames to analyse\n", o->traj);
    return st ? (st == AL_EFORMAT || st == AL_ENOTFOUND || st == AL_EINVAL ? 2 : 1) : !an_rdf_frames(g) * 2;
}

int orc_cmd_analyze(int argc, char **argv)
{
    orc_analyze_opts o;
    int rc = orc_analyze_parse(argc, argv, &o);
    if (rc) return rc;
    al_err err;
    an_rdf *g = NULL;
    al_frame *kept = NULL;
    size_t n_kept = 0;
    if (an_rdf_create(o.rmax, o.bins, &g, &err)) return fprintf(stderr, "galore analyze: %s\n", err.msg), 2;
    mkdir(o.out_dir, 0755);
    double *k = al_malloc(o.nk * sizeof *k), *sn = al_calloc(o.nk, sizeof *sn), *sx = al_calloc(o.nk, sizeof *sx);
    int have_n = 0, have_x = 0;
    rc = read_frames(&o, g, &kept, &n_kept);
    if (!rc) {
        printf("%zu frames of %s; density %.5f atoms/Å³\n", an_rdf_frames(g), o.traj, an_rdf_density(g));
        rc = write_gr(&o, g);
    }
    if (!rc) rc = write_sk(&o, g, k, sn, sx, &have_n, &have_x);
    if (!rc && (o.n_coord || o.n_qn || o.n_angles)) rc = write_local(&o, g, kept, n_kept);
    if (!rc && o.dt > 0) rc = write_msd(&o, g, kept, n_kept);
    if (!rc && o.reference) rc = compare_reference(&o, g, k, sn, sx);
    if (!rc) printf("results in %s/\n", o.out_dir);
    al_frames_free(kept, n_kept);
    an_rdf_destroy(g);
    al_free(k);
    al_free(sn);
    al_free(sx);
    return rc;
}
