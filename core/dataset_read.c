/*
 * Reading a frame back from the HDF5 store (the inverse of dataset_io.c; layout in
 * dataset.h). Offsets read from the file are checked against the frame's own slice of each
 * pool, so a damaged file gives AL_EFORMAT rather than a read out of bounds.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/dataset_impl.h"
#include "core/h5util.h"

/* A frame's slice of the three pools and its entry rows, read into memory. */
typedef struct slices {
    int64_t start[3], len[3];     /* chars, ints, reals: absolute start and length */
    unsigned char *chars;
    int64_t *ints;
    double *reals;
    int64_t info_start, info_count, prop_start, prop_count;
    int64_t *ent[8];              /* info key, type, n, value; prop name, type, ncols, value */
} slices;

static void slices_fini(slices *sl)
{
    al_free(sl->chars);
    al_free(sl->ints);
    al_free(sl->reals);
    for (int k = 0; k < 8; k++) al_free(sl->ent[k]);
}

static al_status read_i64(const al_store *s, ds_col c, uint64_t row0, int64_t n, int64_t **out,
                          al_err *err)
{
    *out = al_malloc((size_t)(n > 0 ? n : 1) * sizeof **out);
    if (!*out) return al_fail(err, AL_ENOMEM, "out of memory reading /frames/%s", ds__cols[c].name);
    return al_h5_read_rows(s->d[c], H5T_NATIVE_INT64, row0, (hsize_t)n, *out, err);
}

static al_status read_slices(const al_store *s, size_t i, slices *sl, al_err *err)
{
    static const ds_col starts[3] = {C_CHAR_START, C_INT_START, C_REAL_START};
    static const ds_axis axes[3] = {AX_CHAR, AX_INT, AX_REAL};
    for (int k = 0; k < 3; k++) {
        int64_t end = (int64_t)s->n[axes[k]];
        AL_TRY(err, ds__frame_read(s, starts[k], i, &sl->start[k], err));
        if (i + 1 < s->n[AX_FRAME]) AL_TRY(err, ds__frame_read(s, starts[k], i + 1, &end, err));
        sl->len[k] = end - sl->start[k];
        if (sl->start[k] < 0 || sl->len[k] < 0 || (uint64_t)end > s->n[axes[k]])
            return al_fail(err, AL_EFORMAT, "frame %zu: bad /frames/%s", i, ds__cols[starts[k]].name);
    }
    size_t nc = (size_t)sl->len[0] + 1, ni = (size_t)sl->len[1] + 1, nr = (size_t)sl->len[2] + 1;
    sl->chars = al_malloc(nc);
    sl->ints = al_malloc(ni * sizeof *sl->ints);
    sl->reals = al_malloc(nr * sizeof *sl->reals);
    if (!sl->chars || !sl->ints || !sl->reals)
        return al_fail(err, AL_ENOMEM, "out of memory reading frame %zu", i);
    AL_TRY(err, al_h5_read_rows(s->d[C_CHARS], H5T_NATIVE_UINT8, (hsize_t)sl->start[0], (hsize_t)sl->len[0], sl->chars, err));
    AL_TRY(err, al_h5_read_rows(s->d[C_INTS], H5T_NATIVE_INT64, (hsize_t)sl->start[1], (hsize_t)sl->len[1], sl->ints, err));
    AL_TRY(err, al_h5_read_rows(s->d[C_REALS], H5T_NATIVE_DOUBLE, (hsize_t)sl->start[2], (hsize_t)sl->len[2], sl->reals, err));
    AL_TRY(err, ds__frame_read(s, C_INFO_START, i, &sl->info_start, err));
    AL_TRY(err, ds__frame_read(s, C_INFO_COUNT, i, &sl->info_count, err));
    AL_TRY(err, ds__frame_read(s, C_PROP_START, i, &sl->prop_start, err));
    AL_TRY(err, ds__frame_read(s, C_PROP_COUNT, i, &sl->prop_count, err));
    if (sl->info_start < 0 || sl->info_count < 0 || sl->prop_start < 0 || sl->prop_count < 0 ||
        (uint64_t)(sl->info_start + sl->info_count) > s->n[AX_INFO] ||
        (uint64_t)(sl->prop_start + sl->prop_count) > s->n[AX_PROP])
        return al_fail(err, AL_EFORMAT, "frame %zu: info or property rows out of range", i);
    for (int k = 0; k < 8; k++) {
        ds_col c = (ds_col)((k < 4 ? C_INFO_KEY : C_PROP_NAME) + k % 4);
        int64_t r0 = k < 4 ? sl->info_start : sl->prop_start;
        int64_t n = k < 4 ? sl->info_count : sl->prop_count;
        AL_TRY(err, read_i64(s, c, (uint64_t)r0, n, &sl->ent[k], err));
    }
    return AL_OK;
}

