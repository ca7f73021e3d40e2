/*
 * Extended XYZ reader (see extxyz.h): one frame at a time from a buffered stream, with the
 * per-atom columns described by Properties parsed straight from the line buffer.
 */
#include "core/extxyz.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/elements.h"
#include "core/extxyz_impl.h"

enum { MAX_COLUMN_GROUPS = 64 };

typedef enum col_role { COL_SPECIES, COL_Z, COL_POS, COL_FORCES, COL_VELO, COL_EXTRA } col_role;

typedef struct col_group {
    char name[64];
    char type;        /* S, R, I, L */
    int ncols;
    col_role role;
    al_atom_prop *prop;  /* COL_EXTRA: where the values go */
} col_group;

struct al_xyz_reader {
    FILE *fp;
    int own_fp;
    char *path;
    char *line;
    size_t line_cap;
    size_t lineno;       /* number of the line last read (1-based) */
    size_t frame;        /* index of the frame being / last read */
    size_t frames_read;
    xyz_kv_list kv;
    col_group cols[MAX_COLUMN_GROUPS];
    int n_cols;
    char where[1200];
};

static al_status reader_new(const char *name, al_xyz_reader **out, al_err *err)
{
    *out = al_calloc(1, sizeof **out);
    if (*out && ((*out)->path = al_strdup(name))) return AL_OK;
    al_free(*out);
    *out = NULL;
    return al_fail(err, AL_ENOMEM, "out of memory opening %s", name);
}

al_status al_xyz_open(const char *path, al_xyz_reader **out, al_err *err)
{
    *out = NULL;
    al_xyz_reader *r = NULL;
    AL_TRY(err, reader_new(path, &r, err));
    if (strcmp(path, "-") == 0) {
        r->fp = stdin;
    } else {
        r->fp = fopen(path, "r");
        r->own_fp = 1;
    }
    if (!r->fp) {
        al_status st = al_fail(err, AL_ENOTFOUND, "%s: %s", path, strerror(errno));
        al_xyz_close(r);
        return st;
    }
    *out = r;
    return AL_OK;
}

al_status al_xyz_open_stream(FILE *fp, const char *name, al_xyz_reader **out, al_err *err)
{
    AL_TRY(err, reader_new(name, out, err));
    (*out)->fp = fp;
    return AL_OK;
}

void al_xyz_close(al_xyz_reader *r)
{
    if (!r) return;
    if (r->own_fp && r->fp) fclose(r->fp);
    xyz__kv_free(&r->kv);
    al_free(r->line);
    al_free(r->path);
    al_free(r);
}

size_t al_xyz_frame_index(const al_xyz_reader *r) { return r->frame; }

/* Reads a line without its newline; returns 0 at end of file. */
static int read_line(al_xyz_reader *r)
{
    ssize_t n = getline(&r->line, &r->line_cap, r->fp);
    if (n < 0) return 0;
    r->lineno++;
    while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r')) r->line[--n] = '\0';
    return 1;
}

static const char *where(al_xyz_reader *r)
{
    snprintf(r->where, sizeof r->where, "%s:%zu: frame %zu", r->path, r->lineno, r->frame);
    return r->where;
}

static int is_blank(const char *s)
{
    while (*s && isspace((unsigned char)*s)) s++;
    return !*s;
}

static al_status parse_count(al_xyz_reader *r, size_t *n, al_err *err)
{
    char *end;
    errno = 0;
    long v = strtol(r->line, &end, 10);
    while (*end && isspace((unsigned char)*end)) end++;
    if (end == r->line || *end || errno)
        return al_fail(err, AL_EFORMAT, "%s:%zu: expected the atom count of frame %zu, got '%.60s'",
                       r->path, r->lineno, r->frame, r->line);
    if (v < 0 || v > 1000000000L)
        return al_fail(err, AL_EFORMAT, "%s:%zu: frame %zu: atom count %ld is out of range", r->path,
                       r->lineno, r->frame, v);
    *n = (size_t)v;
    return AL_OK;
}

