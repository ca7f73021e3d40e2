/*
 * Tests of the HDF5 dataset store (core/dataset.h) and its HDF5 helpers (core/h5util.h):
 * round trips of frames with every optional part, filters, role and label updates, format
 * and version errors, the file layout read back through the plain HDF5 API, and crash safety
 * (a writer killed with SIGKILL at random moments must leave every committed frame intact).
 *
 * Frames are generated deterministically from their index, so the expected content of any
 * frame is known without trusting the store.
 */
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/dataset.h"
#include "core/frame.h"
#include "core/h5util.h"
#include "core/log.h"
#include "core/rng.h"
#include "tests/harness/al_test.h"

/* Frame idx: 1..13 atoms, label subset idx % 8, velocities every third frame, info of every
 * type, per-atom props of every type (strings on even frames). `all_labels` gives all three
 * labels (the values are the same either way). */
static void make_frame(al_frame *f, size_t idx, int all_labels)
{
    al_frame_init(f);
    size_t n = 1 + (idx * 7) % 13;
    double x = (double)idx;
    al_frame_alloc(f, n, NULL);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) f->cell[a][b] = (a == b ? 5.0 + 0.01 * x : 0.1 * (a - b));
    f->pbc[0] = true;
    f->pbc[1] = idx % 2;
    f->pbc[2] = idx % 3 == 0;
    f->labels = all_labels ? 7u : (unsigned)(idx % 8);
    f->energy = -1.5 * x - 0.25;
    al_frame_alloc_forces(f, NULL);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) f->virial[a][b] = 0.3 * x + a - 2.0 * b;
    if (idx % 3 == 0) al_frame_alloc_vel(f, NULL);
    for (size_t i = 0; i < n; i++) {
        f->z[i] = 1 + (int)((idx + i) % 30);
        for (int k = 0; k < 3; k++) {
            f->pos[i][k] = 0.37 * (double)i + 0.11 * k + 1e-3 * x;
            f->forces[i][k] = sin(x + (double)i + k);
            if (f->vel) f->vel[i][k] = 0.01 * cos(x * (double)i + k);
        }
    }
    if (!(f->labels & AL_LBL_FORCES)) {
        al_free(f->forces);
        f->forces = NULL;
    }
    char s[32];
    long ids[2] = {(long)idx, -7}, bools[2] = {1, 0};
    double vec[3] = {x, 1.0 / (x + 1.0), -2.5};
    snprintf(s, sizeof s, "gen_%zu", idx);
    al_info_set_str(&f->info, "config_type", s, NULL);
    al_info_set_int(&f->info, "step", (long)idx * 10, NULL);
    al_info_set_real(&f->info, "temperature", 300.0 + x, NULL);
    al_info_set_ints(&f->info, "flags", bools, 2, AL_VAL_BOOL, NULL);
    al_info_set_ints(&f->info, "ids", ids, 2, AL_VAL_INT, NULL);
    al_info_set_reals(&f->info, "vec", vec, 3, NULL);
    al_atom_prop *p;
    al_frame_add_prop(f, "charge", AL_VAL_REAL, 1, &p, NULL);
    for (size_t i = 0; i < n; i++) p->reals[i] = 0.5 * (double)i - x;
    al_frame_add_prop(f, "tag", AL_VAL_INT, 2, &p, NULL);
    for (size_t i = 0; i < 2 * n; i++) p->ints[i] = (long)(i * idx);
    if (idx % 2 == 0) {
        al_frame_add_prop(f, "name", AL_VAL_STR, 1, &p, NULL);
        for (size_t i = 0; i < n; i++) {
            snprintf(s, sizeof s, "a%zu", i);
            p->strs[i] = al_strdup(i == 1 ? "" : s);
        }
    }
}

static al_store_meta make_meta(size_t idx)
{
    al_store_meta m = {(al_role)(idx % 4), (int)(idx / 5)};
    return m;
}

