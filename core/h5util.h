/*
 * Small HDF5 helpers shared by every galore file that lives in HDF5: the dataset store
 * (core/dataset_h5.c), and later the GAP model file and the campaign state.
 *
 * - Attributes: a string, an integer or a real scalar attached to any object, read back with a
 *   clear "not found" when absent (units, format names and versions are attributes).
 * - Extendible datasets: rank 1–3, the first dimension unlimited and chunked, the others fixed
 *   ("rows" of a table). Rows are written at any position (growing the extent, never shrinking
 *   it) and read back by range; this is what append-only stores need.
 * - Error handling: HDF5 prints its error stack to stderr by default. al_h5_quiet_begin/end
 *   silence it around a block of calls (restoring the caller's handler afterwards), and
 *   al_h5_last_error fetches the innermost HDF5 message so it can go into an al_err.
 *
 * All functions take an open hid_t they borrow (never close) and report failures as al_status
 * with a message that names the object. Reference: HDF5 1.10 C reference manual.
 */
#ifndef AL_H5UTIL_H
#define AL_H5UTIL_H

#include <stddef.h>

#include <hdf5.h>

#include "core/status.h"

/* Saved HDF5 automatic error handler, restored by al_h5_quiet_end. */
typedef struct al_h5_quiet {
    H5E_auto2_t func;
    void *data;
} al_h5_quiet;

/* Turns off HDF5's error-stack printing for the calling thread; pair with al_h5_quiet_end. */
void al_h5_quiet_begin(al_h5_quiet *q);
void al_h5_quiet_end(const al_h5_quiet *q);

/* Copies the innermost (most specific) message of the current HDF5 error stack into buf
 * ("" when the stack is empty). */
void al_h5_last_error(char *buf, size_t cap);

/* Attributes on obj (a file, group or dataset id). Writing replaces an existing attribute. */
al_status al_h5_attr_write_str(hid_t obj, const char *name, const char *value, al_err *err);
al_status al_h5_attr_write_int(hid_t obj, const char *name, long value, al_err *err);
al_status al_h5_attr_write_real(hid_t obj, const char *name, double value, al_err *err);
/* Reads a string attribute into buf (truncated to cap−1 characters). AL_ENOTFOUND when the
 * attribute is absent, AL_EFORMAT when it is not a string. */
al_status al_h5_attr_read_str(hid_t obj, const char *name, char *buf, size_t cap, al_err *err);
/* Reads an integer (or real) scalar attribute; AL_ENOTFOUND when absent. */
al_status al_h5_attr_read_int(hid_t obj, const char *name, long *value, al_err *err);
al_status al_h5_attr_read_real(hid_t obj, const char *name, double *value, al_err *err);

/*
 * Creates an empty extendible dataset `name` in loc: shape (0, inner[0], ..., inner[rank−2])
 * with the first dimension unlimited, chunks of chunk_rows rows, element type `type`
 * (a file type such as H5T_IEEE_F64LE). `units` (may be NULL) becomes a "units" attribute.
 * The caller closes the returned dataset id (*out).
 */
al_status al_h5_ext_create(hid_t loc, const char *name, hid_t type, int rank,
                           const hsize_t *inner, hsize_t chunk_rows, const char *units,
                           hid_t *out, al_err *err);

/* Current number of rows (first dimension) of a dataset. */
al_status al_h5_rows(hid_t dset, hsize_t *rows, al_err *err);

/*
 * Writes nrows rows starting at row0 from buf (memory type mtype, rows contiguous), growing
 * the extent to row0 + nrows when it is smaller (it is never shrunk, so rows beyond a
 * committed count can be overwritten in place). nrows == 0 does nothing.
 */
al_status al_h5_write_rows(hid_t dset, hid_t mtype, hsize_t row0, hsize_t nrows,
                           const void *buf, al_err *err);

/* Appends nrows rows at the end of the dataset; *row0 (may be NULL) receives their start. */
al_status al_h5_append_rows(hid_t dset, hid_t mtype, hsize_t nrows, const void *buf,
                            hsize_t *row0, al_err *err);

/* Reads rows [row0, row0 + nrows) into buf; AL_EFORMAT when they lie beyond the extent. */
al_status al_h5_read_rows(hid_t dset, hid_t mtype, hsize_t row0, hsize_t nrows, void *buf,
                          al_err *err);

#endif
