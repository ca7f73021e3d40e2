/*
 * al_frame: one atomic configuration, the unit of data that flows between galore's stages.
 *
 * Units (DESIGN.md): cell and positions in Å, velocities in Å/fs, energy in eV, forces in
 * eV/Å, virial in eV. The virial follows the extxyz/ASE/QUIP sign: virial = −stress × volume
 * (positive when the cell is compressed); stress in GPa is derived with al_frame_stress_gpa.
 *
 * Labels carry presence flags (`labels` bitmask); a value whose flag is clear is meaningless.
 * `info` is a small ordered key–value map for provenance (iteration, temperature, step, engine
 * settings, config_type ...) and for any per-frame field read from extxyz that galore does not
 * interpret; `props` holds extra per-atom columns, so files round-trip without loss.
 *
 * Plain data: al_frame_init/al_frame_fini on caller storage; al_frame_fini frees everything
 * the frame points to. The frame owns all its arrays.
 */
#ifndef AL_FRAME_H
#define AL_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#include "core/elements.h"
#include "core/status.h"

enum {
    AL_LBL_ENERGY = 1u << 0,
    AL_LBL_FORCES = 1u << 1,
    AL_LBL_VIRIAL = 1u << 2
};

typedef enum al_val_type { AL_VAL_STR, AL_VAL_INT, AL_VAL_REAL, AL_VAL_BOOL } al_val_type;

/* One info entry: a string, or n integers / reals / booleans (booleans stored as 0/1 in ints). */
typedef struct al_kv {
    char *key;
    al_val_type type;
    size_t n;
    char *str;
    long *ints;
    double *reals;
} al_kv;

typedef struct al_info {
    size_t n, cap;
    al_kv *items;
} al_info;

/* An extra per-atom column group (extxyz "name:T:ncols"), n_atoms × ncols values. */
typedef struct al_atom_prop {
    char *name;
    al_val_type type;
    int ncols;
    char **strs;      /* AL_VAL_STR */
    long *ints;       /* AL_VAL_INT, AL_VAL_BOOL */
    double *reals;    /* AL_VAL_REAL */
} al_atom_prop;

typedef struct al_frame {
    size_t n_atoms;
    double cell[3][3];      /* rows are lattice vectors a, b, c (Å) */
    bool pbc[3];
    int *z;                 /* atomic numbers */
    double (*pos)[3];       /* Cartesian positions (Å) */
    double (*vel)[3];       /* velocities (Å/fs), NULL when absent */

    unsigned labels;        /* AL_LBL_* presence flags */
    double energy;          /* total energy (eV) */
    double (*forces)[3];    /* eV/Å, allocated when AL_LBL_FORCES is set */
    double virial[3][3];    /* eV, −stress·volume */

    al_info info;
    size_t n_props;
    al_atom_prop *props;
} al_frame;

void al_frame_init(al_frame *f);
void al_frame_fini(al_frame *f);

/* Allocates z and pos for n atoms (zeroed); frees previous contents. Cell zero, pbc false. */
al_status al_frame_alloc(al_frame *f, size_t n_atoms, al_err *err);
/* Allocates the forces array (zeroed) if absent; does not set the label flag. */
al_status al_frame_alloc_forces(al_frame *f, al_err *err);
/* Allocates the velocity array (zeroed) if absent. */
al_status al_frame_alloc_vel(al_frame *f, al_err *err);
/* Deep copy of src into dst (dst is finalised first). */
al_status al_frame_copy(al_frame *dst, const al_frame *src, al_err *err);
/* Removes all labels (energy, forces, virial) and frees the forces array. */
void al_frame_clear_labels(al_frame *f);

/* Cell volume |a·(b×c)| in Å³ (0 for a degenerate cell). */
double al_frame_volume(const al_frame *f);
/* Stress in GPa from the virial: σ = −virial / V. Returns AL_EINVAL without virial or volume. */
al_status al_frame_stress_gpa(const al_frame *f, double stress[3][3], al_err *err);
/* Sets the virial from a stress tensor given in eV/Å³ (ASE units): virial = −σ·V. */
void al_frame_set_virial_from_stress(al_frame *f, const double stress_ev_a3[3][3]);
/* Number of atoms with each atomic number; counts[z] for z in 0..AL_MAX_Z. */
void al_frame_count_species(const al_frame *f, size_t counts[AL_MAX_Z + 1]);

/* Info map. Keys are copied; setting an existing key replaces its value. */
al_status al_info_set_str(al_info *m, const char *key, const char *value, al_err *err);
al_status al_info_set_real(al_info *m, const char *key, double value, al_err *err);
al_status al_info_set_reals(al_info *m, const char *key, const double *v, size_t n, al_err *err);
al_status al_info_set_int(al_info *m, const char *key, long value, al_err *err);
al_status al_info_set_ints(al_info *m, const char *key, const long *v, size_t n,
                           al_val_type type, al_err *err);
const al_kv *al_info_get(const al_info *m, const char *key);
/* Typed getters: return false when the key is absent or has another type/length. */
bool al_info_get_real(const al_info *m, const char *key, double *out);
bool al_info_get_int(const al_info *m, const char *key, long *out);
const char *al_info_get_str(const al_info *m, const char *key);
void al_info_remove(al_info *m, const char *key);
al_status al_info_copy(al_info *dst, const al_info *src, al_err *err);
void al_info_fini(al_info *m);

/* Per-atom extra columns. al_frame_add_prop allocates zeroed storage for n_atoms × ncols. */
al_status al_frame_add_prop(al_frame *f, const char *name, al_val_type type, int ncols,
                            al_atom_prop **out, al_err *err);
al_atom_prop *al_frame_find_prop(const al_frame *f, const char *name);
void al_frame_remove_prop(al_frame *f, const char *name);

#endif
