/*
 * GAP model files: QUIP XML read against an independent implementation (NumPy re-implementation
 * of QUIP's SOAP and GAP energy, tests/data/gp/make_quip_fixture.py), XML write and re-import
 * predicting identically, the HDF5 model file round trip (with uncertainty and training hash),
 * and bad files with their exact messages.
 */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/extxyz.h"
#include "core/h5util.h"
#include "gp/gap.h"
#include "tests/harness/al_test.h"

static const char *data(const char *name) { return al_test_path(al_test_data_dir(), name); }

static void test_quip_xml_reference(al_test *t)
{
    al_err err;
    gp_model *m = NULL;
    al_frame *f = NULL;
    size_t n = 0;
    AL_CHECK_OK(t, gp_model_read_quip_xml(data("gp/quip_small.xml"), &m, &err), &err);
    AL_CHECK_OK(t, al_xyz_read_all(data("gp/quip_small_ref.xyz"), &f, &n, &err), &err);
    AL_CHECK(t, n == 3 && gp_model_spec(m)->n_desc == 2 && gp_model_n_sparse(m, 0) == 20 && gp_model_n_sparse(m, 1) == 30);
    AL_CHECK(t, !gp_model_has_variance(m));
    for (size_t k = 0; k < n; k++) {
        size_t na = f[k].n_atoms;
        double (*forces)[3] = calloc(na, sizeof *forces), eref;
        al_pot_result r = {.forces = forces};
        AL_CHECK_OK(t, gp_model_predict(m, &f[k], &r, &err), &err);
        AL_CHECK(t, al_info_get_real(&f[k].info, "ref_energy", &eref));
        AL_CHECK_CLOSE(t, r.energy / na, eref / na, 1e-8);   /* the reference is good to ~1e-7 eV */
        const al_atom_prop *rf = al_frame_find_prop(&f[k], "ref_forces"), *mk = al_frame_find_prop(&f[k], "ref_mask");
        AL_CHECK(t, rf && mk);
        for (size_t i = 0; rf && mk && i < na; i++)
            if (mk->ints[i])
                for (int a = 0; a < 3; a++) AL_CHECK_CLOSE(t, forces[i][a], rf->reals[3 * i + a], 1e-6);
        /* Asking a model without variance factors for uncertainty is an error, not zeros. */
        al_pot_result ru = {.want_uncertainty = true};
        AL_CHECK(t, gp_model_predict(m, &f[k], &ru, &err) == AL_EINVAL);
        AL_CHECK_CONTAINS(t, err.msg, "no variance factors");
        free(forces);
    }
    al_frames_free(f, n);
    gp_model_destroy(m);
}

/* Energy, forces and virial of a model on a frame, compared exactly with another model's. */
static void check_identical(al_test *t, gp_model *a, gp_model *b, const al_frame *f, int unc)
{
    al_err err;
    size_t na = f->n_atoms;
    double (*fa)[3] = calloc(na, sizeof *fa), (*fb)[3] = calloc(na, sizeof *fb), va[9], vb[9];
    double *sa = calloc(na, sizeof *sa), *sb = calloc(na, sizeof *sb);
    al_pot_result ra = {.forces = fa, .virial = va, .want_uncertainty = unc, .atom_sigma = sa};
    al_pot_result rb = {.forces = fb, .virial = vb, .want_uncertainty = unc, .atom_sigma = sb};
    AL_CHECK_OK(t, gp_model_predict(a, f, &ra, &err), &err);
    AL_CHECK_OK(t, gp_model_predict(b, f, &rb, &err), &err);
    AL_CHECK_MSG(t, ra.energy == rb.energy, "energies %.17g and %.17g", ra.energy, rb.energy);
    AL_CHECK(t, !memcmp(fa, fb, na * sizeof *fa) && !memcmp(va, vb, sizeof va));
    if (unc) AL_CHECK(t, !memcmp(sa, sb, na * sizeof *sa) && ra.sigma_max == rb.sigma_max);
    free(fa);
    free(fb);
    free(sa);
    free(sb);
}

