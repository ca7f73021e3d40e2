/*
 * `galore eval MODEL TEST.xyz [--csv PARITY.csv]`: errors of a GAP model on labeled frames.
 * Prints mean absolute and root-mean-square errors of the energy per atom (meV/atom), force
 * components (eV/Å) and virial components per atom (meV/atom), overall and per config_type;
 * the parity CSV has one row per compared value: frame, config_type, quantity, atom,
 * component, reference, predicted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/extxyz.h"
#include "gp/gap.h"
#include "orchestrator/cli.h"

const char orc_usage_eval[] =
    "usage: galore eval MODEL TEST.xyz [--csv PARITY.csv]\n"
    "\n"
    "Compares MODEL's predictions (galore .h5 or QUIP .xml) with the labels of TEST.xyz:\n"
    "MAE and RMSE of the energy per atom (meV/atom), the force components (eV/Å) and the\n"
    "virial components divided by the number of atoms (meV/atom), over all frames and per\n"
    "config_type. --csv writes every compared value (frame, config_type, quantity, atom,\n"
    "component, reference, predicted) for parity plots.\n";

enum { MAX_GROUPS = 32 };

typedef struct err_acc {
    char name[64];
    double abs[3], sq[3];   /* energy, forces, virial */
    size_t n[3];
} err_acc;

static void acc_add(err_acc *a, int q, double d)
{
    a->abs[q] += fabs(d), a->sq[q] += d * d, a->n[q]++;
}

static err_acc *group_of(err_acc *g, int *ng, const char *name)
{
    for (int k = 1; k < *ng; k++)
        if (!strcmp(g[k].name, name)) return &g[k];
    if (*ng == MAX_GROUPS) return NULL;
    memset(&g[*ng], 0, sizeof g[0]);
    snprintf(g[*ng].name, sizeof g[0].name, "%s", name);
    return &g[(*ng)++];
}

static void add(err_acc *all, err_acc *grp, int q, double d)
{
    acc_add(all, q, d);
    if (grp) acc_add(grp, q, d);
}

static al_status eval_frame(gp_model *m, const al_frame *f, size_t k, err_acc *all, err_acc *grp, FILE *csv, al_err *err)
{
    size_t na = f->n_atoms;
    double (*forces)[3] = calloc(na ? na : 1, sizeof *forces), vir[9];
    if (!forces) return al_fail(err, AL_ENOMEM, "out of memory");
    al_pot_result r = {.forces = forces, .virial = vir};
    al_status st = gp_model_predict(m, f, &r, err);
    const char *ct = al_info_get_str(&f->info, "config_type");
    ct = ct ? ct : "";
    if (!st && (f->labels & AL_LBL_ENERGY)) {
        add(all, grp, 0, 1e3 * (r.energy - f->energy) / na);
        if (csv) fprintf(csv, "%zu,%s,energy,,,%.10g,%.10g\n", k, ct, f->energy, r.energy);
    }
    if (!st && (f->labels & AL_LBL_FORCES))
        for (size_t i = 0; i < na; i++)
            for (int a = 0; a < 3; a++) {
                add(all, grp, 1, forces[i][a] - f->forces[i][a]);
                if (csv) fprintf(csv, "%zu,%s,force,%zu,%c,%.10g,%.10g\n", k, ct, i, "xyz"[a], f->forces[i][a], forces[i][a]);
            }
    if (!st && (f->labels & AL_LBL_VIRIAL))
        for (int a = 0; a < 9; a++) {
            add(all, grp, 2, 1e3 * (vir[a] - f->virial[a / 3][a % 3]) / na);
            if (csv) fprintf(csv, "%zu,%s,virial,,%c%c,%.10g,%.10g\n", k, ct, "xyz"[a / 3], "xyz"[a % 3], f->virial[a / 3][a % 3], vir[a]);
        }
    free(forces);
    return st;
}

static void print_row(const err_acc *a)
{
    printf("%-24s", a->name);
    for (int q = 0; q < 3; q++) {
        if (a->n[q]) printf(" %9.4g %9.4g", a->abs[q] / a->n[q], sqrt(a->sq[q] / a->n[q]));
        else printf(" %9s %9s", "-", "-");
    }
    printf("\n");
}

int orc_cmd_eval(int argc, char **argv)
{
    if (orc_cli_wants_help(argc, argv)) {
        fputs(orc_usage_eval, stdout);
        return 0;
    }
    const char *model = NULL, *test = NULL, *csvp = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--csv")) {
            if (i + 1 >= argc) return orc_cli_usage_error("eval", "option --csv needs a value");
            csvp = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) return orc_cli_usage_error("eval", "unknown option '%s'", argv[i]);
        else if (!model) model = argv[i];
        else if (!test) test = argv[i];
        else return orc_cli_usage_error("eval", "too many arguments ('%s')", argv[i]);
    }
    if (!model || !test) return orc_cli_usage_error("eval", "needs MODEL and TEST.xyz");
    al_err err;
    al_err_clear(&err);
    gp_model *m = NULL;
    al_xyz_reader *r = NULL;
    FILE *csv = NULL;
    if (gp_model_open(model, &m, &err) || al_xyz_open(test, &r, &err)) {
        fprintf(stderr, "galore eval: %s\n", err.msg);
        gp_model_destroy(m);
        return 2;
    }
    al_status st = AL_OK;
    if (csvp && !(csv = fopen(csvp, "w"))) st = al_fail(&err, AL_EIO, "%s: cannot open for writing", csvp);
    if (csv) fprintf(csv, "frame,config_type,quantity,atom,component,reference,predicted\n");
    err_acc g[MAX_GROUPS];
    int ng = 1, done = 0;
    memset(&g[0], 0, sizeof g[0]);
    snprintf(g[0].name, sizeof g[0].name, "all");
    al_frame f;
    al_frame_init(&f);
    for (size_t k = 0; !st && !(st = al_xyz_read_next(r, &f, &done, &err)) && !done; k++) {
        const char *ct = al_info_get_str(&f.info, "config_type");
        if ((st = eval_frame(m, &f, k, &g[0], ct ? group_of(g, &ng, ct) : NULL, csv, &err)))
            al_fail_wrap(&err, "%s frame %zu: ", test, k);
    }
    if (csv && fclose(csv) && !st) st = al_fail(&err, AL_EIO, "%s: write failed", csvp);
    al_frame_fini(&f);
    al_xyz_close(r);
    gp_model_destroy(m);
    if (st) {
        fprintf(stderr, "galore eval: %s\n", err.msg);
        return st == AL_EFORMAT ? 2 : 1;
    }
    printf("%-24s %19s %19s %19s\n", "", "energy (meV/atom)", "forces (eV/Å)", "virial (meV/atom)");
    printf("%-24s %9s %9s %9s %9s %9s %9s\n", "set", "MAE", "RMSE", "MAE", "RMSE", "MAE", "RMSE");
    for (int k = 0; k < ng; k++) print_row(&g[k]);
    return 0;
}
