/*
 * al_store: the campaign's dataset, an append-only collection of frames persisted in HDF5, each
 * with a role (pool, train, validation, test) and the iteration that produced it.
 *
 * Life cycle of a frame: it is appended (usually unlabeled, role POOL) when exploration picks
 * it, labeled later in place (al_store_set_labels) when the DFT result arrives, and given a
 * role once per campaign (al_store_set_role). Frames are never removed or reordered, so a
 * frame index is a stable name for it.
 *
 * Crash safety: a process killed at any moment (SIGKILL, power aside) leaves a file that opens
 * and reads with every committed frame intact. An append is committed when it returns AL_OK;
 * a frame whose append was interrupted is absent after reopening. A label or role update is
 * either fully visible or not at all: the data are written and flushed first, the presence flag
 * last. How: the file is written in HDF5's single-writer/multiple-reader (SWMR) mode, whose
 * ordered metadata flushes keep the on-disk structure valid at every instant; all frame data
 * live in extendible tables that only grow, and a small checksummed commit record (two
 * alternating slots) that holds the number of committed rows of each table is rewritten after
 * each flushed append. Rows beyond the commit record are ignored and overwritten by the next
 * append. Reopening after a crash is automatic (the stale "file open for write" mark that HDF5
 * leaves is cleared after the store has taken its own lock, with a warning in the log); a
 * writer that reopens such a file also moves HDF5's end-of-allocation address 8 MiB past the
 * file's end (a sparse hole) so that no new allocation can land on space the killed writer
 * had already handed out. A writer killed while creating the file leaves only a
 * "<path>.tmp-<pid>" file behind, never a half-made <path>.
 * Files use the HDF5 1.10 object format (needed for SWMR): HDF5 >= 1.10 and h5py read them.
 *
 * Concurrency: one writer per file, enforced with an advisory lock (flock) on the file; readers
 * take a shared lock, so opening a file that another process is writing fails with AL_EIO.
 * An al_store handle is not thread-safe.
 *
 * File layout, version 1 (all under the group /frames, so other parts of galore can keep
 * their own groups such as /state or /bo in the same file). /frames carries the attributes
 * galore_format = "dataset" and version = 1. Tables (first dimension grows):
 *   per frame:  atom_start, n_atoms (int64), cell (n×3×3, Angstrom), pbc (n×3, uint8),
 *               role (int8: 0 pool, 1 train, 2 validation, 3 test), iteration (int32),
 *               labels (uint8 bits: 1 energy, 2 forces, 4 virial), has_velocities (uint8),
 *               energy (eV), virial (n×3×3, eV), info_start, info_count, prop_start,
 *               prop_count (int64)
 *   per atom:   z (int32), positions (Angstrom), velocities (Angstrom/fs), forces
 *               (eV/Angstrom); absent values are NaN
 *   info entry: info_key, info_type (0 str, 1 int, 2 real, 3 bool), info_n, info_value
 *   atom prop:  prop_name, prop_type, prop_ncols, prop_value
 *   pools:      chars (uint8, NUL-terminated strings), ints (int64), reals (float64); the
 *               *_key / *_name / *_value columns are offsets into the pool of their type
 *   commit:     2×16 int64, the commit record
 * Every physical table has a "units" attribute and every table a "description".
 */
#ifndef AL_DATASET_H
#define AL_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/elements.h"
#include "core/frame.h"
#include "core/status.h"

enum { AL_STORE_FORMAT_VERSION = 1 };

typedef enum al_store_mode {
    AL_STORE_READ,   /* existing file, read only */
    AL_STORE_APPEND  /* read and write; the file is created when missing */
} al_store_mode;

typedef enum al_role {
    AL_ROLE_POOL = 0,  /* not (yet) used for fitting or testing */
    AL_ROLE_TRAIN = 1,
    AL_ROLE_VALIDATION = 2,
    AL_ROLE_TEST = 3,
    AL_ROLE_COUNT = 4
} al_role;
#define AL_ROLE_NONE AL_ROLE_POOL

/* Short lowercase name ("pool", "train", "validation", "test"); "?" when out of range. */
const char *al_role_name(al_role role);

/* Per-frame metadata kept beside the frame. */
typedef struct al_store_meta {
    al_role role;
    int iteration;   /* campaign iteration that produced the frame (0 for the initial set) */
} al_store_meta;

