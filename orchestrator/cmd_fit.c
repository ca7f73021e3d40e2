/*
 * `galore fit TRAIN.xyz -o MODEL.h5 [--gap FILE.yaml]`: fits a GAP (gp/gap.h) to the labeled
 * frames of an extxyz file. Hyperparameters come from the `gap` section of a campaign file
 * (a file with only that section is enough; defaults otherwise), with one 2-body descriptor per
 * species pair and one SOAP descriptor per species (orchestrator/gap_spec.h). The model is
 * written as a galore HDF5 model, or as QUIP GAP XML when the output name ends in .xml.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/extxyz.h"
#include "core/log.h"
#include "gp/gap.h"
#include "orchestrator/campaign.h"
#include "orchestrator/cli.h"
#include "orchestrator/gap_spec.h"

const char orc_usage_fit[] =
    "usage: galore fit TRAIN.xyz -o MODEL.h5 [options]\n"
    "\n"
    "Fits a Gaussian Approximation Potential to the energies, forces and virials of the frames\n"
    "in TRAIN.xyz (frames without labels are skipped). A frame's energy_sigma, force_sigma and\n"
    "virial_sigma info fields override the regularisation for that frame (QUIP's keys).\n"
    "MODEL.h5 is a galore model file (with uncertainty); MODEL.xml is QUIP GAP XML (mean only,\n"
    "usable by QUIP and LAMMPS pair_style quip). See docs/gap.md.\n"
    "\n"
    "  --gap FILE       campaign file whose gap section gives the hyperparameters (a file with\n"
    "                   only a gap section is fine); default: the built-in defaults\n"
    "  --seed N         seed of randomised sparse-point choices (default: the file's loop.seed)\n"
    "  --xml FILE       also write the model as QUIP GAP XML\n"
    "  --max-memory G   refuse fits estimated above G GiB (default: the available memory)\n";

typedef struct fit_opts {
    const char *train, *out, *gap, *xml;
    long seed;
    double max_mem;
} fit_opts;

static int parse_args(int argc, char **argv, fit_opts *o)
{
    *o = (fit_opts){NULL, NULL, NULL, NULL, -1, 0.0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] == '-' && a[1]) {
            if (!v) return orc_cli_usage_error("fit", "option %s needs a value", a);
            char *end;
            i++;
            if (!strcmp(a, "-o") || !strcmp(a, "--output")) o->out = v;
            else if (!strcmp(a, "--gap")) o->gap = v;
            else if (!strcmp(a, "--xml")) o->xml = v;
            else if (!strcmp(a, "--seed")) {
                o->seed = strtol(v, &end, 10);
                if (*end || o->seed < 0) return orc_cli_usage_error("fit", "--seed needs an integer >= 0, got '%s'", v);
            } else if (!strcmp(a, "--max-memory")) {
                o->max_mem = strtod(v, &end);
                if (*end || !(o->max_mem > 0)) return orc_cli_usage_error("fit", "--max-memory needs GiB > 0, got '%s'", v);
            } else return orc_cli_usage_error("fit", "unknown option '%s'", a);
        } else if (!o->train) {
            o->train = a;
        } else {
            return orc_cli_usage_error("fit", "too many arguments ('%s')", a);
        }
    }
    if (!o->train || !o->out) return orc_cli_usage_error("fit", "needs TRAIN.xyz and -o MODEL");
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static al_status save(const gp_model *m, const char *path, al_err *err)
{
    return ends_with(path, ".xml") ? gp_model_write_quip_xml(m, path, err) : gp_model_save(m, path, err);
}

int orc_cmd_fit(int argc, char **argv)
{
    if (orc_cli_wants_help(argc, argv)) {
        fputs(orc_usage_fit, stdout);
        return 0;
    }
    fit_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc) return rc;
    al_err err;
    al_err_clear(&err);
    orc_campaign c;
    orc_campaign_defaults(&c);
    if (o.gap && orc_campaign_load_part(o.gap, &c, &err)) {
        fprintf(stderr, "galore fit: %s\n", err.msg);
        return 2;
    }
    al_frame *frames = NULL;
    size_t n = 0;
    if (al_xyz_read_all(o.train, &frames, &n, &err)) {
        fprintf(stderr, "galore fit: %s\n", err.msg);
        return 2;
    }
    int species[AL_MAX_Z + 1], ns = orc_species_of(frames, n, species);
    gp_gap_spec spec;
    gp_model *m = NULL;
    rc = 0;
    if (orc_gap_spec(&c.gap, species, ns, (uint64_t)(o.seed >= 0 ? o.seed : (long)c.loop.seed), &spec, &err)) rc = 2;
    else {
        spec.max_memory_gib = o.max_mem;
        if (gp_gap_fit(&spec, frames, n, &m, &err)) rc = 1;
        else if (save(m, o.out, &err) || (o.xml && save(m, o.xml, &err))) rc = 1;
        else al_info("model with %zu descriptors written to %s%s%s", spec.n_desc, o.out, o.xml ? " and " : "",
                     o.xml ? o.xml : "");
    }
    if (rc) fprintf(stderr, "galore fit: %s\n", err.msg);
    gp_model_destroy(m);
    al_frames_free(frames, n);
    return rc;
}
