/*
 * `galore predict MODEL IN.xyz -o OUT.xyz`: streams the frames of IN.xyz through a GAP model
 * (galore HDF5 or QUIP XML) and writes them with the predicted energy, forces and virial as
 * their labels. Labels already present move to ref_energy, ref_forces and ref_virial so they
 * can be compared. With a galore model, the per-atom local-energy standard deviation is the
 * column gap_sigma and its maximum and mean over atoms the info fields gap_sigma_max and
 * gap_sigma_mean (eV); the force standard deviation (eV/Å) of the few atoms with the largest
 * gap_sigma is the column gap_force_sigma (NaN for the atoms not examined), its largest value and
 * atom gap_force_sigma_max and gap_force_sigma_atom; local energies go to the column local_energy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/extxyz.h"
#include "core/log.h"
#include "gp/gap.h"
#include "orchestrator/cli.h"

const char orc_usage_predict[] =
    "usage: galore predict MODEL IN.xyz -o OUT.xyz [options]\n"
    "\n"
    "Predicts energy (eV), forces (eV/Å) and virial (eV) for every frame of IN.xyz with MODEL\n"
    "(a galore .h5 model or a QUIP GAP .xml potential) and writes the frames to OUT.xyz with the\n"
    "predictions as labels; labels already in IN.xyz are kept as ref_energy, ref_forces and\n"
    "ref_virial. Also written: local_energy per atom, and with a galore model the uncertainty:\n"
    "gap_sigma per atom (standard deviation of the local energy, eV) and gap_sigma_max,\n"
    "gap_sigma_mean per frame; for the K atoms with the largest gap_sigma the force standard\n"
    "deviation gap_force_sigma (eV/Å, NaN for the other atoms) and per frame its largest value\n"
    "gap_force_sigma_max and that atom's index gap_force_sigma_atom (docs/gap.md).\n"
    "\n"
    "  --no-uncertainty        skip the uncertainty\n"
    "  --force-sigma-atoms K   atoms whose force sigma is computed (default 4; 0: none)\n";

/* Keeps a frame's labels as ref_* fields and clears them. */
static al_status keep_reference(al_frame *f, al_err *err)
{
    if (f->labels & AL_LBL_ENERGY) AL_TRY(err, al_info_set_real(&f->info, "ref_energy", f->energy, err));
    if (f->labels & AL_LBL_VIRIAL) AL_TRY(err, al_info_set_reals(&f->info, "ref_virial", &f->virial[0][0], 9, err));
    if (f->labels & AL_LBL_FORCES) {
        al_atom_prop *p = NULL;
        al_frame_remove_prop(f, "ref_forces");
        AL_TRY(err, al_frame_add_prop(f, "ref_forces", AL_VAL_REAL, 3, &p, err));
        memcpy(p->reals, f->forces, f->n_atoms * sizeof *f->forces);
    }
    al_frame_clear_labels(f);
    return AL_OK;
}