static al_status add_column(al_xyz_reader *r, const char *name, char type, long ncols, al_err *err)
{
    if (r->n_cols == MAX_COLUMN_GROUPS)
        return al_fail(err, AL_EFORMAT, "%s: more than %d Properties", where(r), MAX_COLUMN_GROUPS);
    if (!strchr("SRIL", type) || ncols < 1 || ncols > 1000 || strlen(name) >= 64 || !name[0])
        return al_fail(err, AL_EFORMAT, "%s: bad Properties entry '%s:%c:%ld' (name:S|R|I|L:columns)",
                       where(r), name, type, ncols);
    col_group *c = &r->cols[r->n_cols++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->type = type;
    c->ncols = (int)ncols;
    c->prop = NULL;
    c->role = COL_EXTRA;
    if (!strcmp(name, "species") && type == 'S' && ncols == 1) c->role = COL_SPECIES;
    else if (!strcmp(name, "Z") && type == 'I' && ncols == 1) c->role = COL_Z;
    else if (!strcmp(name, "pos") && type == 'R' && ncols == 3) c->role = COL_POS;
    else if ((!strcmp(name, "forces") || !strcmp(name, "force")) && type == 'R' && ncols == 3)
        c->role = COL_FORCES;
    else if (!strcmp(name, "velo") && type == 'R' && ncols == 3) c->role = COL_VELO;
    return AL_OK;
}

static al_status parse_properties(al_xyz_reader *r, const char *value, al_err *err)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", value);
    r->n_cols = 0;
    char *save = NULL;
    char *name = strtok_r(buf, ":", &save);
    while (name) {
        char *type = strtok_r(NULL, ":", &save);
        char *count = strtok_r(NULL, ":", &save);
        long n = 0;
        if (!type || !count || strlen(type) != 1 || !xyz__parse_long(count, &n))
            return al_fail(err, AL_EFORMAT,
                           "%s: malformed Properties '%s' (expected name:type:columns triples)",
                           where(r), value);
        AL_TRY(err, add_column(r, name, type[0], n, err));
        name = strtok_r(NULL, ":", &save);
    }
    return AL_OK;
}

/* Interprets the comment line's keys into the frame; unknown keys go to f->info. */
static al_status apply_header(al_xyz_reader *r, al_frame *f, al_err *err)
{
    int have_lattice = 0, have_pbc = 0, have_props = 0;
    double stress[9];
    size_t n_stress = 0;
    for (size_t k = 0; k < r->kv.n; k++) {
        const char *key = r->kv.items[k].key, *v = r->kv.items[k].value;
        if (!strcmp(key, "Lattice")) {
            AL_TRY(err, xyz__parse_reals(v, &f->cell[0][0], 9, NULL, where(r), key, err));
            have_lattice = 1;
        } else if (!strcmp(key, "Properties")) {
            AL_TRY(err, parse_properties(r, v, err));
            have_props = 1;
        } else if (!strcmp(key, "pbc")) {
            char buf[256], *save = NULL, *w;
            int n = 0;
            snprintf(buf, sizeof buf, "%s", v);
            for (w = strtok_r(buf, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save), n++) {
                long b;
                if (n >= 3 || !xyz__parse_bool(w, &b)) break;
                f->pbc[n] = b;
            }
            if (n != 3 || w)
                return al_fail(err, AL_EFORMAT, "%s: pbc needs three of T/F, got '%s'", where(r), v);
            have_pbc = 1;
        } else if (!strcmp(key, "energy")) {
            if (!xyz__parse_real(v, &f->energy))
                return al_fail(err, AL_EFORMAT, "%s: energy '%s' is not a number", where(r), v);
            f->labels |= AL_LBL_ENERGY;
        } else if (!strcmp(key, "virial")) {
            AL_TRY(err, xyz__parse_reals(v, &f->virial[0][0], 9, NULL, where(r), key, err));
            f->labels |= AL_LBL_VIRIAL;
        } else if (!strcmp(key, "stress")) {
            AL_TRY(err, xyz__parse_reals(v, stress, 9, &n_stress, where(r), key, err));
            if (n_stress != 9 && n_stress != 6)
                return al_fail(err, AL_EFORMAT, "%s: stress needs 9 or 6 (Voigt) numbers, got %zu",
                               where(r), n_stress);
        } else {
            AL_TRY(err, xyz__store_info(&f->info, key, v, err));
        }
    }
    if (!have_props) {
        r->n_cols = 0;
        AL_TRY(err, add_column(r, "species", 'S', 1, err));
        AL_TRY(err, add_column(r, "pos", 'R', 3, err));
    }
    if (!have_pbc) f->pbc[0] = f->pbc[1] = f->pbc[2] = have_lattice;
    if (n_stress) {
        double s[3][3];
        if (n_stress == 9) memcpy(s, stress, sizeof s);
        else {  /* Voigt order xx yy zz yz xz xy */
            s[0][0] = stress[0], s[1][1] = stress[1], s[2][2] = stress[2];
            s[1][2] = s[2][1] = stress[3], s[0][2] = s[2][0] = stress[4], s[0][1] = s[1][0] = stress[5];
        }
        if (f->labels & AL_LBL_VIRIAL)  /* both given: the virial is the label, keep stress as is */
            AL_TRY(err, al_info_set_reals(&f->info, "stress", stress, n_stress, err));
        else if (!(al_frame_volume(f) > 0))
            return al_fail(err, AL_EFORMAT, "%s: stress given without a Lattice to turn it into a virial", where(r));
        else
            al_frame_set_virial_from_stress(f, s);
    }
    return AL_OK;
}

