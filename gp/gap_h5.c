/*
 * The galore GAP model file (HDF5), format "galore-gap-model" version 2 (docs/gap.md):
 *   /                 attributes format, format_version, galore_version, units_energy "eV",
 *                     units_length "Angstrom", n_descriptors, sigma_energy (eV/atom),
 *                     sigma_force (eV/Angstrom), sigma_virial (eV/atom), sparse_jitter (eV^2),
 *                     seed, training_set_hash (FNV-1a, hex), n_training_frames
 *   /e0               (AL_MAX_Z + 1) eV per isolated atom, indexed by Z
 *   /descriptor_<d>/  attributes kind ("distance_2b" | "soap"), cutoff, transition_width
 *                     (Angstrom), delta (eV), theta (Angstrom, 2-body), zeta (SOAP), z1, z2 (2-body),
 *                     z, n_max, l_max, atom_sigma, species_z (int array: the neighbour species
 *                     in channel order), central (0 default, 1 own species, 2 all species)
 *                     (SOAP), n_sparse, sparse_method;
 *                     datasets sparse_x (n_sparse × dim), sparse_cutoff (n_sparse), alpha (n_sparse, 1/eV)
 *   /variance/L, /variance/R   m × m (column-major) factors of the sparse GP (optional)
 * Readers refuse a file whose format_version differs from the one they implement. Version 1
 * files (before multi-species SOAP; no species_z) are still read: their SOAP descriptors see
 * only their own species, as they did then.
 */
#include <hdf5.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/h5util.h"
#include "core/version.h"
#include "gp/gap_model.h"

enum { GP_MODEL_FORMAT_VERSION = 2, GP_MODEL_FORMAT_OLDEST = 1 };
static const char *const format_name = "galore-gap-model";

static al_status write_array(hid_t loc, const char *name, const double *v, int rank, const hsize_t *dims,
                             const char *units, al_err *err)
{
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t ds = sp < 0 ? -1 : H5Dcreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = ds < 0 ? -1 : H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    al_status st = rc < 0 ? al_fail(err, AL_EIO, "GAP model: cannot write dataset %s", name) : AL_OK;
    if (!st && units) st = al_h5_attr_write_str(ds, "units", units, err);
    if (ds >= 0) H5Dclose(ds);
    if (sp >= 0) H5Sclose(sp);
    return st;
}

/* Reads dataset name, which must have exactly `count` elements. */
static al_status read_array(hid_t loc, const char *name, double *v, size_t count, const char *path, al_err *err)
{
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0) return al_fail(err, AL_EFORMAT, "%s: dataset %s is missing", path, name);
    hid_t sp = H5Dget_space(ds);
    hssize_t n = sp < 0 ? -1 : H5Sget_simple_extent_npoints(sp);
    al_status st = AL_OK;
    if (n != (hssize_t)count)
        st = al_fail(err, AL_EFORMAT, "%s: dataset %s has %lld values, expected %zu", path, name, (long long)n, count);
    else if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        st = al_fail(err, AL_EIO, "%s: cannot read dataset %s", path, name);
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(ds);
    return st;
}

