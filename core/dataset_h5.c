/*
 * The HDF5 dataset store: file layout, creation, opening (with version checks and recovery
 * after a crash), locking and the commit record (see dataset.h for the design).
 *
 * Why SWMR: HDF5 1.10 has no journal, and in its normal mode the metadata cache may write
 * B-tree nodes and object headers in any order, so a process killed during a flush can leave
 * a file that does not open. In single-writer/multiple-reader mode the library orders its
 * metadata writes by flush dependencies so that the file is valid for a reader at every
 * instant; SWMR only allows growing existing chunked tables, which is all an append-only
 * store needs. The commit record then decides which of the rows present are complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/dataset_impl.h"
#include "core/h5util.h"
#include "core/log.h"
#include "core/version.h"

#define ROW(name, axis, elem, width, units, desc) {name, axis, elem, width, units, desc}
const ds_col_def ds__cols[C_COUNT] = {
    [C_ATOM_START] = ROW("atom_start", AX_FRAME, E_I64, 1, NULL, "first row of the frame in the per-atom tables"),
    [C_N_ATOMS] = ROW("n_atoms", AX_FRAME, E_I64, 1, NULL, "number of atoms of the frame"),
    [C_CELL] = ROW("cell", AX_FRAME, E_F64, 9, "Angstrom", "lattice vectors a, b, c as rows"),
    [C_PBC] = ROW("pbc", AX_FRAME, E_U8, 3, NULL, "periodic along a, b, c (1) or not (0)"),
    [C_ROLE] = ROW("role", AX_FRAME, E_I8, 1, NULL, "0 pool, 1 train, 2 validation, 3 test"),
    [C_ITER] = ROW("iteration", AX_FRAME, E_I32, 1, NULL, "campaign iteration that produced the frame"),
    [C_LABELS] = ROW("labels", AX_FRAME, E_U8, 1, NULL, "present labels: bit 1 energy, 2 forces, 4 virial"),
    [C_HAS_VEL] = ROW("has_velocities", AX_FRAME, E_U8, 1, NULL, "1 when the frame has velocities"),
    [C_ENERGY] = ROW("energy", AX_FRAME, E_F64, 1, "eV", "total energy (NaN when absent)"),
    [C_VIRIAL] = ROW("virial", AX_FRAME, E_F64, 9, "eV", "virial = -stress * volume (NaN when absent)"),
    [C_INFO_START] = ROW("info_start", AX_FRAME, E_I64, 1, NULL, "first row of the frame's info entries"),
    [C_INFO_COUNT] = ROW("info_count", AX_FRAME, E_I64, 1, NULL, "number of info entries of the frame"),
    [C_PROP_START] = ROW("prop_start", AX_FRAME, E_I64, 1, NULL, "first row of the frame's per-atom properties"),
    [C_PROP_COUNT] = ROW("prop_count", AX_FRAME, E_I64, 1, NULL, "number of per-atom properties of the frame"),
    [C_CHAR_START] = ROW("chars_start", AX_FRAME, E_I64, 1, NULL, "first element of the frame's data in chars"),
    [C_INT_START] = ROW("ints_start", AX_FRAME, E_I64, 1, NULL, "first element of the frame's data in ints"),
    [C_REAL_START] = ROW("reals_start", AX_FRAME, E_I64, 1, NULL, "first element of the frame's data in reals"),
    [C_Z] = ROW("z", AX_ATOM, E_I32, 1, NULL, "atomic numbers"),
    [C_POS] = ROW("positions", AX_ATOM, E_F64, 3, "Angstrom", "Cartesian positions"),
    [C_VEL] = ROW("velocities", AX_ATOM, E_F64, 3, "Angstrom/fs", "velocities (NaN when absent)"),
    [C_FORCES] = ROW("forces", AX_ATOM, E_F64, 3, "eV/Angstrom", "forces (NaN when absent)"),
    [C_INFO_KEY] = ROW("info_key", AX_INFO, E_I64, 1, NULL, "offset of the NUL-terminated key in chars"),
    [C_INFO_TYPE] = ROW("info_type", AX_INFO, E_I8, 1, NULL, "0 string, 1 int, 2 real, 3 bool"),
    [C_INFO_N] = ROW("info_n", AX_INFO, E_I64, 1, NULL, "number of values (1 for a string)"),
    [C_INFO_VALUE] = ROW("info_value", AX_INFO, E_I64, 1, NULL, "offset of the values in chars, ints or reals by type"),
    [C_PROP_NAME] = ROW("prop_name", AX_PROP, E_I64, 1, NULL, "offset of the NUL-terminated name in chars"),
    [C_PROP_TYPE] = ROW("prop_type", AX_PROP, E_I8, 1, NULL, "0 string, 1 int, 2 real, 3 bool"),
    [C_PROP_NCOLS] = ROW("prop_ncols", AX_PROP, E_I64, 1, NULL, "columns per atom"),
    [C_PROP_VALUE] = ROW("prop_value", AX_PROP, E_I64, 1, NULL, "offset of the n_atoms x ncols values (strings: NUL-terminated, in chars)"),
    [C_CHARS] = ROW("chars", AX_CHAR, E_U8, 1, NULL, "pool of NUL-terminated UTF-8 strings"),
    [C_INTS] = ROW("ints", AX_INT, E_I64, 1, NULL, "pool of integer values"),
    [C_REALS] = ROW("reals", AX_REAL, E_F64, 1, NULL, "pool of real values"),
};
#undef ROW

static const hsize_t chunk_rows[AX_COUNT] = {256, 2048, 256, 64, 4096, 512, 512};

/* Bytes reserved past the end of a file recovered after a crash: more than one append can
 * allocate (about 30 tables, chunks of at most 48 KiB, plus their index blocks). */