/* Attaches extra column groups to frame props once the atom count is known. */
static al_status prepare_columns(al_xyz_reader *r, al_frame *f, al_err *err)
{
    int have_species = 0, have_pos = 0, have_symbols = 0;
    for (int c = 0; c < r->n_cols; c++) have_symbols |= r->cols[c].role == COL_SPECIES;
    for (int c = 0; c < r->n_cols; c++) {
        /* With a species column, a Z column is only carried along (and written back). */
        if (have_symbols && r->cols[c].role == COL_Z) r->cols[c].role = COL_EXTRA;
        col_group *g = &r->cols[c];
        have_species |= g->role == COL_SPECIES || g->role == COL_Z;
        have_pos |= g->role == COL_POS;
        if (g->role == COL_FORCES) {
            AL_TRY(err, al_frame_alloc_forces(f, err));
            f->labels |= AL_LBL_FORCES;
        }
        if (g->role == COL_VELO) AL_TRY(err, al_frame_alloc_vel(f, err));
        if (g->role != COL_EXTRA) continue;
        al_val_type t = g->type == 'S' ? AL_VAL_STR
                        : g->type == 'R' ? AL_VAL_REAL
                        : g->type == 'I' ? AL_VAL_INT
                                         : AL_VAL_BOOL;
        AL_TRY(err, al_frame_add_prop(f, g->name, t, g->ncols, NULL, err));
    }
    /* Pointers into f->props are taken after all additions (the array may move). */
    for (int c = 0; c < r->n_cols; c++)
        if (r->cols[c].role == COL_EXTRA) r->cols[c].prop = al_frame_find_prop(f, r->cols[c].name);
    if (!have_species)
        return al_fail(err, AL_EFORMAT, "%s: Properties has no species (S) or Z (I) column", where(r));
    if (!have_pos) return al_fail(err, AL_EFORMAT, "%s: Properties has no pos:R:3 column", where(r));
    return AL_OK;
}

static al_status bad_value(al_xyz_reader *r, size_t atom, const col_group *g, const char *tok,
                           const char *expect, al_err *err)
{
    return al_fail(err, AL_EFORMAT, "%s:%zu: atom %zu of frame %zu: column '%s' expects %s, got '%.40s'",
                   r->path, r->lineno, atom, r->frame, g->name, expect, tok);
}

/* Parses one value of group g for atom i from token tok. */
static al_status parse_value(al_xyz_reader *r, al_frame *f, size_t i, const col_group *g, int k,
                             char *tok, al_err *err)
{
    double x;
    long l;
    switch (g->role) {
    case COL_SPECIES:
        if (!(f->z[i] = al_element_z(tok)))
            return al_fail(err, AL_EFORMAT, "%s:%zu: atom %zu of frame %zu: unknown element '%.20s'",
                           r->path, r->lineno, i, r->frame, tok);
        return AL_OK;
    case COL_Z:
        if (!xyz__parse_long(tok, &l) || l < 1 || l > AL_MAX_Z)
            return bad_value(r, i, g, tok, "an atomic number 1-118", err);
        if (!f->z[i]) f->z[i] = (int)l;
        return AL_OK;
    case COL_POS:
    case COL_FORCES:
    case COL_VELO:
        if (!xyz__parse_real(tok, &x)) return bad_value(r, i, g, tok, "a real", err);
        (g->role == COL_POS ? f->pos : g->role == COL_FORCES ? f->forces : f->vel)[i][k] = x;
        return AL_OK;
    case COL_EXTRA:
        break;
    }
    size_t at = i * (size_t)g->ncols + (size_t)k;
    if (g->type == 'R') {
        if (!xyz__parse_real(tok, &g->prop->reals[at])) return bad_value(r, i, g, tok, "a real", err);
    } else if (g->type == 'I') {
        if (!xyz__parse_long(tok, &g->prop->ints[at])) return bad_value(r, i, g, tok, "an integer", err);
    } else if (g->type == 'L') {
        if (!xyz__parse_bool(tok, &g->prop->ints[at])) return bad_value(r, i, g, tok, "T or F", err);
    } else if (!(g->prop->strs[at] = al_strdup(tok))) {
        return al_fail(err, AL_ENOMEM, "out of memory reading %s", r->path);
    }
    return AL_OK;
}

