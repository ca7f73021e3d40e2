/*
 * extxyz against ASE: tests/data/extxyz/ase_mixed.xyz was written by ASE and expected.txt holds
 * what ASE reads back from it (make_fixtures.py). Also a QUIP-style file, exact round trips,
 * and malformed files whose messages must name file, line and the problem.
 */
#include <stdlib.h>

#include "core/alloc.h"
#include "core/extxyz.h"
#include "tests/harness/al_test.h"

typedef struct expected {
    int frame;
    char key[64];
    int n;
    double v[64];
} expected;

static size_t load_expected(expected *e, size_t cap)
{
    FILE *fp = fopen(al_test_path(al_test_data_dir(), "extxyz/expected.txt"), "r");
    size_t n = 0;
    if (!fp) return 0;
    while (n < cap && fscanf(fp, "%d %63s %d", &e[n].frame, e[n].key, &e[n].n) == 3) {
        for (int k = 0; k < e[n].n; k++)
            if (fscanf(fp, "%lf", &e[n].v[k]) != 1) break;
        n++;
    }
    fclose(fp);
    return n;
}

/* Values of `key` as galore read them, flattened like the expectation. */
static int galore_values(const al_frame *f, const char *key, double *out)
{
    int n = 0;
    if (!strcmp(key, "natoms")) out[n++] = (double)f->n_atoms;
    else if (!strcmp(key, "numbers")) for (size_t i = 0; i < f->n_atoms; i++) out[n++] = f->z[i];
    else if (!strcmp(key, "cell")) for (int k = 0; k < 9; k++) out[n++] = (&f->cell[0][0])[k];
    else if (!strcmp(key, "pbc")) for (int k = 0; k < 3; k++) out[n++] = f->pbc[k];
    else if (!strcmp(key, "positions")) for (size_t i = 0; i < 3 * f->n_atoms; i++) out[n++] = (&f->pos[0][0])[i];
    else if (!strcmp(key, "energy") && (f->labels & AL_LBL_ENERGY)) out[n++] = f->energy;
    else if (!strcmp(key, "forces") && f->forces) for (size_t i = 0; i < 3 * f->n_atoms; i++) out[n++] = (&f->forces[0][0])[i];
    else if (!strcmp(key, "virial") && (f->labels & AL_LBL_VIRIAL)) for (int k = 0; k < 9; k++) out[n++] = (&f->virial[0][0])[k];
    else if (!strncmp(key, "array_", 6)) {
        const al_atom_prop *p = al_frame_find_prop(f, key + 6);
        for (size_t i = 0; p && i < f->n_atoms * (size_t)p->ncols; i++)
            out[n++] = p->type == AL_VAL_REAL ? p->reals[i] : (double)p->ints[i];
    } else if (!strncmp(key, "info_", 5)) {
        const al_kv *kv = al_info_get(&f->info, key + 5);
        for (size_t i = 0; kv && kv->type != AL_VAL_STR && i < kv->n; i++)
            out[n++] = kv->type == AL_VAL_REAL ? kv->reals[i] : (double)kv->ints[i];
    }
    return n;
}

static void test_read_ase_fixture(al_test *t)
{
    static expected e[64];
    size_t ne = load_expected(e, 64);
    AL_CHECK(t, ne == 25);
    al_err err;
    al_frame *f = NULL;
    size_t nf = 0;
    AL_CHECK_OK(t, al_xyz_read_all(al_test_path(al_test_data_dir(), "extxyz/ase_mixed.xyz"), &f, &nf, &err), &err);
    AL_CHECK(t, nf == 3);
    for (size_t k = 0; k < ne && nf == 3; k++) {
        double got[64];
        int n = galore_values(&f[e[k].frame], e[k].key, got);
        AL_CHECK_MSG(t, n == e[k].n, "frame %d %s: %d values, ASE has %d", e[k].frame, e[k].key, n, e[k].n);
        /* Exact, except the virial, which ASE and galore compute from the stress with their own
         * volume arithmetic. */
        double tol = strcmp(e[k].key, "virial") == 0 ? 1e-14 : 0.0;
        for (int i = 0; i < n && i < e[k].n; i++)
            AL_CHECK_MSG(t, fabs(got[i] - e[k].v[i]) <= tol * (1 + fabs(e[k].v[i])),
                         "frame %d %s[%d]: galore %.17g, ASE %.17g", e[k].frame, e[k].key, i, got[i], e[k].v[i]);
    }
    if (nf == 3) {
        AL_CHECK_STR(t, al_info_get_str(&f[0].info, "config_type"), "liquid melt");
        AL_CHECK_STR(t, al_info_get_str(&f[2].info, "note"), "NVP glass");
        AL_CHECK(t, al_info_get(&f[2].info, "flag")->type == AL_VAL_BOOL);
        AL_CHECK(t, f[1].pbc[0] == false && f[1].labels == 0);
        AL_CHECK(t, al_frame_find_prop(&f[2], "fixed")->type == AL_VAL_BOOL);
    }
    al_frames_free(f, nf);
}

