/*
 * `galore info FILE`: what a file holds. HDF5 datasets print their store summary; extxyz files
 * are streamed once and summarised (frames, atoms, species, labels, config types).
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/dataset.h"
#include "core/elements.h"
#include "core/extxyz.h"
#include "orchestrator/cli.h"
#include "orchestrator/file_kind.h"

const char orc_usage_info[] =
    "usage: galore info FILE...\n"
    "\n"
    "Describes each FILE: a galore HDF5 dataset (frames per role, labels, iterations, species)\n"
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

static int info_hdf5(const char *path)
{
    al_err err;
    al_err_clear(&err);
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
        default: one = info_xyz(argv[i]); break;
        }
        if (one > rc) rc = one;
    }
    return rc;
}
