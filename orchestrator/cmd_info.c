/*
 * `galore info FILE`: what a file holds. HDF5 datasets print their store summary; GAP models
 * (galore HDF5, QUIP .xml) their descriptors; extxyz files are streamed once and summarised
 * (frames, atoms, species, labels, config types).
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/dataset.h"
#include "core/elements.h"
#include "core/extxyz.h"
#include "gp/gap.h"
#include "orchestrator/cli.h"
#include "orchestrator/file_kind.h"

const char orc_usage_info[] =
    "usage: galore info FILE...\n"
    "\n"
    "Describes each FILE: a galore HDF5 dataset (frames per role, labels, iterations, species),\n"
    "a GAP model (galore .h5 or QUIP .xml: descriptors, sparse points, regularisation)\n"
    "or an extxyz file (frames, atom counts, species, which labels are present, config types).\n";

enum { MAX_CONFIG_TYPES = 32 };

typedef struct xyz_summary {
    size_t frames, atoms_min, atoms_max, n_energy, n_forces, n_virial, n_vel;
    size_t species[AL_MAX_Z + 1];
    char config_types[MAX_CONFIG_TYPES][64];
    size_t config_count[MAX_CONFIG_TYPES];
    int n_config_types;
    double vol_min, vol_max;
} xyz_summary;

static void count_config_type(xyz_summary *s, const char *ct)
{
    for (int k = 0; k < s->n_config_types; k++)
        if (strcmp(s->config_types[k], ct) == 0) {
            s->config_count[k]++;
            return;
        }
    if (s->n_config_types == MAX_CONFIG_TYPES) return;
    snprintf(s->config_types[s->n_config_types], sizeof s->config_types[0], "%s", ct);
    s->config_count[s->n_config_types++] = 1;
}

static void add_frame(xyz_summary *s, const al_frame *f)
{
    size_t counts[AL_MAX_Z + 1];
    double vol = al_frame_volume(f);
    if (s->frames == 0 || f->n_atoms < s->atoms_min) s->atoms_min = f->n_atoms;
    if (f->n_atoms > s->atoms_max) s->atoms_max = f->n_atoms;
    if (s->frames == 0 || vol < s->vol_min) s->vol_min = vol;
    if (vol > s->vol_max) s->vol_max = vol;
    s->frames++;
    s->n_energy += !!(f->labels & AL_LBL_ENERGY);
    s->n_forces += !!(f->labels & AL_LBL_FORCES);
    s->n_virial += !!(f->labels & AL_LBL_VIRIAL);
    s->n_vel += f->vel != NULL;
    al_frame_count_species(f, counts);
    for (int z = 0; z <= AL_MAX_Z; z++) s->species[z] += counts[z];
    const char *ct = al_info_get_str(&f->info, "config_type");
    if (ct) count_config_type(s, ct);
}

static void print_xyz_summary(const char *path, const xyz_summary *s)
{
    printf("%s: extxyz, %zu frames\n", path, s->frames);
    if (!s->frames) return;
    printf("  atoms per frame: %zu to %zu\n", s->atoms_min, s->atoms_max);
    printf("  cell volume: %.3f to %.3f Å^3\n", s->vol_min, s->vol_max);
    printf("  species (atoms over all frames):");
    for (int z = 1; z <= AL_MAX_Z; z++)
        if (s->species[z]) printf(" %s %zu", al_element_symbol(z), s->species[z]);
    printf("\n  labels: energy %zu, forces %zu, virial %zu; velocities %zu\n", s->n_energy,
           s->n_forces, s->n_virial, s->n_vel);
    if (s->n_config_types) {
        printf("  config_type:");
        for (int k = 0; k < s->n_config_types; k++)
            printf(" %s %zu%s", s->config_types[k], s->config_count[k],
                   k + 1 < s->n_config_types ? "," : "");
        printf("\n");
    }
}

static int info_xyz(const char *path)
{
    al_err err;
    al_err_clear(&err);
    xyz_summary *s = al_calloc(1, sizeof *s);
    al_xyz_reader *r = NULL;
    al_frame f;
    al_frame_init(&f);
    int done = 0;
    al_status st = s ? al_xyz_open(path, &r, &err) : al_fail(&err, AL_ENOMEM, "out of memory");
    while (!st && !(st = al_xyz_read_next(r, &f, &done, &err)) && !done) add_frame(s, &f);
    if (!st) print_xyz_summary(path, s);
    al_frame_fini(&f);
    al_xyz_close(r);
    al_free(s);
    if (st) fprintf(stderr, "galore info: %s\n", err.msg);
    return st ? 2 : 0;
}

/* A GAP model (galore HDF5 or QUIP XML): descriptors, sparse points, regularisation. */
static void print_model(const char *path, const gp_model *m)
{
    const gp_gap_spec *s = gp_model_spec(m);
    printf("%s: GAP model, %zu descriptors, %s\n", path, s->n_desc,
           gp_model_has_variance(m) ? "with variance factors (uncertainty)" : "mean only (no uncertainty)");
    for (size_t d = 0; d < s->n_desc; d++) {
        const gp_desc_hyper *h = &s->desc[d];
        if (h->kind == GP_KIND_2B)
            printf("  distance_2b %s-%s: cutoff %g Å (transition %g Å), delta %g eV, theta %g Å, %zu sparse points\n",
                   al_element_symbol(h->b2.z1), al_element_symbol(h->b2.z2), h->b2.cutoff, h->b2.transition_width,
                   h->delta, h->theta, gp_model_n_sparse(m, d));
        else
            printf("  soap %s: cutoff %g Å (transition %g Å), n_max %d, l_max %d, atom_sigma %g Å, zeta %d, delta %g eV, "
                   "%zu sparse points\n", al_element_symbol(h->soap.z), h->soap.cutoff, h->soap.transition_width,
                   h->soap.n_max, h->soap.l_max, h->soap.atom_sigma, h->zeta, h->delta, gp_model_n_sparse(m, d));
    }
    printf("  sigmas: energy %g eV/atom, forces %g eV/Å, virial %g eV/atom; sparse_jitter %g\n", s->sigma_energy,
           s->sigma_force, s->sigma_virial, s->sparse_jitter);
    if (gp_model_training_hash(m)) printf("  training set hash %016llx\n", (unsigned long long)gp_model_training_hash(m));
}