#define DS_RECOVERY_MARGIN ((hsize_t)8 << 20)

hid_t ds__mtype(ds_elem e)
{
    switch (e) {
    case E_I64: return H5T_NATIVE_INT64;
    case E_I32: return H5T_NATIVE_INT32;
    case E_I8: return H5T_NATIVE_INT8;
    case E_U8: return H5T_NATIVE_UINT8;
    default: return H5T_NATIVE_DOUBLE;
    }
}

static hid_t file_type(ds_elem e)
{
    switch (e) {
    case E_I64: return H5T_STD_I64LE;
    case E_I32: return H5T_STD_I32LE;
    case E_I8: return H5T_STD_I8LE;
    case E_U8: return H5T_STD_U8LE;
    default: return H5T_IEEE_F64LE;
    }
}

const char *al_role_name(al_role role)
{
    static const char *const names[AL_ROLE_COUNT] = {"pool", "train", "validation", "test"};
    return (int)role >= 0 && role < AL_ROLE_COUNT ? names[role] : "?";
}

/* File access: newest format (needed for SWMR), and no HDF5 file locks: the store takes its
 * own flock, which also covers the time a SWMR writer runs (HDF5 drops its lock then). */
static hid_t make_fapl(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    H5Pset_file_locking(fapl, 0, 1);
    return fapl;
}