static void test_read_quip_style(al_test *t)
{
    al_err err;
    al_frame *f = NULL;
    size_t nf = 0;
    AL_CHECK_OK(t, al_xyz_read_all(al_test_path(al_test_data_dir(), "extxyz/quip_style.xyz"), &f, &nf, &err), &err);
    AL_CHECK(t, nf == 1);
    if (nf != 1) return;
    AL_CHECK(t, f->labels == (AL_LBL_ENERGY | AL_LBL_FORCES | AL_LBL_VIRIAL));
    AL_CHECK(t, f->energy == -8.5 && f->virial[1][1] == 1.5 && f->forces[1][2] == -0.3);
    AL_CHECK(t, f->vel && f->vel[0][2] == 0.003);
    AL_CHECK(t, f->pos[1][0] == 1.3575 && f->z[1] == 14);
    long b = 0;
    AL_CHECK(t, al_info_get_int(&f->info, "is_relaxed", &b) && b == 1);
    AL_CHECK_STR(t, al_info_get_str(&f->info, "comment"), "he said \"hi\"");
    double cut = 0;
    AL_CHECK(t, al_info_get_real(&f->info, "cutoff", &cut) && cut == 5.0);
    AL_CHECK(t, al_frame_find_prop(f, "Z") != NULL);
    al_frames_free(f, nf);
}

static int frames_equal(const al_frame *a, const al_frame *b)
{
    if (a->n_atoms != b->n_atoms || a->labels != b->labels || a->info.n != b->info.n ||
        a->n_props != b->n_props || memcmp(a->cell, b->cell, sizeof a->cell) ||
        memcmp(a->pbc, b->pbc, sizeof a->pbc) || (!a->vel) != (!b->vel))
        return 0;
    size_t n = a->n_atoms;
    if (memcmp(a->z, b->z, n * sizeof *a->z) || memcmp(a->pos, b->pos, n * sizeof *a->pos)) return 0;
    if ((a->labels & AL_LBL_ENERGY) && a->energy != b->energy) return 0;
    if ((a->labels & AL_LBL_FORCES) && memcmp(a->forces, b->forces, n * sizeof *a->forces)) return 0;
    if ((a->labels & AL_LBL_VIRIAL) && memcmp(a->virial, b->virial, sizeof a->virial)) return 0;
    if (a->vel && memcmp(a->vel, b->vel, n * sizeof *a->vel)) return 0;
    for (size_t k = 0; k < a->info.n; k++) {
        const al_kv *x = &a->info.items[k], *y = &b->info.items[k];
        if (strcmp(x->key, y->key) || x->type != y->type || x->n != y->n) return 0;
        if (x->type == AL_VAL_STR && strcmp(x->str, y->str)) return 0;
        if (x->type == AL_VAL_REAL && memcmp(x->reals, y->reals, x->n * sizeof *x->reals)) return 0;
        if ((x->type == AL_VAL_INT || x->type == AL_VAL_BOOL) && memcmp(x->ints, y->ints, x->n * sizeof *x->ints)) return 0;
    }
    for (size_t p = 0; p < a->n_props; p++) {
        const al_atom_prop *x = &a->props[p], *y = &b->props[p];
        size_t m = n * (size_t)x->ncols;
        if (strcmp(x->name, y->name) || x->type != y->type || x->ncols != y->ncols) return 0;
        if (x->type == AL_VAL_REAL && memcmp(x->reals, y->reals, m * sizeof *x->reals)) return 0;
        if ((x->type == AL_VAL_INT || x->type == AL_VAL_BOOL) && memcmp(x->ints, y->ints, m * sizeof *x->ints)) return 0;
        for (size_t i = 0; x->type == AL_VAL_STR && i < m; i++)
            if (strcmp(x->strs[i], y->strs[i])) return 0;
    }
    return 1;
}

static void round_trip(al_test *t, const char *name)
{
    al_err err;
    al_frame *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    char out[1024];
    snprintf(out, sizeof out, "%sround_trip.xyz", al_test_tmp_dir(t));
    AL_CHECK_OK(t, al_xyz_read_all(al_test_path(al_test_data_dir(), name), &a, &na, &err), &err);
    AL_CHECK_OK(t, al_xyz_write_file(out, a, na, &err), &err);
    AL_CHECK_OK(t, al_xyz_read_all(out, &b, &nb, &err), &err);
    AL_CHECK(t, na == nb && na > 0);
    for (size_t k = 0; k < na && k < nb; k++)
        AL_CHECK_MSG(t, frames_equal(&a[k], &b[k]), "%s: frame %zu differs after a round trip", name, k);
    al_frames_free(a, na);
    al_frames_free(b, nb);
}

static void test_round_trip_exact(al_test *t)
{
    round_trip(t, "extxyz/ase_mixed.xyz");
    round_trip(t, "extxyz/quip_style.xyz");
    round_trip(t, "cli/two_frames.xyz");
}

