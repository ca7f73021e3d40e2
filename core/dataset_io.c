/*
 * Appending frames to the HDF5 store and reading them back (see dataset.h for the layout).
 *
 * A frame is spread over the tables: its atoms are rows [atom_start, atom_start + n_atoms)
 * of the per-atom tables; its info entries and extra per-atom properties are rows of the
 * entry tables whose values sit in the three pools (chars, ints, reals). All rows of one
 * frame are written first and the commit record last, so an interrupted append leaves only
 * uncommitted rows that the next append overwrites.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/dataset_impl.h"
#include "core/h5util.h"

/* A growable array of fixed-size elements. */
typedef struct grow {
    unsigned char *p;
    size_t n, cap, size;
} grow;

static int grow_push(grow *g, const void *v, size_t count)
{
    if (g->n + count > g->cap) {
        size_t cap = g->cap ? g->cap : 16;
        while (cap < g->n + count) cap *= 2;
        unsigned char *q = al_realloc(g->p, cap * g->size);
        if (!q) return -1;
        g->p = q;
        g->cap = cap;
    }
    if (count) memcpy(g->p + g->n * g->size, v, count * g->size);
    g->n += count;
    return 0;
}

/* The entry tables and pools of one frame, in the order of ds_col from C_INFO_KEY on. */
enum { EX_FIRST = C_INFO_KEY, EX_COUNT = C_COUNT - C_INFO_KEY };
typedef struct extras {
    grow g[EX_COUNT];
    uint64_t base[AX_COUNT];   /* committed rows: offsets stored in the file are absolute */
    int oom;
} extras;

static grow *ex(extras *e, ds_col c) { return &e->g[c - EX_FIRST]; }

static void push(extras *e, ds_col c, const void *v, size_t count)
{
    if (grow_push(ex(e, c), v, count)) e->oom = 1;
}

static void push_i64(extras *e, ds_col c, int64_t v) { push(e, c, &v, 1); }

/* Adds a NUL-terminated string to the chars pool; returns its absolute offset. */
static int64_t push_str(extras *e, const char *str)
{
    int64_t at = (int64_t)(e->base[AX_CHAR] + ex(e, C_CHARS)->n);
    if (!str) str = "";
    push(e, C_CHARS, str, strlen(str) + 1);
    return at;
}

/* Adds values to the pool of their type; returns the absolute offset of the first. */
static int64_t push_values(extras *e, al_val_type type, size_t n, char *const *strs,
                           const long *ints, const double *reals)
{
    if (type == AL_VAL_STR) {
        int64_t at = push_str(e, strs[0]);
        for (size_t i = 1; i < n; i++) push_str(e, strs[i]);
        return at;
    }
    if (type == AL_VAL_REAL) {
        int64_t at = (int64_t)(e->base[AX_REAL] + ex(e, C_REALS)->n);
        push(e, C_REALS, reals, n);
        return at;
    }
    int64_t at = (int64_t)(e->base[AX_INT] + ex(e, C_INTS)->n);
    for (size_t i = 0; i < n; i++) push_i64(e, C_INTS, ints[i]);
    return at;
}

static void encode_extras(extras *e, const al_frame *f)
{
    for (size_t k = 0; k < f->info.n; k++) {
        const al_kv *kv = &f->info.items[k];
        int8_t type = (int8_t)kv->type;
        char *str = kv->str;
        push_i64(e, C_INFO_KEY, push_str(e, kv->key));
        push(e, C_INFO_TYPE, &type, 1);
        push_i64(e, C_INFO_N, kv->type == AL_VAL_STR ? 1 : (int64_t)kv->n);
        push_i64(e, C_INFO_VALUE, push_values(e, kv->type, kv->type == AL_VAL_STR ? 1 : kv->n,
                                              &str, kv->ints, kv->reals));
    }
    for (size_t k = 0; k < f->n_props; k++) {
        const al_atom_prop *p = &f->props[k];
        int8_t type = (int8_t)p->type;
        push_i64(e, C_PROP_NAME, push_str(e, p->name));
        push(e, C_PROP_TYPE, &type, 1);
        push_i64(e, C_PROP_NCOLS, p->ncols);
        push_i64(e, C_PROP_VALUE, push_values(e, p->type, f->n_atoms * (size_t)p->ncols,
                                              p->strs, p->ints, p->reals));
    }
}