/* The string at absolute chars offset `at`, or NULL when it is not inside the slice. */
static const char *get_str(const slices *sl, int64_t at, int64_t *next)
{
    int64_t off = at - sl->start[0];
    if (off < 0 || off >= sl->len[0]) return NULL;
    const unsigned char *p = sl->chars + off;
    const void *nul = memchr(p, 0, (size_t)(sl->len[0] - off));
    if (!nul) return NULL;
    if (next) *next = at + ((const unsigned char *)nul - p) + 1;
    return (const char *)p;
}

/* Checks that n values of `type` at absolute offset `at` lie in the frame's pool slice. */
static int values_ok(const slices *sl, al_val_type type, int64_t at, int64_t n)
{
    int k = type == AL_VAL_REAL ? 2 : 1;
    return n >= 0 && at >= sl->start[k] && at - sl->start[k] + n <= sl->len[k];
}

static al_status decode_info(al_frame *f, const slices *sl, al_err *err)
{
    for (int64_t e = 0; e < sl->info_count; e++) {
        const char *key = get_str(sl, sl->ent[0][e], NULL);
        al_val_type type = (al_val_type)sl->ent[1][e];
        int64_t n = sl->ent[2][e], at = sl->ent[3][e];
        if (!key || type > AL_VAL_BOOL || (type != AL_VAL_STR && !values_ok(sl, type, at, n)))
            return al_fail(err, AL_EFORMAT, "info entry %lld is damaged", (long long)e);
        if (type == AL_VAL_STR) {
            const char *v = get_str(sl, at, NULL);
            if (!v) return al_fail(err, AL_EFORMAT, "info '%s' has a damaged string", key);
            AL_TRY(err, al_info_set_str(&f->info, key, v, err));
        } else if (type == AL_VAL_REAL) {
            AL_TRY(err, al_info_set_reals(&f->info, key, sl->reals + (at - sl->start[2]),
                                          (size_t)n, err));
        } else {
            long *v = al_malloc((size_t)(n ? n : 1) * sizeof *v);
            if (!v) return al_fail(err, AL_ENOMEM, "out of memory reading info '%s'", key);
            for (int64_t k = 0; k < n; k++) v[k] = (long)sl->ints[at - sl->start[1] + k];
            al_status st = al_info_set_ints(&f->info, key, v, (size_t)n, type, err);
            al_free(v);
            AL_TRY(err, st);
        }
    }
    return AL_OK;
}

static al_status decode_props(al_frame *f, const slices *sl, al_err *err)
{
    for (int64_t e = 0; e < sl->prop_count; e++) {
        const char *name = get_str(sl, sl->ent[4][e], NULL);
        al_val_type type = (al_val_type)sl->ent[5][e];
        int64_t ncols = sl->ent[6][e], at = sl->ent[7][e];
        int64_t n = (int64_t)f->n_atoms * ncols;
        al_atom_prop *p;
        if (!name || type > AL_VAL_BOOL || ncols < 1 ||
            (type != AL_VAL_STR && !values_ok(sl, type, at, n)))
            return al_fail(err, AL_EFORMAT, "per-atom property %lld is damaged", (long long)e);
        AL_TRY(err, al_frame_add_prop(f, name, type, (int)ncols, &p, err));
        for (int64_t k = 0; k < n; k++) {
            if (type == AL_VAL_STR) {
                const char *v = get_str(sl, at, &at);
                if (!v) return al_fail(err, AL_EFORMAT, "property '%s' has a damaged string", name);
                if (!(p->strs[k] = al_strdup(v)))
                    return al_fail(err, AL_ENOMEM, "out of memory reading property '%s'", name);
            } else if (type == AL_VAL_REAL) {
                p->reals[k] = sl->reals[at - sl->start[2] + k];
            } else {
                p->ints[k] = (long)sl->ints[at - sl->start[1] + k];
            }
        }
    }
    return AL_OK;
}