static void check_bad(al_test *t, const char *file, const char *message)
{
    al_err err;
    al_frame *f = NULL;
    size_t n = 0;
    char name[256];
    snprintf(name, sizeof name, "extxyz/bad/%s", file);
    al_status st = al_xyz_read_all(al_test_path(al_test_data_dir(), name), &f, &n, &err);
    AL_CHECK_MSG(t, st == AL_EFORMAT, "%s: status %s", file, al_status_str(st));
    /* The message starts with the file name; compare from the base name on. */
    const char *m = strstr(err.msg, file);
    AL_CHECK_STR(t, m, message);
}

static void test_bad_files(al_test *t)
{
    check_bad(t, "truncated.xyz", "truncated.xyz:4: frame 0: file ends after 2 of 3 atoms (truncated file)");
    check_bad(t, "unknown_element.xyz", "unknown_element.xyz:4: atom 1 of frame 0: unknown element 'Xq'");
    check_bad(t, "non_numeric.xyz", "non_numeric.xyz:3: atom 0 of frame 0: column 'pos' expects a real, got 'zero'");
    check_bad(t, "wrong_count.xyz", "wrong_count.xyz:5: expected the atom count of frame 1, got 'Si 2 2 2'");
    check_bad(t, "not_a_count.xyz", "not_a_count.xyz:1: expected the atom count of frame 0, got 'hello'");
    check_bad(t, "short_lattice.xyz", "short_lattice.xyz:2: frame 0: 'Lattice' needs 9 numbers, got 8");
    check_bad(t, "bad_properties.xyz",
              "bad_properties.xyz:2: frame 0: malformed Properties 'species:S:1:pos:R' (expected name:type:columns triples)");
    check_bad(t, "no_pos.xyz", "no_pos.xyz:2: frame 0: Properties has no pos:R:3 column");
    check_bad(t, "short_line.xyz", "short_line.xyz:3: atom 0 of frame 0 has 6 columns, Properties needs 7");
    check_bad(t, "unterminated.xyz", "unterminated.xyz:2: frame 0: unterminated quote or brace in the value of 'Lattice'");
    al_err err;
    al_xyz_reader *r = NULL;
    AL_CHECK(t, al_xyz_open("/nonexistent/x.xyz", &r, &err) == AL_ENOTFOUND && r == NULL);
    AL_CHECK_STR(t, err.msg, "/nonexistent/x.xyz: No such file or directory");
}

static void test_empty_file_has_no_frames(al_test *t)
{
    char path[1024];
    snprintf(path, sizeof path, "%sempty.xyz", al_test_tmp_dir(t));
    FILE *fp = fopen(path, "w");
    fputs("\n\n", fp);
    fclose(fp);
    al_err err;
    al_frame *f = NULL;
    size_t n = 99;
    AL_CHECK_OK(t, al_xyz_read_all(path, &f, &n, &err), &err);
    AL_CHECK(t, n == 0 && f == NULL);
}

/* Frames sent between processes go through memory as text: the same frames come back, an
 * empty buffer holds none, and a damaged one is reported under the buffer's name and line. */
static void test_memory_round_trip(al_test *t)
{
    al_err err;
    al_frame *a = NULL, *b = NULL;
    size_t na = 0, nb = 0, len = 0;
    char *text = NULL;
    AL_CHECK_OK(t, al_xyz_read_all(al_test_path(al_test_data_dir(), "extxyz/ase_mixed.xyz"), &a, &na, &err), &err);
    AL_CHECK_OK(t, al_xyz_write_buffer(a, na, &text, &len, &err), &err);
    AL_CHECK(t, text && len == strlen(text));
    AL_CHECK_OK(t, al_xyz_read_buffer(text, len, "message", &b, &nb, &err), &err);
    AL_CHECK_MSG(t, na == nb && na > 1, "%zu frames against %zu", na, nb);
    for (size_t k = 0; k < na && k < nb; k++) AL_CHECK_MSG(t, frames_equal(&a[k], &b[k]), "frame %zu differs", k);
    al_frames_free(b, nb);
    AL_CHECK_OK(t, al_xyz_read_buffer(text, 0, "message", &b, &nb, &err), &err);
    AL_CHECK(t, b == NULL && nb == 0);
    char *cut = strchr(strchr(text, '\n') + 1, '\n') + 1;   /* keep line 1, 2 and the first atom */
    cut = strchr(cut, '\n') + 1;
    al_status st = al_xyz_read_buffer(text, (size_t)(cut - text), "message from rank 1", &b, &nb, &err);
    AL_CHECK(t, st == AL_EFORMAT && b == NULL);
    AL_CHECK_CONTAINS(t, err.msg, "message from rank 1:");
    AL_CHECK_CONTAINS(t, err.msg, "truncated");
    al_free(text);
    al_frames_free(a, na);
}

static const al_test_case cases[] = {
    {"read_ase_fixture", test_read_ase_fixture, AL_TEST_FAST},
    {"read_quip_style", test_read_quip_style, AL_TEST_FAST},
    {"round_trip_exact", test_round_trip_exact, AL_TEST_FAST},
    {"bad_files", test_bad_files, AL_TEST_FAST},
    {"empty_file_has_no_frames", test_empty_file_has_no_frames, AL_TEST_FAST},
    {"memory_round_trip", test_memory_round_trip, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