/* FNV-1a over the first DS_SLOT_WIDTH−1 words of a slot. */
static int64_t slot_checksum(const int64_t *slot)
{
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *p = (const unsigned char *)slot;
    for (size_t i = 0; i < (DS_SLOT_WIDTH - 1) * sizeof *slot; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return (int64_t)(h & 0x7fffffffffffffffULL);
}

static void fill_slot(int64_t slot[DS_SLOT_WIDTH], int64_t seq, const uint64_t n[AX_COUNT])
{
    memset(slot, 0, DS_SLOT_WIDTH * sizeof *slot);
    slot[0] = seq;
    for (int a = 0; a < AX_COUNT; a++) slot[1 + a] = (int64_t)n[a];
    slot[DS_SLOT_WIDTH - 1] = slot_checksum(slot);
}

static al_status write_layout(hid_t file, al_err *err)
{
    al_status st = AL_OK;
    hid_t g = H5Gcreate2(file, "frames", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return al_fail(err, AL_EIO, "cannot create group /frames");
    if ((st = al_h5_attr_write_str(g, "galore_format", "dataset", err)) ||
        (st = al_h5_attr_write_int(g, "version", AL_STORE_FORMAT_VERSION, err)) ||
        (st = al_h5_attr_write_str(g, "creator", "galore " GALORE_VERSION, err)) ||
        (st = al_h5_attr_write_str(g, "committed_rows", "see the commit table: rows beyond "
                                   "its newest valid slot are incomplete and must be ignored",
                                   err)))
        goto done;
    for (int c = 0; c < C_COUNT && !st; c++) {
        const ds_col_def *cd = &ds__cols[c];
        hsize_t inner[2] = {3, 3};
        hid_t d;
        int rank = cd->width == 1 ? 1 : cd->width == 3 ? 2 : 3;
        if (cd->width == 3) inner[0] = 3;
        st = al_h5_ext_create(g, cd->name, file_type(cd->elem), rank, inner,
                              chunk_rows[cd->axis], cd->units, &d, err);
        if (!st) st = al_h5_attr_write_str(d, "description", cd->description, err);
        if (d >= 0) H5Dclose(d);
    }
    if (st) goto done;
    /* The commit record: slot 0 says "nothing committed", slot 1 is invalid. */
    hsize_t dims[2] = {2, DS_SLOT_WIDTH};
    int64_t rec[2][DS_SLOT_WIDTH] = {{0}};
    uint64_t zero[AX_COUNT] = {0};
    fill_slot(rec[0], 1, zero);
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t d = H5Dcreate2(g, "commit", H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d < 0 || H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, rec) < 0)
        st = al_fail(err, AL_EIO, "cannot write the commit record");
    else
        st = al_h5_attr_write_str(d, "description", "two slots [seq, rows of frames, atoms, "
                                  "info, props, chars, ints, reals, 0..., FNV-1a checksum]; "
                                  "the valid slot with the larger seq counts", err);
    if (d >= 0) H5Dclose(d);
    if (sp >= 0) H5Sclose(sp);
done:
    H5Gclose(g);
    return st;
}

/* Creates a new store file under a temporary name and renames it into place, so a crash
 * during creation never leaves a half-made file at `path`. */
static al_status create_file(const char *path, al_err *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    hid_t fapl = make_fapl();
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (f < 0) {
        char h5msg[256];
        al_h5_last_error(h5msg, sizeof h5msg);
        return al_fail(err, AL_EIO, "cannot create dataset file '%s' (%s)", path, h5msg);
    }
    al_status st = write_layout(f, err);
    if (H5Fclose(f) < 0 && !st) st = al_fail(err, AL_EIO, "cannot close '%s'", tmp);
    if (!st && rename(tmp, path) != 0)
        st = al_fail(err, AL_EIO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
    if (st) {
        unlink(tmp);
        return al_fail_wrap(err, "creating dataset file '%s': ", path);
    }
    return AL_OK;
}

/* Reads the commit record and keeps the valid slot with the larger sequence number. A slot
 * torn by a crash fails its checksum; the other slot then still holds the previous commit. */
static al_status read_commit(al_store *s, al_err *err)
{
    int64_t rec[2][DS_SLOT_WIDTH];
    if (H5Dread(s->commit, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, rec) < 0)
        return al_fail(err, AL_EFORMAT, "'%s': cannot read /frames/commit", s->path);
    int best = -1;
    for (int k = 0; k < 2; k++)
        if (rec[k][0] > 0 && rec[k][DS_SLOT_WIDTH - 1] == slot_checksum(rec[k]) &&
            (best < 0 || rec[k][0] > rec[best][0]))
            best = k;
    if (best < 0)
        return al_fail(err, AL_EFORMAT, "'%s': no valid slot in /frames/commit", s->path);
    s->seq = rec[best][0];
    for (int a = 0; a < AX_COUNT; a++) {
        if (rec[best][1 + a] < 0)
            return al_fail(err, AL_EFORMAT, "'%s': negative count in /frames/commit", s->path);
        s->n[a] = (uint64_t)rec[best][1 + a];
    }
    for (int c = 0; c < C_COUNT; c++) {
        hsize_t rows;
        AL_TRY(err, al_h5_rows(s->d[c], &rows, err));
        if (rows < s->n[ds__cols[c].axis])
            return al_fail(err, AL_EFORMAT, "'%s': /frames/%s has %llu rows but %llu are "
                           "committed", s->path, ds__cols[c].name, (unsigned long long)rows,
                           (unsigned long long)s->n[ds__cols[c].axis]);
    }
    return AL_OK;
}

al_status ds__flush(al_store *s, al_err *err)
{
    if (H5Fflush(s->file, H5F_SCOPE_LOCAL) < 0)
        return al_fail(err, AL_EIO, "'%s': cannot flush the file", s->path);
    return AL_OK;
}

al_status ds__commit(al_store *s, const uint64_t counts[AX_COUNT], al_err *err)
{
    int64_t slot[DS_SLOT_WIDTH];
    int64_t seq = s->seq + 1;
    hsize_t start[2] = {(hsize_t)(seq % 2), 0}, count[2] = {1, DS_SLOT_WIDTH};
    /* Everything the new counts point at must be on disk before the counts are. */
    AL_TRY(err, ds__flush(s, err));
    fill_slot(slot, seq, counts);
    hid_t fs = H5Dget_space(s->commit), ms = H5Screate_simple(2, count, NULL);
    herr_t rc = -1;
    if (fs >= 0 && ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0)
        rc = H5Dwrite(s->commit, H5T_NATIVE_INT64, ms, fs, H5P_DEFAULT, slot);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    if (rc < 0) return al_fail(err, AL_EIO, "'%s': cannot write the commit record", s->path);
    AL_TRY(err, ds__flush(s, err));
    s->seq = seq;
    memcpy(s->n, counts, sizeof s->n);
    return AL_OK;
}

al_status ds__cache_reserve(al_store *s, size_t n, al_err *err)
{
    if (n <= s->cap) return AL_OK;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < n) cap *= 2;
    void *p[5] = {al_realloc(s->atom_start, cap * sizeof *s->atom_start),
                  NULL, NULL, NULL, NULL};
    if (p[0]) s->atom_start = p[0];
    if (p[0] && (p[1] = al_realloc(s->n_atoms, cap * sizeof *s->n_atoms))) s->n_atoms = p[1];
    if (p[1] && (p[2] = al_realloc(s->role, cap * sizeof *s->role))) s->role = p[2];
    if (p[2] && (p[3] = al_realloc(s->iter, cap * sizeof *s->iter))) s->iter = p[3];
    if (p[3] && (p[4] = al_realloc(s->labels, cap * sizeof *s->labels))) s->labels = p[4];
    if (!p[4]) return al_fail(err, AL_ENOMEM, "out of memory caching %zu frames", cap);
    s->cap = cap;
    return AL_OK;
}

al_status ds__frame_read(const al_store *s, ds_col c, size_t index, void *buf, al_err *err)
{
    return al_h5_read_rows(s->d[c], ds__mtype(ds__cols[c].elem), index, 1, buf, err);
}

al_status ds__frame_write(al_store *s, ds_col c, size_t index, const void *buf, al_err *err)
{
    return al_h5_write_rows(s->d[c], ds__mtype(ds__cols[c].elem), index, 1, buf, err);
}

/* Loads the per-frame cache from the committed rows. */
static al_status load_cache(al_store *s, al_err *err)
{
    size_t n = (size_t)s->n[AX_FRAME];
    AL_TRY(err, ds__cache_reserve(s, n, err));
    if (n == 0) return AL_OK;
    AL_TRY(err, al_h5_read_rows(s->d[C_ATOM_START], H5T_NATIVE_INT64, 0, n, s->atom_start, err));
    AL_TRY(err, al_h5_read_rows(s->d[C_N_ATOMS], H5T_NATIVE_INT64, 0, n, s->n_atoms, err));
    AL_TRY(err, al_h5_read_rows(s->d[C_ROLE], H5T_NATIVE_INT8, 0, n, s->role, err));
    AL_TRY(err, al_h5_read_rows(s->d[C_ITER], H5T_NATIVE_INT32, 0, n, s->iter, err));
    AL_TRY(err, al_h5_read_rows(s->d[C_LABELS], H5T_NATIVE_UINT8, 0, n, s->labels, err));
    for (size_t i = 0; i < n; i++)
        if (s->atom_start[i] < 0 || s->n_atoms[i] < 0 ||
            (uint64_t)(s->atom_start[i] + s->n_atoms[i]) > s->n[AX_ATOM])
            return al_fail(err, AL_EFORMAT, "'%s': frame %zu points outside the atom tables",
                           s->path, i);
    return AL_OK;
}

/* Takes the advisory lock: exclusive for a writer, shared for readers. */
static al_status take_lock(al_store *s, al_err *err)
{
    int wr = s->mode == AL_STORE_APPEND;
    s->lock_fd = open(s->path, wr ? O_RDWR : O_RDONLY);
    if (s->lock_fd < 0)
        return al_fail(err, errno == ENOENT ? AL_ENOTFOUND : AL_EIO,
                       "cannot open dataset file '%s': %s", s->path, strerror(errno));
    if (flock(s->lock_fd, (wr ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0)
        return al_fail(err, AL_EIO, "dataset file '%s' is %s by another process (%s)",
                       s->path, wr ? "in use" : "being written",
                       strerror(errno));
    return AL_OK;
}

/* HDF5 1.10.8 registers these two (undocumented) access properties for h5clear; older or
 * newer builds may not, so they are inserted when setting them fails. */
static void set_recovery_props(hid_t fapl)
{
    static const char *const names[2] = {"clear_status_flags", "skip_eof_check"};
    hbool_t yes = 1;
    for (int k = 0; k < 2; k++)
        if (H5Pset(fapl, names[k], &yes) < 0)
            H5Pinsert2(fapl, names[k], sizeof yes, &yes, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* Opens the HDF5 file. A writer killed earlier leaves HDF5's "open for write" mark (and
 * possibly an end-of-file address beyond the file's size) in the superblock, which makes a
 * plain open fail; holding our lock proves no writer is active, so the open is retried with
 * the library's recovery properties (the same ones h5clear sets). */
static al_status open_h5(al_store *s, al_err *err)
{
    /* Readers use SWMR-read access: a SWMR writer does not keep the superblock's
     * end-of-allocation address up to date (readers of a live file must see data beyond
     * it), so after a crash committed chunks can lie past that address, and only SWMR
     * readers are allowed to read there. */
    unsigned flags = s->mode == AL_STORE_APPEND ? H5F_ACC_RDWR | H5F_ACC_SWMR_WRITE
                                                : H5F_ACC_RDONLY | H5F_ACC_SWMR_READ;
    hid_t fapl = make_fapl();
    char h5msg[256] = "";
    s->file = H5Fopen(s->path, flags, fapl);
    if (s->file < 0) {
        al_h5_last_error(h5msg, sizeof h5msg);
        set_recovery_props(fapl);
        s->file = H5Fopen(s->path, flags, fapl);
        /* The killed writer may have flushed chunk indexes that point at space allocated
         * after the superblock's end-of-file address was last written. Moving that address
         * past both the stored value and the file's size (plus a margin for space the
         * writer allocated but had not yet written) keeps new allocations from landing on
         * such chunks; the margin is a sparse hole, not disk space. */
        if (s->file >= 0 && (flags & H5F_ACC_RDWR) &&
            H5Fincrement_filesize(s->file, DS_RECOVERY_MARGIN) < 0) {
            H5Fclose(s->file);
            s->file = H5I_INVALID_HID;
            snprintf(h5msg, sizeof h5msg, "cannot move the end-of-file address");
        }
        if (s->file >= 0)
            al_warn("dataset file '%s' was not closed cleanly (%s); recovered the committed "
                    "frames", s->path, h5msg);
    }
    H5Pclose(fapl);
    if (s->file < 0)
        return al_fail(err, AL_EIO, "cannot open dataset file '%s' for %s: %s", s->path,
                       s->mode == AL_STORE_APPEND ? "appending" : "reading", h5msg);
    return AL_OK;
}

/* The /frames group must say galore_format = "dataset" and version = 1. */
static al_status check_format(al_store *s, al_err *err)
{
    char fmt[64];
    al_err e2;
    if (H5Lexists(s->file, "frames", H5P_DEFAULT) <= 0 ||
        (s->group = H5Gopen2(s->file, "frames", H5P_DEFAULT)) < 0)
        return al_fail(err, AL_EFORMAT, "'%s' is an HDF5 file but not a galore dataset "
                       "(no /frames group)", s->path);
    if (al_h5_attr_read_str(s->group, "galore_format", fmt, sizeof fmt, &e2) ||
        strcmp(fmt, "dataset") != 0 || al_h5_attr_read_int(s->group, "version", &s->version, &e2))
        return al_fail(err, AL_EVERSION, "'%s': /frames has no galore_format=\"dataset\" and "
                       "version attributes; expected dataset format version %d", s->path,
                       AL_STORE_FORMAT_VERSION);
    if (s->version != AL_STORE_FORMAT_VERSION)
        return al_fail(err, AL_EVERSION, "'%s' has dataset format version %ld; this galore "
                       "reads version %d", s->path, s->version, AL_STORE_FORMAT_VERSION);
    for (int c = 0; c < C_COUNT; c++)
        if (H5Lexists(s->group, ds__cols[c].name, H5P_DEFAULT) <= 0 ||
            (s->d[c] = H5Dopen2(s->group, ds__cols[c].name, H5P_DEFAULT)) < 0)
            return al_fail(err, AL_EFORMAT, "'%s': table /frames/%s is missing", s->path,
                           ds__cols[c].name);
    if (H5Lexists(s->group, "commit", H5P_DEFAULT) <= 0 ||
        (s->commit = H5Dopen2(s->group, "commit", H5P_DEFAULT)) < 0)
        return al_fail(err, AL_EFORMAT, "'%s': /frames/commit is missing", s->path);
    return AL_OK;
}

/* Checks that path is an HDF5 file before HDF5 tries to open it. */
static al_status check_is_hdf5(const char *path, al_err *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return al_fail(err, AL_ENOTFOUND, "dataset file '%s' does not exist", path);
    if (H5Fis_hdf5(path) <= 0)
        return al_fail(err, AL_EFORMAT, "'%s' is not an HDF5 file (expected a galore dataset)",
                       path);
    return AL_OK;
}

static al_status open_store(al_store *s, al_err *err)
{
    struct stat sb;
    if (s->mode == AL_STORE_APPEND && stat(s->path, &sb) != 0)
        AL_TRY(err, create_file(s->path, err));
    AL_TRY(err, check_is_hdf5(s->path, err));
    AL_TRY(err, take_lock(s, err));
    AL_TRY(err, open_h5(s, err));
    AL_TRY(err, check_format(s, err));
    AL_TRY(err, read_commit(s, err));
    AL_TRY(err, load_cache(s, err));
    return AL_OK;
}

al_status al_store_open(const char *path, al_store_mode mode, al_store **out, al_err *err)
{
    al_h5_quiet q;
    *out = NULL;
    if (!path || (mode != AL_STORE_READ && mode != AL_STORE_APPEND))
        return al_fail(err, AL_EINVAL, "al_store_open: bad path or mode");
    al_store *s = al_calloc(1, sizeof *s);
    if (!s || !(s->path = al_strdup(path))) {
        al_free(s);
        return al_fail(err, AL_ENOMEM, "out of memory opening '%s'", path);
    }
    s->mode = mode;
    s->lock_fd = -1;
    s->file = s->group = s->commit = H5I_INVALID_HID;
    for (int c = 0; c < C_COUNT; c++) s->d[c] = H5I_INVALID_HID;
    al_h5_quiet_begin(&q);
    al_status st = open_store(s, err);
    al_h5_quiet_end(&q);
    if (st) {
        al_store_close(s);
        return st;
    }
    *out = s;
    return AL_OK;
}

void al_store_close(al_store *s)
{
    if (!s) return;
    al_h5_quiet q;
    al_h5_quiet_begin(&q);
    for (int c = 0; c < C_COUNT; c++)
        if (s->d[c] >= 0) H5Dclose(s->d[c]);
    if (s->commit >= 0) H5Dclose(s->commit);
    if (s->group >= 0) H5Gclose(s->group);
    if (s->file >= 0) H5Fclose(s->file);
    al_h5_quiet_end(&q);
    if (s->lock_fd >= 0) close(s->lock_fd);
    al_free(s->atom_start);
    al_free(s->n_atoms);
    al_free(s->role);
    al_free(s->iter);
    al_free(s->labels);
    al_free(s->path);
    al_free(s);
}

size_t al_store_count(const al_store *s) { return (size_t)s->n[AX_FRAME]; }

const char *al_store_path(const al_store *s) { return s->path; }
