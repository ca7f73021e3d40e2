/*
 * Internals of the HDF5 dataset store shared by core/dataset_*.c (not a public header).
 *
 * The file is a set of tables (see dataset.h for the layout). Each table belongs to one
 * "axis": its rows are frames, atoms, info entries, prop entries, or elements of one of the
 * three value pools. The commit record holds, for each axis, how many rows are committed;
 * rows beyond it are leftovers of an interrupted append and are never read.
 */
#ifndef AL_DATASET_IMPL_H
#define AL_DATASET_IMPL_H

#include <stdint.h>

#include <hdf5.h>

#include "core/dataset.h"

typedef enum ds_axis {
    AX_FRAME, AX_ATOM, AX_INFO, AX_PROP, AX_CHAR, AX_INT, AX_REAL, AX_COUNT
} ds_axis;

typedef enum ds_col {
    /* per frame */
    C_ATOM_START, C_N_ATOMS, C_CELL, C_PBC, C_ROLE, C_ITER, C_LABELS, C_HAS_VEL, C_ENERGY,
    C_VIRIAL, C_INFO_START, C_INFO_COUNT, C_PROP_START, C_PROP_COUNT, C_CHAR_START,
    C_INT_START, C_REAL_START,
    /* per atom */
    C_Z, C_POS, C_VEL, C_FORCES,
    /* per info entry */
    C_INFO_KEY, C_INFO_TYPE, C_INFO_N, C_INFO_VALUE,
    /* per prop entry */
    C_PROP_NAME, C_PROP_TYPE, C_PROP_NCOLS, C_PROP_VALUE,
    /* pools */
    C_CHARS, C_INTS, C_REALS,
    C_COUNT
} ds_col;

typedef enum ds_elem { E_I64, E_I32, E_I8, E_U8, E_F64 } ds_elem;

typedef struct ds_col_def {
    const char *name;
    ds_axis axis;
    ds_elem elem;
    int width;          /* values per row: 1, 3 (n×3) or 9 (n×3×3) */
    const char *units;  /* NULL for non-physical tables */
    const char *description;
} ds_col_def;

extern const ds_col_def ds__cols[C_COUNT];

/* Commit record: 2 slots × 16 int64: seq, counts[AX_COUNT], zeros, checksum in the last. */
enum { DS_SLOT_WIDTH = 16 };

struct al_store {
    char *path;
    al_store_mode mode;
    int lock_fd;
    hid_t file, group, commit;
    hid_t d[C_COUNT];
    long version;
    int64_t seq;                /* sequence number of the newest commit slot */
    uint64_t n[AX_COUNT];       /* committed rows per axis */
    /* In-memory copy of the small per-frame columns, for selection and summaries. */
    size_t cap;
    int64_t *atom_start, *n_atoms;
    int8_t *role;
    int32_t *iter;
    uint8_t *labels;
};

/* Memory type of a table's elements. */
hid_t ds__mtype(ds_elem e);

/* Flushes every table, then writes counts as the next commit slot and flushes again. */
al_status ds__commit(al_store *s, const uint64_t counts[AX_COUNT], al_err *err);

/* Flushes the file (all tables and metadata). */
al_status ds__flush(al_store *s, al_err *err);

/* Grows the per-frame cache to hold at least n frames. */
al_status ds__cache_reserve(al_store *s, size_t n, al_err *err);

/* Reads/writes one frame row of a per-frame column. */
al_status ds__frame_read(const al_store *s, ds_col c, size_t index, void *buf, al_err *err);
al_status ds__frame_write(al_store *s, ds_col c, size_t index, const void *buf, al_err *err);

#endif