static int info_model(const char *path, int *handled)
{
    al_err err;
    al_err_clear(&err);
    gp_model *m = NULL;
    al_status st = gp_model_open(path, &m, &err);
    *handled = st == AL_OK || !strstr(err.msg, "not a galore GAP model");
    if (!st) print_model(path, m);
    else if (*handled) fprintf(stderr, "galore info: %s\n", err.msg);
    gp_model_destroy(m);
    return st ? 2 : 0;
}

static int info_hdf5(const char *path)
{
    al_err err;
    al_err_clear(&err);
    int handled = 0, rc = info_model(path, &handled);
    if (handled) return rc;
    al_store *s = NULL;
    al_status st = al_store_open(path, AL_STORE_READ, &s, &err);
    if (!st) st = al_store_print_summary(s, stdout, &err);
    al_store_close(s);
    if (st) fprintf(stderr, "galore info: %s\n", err.msg);
    return st ? 2 : 0;
}

int orc_cmd_info(int argc, char **argv)
{
    if (argc < 2) return orc_cli_usage_error("info", "needs at least one FILE");
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        int one;
        switch (orc_file_kind_of(argv[i])) {
        case ORC_FILE_MISSING:
            fprintf(stderr, "galore info: %s: no such file\n", argv[i]);
            one = 2;
            break;
        case ORC_FILE_HDF5: one = info_hdf5(argv[i]); break;
        default: {
            size_t n = strlen(argv[i]), handled = n > 4 && !strcmp(argv[i] + n - 4, ".xml");
            one = handled ? info_model(argv[i], &(int){0}) : info_xyz(argv[i]);
            break;
        }
        }
        if (one > rc) rc = one;
    }
    return rc;
}