static gp_model *fit_small(al_test *t, al_frame **f, size_t *n)
{
    al_err err;
    AL_CHECK_OK(t, al_xyz_read_all(data("md/sw_frames.xyz"), f, n, &err), &err);
    gp_gap_spec s = gp_gap_spec_default();
    gp_gap_spec_add_2b(&s, 14, 14, 5.0, 0.5, 1.0, 1.0, 10, &err);
    gp_gap_spec_add_soap(&s, 14, 4.0, 1.0, 4, 3, 0.5, 4, 0.2, 40, &err);
    s.e0[14] = -0.3;
    s.sparse_jitter = 1e-8;
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, *f, 3, &m, &err), &err);
    return m;
}

static void test_xml_round_trip(al_test *t)
{
    al_err err;
    al_frame *f = NULL;
    size_t n = 0;
    gp_model *m = fit_small(t, &f, &n), *b = NULL, *q = NULL, *q2 = NULL;
    const char *path = al_test_path(al_test_tmp_dir(t), "model.xml");
    AL_CHECK_OK(t, gp_model_write_quip_xml(m, path, &err), &err);
    AL_CHECK_OK(t, gp_model_read_quip_xml(path, &b, &err), &err);
    check_identical(t, m, b, &f[4], 0);
    /* QUIP's own file survives a write and re-read. */
    AL_CHECK_OK(t, gp_model_read_quip_xml(data("gp/quip_small.xml"), &q, &err), &err);
    AL_CHECK_OK(t, gp_model_write_quip_xml(q, path, &err), &err);
    AL_CHECK_OK(t, gp_model_read_quip_xml(path, &q2, &err), &err);
    check_identical(t, q, q2, &f[1], 0);
    gp_model_destroy(m);
    gp_model_destroy(b);
    gp_model_destroy(q);
    gp_model_destroy(q2);
    al_frames_free(f, n);
}

/* gap_fit's default layout, vectors in side files, reads as the same model. */
static void test_quip_side_file(al_test *t)
{
    al_err err;
    gp_model *a = NULL, *b = NULL;
    al_frame *f = NULL;
    size_t n = 0;
    AL_CHECK_OK(t, gp_model_read_quip_xml(data("gp/quip_small.xml"), &a, &err), &err);
    AL_CHECK_OK(t, gp_model_read_quip_xml(data("gp/quip_small_sep.xml"), &b, &err), &err);
    AL_CHECK_OK(t, al_xyz_read_all(data("gp/quip_small_ref.xyz"), &f, &n, &err), &err);
    check_identical(t, a, b, &f[1], 0);
    /* Without its side files the model cannot be read; the message names the file. */
    const char *dir = al_test_tmp_dir(t), *copy = al_test_path(dir, "moved.xml");
    FILE *in = fopen(data("gp/quip_small_sep.xml"), "r"), *out = fopen(copy, "w");
    int c;
    while (in && out && (c = fgetc(in)) != EOF) fputc(c, out);
    if (in) fclose(in);
    if (out) fclose(out);
    gp_model *g = NULL;
    AL_CHECK(t, gp_model_read_quip_xml(copy, &g, &err) == AL_EIO && !g);
    AL_CHECK_CONTAINS(t, err.msg, "cannot open the sparse-vector file");
    AL_CHECK_CONTAINS(t, err.msg, "moved.xml: ");
    al_frames_free(f, n);
    gp_model_destroy(a);
    gp_model_destroy(b);
}

static void test_h5_round_trip(al_test *t)
{
    al_err err;
    al_frame *f = NULL;
    size_t n = 0;
    gp_model *m = fit_small(t, &f, &n), *b = NULL;
    const char *path = al_test_path(al_test_tmp_dir(t), "model.h5");
    AL_CHECK_OK(t, gp_model_save(m, path, &err), &err);
    AL_CHECK_OK(t, gp_model_load(path, &b, &err), &err);
    AL_CHECK(t, gp_model_has_variance(b) && gp_model_training_hash(b) == gp_model_training_hash(m));
    AL_CHECK(t, gp_model_training_hash(m) != 0 && gp_model_n_sparse(b, 1) == 40);
    AL_CHECK(t, gp_model_spec(b)->e0[14] == -0.3 && gp_model_spec(b)->desc[1].zeta == 4);
    check_identical(t, m, b, &f[4], 1);
    check_identical(t, m, b, &f[1], 1);
    /* Units are attributes of the file. */
    hid_t h = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    char units[32];
    AL_CHECK_OK(t, al_h5_attr_read_str(h, "units_energy", units, sizeof units, &err), &err);
    AL_CHECK_STR(t, units, "eV");
    /* A file from an incompatible future version is refused with both versions named. */
    AL_CHECK_OK(t, al_h5_attr_write_int(h, "format_version", 3, &err), &err);
    H5Fclose(h);
    gp_model_destroy(b);
    b = NULL;
    AL_CHECK(t, gp_model_load(path, &b, &err) == AL_EFORMAT && b == NULL);
    char want[512];
    snprintf(want, sizeof want, "%s: model format version 3, but this galore reads versions 1 to 2; refit the model or "
             "use the galore that wrote it", path);
    AL_CHECK_STR(t, err.msg, want);
    gp_model_destroy(m);
    al_frames_free(f, n);
}