static al_status put(al_store *s, ds_col c, uint64_t row0, size_t nrows, const void *buf,
                     al_err *err)
{
    return al_h5_write_rows(s->d[c], ds__mtype(ds__cols[c].elem), row0, nrows, buf, err);
}

/* Writes the per-atom rows; absent velocities and forces are stored as NaN. */
static al_status write_atoms(al_store *s, const al_frame *f, al_err *err)
{
    size_t n = f->n_atoms;
    uint64_t a0 = s->n[AX_ATOM];
    al_status st = AL_OK;
    int32_t *z = al_malloc((n ? n : 1) * sizeof *z);
    double(*nan3)[3] = al_malloc((n ? n : 1) * sizeof *nan3);
    if (!z || !nan3) {
        st = al_fail(err, AL_ENOMEM, "out of memory storing a frame of %zu atoms", n);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        z[i] = f->z[i];
        nan3[i][0] = nan3[i][1] = nan3[i][2] = NAN;
    }
    const void *forces = (f->labels & AL_LBL_FORCES) ? (const void *)f->forces : nan3;
    const void *vel = f->vel ? (const void *)f->vel : nan3;
    if ((st = put(s, C_Z, a0, n, z, err)) || (st = put(s, C_POS, a0, n, f->pos, err)) ||
        (st = put(s, C_VEL, a0, n, vel, err)) || (st = put(s, C_FORCES, a0, n, forces, err)))
        goto done;
done:
    al_free(z);
    al_free(nan3);
    return st;
}

static al_status write_extras(al_store *s, extras *e, al_err *err)
{
    for (int c = EX_FIRST; c < C_COUNT; c++) {
        grow *g = ex(e, (ds_col)c);
        AL_TRY(err, put(s, (ds_col)c, s->n[ds__cols[c].axis], g->n, g->p, err));
    }
    return AL_OK;
}

static al_status write_frame_row(al_store *s, const al_frame *f, const al_store_meta *m,
                                 al_err *err)
{
    uint64_t i = s->n[AX_FRAME];
    double nan9[9], energy = (f->labels & AL_LBL_ENERGY) ? f->energy : NAN;
    for (int k = 0; k < 9; k++) nan9[k] = NAN;
    uint8_t pbc[3] = {f->pbc[0], f->pbc[1], f->pbc[2]};
    uint8_t labels = (uint8_t)(f->labels & (AL_LBL_ENERGY | AL_LBL_FORCES | AL_LBL_VIRIAL));
    uint8_t has_vel = f->vel != NULL;
    int8_t role = (int8_t)m->role;
    int32_t iter = m->iteration;
    int64_t v[] = {(int64_t)s->n[AX_ATOM], (int64_t)f->n_atoms, (int64_t)s->n[AX_INFO],
                   (int64_t)f->info.n, (int64_t)s->n[AX_PROP], (int64_t)f->n_props,
                   (int64_t)s->n[AX_CHAR], (int64_t)s->n[AX_INT], (int64_t)s->n[AX_REAL]};
    const ds_col vc[] = {C_ATOM_START, C_N_ATOMS, C_INFO_START, C_INFO_COUNT, C_PROP_START,
                         C_PROP_COUNT, C_CHAR_START, C_INT_START, C_REAL_START};
    for (size_t k = 0; k < sizeof vc / sizeof vc[0]; k++) AL_TRY(err, put(s, vc[k], i, 1, &v[k], err));
    AL_TRY(err, put(s, C_CELL, i, 1, f->cell, err));
    AL_TRY(err, put(s, C_PBC, i, 1, pbc, err));
    AL_TRY(err, put(s, C_ROLE, i, 1, &role, err));
    AL_TRY(err, put(s, C_ITER, i, 1, &iter, err));
    AL_TRY(err, put(s, C_HAS_VEL, i, 1, &has_vel, err));
    AL_TRY(err, put(s, C_ENERGY, i, 1, &energy, err));
    AL_TRY(err, put(s, C_VIRIAL, i, 1, (f->labels & AL_LBL_VIRIAL) ? (const void *)f->virial : nan9, err));
    AL_TRY(err, put(s, C_LABELS, i, 1, &labels, err));
    return AL_OK;
}