static int same_d(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

static int rest_matches(const al_frame *got, const al_frame *want);

/* Compares a frame read back with frame idx of the generator: everything but the label
 * flags exactly, and each label present in `got` against the generator's value. */
static int frame_matches_idx(const al_frame *got, size_t idx)
{
    al_frame w;
    make_frame(&w, idx, 1);
    const al_frame *want = &w;
    size_t n = want->n_atoms;
    int ok = 0;
    if (got->n_atoms != n || !same_d(&got->cell[0][0], &want->cell[0][0], 9)) goto done;
    for (int k = 0; k < 3; k++)
        if (got->pbc[k] != want->pbc[k]) goto done;
    for (size_t i = 0; i < n; i++)
        if (got->z[i] != want->z[i]) goto done;
    if (!same_d(&got->pos[0][0], &want->pos[0][0], 3 * n)) goto done;
    if (!!got->vel != !!want->vel || (want->vel && !same_d(&got->vel[0][0], &want->vel[0][0], 3 * n)))
        goto done;
    if ((got->labels & AL_LBL_ENERGY) && got->energy != want->energy) goto done;
    if ((got->labels & AL_LBL_VIRIAL) && !same_d(&got->virial[0][0], &want->virial[0][0], 9))
        goto done;
    if ((got->labels & AL_LBL_FORCES) &&
        (!got->forces || !same_d(&got->forces[0][0], &want->forces[0][0], 3 * n)))
        goto done;
    if (!(got->labels & AL_LBL_FORCES) && got->forces) goto done;
    ok = rest_matches(got, want);
done:
    al_frame_fini(&w);
    return ok;
}

static int rest_matches(const al_frame *got, const al_frame *want)
{
    size_t n = want->n_atoms;
    if (got->info.n != want->info.n || got->n_props != want->n_props) return 0;
    for (size_t k = 0; k < want->info.n; k++) {
        const al_kv *a = &got->info.items[k], *b = &want->info.items[k];
        if (strcmp(a->key, b->key) || a->type != b->type || a->n != b->n) return 0;
        if (b->type == AL_VAL_STR && strcmp(a->str, b->str)) return 0;
        if (b->type == AL_VAL_REAL && !same_d(a->reals, b->reals, b->n)) return 0;
        if ((b->type == AL_VAL_INT || b->type == AL_VAL_BOOL) &&
            memcmp(a->ints, b->ints, b->n * sizeof *b->ints))
            return 0;
    }
    for (size_t k = 0; k < want->n_props; k++) {
        const al_atom_prop *a = &got->props[k], *b = &want->props[k];
        size_t m = n * (size_t)b->ncols;
        if (strcmp(a->name, b->name) || a->type != b->type || a->ncols != b->ncols) return 0;
        for (size_t i = 0; i < m; i++) {
            if (b->type == AL_VAL_STR && strcmp(a->strs[i], b->strs[i])) return 0;
            if (b->type == AL_VAL_REAL && a->reals[i] != b->reals[i]) return 0;
            if ((b->type == AL_VAL_INT || b->type == AL_VAL_BOOL) && a->ints[i] != b->ints[i])
                return 0;
        }
    }
    return 1;
}

/* Appends frames [from, to) of the generator with their metadata. */
static void append_range(al_test *t, al_store *s, size_t from, size_t to)
{
    al_err err;
    for (size_t i = from; i < to; i++) {
        al_frame f;
        al_store_meta m = make_meta(i);
        size_t idx = 999;
        make_frame(&f, i, 0);
        AL_CHECK_OK(t, al_store_append(s, &f, &m, &idx, &err), &err);
        AL_CHECK(t, idx == i);
        al_frame_fini(&f);
    }
}

static void test_round_trip(al_test *t)
{
    al_err err;
    al_store *s = NULL;
    const char *path = al_test_path(al_test_tmp_dir(t), "round.h5");
    unlink(path);
    AL_CHECK_OK(t, al_store_open(path, AL_STORE_APPEND, &s, &err), &err);
    if (!s) return;
    AL_CHECK(t, al_store_count(s) == 0);
    append_range(t, s, 0, 20);
    al_store_close(s);
    /* Reopen for appending: the next frames continue the numbering. */
    AL_CHECK_OK(t, al_store_open(path, AL_STORE_APPEND, &s, &err), &err);
    if (!s) return;
    append_range(t, s, 20, 26);
    al_store_close(s);
    AL_CHECK_OK(t, al_store_open(path, AL_STORE_READ, &s, &err), &err);
    if (!s) return;
    AL_CHECK(t, al_store_count(s) == 26);
    for (size_t i = 0; i < 26; i++) {
        al_frame f;
        al_store_meta m;
        al_frame_init(&f);
        AL_CHECK_OK(t, al_store_read(s, i, &f, &m, &err), &err);
        AL_CHECK_MSG(t, frame_matches_idx(&f, i), "frame %zu differs", i);
        AL_CHECK_MSG(t, f.labels == i % 8, "frame %zu labels %u", i, f.labels);
        AL_CHECK(t, m.role == (al_role)(i % 4) && m.iteration == (int)(i / 5));
        al_frame_fini(&f);
    }
    al_frame f;
    al_frame_init(&f);
    AL_CHECK(t, al_store_read(s, 26, &f, NULL, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, "frame 26 does not exist");
    /* Read-only handles refuse writes. */
    make_frame(&f, 0, 0);
    AL_CHECK(t, al_store_append(s, &f, NULL, NULL, &err) == AL_EINVAL);
    AL_CHECK(t, al_store_set_role(s, 0, AL_ROLE_TRAIN, &err) == AL_EINVAL);
    al_frame_fini(&f);
    al_store_close(s);
}

static void test_filters(al_test *t)
{
    al_err err;
    al_store *s = NULL;
    const char *path = al_test_path(al_test_tmp_dir(t), "filter.h5");
    unlink(path);
    AL_CHECK_OK(t, al_store_open(path, AL_STORE_APPEND, &s, &err), &err);
    if (!s) return;
    append_range(t, s, 0, 40);
    size_t *idx = NULL, n = 0;
    al_store_filter flt = al_store_filter_all();
    AL_CHECK_OK(t, al_store_select(s, &flt, &idx, &n, &err), &err);
    AL_CHECK(t, n == 40 && idx[39] == 39);
    al_free(idx);
    /* Train or test (roles 1 and 3), iterations 2..5 (frames 10..29): odd frames there. */
    flt.roles = (1u << AL_ROLE_TRAIN) | (1u << AL_ROLE_TEST);
    flt.iter_min = 2;
    flt.iter_max = 5;
    AL_CHECK_OK(t, al_store_select(s, &flt, &idx, &n, &err), &err);
    AL_CHECK(t, n == 10 && idx[0] == 11 && idx[9] == 29);
    al_free(idx);
    /* Unlabeled: label mask idx % 8 == 0, i.e. 0, 8, 16, 24, 32. */
    flt = al_store_filter_all();
    flt.labeled = 0;
    AL_CHECK_OK(t, al_store_select(s, &flt, &idx, &n, &err), &err);
    AL_CHECK(t, n == 5 && idx[4] == 32);
    al_free(idx);
    flt.labeled = 1;
    flt.labels_all = AL_LBL_FORCES | AL_LBL_VIRIAL; /* masks 6 and 7 */
    AL_CHECK_OK(t, al_store_select(s, &flt, &idx, &n, &err), &err);
    AL_CHECK(t, n == 10 && idx[0] == 6 && idx[1] == 7 && idx[2] == 14);
    al_free(idx);
    /* Atom counts 1 + (7 i mod 13): 13 atoms when 7 i = 12 (mod 13), i.e. i = 11, 24, 37. */
    flt = al_store_filter_all();
    flt.atoms_min = 13;
    AL_CHECK_OK(t, al_store_select(s, &flt, &idx, &n, &err), &err);
    AL_CHECK(t, n == 3 && idx[0] == 11 && idx[1] == 24 && idx[2] == 37);
    al_free(idx);
    flt = al_store_filter_all();
    flt.iter_min = 100;
    AL_CHECK_OK(t, al_store_select(s, &flt, &idx, &n, &err), &err);
    AL_CHECK(t, n == 0 && idx == NULL);
    al_store_close(s);
}

static void test_updates(al_test *t)
{
    al_err err;
    al_store *s = NULL;
    const char *path = al_test_path(al_test_tmp_dir(t), "update.h5");
    unlink(path);
    AL_CHECK_OK(t, al_store_open(path, AL_STORE_APPEND, &s, &err), &err);
    if (!s) return;
    append_range(t, s, 0, 9);
    al_frame lb, f;
    al_frame_init(&f);
    /* Frame 8 has no labels; give it energy and forces, then the virial separately. */
    make_frame(&lb, 8, 1);
    lb.labels = AL_LBL_ENERGY | AL_LBL_FORCES;
    AL_CHECK_OK(t, al_store_set_labels(s, 8, &lb, &err), &err);
    lb.labels = AL_LBL_VIRIAL;
    AL_CHECK_OK(t, al_store_set_labels(s, 8, &lb, &err), &err);
    AL_CHECK_OK(t, al_store_set_role(s, 8, AL_ROLE_VALIDATION, &err), &err);
    AL_CHECK_OK(t, al_store_set_role(s, 1, AL_ROLE_POOL, &err), &err);
    AL_CHECK(t, al_store_set_role(s, 9, AL_ROLE_TEST, &err) == AL_EINVAL);
    AL_CHECK(t, al_store_set_role(s, 2, (al_role)7, &err) == AL_EINVAL);
    al_frame_fini(&lb);
    make_frame(&lb, 3, 1); /* 9 atoms, frame 8 has 5 */
    AL_CHECK(t, al_store_set_labels(s, 8, &lb, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, "labels for 9 atoms given to frame 8 of 5 atoms");
    al_frame_fini(&lb);
    al_store_close(s);
    AL_CHECK_OK(t, al_store_open(path, AL_STORE_READ, &s, &err), &err);
    if (!s) return;
    al_store_meta m;
    AL_CHECK_OK(t, al_store_read(s, 8, &f, &m, &err), &err);
    AL_CHECK(t, f.labels == 7u && m.role == AL_ROLE_VALIDATION);
    AL_CHECK(t, frame_matches_idx(&f, 8));
    AL_CHECK_CLOSE(t, f.energy, -12.25, 0);
    AL_CHECK_OK(t, al_store_read(s, 1, &f, &m, &err), &err);
    AL_CHECK(t, f.labels == 1u && m.role == AL_ROLE_POOL && frame_matches_idx(&f, 1));
    al_frame_fini(&f);
    al_store_close(s);
}

/* Rewrites (or deletes, when value < 0) the version attribute of /frames. */
static void set_version(const char *path, long value)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t g = H5Gopen2(f, "frames", H5P_DEFAULT);
    if (value < 0)
        H5Adelete(g, "version");
    else
        al_h5_attr_write_int(g, "version", value, NULL);
    H5Gclose(g);
    H5Fclose(f);
}

static void test_format_errors(al_test *t)
{
    al_err err;
    al_store *s = NULL;
    const char *dir = al_test_tmp_dir(t);
    char path[1024], other[1024];
    snprintf(path, sizeof path, "%s", al_test_path(dir, "version.h5"));
    snprintf(other, sizeof other, "%s", al_test_path(dir, "other.h5"));
    unlink(path);
    AL_CHECK(t, al_store_open(path, AL_STORE_READ, &s, &err) == AL_ENOTFOUND && !s);
    AL_CHECK_CONTAINS(t, err.msg, "version.h5' does not exist");
    AL_CHECK_OK(t, al_store_open(path, AL_STORE_APPEND, &s, &err), &err);
    append_range(t, s, 0, 2);
    al_store_close(s);
    set_version(path, 2);
    AL_CHECK(t, al_store_open(path, AL_STORE_READ, &s, &err) == AL_EVERSION && !s);
    AL_CHECK_CONTAINS(t, err.msg, "version.h5' has dataset format version 2; this galore reads version 1");
    set_version(path, -1);
    AL_CHECK(t, al_store_open(path, AL_STORE_APPEND, &s, &err) == AL_EVERSION && !s);
    AL_CHECK_CONTAINS(t, err.msg, "version.h5': /frames has no galore_format");
    /* An HDF5 file without the galore layout. */
    hid_t f = H5Fcreate(other, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(H5Gcreate2(f, "something", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Fclose(f);
    AL_CHECK(t, al_store_open(other, AL_STORE_READ, &s, &err) == AL_EFORMAT && !s);
    AL_CHECK_CONTAINS(t, err.msg, "other.h5' is an HDF5 file but not a galore dataset");
    /* Not HDF5 at all. */
    FILE *fp = fopen(other, "w");
    fputs("Lattice=\"1 0 0 0 1 0 0 0 1\"\n", fp);
    fclose(fp);
    AL_CHECK(t, al_store_open(other, AL_STORE_APPEND, &s, &err) == AL_EFORMAT && !s);
    AL_CHECK_CONTAINS(t, err.msg, "other.h5' is not an HDF5 file");
}

/* The layout read through the plain HDF5 API: units, format attributes and raw values. */
static void test_layout_units(al_test *t)
{
    al_err err;
    al_store *s = NULL;
    const char *path = al_test_path(al_test_tmp_dir(t), "layout.h5");
    unlink(path);
    AL_CHECK_OK(t, al_store_open(path, AL_STORE_APPEND, &s, &err), &err);
    if (!s) return;
    append_range(t, s, 0, 3);
    al_store_close(s);
    static const char *const units[][2] = {
        {"positions", "Angstrom"}, {"cell", "Angstrom"}, {"forces", "eV/Angstrom"},
        {"energy", "eV"}, {"virial", "eV"}, {"velocities", "Angstrom/fs"}};
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t g = H5Gopen2(f, "frames", H5P_DEFAULT);
    char buf[64];
    long v = 0;
    AL_CHECK_OK(t, al_h5_attr_read_str(g, "galore_format", buf, sizeof buf, &err), &err);
    AL_CHECK_STR(t, buf, "dataset");
    AL_CHECK_OK(t, al_h5_attr_read_int(g, "version", &v, &err), &err);
    AL_CHECK(t, v == 1);
    AL_CHECK(t, al_h5_attr_read_int(g, "nope", &v, &err) == AL_ENOTFOUND);
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
        hid_t d = H5Dopen2(g, units[k][0], H5P_DEFAULT);
        AL_CHECK_OK(t, al_h5_attr_read_str(d, "units", buf, sizeof buf, &err), &err);
        AL_CHECK_STR(t, buf, units[k][1]);
        H5Dclose(d);
    }
    /* Frame 1 (energy label only): energy -1.75 eV, virial NaN; 8 atoms start at row 1. */
    double e[3], vir[9], pos[3];
    int64_t start[3];
    hid_t d = H5Dopen2(g, "energy", H5P_DEFAULT);
    AL_CHECK_OK(t, al_h5_read_rows(d, H5T_NATIVE_DOUBLE, 0, 3, e, &err), &err);
    H5Dclose(d);
    AL_CHECK(t, isnan(e[0]) && e[1] == -1.75 && isnan(e[2]));
    d = H5Dopen2(g, "virial", H5P_DEFAULT);
    AL_CHECK_OK(t, al_h5_read_rows(d, H5T_NATIVE_DOUBLE, 1, 1, vir, &err), &err);
    H5Dclose(d);
    AL_CHECK(t, isnan(vir[4]));
    d = H5Dopen2(g, "atom_start", H5P_DEFAULT);
    AL_CHECK_OK(t, al_h5_read_rows(d, H5T_NATIVE_INT64, 0, 3, start, &err), &err);
    H5Dclose(d);
    AL_CHECK(t, start[0] == 0 && start[1] == 1 && start[2] == 9);
    d = H5Dopen2(g, "positions", H5P_DEFAULT);
    AL_CHECK_OK(t, al_h5_read_rows(d, H5T_NATIVE_DOUBLE, 9 + 1, 1, pos, &err), &err);
    H5Dclose(d);
    AL_CHECK_CLOSE(t, pos[1], 0.37 * 1 + 0.11 + 2e-3, 1e-15); /* frame 2, atom 1, y */
    H5Gclose(g);
    H5Fclose(f);
}

static void test_summary_and_lock(al_test *t)
{
    al_err err;
    al_store *s = NULL, *s2 = NULL;
    const char *path = al_test_path(al_test_tmp_dir(t), "summary.h5");
    unlink(path);
    AL_CHECK_OK(t, al_store_open(path, AL_STORE_APPEND, &s, &err), &err);
    if (!s) return;
    append_range(t, s, 0, 10);
    /* One writer at a time; a reader cannot open a file being written either. */
    AL_CHECK(t, al_store_open(path, AL_STORE_APPEND, &s2, &err) == AL_EIO && !s2);
    AL_CHECK_CONTAINS(t, err.msg, "summary.h5' is in use by another process");
    AL_CHECK(t, al_store_open(path, AL_STORE_READ, &s2, &err) == AL_EIO && !s2);
    al_store_summary m;
    AL_CHECK_OK(t, al_store_summarize(s, &m, &err), &err);
    /* Frames 0..9: roles i%4 -> 3,3,2,2; masks i%8: labeled all but 0 and 8; energy on odd
     * masks (1,3,5,7,9) = 5; forces masks 2,3,6,7 = 4; virial masks 4..7 = 4; velocities at
     * 0,3,6,9; atoms 1,8,2,9,3,10,4,11,5,12 -> 65; iterations 0..1. */
    AL_CHECK(t, m.version == 1 && m.n_frames == 10 && m.n_atoms_total == 65);
    AL_CHECK(t, m.per_role[0] == 3 && m.per_role[1] == 3 && m.per_role[2] == 2 && m.per_role[3] == 2);
    AL_CHECK(t, m.n_labeled == 8 && m.n_energy == 5 && m.n_forces == 4 && m.n_virial == 4);
    AL_CHECK(t, m.n_velocities == 4 && m.atoms_min == 1 && m.atoms_max == 12);
    AL_CHECK(t, m.iter_min == 0 && m.iter_max == 1);
    /* z = 1 + (i + atom) % 30: z 1 only in frame 0, z 2 in frame 1, z 3 in frames 1 and 2. */
    AL_CHECK(t, m.species[1] == 1 && m.species[2] == 1 && m.species[3] == 2);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    AL_CHECK_OK(t, al_store_print_summary(s, out, &err), &err);
    fclose(out);
    AL_CHECK_CONTAINS(t, text, "frames         10 (pool 3, train 3, validation 2, test 2)");
    AL_CHECK_CONTAINS(t, text, "atoms          1..12 per frame, 65 in total");
    free(text);
    al_store_close(s);
}

/* The writer of the crash test: appends generator frames forever and, after every third
 * append, labels the previous frame completely and changes its role. Never returns. */
static void crash_child(const char *path)
{
    al_err err;
    al_store *s = NULL;
    al_log_set_level(AL_LOG_QUIET);
    if (al_store_open(path, AL_STORE_APPEND, &s, &err)) _exit(3);
    for (;;) {
        size_t i = al_store_count(s);
        al_frame f;
        al_store_meta m = make_meta(i);
        make_frame(&f, i, 0);
        if (al_store_append(s, &f, &m, NULL, &err)) _exit(4);
        al_frame_fini(&f);
        if (i % 3 == 2) {
            make_frame(&f, i - 1, 1);
            if (al_store_set_labels(s, i - 1, &f, &err) ||
                al_store_set_role(s, i - 1, (al_role)(i % 4), &err))
                _exit(5);
            al_frame_fini(&f);
        }
    }
}

/* Every committed frame must equal the generator's; labels and role may be the appended
 * ones or the updated ones, never anything else. Returns the number of frames. */
static size_t check_survivors(al_test *t, const char *path, int round)
{
    al_err err;
    al_store *s = NULL;
    AL_CHECK_OK(t, al_store_open(path, AL_STORE_READ, &s, &err), &err);
    if (!s) return 0;
    size_t n = al_store_count(s), bad = 0;
    for (size_t i = 0; i < n; i++) {
        al_frame f;
        al_store_meta m;
        al_frame_init(&f);
        if (al_store_read(s, i, &f, &m, &err)) {
            bad++;
            AL_CHECK_MSG(t, 0, "round %d: frame %zu unreadable: %s", round, i, err.msg);
            continue;
        }
        int labels_ok = f.labels == i % 8 || f.labels == 7u;
        int role_ok = m.role == (al_role)(i % 4) || m.role == (al_role)((i + 1) % 4);
        if (!frame_matches_idx(&f, i) || !labels_ok || !role_ok || m.iteration != (int)(i / 5))
            bad++;
        al_frame_fini(&f);
    }
    AL_CHECK_MSG(t, bad == 0, "round %d: %zu of %zu frames differ", round, bad, n);
    al_store_close(s);
    return n;
}

static void test_sigkill_crash_safety(al_test *t)
{
    const char *path = al_test_path(al_test_tmp_dir(t), "crash.h5");
    char p[1024];
    snprintf(p, sizeof p, "%s", path);
    unlink(p);
    al_rng rng;
    al_rng_seed(&rng, 20240611, 0);
    size_t last = 0;
    /* 8 kills keep the test near 3 s; GALORE_CRASH_ROUNDS=200 makes a longer stress run. */
    const char *env = getenv("GALORE_CRASH_ROUNDS");
    const int rounds = env && atoi(env) > 0 ? atoi(env) : 8;
    const long max_us = env ? 20000 : 200000;
    al_log_level level = al_log_get_level();
    al_log_set_level(AL_LOG_ERROR); /* each reopen warns about the unclean shutdown */
    for (int r = 0; r < rounds; r++) {
        pid_t pid = fork();
        if (pid == 0) crash_child(p);
        /* 3 ms .. 200 ms: early kills often land in open/recovery, later ones mid-append. */
        long us = 3000 + (long)(al_rng_uniform(&rng) * (double)(max_us - 3000));
        struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        AL_CHECK_MSG(t, WIFSIGNALED(status), "round %d: writer exited early (status %d)", r,
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        if (access(p, F_OK) != 0) continue; /* killed before the file existed */
        size_t n = check_survivors(t, p, r);
        AL_CHECK_MSG(t, n >= last, "round %d: %zu frames after %zu", r, n, last);
        if (r < 10 || r % 20 == 0)
            printf("  kill %d after %ld us: %zu frames committed\n", r + 1, us, n);
        last = n;
    }
    printf("  %d kills, %zu frames committed and intact\n", rounds, last);
    /* The file still takes appends after all the kills. */
    al_err err;
    al_store *s = NULL;
    AL_CHECK_OK(t, al_store_open(p, AL_STORE_APPEND, &s, &err), &err);
    al_log_set_level(level);
    if (!s) return;
    size_t i = al_store_count(s);
    append_range(t, s, i, i + 2);
    al_store_close(s);
    AL_CHECK(t, check_survivors(t, p, rounds) == i + 2);
    AL_CHECK(t, i > 0);
}

static const al_test_case cases[] = {
    {"dataset_round_trip", test_round_trip, AL_TEST_FAST},
    {"dataset_filters", test_filters, AL_TEST_FAST},
    {"dataset_updates", test_updates, AL_TEST_FAST},
    {"dataset_format_errors", test_format_errors, AL_TEST_FAST},
    {"dataset_layout_units", test_layout_units, AL_TEST_FAST},
    {"dataset_summary_and_lock", test_summary_and_lock, AL_TEST_FAST},
    {"dataset_sigkill_crash_safety", test_sigkill_crash_safety, AL_TEST_FAST},
    {0}};
AL_TEST_MAIN(cases)