static al_status read_atoms(const al_store *s, size_t i, al_frame *f, al_err *err)
{
    size_t n = (size_t)s->n_atoms[i];
    hsize_t a0 = (hsize_t)s->atom_start[i];
    uint8_t has_vel = 0;
    AL_TRY(err, al_frame_alloc(f, n, err));
    int32_t *z = al_malloc((n ? n : 1) * sizeof *z);
    if (!z) return al_fail(err, AL_ENOMEM, "out of memory reading %zu atoms", n);
    al_status st = al_h5_read_rows(s->d[C_Z], H5T_NATIVE_INT32, a0, n, z, err);
    for (size_t k = 0; k < n && !st; k++) f->z[k] = z[k];
    al_free(z);
    AL_TRY(err, st);
    AL_TRY(err, al_h5_read_rows(s->d[C_POS], H5T_NATIVE_DOUBLE, a0, n, f->pos, err));
    AL_TRY(err, ds__frame_read(s, C_HAS_VEL, i, &has_vel, err));
    if (has_vel) {
        AL_TRY(err, al_frame_alloc_vel(f, err));
        AL_TRY(err, al_h5_read_rows(s->d[C_VEL], H5T_NATIVE_DOUBLE, a0, n, f->vel, err));
    }
    if (s->labels[i] & AL_LBL_FORCES) {
        AL_TRY(err, al_frame_alloc_forces(f, err));
        AL_TRY(err, al_h5_read_rows(s->d[C_FORCES], H5T_NATIVE_DOUBLE, a0, n, f->forces, err));
    }
    return AL_OK;
}

static al_status read_frame(const al_store *s, size_t i, al_frame *f, al_err *err)
{
    uint8_t pbc[3];
    slices sl;
    memset(&sl, 0, sizeof sl);
    AL_TRY(err, read_atoms(s, i, f, err));
    f->labels = s->labels[i];
    AL_TRY(err, ds__frame_read(s, C_CELL, i, f->cell, err));
    AL_TRY(err, ds__frame_read(s, C_PBC, i, pbc, err));
    for (int k = 0; k < 3; k++) f->pbc[k] = pbc[k] != 0;
    if (f->labels & AL_LBL_ENERGY) AL_TRY(err, ds__frame_read(s, C_ENERGY, i, &f->energy, err));
    if (f->labels & AL_LBL_VIRIAL) AL_TRY(err, ds__frame_read(s, C_VIRIAL, i, f->virial, err));
    al_status st = read_slices(s, i, &sl, err);
    if (!st) st = decode_info(f, &sl, err);
    if (!st) st = decode_props(f, &sl, err);
    slices_fini(&sl);
    return st;
}

al_status al_store_read(const al_store *s, size_t index, al_frame *f, al_store_meta *meta,
                        al_err *err)
{
    if (index >= s->n[AX_FRAME])
        return al_fail(err, AL_EINVAL, "'%s' has %zu frames; frame %zu does not exist", s->path,
                       (size_t)s->n[AX_FRAME], index);
    al_h5_quiet q;
    al_h5_quiet_begin(&q);
    al_status st = read_frame(s, index, f, err);
    al_h5_quiet_end(&q);
    if (st) {
        al_frame_fini(f);
        return al_fail_wrap(err, "reading frame %zu of '%s': ", index, s->path);
    }
    if (meta) {
        meta->role = (al_role)s->role[index];
        meta->iteration = s->iter[index];
    }
    return AL_OK;
}