static al_status parse_atom_line(al_xyz_reader *r, al_frame *f, size_t i, al_err *err)
{
    char *p = r->line;
    int total = 0, want = 0;
    for (int c = 0; c < r->n_cols; c++) want += r->cols[c].ncols;
    for (int c = 0; c < r->n_cols; c++)
        for (int k = 0; k < r->cols[c].ncols; k++) {
            while (*p && isspace((unsigned char)*p)) p++;
            if (!*p)
                return al_fail(err, AL_EFORMAT,
                               "%s:%zu: atom %zu of frame %zu has %d columns, Properties needs %d",
                               r->path, r->lineno, i, r->frame, total, want);
            char *tok = p;
            while (*p && !isspace((unsigned char)*p)) p++;
            if (*p) *p++ = '\0';
            total++;
            AL_TRY(err, parse_value(r, f, i, &r->cols[c], k, tok, err));
        }
    while (*p && isspace((unsigned char)*p)) p++;
    if (*p)
        return al_fail(err, AL_EFORMAT,
                       "%s:%zu: atom %zu of frame %zu has more than the %d columns Properties gives "
                       "(wrong atom count?)", r->path, r->lineno, i, r->frame, want);
    return AL_OK;
}

al_status al_xyz_read_next(al_xyz_reader *r, al_frame *f, int *done, al_err *err)
{
    size_t n = 0;
    *done = 0;
    al_frame_fini(f);
    r->frame = r->frames_read;
    do {
        if (!read_line(r)) {
            if (ferror(r->fp)) return al_fail(err, AL_EIO, "%s:%zu: read error", r->path, r->lineno);
            *done = 1;
            return AL_OK;
        }
    } while (is_blank(r->line));
    AL_TRY(err, parse_count(r, &n, err));
    if (!read_line(r))
        return al_fail(err, AL_EFORMAT, "%s:%zu: frame %zu: file ends before the comment line "
                       "(truncated file)", r->path, r->lineno, r->frame);
    AL_TRY(err, xyz__parse_comment(r->line, &r->kv, where(r), err));
    AL_TRY(err, al_frame_alloc(f, n, err));
    AL_TRY(err, apply_header(r, f, err));
    AL_TRY(err, prepare_columns(r, f, err));
    for (size_t i = 0; i < n; i++) {
        if (!read_line(r))
            return al_fail(err, AL_EFORMAT, "%s:%zu: frame %zu: file ends after %zu of %zu atoms "
                           "(truncated file)", r->path, r->lineno, r->frame, i, n);
        AL_TRY(err, parse_atom_line(r, f, i, err));
    }
    r->frames_read++;
    return AL_OK;
}

/* Every remaining frame of r into a new array (NULL when there is none); closes r. */
static al_status read_rest(al_xyz_reader *r, al_frame **frames, size_t *n, al_err *err)
{
    al_frame *arr = NULL;
    size_t count = 0, cap = 0;
    int done = 0;
    al_status st = AL_OK;
    while (!st) {
        if (count == cap) {
            size_t c = cap ? 2 * cap : 16;
            al_frame *grown = al_realloc(arr, c * sizeof *grown);
            if (!grown) {
                st = al_fail(err, AL_ENOMEM, "out of memory reading %s", r->path);
                break;
            }
            arr = grown;
            cap = c;
        }
        al_frame_init(&arr[count]);
        if ((st = al_xyz_read_next(r, &arr[count], &done, err)) || done) {
            al_frame_fini(&arr[count]);
            break;
        }
        count++;
    }
    al_xyz_close(r);
    if (st || count == 0) {
        al_frames_free(arr, count);
        return st;
    }
    *frames = arr;
    *n = count;
    return AL_OK;
}

al_status al_xyz_read_all(const char *path, al_frame **frames, size_t *n, al_err *err)
{
    al_xyz_reader *r = NULL;
    *frames = NULL;
    *n = 0;
    AL_TRY(err, al_xyz_open(path, &r, err));
    return read_rest(r, frames, n, err);
}

al_status al_xyz_read_buffer(const char *text, size_t len, const char *name, al_frame **frames,
                             size_t *n, al_err *err)
{
    *frames = NULL;
    *n = 0;
    if (len == 0) return AL_OK;
    FILE *fp = fmemopen((void *)text, len, "r");
    if (!fp) return al_fail(err, AL_ENOMEM, "%s: cannot read from memory: %s", name, strerror(errno));
    al_xyz_reader *r = NULL;
    al_status st = al_xyz_open_stream(fp, name, &r, err);
    if (!st) st = read_rest(r, frames, n, err);
    fclose(fp);
    return st;
}

void al_frames_free(al_frame *frames, size_t n)
{
    for (size_t k = 0; frames && k < n; k++) al_frame_fini(&frames[k]);
    al_free(frames);
}