typedef struct al_store al_store;

/*
 * Opens the store at path. AL_STORE_APPEND creates the file (atomically: written under a
 * temporary name, then renamed) when it does not exist. Errors name the file:
 * AL_ENOTFOUND (missing file in READ mode), AL_EFORMAT (not HDF5, or HDF5 without /frames),
 * AL_EVERSION (galore_format/version attribute missing or not this version), AL_EIO (locked
 * by another process, or an HDF5 failure). *out is NULL on failure.
 */
al_status al_store_open(const char *path, al_store_mode mode, al_store **out, al_err *err);

/* Flushes and closes; NULL is allowed. Everything committed is already on disk before this. */
void al_store_close(al_store *s);

/* Number of committed frames. */
size_t al_store_count(const al_store *s);

/* The path the store was opened with (borrowed). */
const char *al_store_path(const al_store *s);

/*
 * Appends a frame (borrowed; copied to the file) with its metadata (NULL means pool,
 * iteration 0) and commits it. *index (may be NULL) receives the new frame's index.
 * Every field of al_frame is stored: labels by their flags, velocities when present, the info
 * map with types, and extra per-atom props. AL_EINVAL in READ mode or for an invalid frame.
 */
al_status al_store_append(al_store *s, const al_frame *f, const al_store_meta *meta,
                          size_t *index, al_err *err);

/* Reads frame `index` into f (finalised first; caller owns and calls al_frame_fini).
 * meta may be NULL. AL_EINVAL when index >= count. */
al_status al_store_read(const al_store *s, size_t index, al_frame *f, al_store_meta *meta,
                        al_err *err);

/* Cheap per-frame metadata (kept in memory): role, iteration, atoms, label flags. */
al_status al_store_frame_meta(const al_store *s, size_t index, al_store_meta *meta,
                              size_t *n_atoms, unsigned *labels, al_err *err);

/* Changes the role of a committed frame; durable when it returns AL_OK. */
al_status al_store_set_role(al_store *s, size_t index, al_role role, al_err *err);

/*
 * Adds labels to a committed frame: every label whose flag is set in `labels->labels` is
 * copied (energy, forces, virial) and marked present; labels not set are left as they were.
 * `labels->n_atoms` must match the stored frame (positions, species and the rest of `labels`
 * are not used). Data are flushed before the presence flags are written, so adding a label is
 * atomic; replacing a label that is already present is not (a crash part-way can leave a mix
 * of old and new forces under a set flag).
 */
al_status al_store_set_labels(al_store *s, size_t index, const al_frame *labels, al_err *err);

/* Selection of frames. Fields combine with AND. Start from al_store_filter_all(). */
typedef struct al_store_filter {
    unsigned roles;          /* bitmask of (1u << al_role); 0 means any role */
    long iter_min, iter_max; /* inclusive iteration range */
    int labeled;             /* -1 any, 0 only frames without any label, 1 only with some */
    unsigned labels_all;     /* AL_LBL_* bits that must all be present (0: no requirement) */
    size_t atoms_min, atoms_max; /* inclusive atom-count range */
} al_store_filter;

/* A filter that accepts every frame. */
al_store_filter al_store_filter_all(void);

/* Indices (ascending) of the frames that pass the filter. *idx is allocated with al_malloc
 * (NULL when *n == 0) and freed by the caller with al_free. */
al_status al_store_select(const al_store *s, const al_store_filter *flt, size_t **idx,
                          size_t *n, al_err *err);

/* What `galore info` shows about a dataset file. */
typedef struct al_store_summary {
    long version;
    size_t n_frames, n_atoms_total;
    size_t per_role[AL_ROLE_COUNT];
    size_t n_labeled, n_energy, n_forces, n_virial, n_velocities;
    size_t atoms_min, atoms_max;     /* 0, 0 when empty */
    long iter_min, iter_max;         /* 0, 0 when empty */
    size_t species[AL_MAX_Z + 1];    /* atoms of each atomic number over all frames */
} al_store_summary;

al_status al_store_summarize(const al_store *s, al_store_summary *sum, al_err *err);

/* Writes a human-readable summary (several lines) to out. */
al_status al_store_print_summary(const al_store *s, FILE *out, al_err *err);

#endif