static al_status predict_frame(gp_model *m, al_frame *f, int unc, size_t fsig_atoms, al_err *err)
{
    AL_TRY(err, keep_reference(f, err));
    AL_TRY(err, al_frame_alloc_forces(f, err));
    al_atom_prop *loc = NULL, *sig = NULL, *fsig = NULL;
    al_frame_remove_prop(f, "local_energy");
    al_frame_remove_prop(f, "gap_sigma");
    al_frame_remove_prop(f, "gap_force_sigma");
    AL_TRY(err, al_frame_add_prop(f, "local_energy", AL_VAL_REAL, 1, &loc, err));
    if (unc) AL_TRY(err, al_frame_add_prop(f, "gap_sigma", AL_VAL_REAL, 1, &sig, err));
    if (unc && fsig_atoms) AL_TRY(err, al_frame_add_prop(f, "gap_force_sigma", AL_VAL_REAL, 1, &fsig, err));
    /* adding a column may move the others */
    loc = al_frame_find_prop(f, "local_energy");
    sig = unc ? al_frame_find_prop(f, "gap_sigma") : NULL;
    double vir[9];
    al_pot_result r = {.forces = f->forces, .virial = vir, .want_uncertainty = unc, .atom_sigma = sig ? sig->reals : NULL,
                       .force_sigma_atoms = unc ? fsig_atoms : 0, .force_sigma = fsig ? fsig->reals : NULL};
    gp_predict_extra ex = {.local_energy = loc->reals};
    AL_TRY(err, gp_model_predict_ext(m, f, &r, &ex, err));
    f->energy = r.energy;
    memcpy(f->virial, vir, sizeof vir);
    f->labels = AL_LBL_ENERGY | AL_LBL_FORCES | (f->pbc[0] && f->pbc[1] && f->pbc[2] ? AL_LBL_VIRIAL : 0u);
    if (unc) {
        AL_TRY(err, al_info_set_real(&f->info, "gap_sigma_max", r.sigma_max, err));
        AL_TRY(err, al_info_set_real(&f->info, "gap_sigma_mean", r.sigma_mean, err));
    }
    al_info_remove(&f->info, "gap_force_sigma_max");
    al_info_remove(&f->info, "gap_force_sigma_atom");
    if (unc && fsig_atoms) {
        AL_TRY(err, al_info_set_real(&f->info, "gap_force_sigma_max", r.force_sigma_max, err));
        AL_TRY(err, al_info_set_int(&f->info, "gap_force_sigma_atom", r.force_sigma_atom, err));
    }
    return AL_OK;
}

int orc_cmd_predict(int argc, char **argv)
{
    if (orc_cli_wants_help(argc, argv)) {
        fputs(orc_usage_predict, stdout);
        return 0;
    }
    const char *model = NULL, *in = NULL, *out = NULL;
    int no_unc = 0;
    long fsig_atoms = AL_FORCE_SIGMA_ATOMS;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
            if (i + 1 >= argc) return orc_cli_usage_error("predict", "option %s needs a value", argv[i]);
            out = argv[++i];
        } else if (!strcmp(argv[i], "--no-uncertainty")) no_unc = 1;
        else if (!strcmp(argv[i], "--force-sigma-atoms")) {
            char *end = NULL;
            if (i + 1 < argc) fsig_atoms = strtol(argv[++i], &end, 10);
            if (!end || *end || fsig_atoms < 0)
                return orc_cli_usage_error("predict", "--force-sigma-atoms needs a count >= 0");
        }
        else if (argv[i][0] == '-' && argv[i][1]) return orc_cli_usage_error("predict", "unknown option '%s'", argv[i]);
        else if (!model) model = argv[i];
        else if (!in) in = argv[i];
        else return orc_cli_usage_error("predict", "too many arguments ('%s')", argv[i]);
    }
    if (!model || !in || !out) return orc_cli_usage_error("predict", "needs MODEL, IN.xyz and -o OUT.xyz");
    al_err err;
    al_err_clear(&err);
    gp_model *m = NULL;
    if (gp_model_open(model, &m, &err)) {
        fprintf(stderr, "galore predict: %s\n", err.msg);
        return 2;
    }
    int unc = !no_unc && gp_model_has_variance(m), done = 0;
    al_xyz_reader *r = NULL;
    FILE *fp = NULL;
    al_frame f;
    al_frame_init(&f);
    size_t n = 0;
    al_status st = al_xyz_open(in, &r, &err);
    if (!st && !(fp = fopen(out, "w"))) st = al_fail(&err, AL_EIO, "%s: cannot open for writing", out);
    while (!st && !(st = al_xyz_read_next(r, &f, &done, &err)) && !done) {
        if ((st = predict_frame(m, &f, unc, (size_t)fsig_atoms, &err))) al_fail_wrap(&err, "%s frame %zu: ", in, n);
        else if (!(st = al_xyz_write(fp, &f, &err))) n++;
    }
    if (fp && fclose(fp) && !st) st = al_fail(&err, AL_EIO, "%s: write failed", out);
    al_frame_fini(&f);
    al_xyz_close(r);
    gp_model_destroy(m);
    if (st) {
        fprintf(stderr, "galore predict: %s\n", err.msg);
        return st == AL_EFORMAT || st == AL_ENOTFOUND ? 2 : 1;
    }
    al_info("predicted %zu frames into %s%s", n, out, unc ? " (with uncertainty)" : "");
    return 0;
}