static void test_bad_files(al_test *t)
{
    al_err err;
    gp_model *m = NULL;
    char want[512];
    const char *dir = al_test_tmp_dir(t), *p = al_test_path(dir, "bad.xml");
    AL_CHECK(t, gp_model_read_quip_xml(al_test_path(dir, "missing.xml"), &m, &err) == AL_EIO && !m);
    AL_CHECK_CONTAINS(t, err.msg, "missing.xml: not a readable XML file");
    FILE *fp = fopen(p, "w");
    fputs("<GAP_x><GAP_params gap_version=\"1686220958\"><gpSparse><gpCoordinates dimensions=\"1\" "
          "signal_variance=\"1\" covariance_type=\"1\" n_sparseX=\"1\">\n<descriptor>angle_3b cutoff=3</descriptor>"
          "</gpCoordinates></gpSparse></GAP_params></GAP_x>\n", fp);
    fclose(fp);
    AL_CHECK(t, gp_model_read_quip_xml(p, &m, &err) == AL_EFORMAT && !m);
    snprintf(want, sizeof want, "%s line 2: descriptor \"angle_3b cutoff=3\" is not supported (distance_2b and soap are)", p);
    AL_CHECK_STR(t, err.msg, want);
    fp = fopen(p, "w");
    fputs("<GAP_x><GAP_params gap_version=\"1686220958\"><gpSparse><gpCoordinates dimensions=\"1\" signal_variance=\"1\" "
          "covariance_type=\"1\" n_sparseX=\"2\"><theta>1.0</theta>\n<descriptor>distance_2b cutoff=5.0 Z1=14 Z2=14"
          "</descriptor>\n<sparseX i=\"1\" alpha=\"1\" sparseCutoff=\"1\"> 2.0 </sparseX>\n"
          "</gpCoordinates></gpSparse></GAP_params></GAP_x>\n", fp);
    fclose(fp);
    AL_CHECK(t, gp_model_read_quip_xml(p, &m, &err) == AL_EFORMAT && !m);
    snprintf(want, sizeof want, "%s line 1: n_sparseX=2 but 1 <sparseX> elements", p);
    AL_CHECK_STR(t, err.msg, want);
    fp = fopen(p, "w");
    fputs("<GAP_x><GAP_params gap_version=\"1400000000\"></GAP_params></GAP_x>\n", fp);
    fclose(fp);
    AL_CHECK(t, gp_model_read_quip_xml(p, &m, &err) == AL_EFORMAT);
    AL_CHECK_CONTAINS(t, err.msg, "gap_version 1400000000 predates the SOAP l-weighting galore implements");
    /* HDF5: not HDF5 at all, and HDF5 that is not a model. */
    AL_CHECK(t, gp_model_load(p, &m, &err) == AL_EIO && !m);
    snprintf(want, sizeof want, "%s: cannot open as an HDF5 file", p);
    AL_CHECK_STR(t, err.msg, want);
    const char *h5 = al_test_path(dir, "other.h5");
    hid_t h = H5Fcreate(h5, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(h);
    AL_CHECK(t, gp_model_load(h5, &m, &err) == AL_EFORMAT && !m);
    snprintf(want, sizeof want, "%s: not a galore GAP model (no format=\"galore-gap-model\" attribute)", h5);
    AL_CHECK_STR(t, err.msg, want);
}

static const al_test_case cases[] = {
    {"quip_xml_reference", test_quip_xml_reference, AL_TEST_FAST},
    {"xml_round_trip", test_xml_round_trip, AL_TEST_FAST},
    {"quip_side_file", test_quip_side_file, AL_TEST_FAST},
    {"h5_round_trip", test_h5_round_trip, AL_TEST_FAST},
    {"bad_files", test_bad_files, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
