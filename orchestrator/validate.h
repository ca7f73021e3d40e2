/*
 * The validation MD of a campaign (its validate section): pair correlations and structure
 * factors of the final model's MD against a reference, compared by R_chi (docs/analysis.md).
 * Internal to the orchestrator: stage_validate.c runs the MD and writes validate/, the
 * report reads what it wrote.
 *
 * A curve set holds g(r) and S(k) of one source (the model's MD, the reference trajectory,
 * or the reference g(r) table): column 0 is the total, then one column per species pair
 * (a <= b, ascending Z), NaN where the source has no value. Totals follow the Faber–Ziman
 * convention, g = Σ_ab c_a c_b g_ab, and S(k) is the transform of g at the source's number
 * density (a table has none: it takes the model MD's).
 */
#ifndef ORC_VALIDATE_H
#define ORC_VALIDATE_H

#include <stddef.h>
#include <stdio.h>

#include "core/frame.h"
#include "core/status.h"
#include "engines/analysis/rdf.h"
#include "orchestrator/campaign.h"
#include "orchestrator/state.h"

enum { ORC_VAL_PAIRS = AN_MAX_SPECIES * (AN_MAX_SPECIES + 1) / 2, ORC_VAL_NK = 400 };

typedef struct orc_curves {
    const char *label; /* "model", "reference", "reference_csv" */
    int n_species;
    int z[AN_MAX_SPECIES];
    double c[AN_MAX_SPECIES]; /* concentrations */
    int n_pairs;
    double density; /* atoms/Å³ */
    size_t frames;  /* 0 for a table */
    size_t nr, nk;
    double *r, *g; /* nr, and nr × (1 + n_pairs) row-major (al_malloc) */
    double *k, *s; /* nk, and nk × (1 + n_pairs) */
} orc_curves;

void orc_curves_fini(orc_curves *cv);

/* g(r) and S(k) of frames (borrowed) with the campaign's r_max, bin_width, k_max and lorch;
 * when coord is not NULL, coordination numbers are left in the accumulator *rdf (owned by the
 * caller afterwards) for orc_val_coordination. */
al_status orc_val_curves_from_frames(const orc_validate *v, const al_frame *frames, size_t n,
                                     const char *label, orc_curves *out, an_rdf **rdf, al_err *err);
/* The same from an extxyz trajectory file (every frame). */
al_status orc_val_curves_from_file(const orc_validate *v, const char *path, const char *label,
                                   orc_curves *out, an_rdf **rdf, al_err *err);

/* Reads a g(r) table written by `galore analyze` (header r_angstrom,g_total[,g_A_B ...]) and
 * maps its pair columns onto the species of model; S(k) at the model's density. Errors name
 * the file, line and the offending text (AL_ENOTFOUND, AL_EFORMAT). */
al_status orc_val_curves_from_csv(const orc_validate *v, const char *path, const orc_curves *model,
                                  orc_curves *out, al_err *err);

/* Checks the validate section's input files before a campaign starts, so a missing or bad
 * reference is reported at once rather than after the loop (no-op when not enabled). */
al_status orc_validate_check_inputs(const orc_campaign *c, al_err *err);

/* Writes gr.csv and sk.csv of the model and references into dir (replaced atomically); the
 * reference columns are interpolated onto the model's grid. */
al_status orc_val_write_tables(const char *dir, const orc_curves *model, const orc_curves *refs,
                               int n_refs, al_err *err);

/* R_chi of column col (0 total, 1.. pairs) of the reference's g (what = 'g') or S (what = 's')
 * against the model's; NaN when no reference point lies in the model's range. */
double orc_val_rchi(const orc_curves *model, const orc_curves *ref, char what, int col,
                    size_t *used);

/* Name of pair column col: "total" or "Si-O". */
const char *orc_val_pair_name(const orc_curves *cv, int col, char *buf, size_t n);

/* The VALIDATE stage of the campaign loop (the run context of loop_impl.h). */
struct orc_run;
al_status orc_stage_validate(struct orc_run *run, orc_stage *next, al_err *err);

/* The report's "Validation MD" section from dir/validate/ (nothing when it has not run). */
al_status orc_report_validation(FILE *md, const char *dir, const char *out_dir, al_err *err);

#endif