static al_status write_int_array(hid_t loc, const char *name, const int *v, int n, al_err *err)
{
    hsize_t dim = (hsize_t)n;
    hid_t sp = H5Screate_simple(1, &dim, NULL);
    hid_t at = sp < 0 ? -1 : H5Acreate2(loc, name, H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = at < 0 ? -1 : H5Awrite(at, H5T_NATIVE_INT, v);
    if (at >= 0) H5Aclose(at);
    if (sp >= 0) H5Sclose(sp);
    return rc < 0 ? al_fail(err, AL_EIO, "GAP model: cannot write attribute %s", name) : AL_OK;
}

/* Reads integer array attribute name of at most cap values; *n gets the count. */
static al_status read_int_array(hid_t loc, const char *name, int *v, int cap, int *n, const char *path, al_err *err)
{
    hid_t at = H5Aopen(loc, name, H5P_DEFAULT);
    if (at < 0) return al_fail(err, AL_EFORMAT, "%s: attribute %s is missing", path, name);
    hid_t sp = H5Aget_space(at);
    hssize_t k = sp < 0 ? -1 : H5Sget_simple_extent_npoints(sp);
    al_status st = AL_OK;
    if (k < 1 || k > cap) st = al_fail(err, AL_EFORMAT, "%s: attribute %s has %lld values (1 to %d allowed)", path, name,
                                       (long long)k, cap);
    else if (H5Aread(at, H5T_NATIVE_INT, v) < 0) st = al_fail(err, AL_EIO, "%s: cannot read attribute %s", path, name);
    if (sp >= 0) H5Sclose(sp);
    H5Aclose(at);
    *n = st ? 0 : (int)k;
    return st;
}

static al_status write_descriptor(const gp_model *m, size_t d, hid_t file, al_err *err)
{
    const gp_desc_hyper *h = &m->spec.desc[d];
    const gp_desc_model *dm = &m->d[d];
    char name[32];
    snprintf(name, sizeof name, "descriptor_%zu", d);
    hid_t g = H5Gcreate2(file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return al_fail(err, AL_EIO, "GAP model: cannot create group %s", name);
    int soap = h->kind == GP_KIND_SOAP;
    al_status st = al_h5_attr_write_str(g, "kind", soap ? "soap" : "distance_2b", err);
    if (!st) st = al_h5_attr_write_real(g, "cutoff", soap ? h->soap.cutoff : h->b2.cutoff, err);
    if (!st) st = al_h5_attr_write_real(g, "transition_width", soap ? h->soap.transition_width : h->b2.transition_width, err);
    if (!st) st = al_h5_attr_write_real(g, "delta", h->delta, err);
    if (!st) st = al_h5_attr_write_int(g, "n_sparse", (long)dm->ns, err);
    if (!st) st = al_h5_attr_write_int(g, "sparse_method", (long)h->sparse_method, err);
    if (!st && soap) {
        if (!st) st = al_h5_attr_write_int(g, "zeta", h->zeta, err);
        if (!st) st = al_h5_attr_write_int(g, "z", h->soap.z, err);
        if (!st) st = al_h5_attr_write_int(g, "n_max", h->soap.n_max, err);
        if (!st) st = al_h5_attr_write_int(g, "l_max", h->soap.l_max, err);
        if (!st) st = al_h5_attr_write_real(g, "atom_sigma", h->soap.atom_sigma, err);
        if (!st) st = write_int_array(g, "species_z", h->soap_species.z, h->soap_species.n, err);
        if (!st) st = al_h5_attr_write_int(g, "central", (long)h->soap_species.central, err);
    } else if (!st) {
        if (!st) st = al_h5_attr_write_real(g, "theta", h->theta, err);
        if (!st) st = al_h5_attr_write_int(g, "z1", h->b2.z1, err);
        if (!st) st = al_h5_attr_write_int(g, "z2", h->b2.z2, err);
    }
    hsize_t dims[2] = {dm->ns, dm->dim};
    if (!st) st = write_array(g, "sparse_x", dm->xs, 2, dims, soap ? "1" : "Angstrom", err);
    if (!st) st = write_array(g, "sparse_cutoff", dm->ws, 1, dims, "1", err);
    if (!st) st = write_array(g, "alpha", m->alpha + dm->first, 1, dims, "1/eV", err);
    H5Gclose(g);
    return st;
}

static al_status write_model(const gp_model *m, hid_t f, al_err *err)
{
    const gp_gap_spec *s = &m->spec;
    char hash[32];
    snprintf(hash, sizeof hash, "%016" PRIx64, m->train_hash);
    AL_TRY(err, al_h5_attr_write_str(f, "format", format_name, err));
    AL_TRY(err, al_h5_attr_write_int(f, "format_version", GP_MODEL_FORMAT_VERSION, err));
    AL_TRY(err, al_h5_attr_write_str(f, "galore_version", GALORE_VERSION, err));
    AL_TRY(err, al_h5_attr_write_str(f, "units_energy", "eV", err));
    AL_TRY(err, al_h5_attr_write_str(f, "units_length", "Angstrom", err));
    AL_TRY(err, al_h5_attr_write_int(f, "n_descriptors", (long)s->n_desc, err));
    AL_TRY(err, al_h5_attr_write_real(f, "sigma_energy", s->sigma_energy, err));
    AL_TRY(err, al_h5_attr_write_real(f, "sigma_force", s->sigma_force, err));
    AL_TRY(err, al_h5_attr_write_real(f, "sigma_virial", s->sigma_virial, err));
    AL_TRY(err, al_h5_attr_write_real(f, "sparse_jitter", s->sparse_jitter, err));
    AL_TRY(err, al_h5_attr_write_int(f, "seed", (long)s->seed, err));
    AL_TRY(err, al_h5_attr_write_str(f, "training_set_hash", hash, err));
    AL_TRY(err, al_h5_attr_write_int(f, "n_training_frames", (long)m->n_train, err));
    hsize_t nz = AL_MAX_Z + 1;
    AL_TRY(err, write_array(f, "e0", s->e0, 1, &nz, "eV", err));
    for (size_t d = 0; d < s->n_desc; d++) AL_TRY(err, write_descriptor(m, d, f, err));
    if (!m->dtc) return AL_OK;
    const double *l, *r;
    gp_dtc_factors(m->dtc, &l, &r);
    hid_t g = H5Gcreate2(f, "variance", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return al_fail(err, AL_EIO, "GAP model: cannot create group variance");
    hsize_t dims[2] = {m->m, m->m};
    al_status st = write_array(g, "L", l, 2, dims, "eV", err);
    if (!st) st = write_array(g, "R", r, 2, dims, "eV", err);
    H5Gclose(g);
    return st;
}

al_status gp_model_save(const gp_model *m, const char *path, al_err *err)
{
    al_h5_quiet q;
    al_h5_quiet_begin(&q);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    al_status st = f < 0 ? al_fail(err, AL_EIO, "%s: cannot create the model file", path) : write_model(m, f, err);
    if (f >= 0 && H5Fclose(f) < 0 && !st) st = al_fail(err, AL_EIO, "%s: cannot close the model file", path);
    al_h5_quiet_end(&q);
    if (st) al_fail_wrap(err, "%s: ", path);
    return st;
}

/* The neighbour species of SOAP descriptor d (format version 2; version 1: its own species). */
static al_status read_soap_species(hid_t g, long ver, gp_desc_hyper *h, const char *path, al_err *err)
{
    desc_soap_species *sp = &h->soap_species;
    long central = 0;
    if (ver < 2) {
        sp->n = 1;
        sp->z[0] = h->soap.z;
        return AL_OK;
    }
    AL_TRY(err, read_int_array(g, "species_z", sp->z, DESC_SOAP_MAX_SPECIES, &sp->n, path, err));
    AL_TRY(err, al_h5_attr_read_int(g, "central", &central, err));
    if (central < 0 || central > DESC_SOAP_CENTRAL_ALL)
        return al_fail(err, AL_EFORMAT, "%s: SOAP attribute central is %ld (0, 1 or 2 allowed)", path, central);
    sp->central = (desc_soap_central)central;
    return AL_OK;
}

static al_status read_hyper(hid_t f, long ver, size_t d, gp_gap_spec *s, const char *path, al_err *err)
{
    char name[32], kind[32];
    snprintf(name, sizeof name, "descriptor_%zu", d);
    hid_t g = H5Gopen2(f, name, H5P_DEFAULT);
    if (g < 0) return al_fail(err, AL_EFORMAT, "%s: group %s is missing", path, name);
    double rc = 0, w = 0, delta = 0, theta = 0, sig = 0;
    long ns = 0, meth = 0, zeta = 0, z1 = 0, z2 = 0, nmax = 0, lmax = 0;
    al_status st = al_h5_attr_read_str(g, "kind", kind, sizeof kind, err);
    if (!st) st = al_h5_attr_read_real(g, "cutoff", &rc, err);
    if (!st) st = al_h5_attr_read_real(g, "transition_width", &w, err);
    if (!st) st = al_h5_attr_read_real(g, "delta", &delta, err);
    if (!st) st = al_h5_attr_read_int(g, "n_sparse", &ns, err);
    if (!st) st = al_h5_attr_read_int(g, "sparse_method", &meth, err);
    if (!st && !strcmp(kind, "soap")) {
        if (!st) st = al_h5_attr_read_int(g, "zeta", &zeta, err);
        if (!st) st = al_h5_attr_read_int(g, "z", &z1, err);
        if (!st) st = al_h5_attr_read_int(g, "n_max", &nmax, err);
        if (!st) st = al_h5_attr_read_int(g, "l_max", &lmax, err);
        if (!st) st = al_h5_attr_read_real(g, "atom_sigma", &sig, err);
        if (!st) st = gp_gap_spec_add_soap(s, (int)z1, rc, w, (int)nmax, (int)lmax, sig, (int)zeta, delta, (size_t)ns, err);
        if (!st) st = read_soap_species(g, ver, &s->desc[s->n_desc - 1], path, err);
    } else if (!st && !strcmp(kind, "distance_2b")) {
        if (!st) st = al_h5_attr_read_real(g, "theta", &theta, err);
        if (!st) st = al_h5_attr_read_int(g, "z1", &z1, err);
        if (!st) st = al_h5_attr_read_int(g, "z2", &z2, err);
        if (!st) st = gp_gap_spec_add_2b(s, (int)z1, (int)z2, rc, w, delta, theta, (size_t)ns, err);
    } else if (!st) {
        st = al_fail(err, AL_EFORMAT, "%s: %s has unknown kind \"%s\"", path, name, kind);
    }
    if (!st) s->desc[s->n_desc - 1].sparse_method = (gp_sparse_method)meth;
    H5Gclose(g);
    if (st && err && strncmp(err->msg, path, strlen(path))) al_fail_wrap(err, "%s: %s: ", path, name);
    return st;
}

static al_status read_spec(hid_t f, const char *path, gp_gap_spec *s, al_err *err)
{
    char fmt[64];
    long ver = 0, nd = 0, seed = 0;
    if (al_h5_attr_read_str(f, "format", fmt, sizeof fmt, NULL) || strcmp(fmt, format_name))
        return al_fail(err, AL_EFORMAT, "%s: not a galore GAP model (no format=\"%s\" attribute)", path, format_name);
    AL_TRY(err, al_h5_attr_read_int(f, "format_version", &ver, err));
    if (ver < GP_MODEL_FORMAT_OLDEST || ver > GP_MODEL_FORMAT_VERSION)
        return al_fail(err, AL_EFORMAT, "%s: model format version %ld, but this galore reads versions %d to %d; refit the "
                       "model or use the galore that wrote it", path, ver, GP_MODEL_FORMAT_OLDEST, GP_MODEL_FORMAT_VERSION);
    *s = gp_gap_spec_default();
    AL_TRY(err, al_h5_attr_read_int(f, "n_descriptors", &nd, err));
    AL_TRY(err, al_h5_attr_read_real(f, "sigma_energy", &s->sigma_energy, err));
    AL_TRY(err, al_h5_attr_read_real(f, "sigma_force", &s->sigma_force, err));
    AL_TRY(err, al_h5_attr_read_real(f, "sigma_virial", &s->sigma_virial, err));
    AL_TRY(err, al_h5_attr_read_real(f, "sparse_jitter", &s->sparse_jitter, err));
    AL_TRY(err, al_h5_attr_read_int(f, "seed", &seed, err));
    s->seed = (uint64_t)seed;
    if (nd < 1 || nd > GP_MAX_DESC) return al_fail(err, AL_EFORMAT, "%s: n_descriptors = %ld", path, nd);
    AL_TRY(err, read_array(f, "e0", s->e0, AL_MAX_Z + 1, path, err));
    for (size_t d = 0; d < (size_t)nd; d++) AL_TRY(err, read_hyper(f, ver, d, s, path, err));
    return AL_OK;
}

static al_status read_model(hid_t f, const char *path, gp_model **out, al_err *err)
{
    gp_gap_spec spec;
    AL_TRY(err, read_spec(f, path, &spec, err));
    gp_model *m = NULL;
    AL_TRY(err, gp__model_new(&spec, &m, err));
    al_status st = AL_OK;
    for (size_t d = 0; !st && d < spec.n_desc; d++) st = gp__sparse_alloc(m, d, spec.desc[d].n_sparse, err);
    if (!st) st = gp__alpha_alloc(m, err);
    for (size_t d = 0; !st && d < spec.n_desc; d++) {
        char name[64];
        gp_desc_model *dm = &m->d[d];
        snprintf(name, sizeof name, "descriptor_%zu/sparse_x", d);
        st = read_array(f, name, dm->xs, dm->ns * dm->dim, path, err);
        snprintf(name, sizeof name, "descriptor_%zu/sparse_cutoff", d);
        if (!st) st = read_array(f, name, dm->ws, dm->ns, path, err);
        snprintf(name, sizeof name, "descriptor_%zu/alpha", d);
        if (!st) st = read_array(f, name, m->alpha + dm->first, dm->ns, path, err);
    }
    char hash[32] = "";
    long ntr = 0;
    if (!st && !al_h5_attr_read_str(f, "training_set_hash", hash, sizeof hash, NULL)) m->train_hash = strtoull(hash, NULL, 16);
    if (!st && !al_h5_attr_read_int(f, "n_training_frames", &ntr, NULL)) m->n_train = (size_t)ntr;
    if (!st && H5Lexists(f, "variance", H5P_DEFAULT) > 0) {
        double *l = al_malloc(m->m * m->m * sizeof *l), *r = al_malloc(m->m * m->m * sizeof *r);
        st = l && r ? AL_OK : al_fail(err, AL_ENOMEM, "%s: out of memory for the variance factors", path);
        if (!st) st = read_array(f, "variance/L", l, m->m * m->m, path, err);
        if (!st) st = read_array(f, "variance/R", r, m->m * m->m, path, err);
        if (!st) st = gp_dtc_from_factors(m->m, l, r, &m->dtc, err);
        al_free(l);
        al_free(r);
    }
    if (st) {
        gp_model_destroy(m);
        return st;
    }
    *out = m;
    return AL_OK;
}

al_status gp_model_load(const char *path, gp_model **out, al_err *err)
{
    *out = NULL;
    al_h5_quiet q;
    al_h5_quiet_begin(&q);
    hid_t f = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    al_status st = f < 0 ? al_fail(err, AL_EIO, "%s: cannot open as an HDF5 file", path) : read_model(f, path, out, err);
    if (f >= 0) H5Fclose(f);
    al_h5_quiet_end(&q);
    return st;
}

uint64_t gp_model_training_hash(const gp_model *m) { return m->train_hash; }

al_status gp_model_open(const char *path, gp_model **out, al_err *err)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return al_fail(err, AL_ENOTFOUND, "%s: no such model file", path);
    fclose(fp);
    al_h5_quiet q;
    al_h5_quiet_begin(&q);
    htri_t h5 = H5Fis_hdf5(path);
    al_h5_quiet_end(&q);
    return h5 > 0 ? gp_model_load(path, out, err) : gp_model_read_quip_xml(path, out, err);
}