static al_status check_frame(const al_store *s, const al_frame *f, const al_store_meta *m,
                             al_err *err)
{
    if (s->mode != AL_STORE_APPEND)
        return al_fail(err, AL_EINVAL, "'%s' is open read-only; cannot append", s->path);
    if (f->n_atoms > 0 && (!f->z || !f->pos))
        return al_fail(err, AL_EINVAL, "frame of %zu atoms has no species or positions",
                       f->n_atoms);
    if ((f->labels & AL_LBL_FORCES) && !f->forces)
        return al_fail(err, AL_EINVAL, "frame has the forces flag but no forces array");
    if ((int)m->role < 0 || m->role >= AL_ROLE_COUNT)
        return al_fail(err, AL_EINVAL, "role %d is not one of pool, train, validation, test",
                       (int)m->role);
    for (size_t k = 0; k < f->n_props; k++)
        if (f->props[k].type == AL_VAL_STR && f->n_atoms == 0)
            return al_fail(err, AL_EINVAL, "string property '%s' on an empty frame",
                           f->props[k].name);
    return AL_OK;
}

static al_status append_locked(al_store *s, const al_frame *f, const al_store_meta *m,
                               extras *e, al_err *err)
{
    static const ds_axis ex_axis[EX_COUNT] = {AX_INFO, AX_INFO, AX_INFO, AX_INFO, AX_PROP,
                                              AX_PROP, AX_PROP, AX_PROP, AX_CHAR, AX_INT, AX_REAL};
    AL_TRY(err, ds__cache_reserve(s, (size_t)s->n[AX_FRAME] + 1, err));
    memcpy(e->base, s->n, sizeof e->base);
    encode_extras(e, f);
    if (e->oom) return al_fail(err, AL_ENOMEM, "out of memory encoding a frame's info");
    AL_TRY(err, write_atoms(s, f, err));
    AL_TRY(err, write_extras(s, e, err));
    AL_TRY(err, write_frame_row(s, f, m, err));
    uint64_t counts[AX_COUNT];
    memcpy(counts, s->n, sizeof counts);
    counts[AX_FRAME] += 1;
    counts[AX_ATOM] += f->n_atoms;
    /* The C_CHARS, C_INTS, C_REALS entries hold the pool sizes; the key tables the entries. */
    for (int k = 0; k < EX_COUNT; k++)
        if (k == C_INFO_KEY - EX_FIRST || k == C_PROP_NAME - EX_FIRST || k >= C_CHARS - EX_FIRST)
            counts[ex_axis[k]] += e->g[k].n;
    size_t i = (size_t)s->n[AX_FRAME];
    AL_TRY(err, ds__commit(s, counts, err));
    s->atom_start[i] = (int64_t)(counts[AX_ATOM] - f->n_atoms);
    s->n_atoms[i] = (int64_t)f->n_atoms;
    s->role[i] = (int8_t)m->role;
    s->iter[i] = m->iteration;
    s->labels[i] = (uint8_t)(f->labels & 7u);
    return AL_OK;
}

al_status al_store_append(al_store *s, const al_frame *f, const al_store_meta *meta,
                          size_t *index, al_err *err)
{
    static const size_t sizes[EX_COUNT] = {8, 1, 8, 8, 8, 1, 8, 8, 1, 8, 8};
    al_store_meta m = meta ? *meta : (al_store_meta){AL_ROLE_POOL, 0};
    AL_TRY(err, check_frame(s, f, &m, err));
    extras e;
    memset(&e, 0, sizeof e);
    for (int k = 0; k < EX_COUNT; k++) e.g[k].size = sizes[k];
    al_h5_quiet q;
    al_h5_quiet_begin(&q);
    size_t i = (size_t)s->n[AX_FRAME];
    al_status st = append_locked(s, f, &m, &e, err);
    al_h5_quiet_end(&q);
    for (int k = 0; k < EX_COUNT; k++) al_free(e.g[k].p);
    if (st) return al_fail_wrap(err, "appending frame %zu to '%s': ", i, s->path);
    if (index) *index = i;
    return AL_OK;
}
