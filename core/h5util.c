/*
 * HDF5 helpers: attributes, extendible row tables and quiet error handling (see h5util.h).
 * Only the HDF5 1.10 public C API is used.
 */
#include "core/h5util.h"

#include <string.h>

void al_h5_quiet_begin(al_h5_quiet *q)
{
    q->func = NULL;
    q->data = NULL;
    H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void al_h5_quiet_end(const al_h5_quiet *q) { H5Eset_auto2(H5E_DEFAULT, q->func, q->data); }

typedef struct last_msg {
    char *buf;
    size_t cap;
} last_msg;

/* Walking upward starts at the innermost frame (n == 0), the one that says
 * what actually failed ("file signature not found"). */
static herr_t keep_innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    last_msg *m = data;
    if (n == 0 && e->desc) {
        strncpy(m->buf, e->desc, m->cap - 1);
        m->buf[m->cap - 1] = '\0';
    }
    return 0;
}

void al_h5_last_error(char *buf, size_t cap)
{
    if (!buf || cap == 0) return;
    buf[0] = '\0';
    last_msg m = {buf, cap};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &m);
}

/* Name of an object for messages ("/frames/energy"), or "?" when unknown. */
static const char *obj_name(hid_t obj, char *buf, size_t cap)
{
    ssize_t n = H5Iget_name(obj, buf, cap);
    if (n <= 0) snprintf(buf, cap, "?");
    return buf;
}

static al_status attr_write(hid_t obj, const char *name, hid_t ftype, hid_t mtype,
                            const void *value, al_err *err)
{
    al_status st = AL_OK;
    hid_t space = H5Screate(H5S_SCALAR), attr = H5I_INVALID_HID;
    char oname[256];
    if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
    attr = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    if (space < 0 || attr < 0 || H5Awrite(attr, mtype, value) < 0)
        st = al_fail(err, AL_EIO, "cannot write attribute '%s' on %s", name,
                     obj_name(obj, oname, sizeof oname));
    if (attr >= 0) H5Aclose(attr);
    if (space >= 0) H5Sclose(space);
    return st;
}

al_status al_h5_attr_write_str(hid_t obj, const char *name, const char *value, al_err *err)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(value) + 1);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    H5Tset_cset(t, H5T_CSET_UTF8);
    al_status st = attr_write(obj, name, t, t, value, err);
    H5Tclose(t);
    return st;
}

al_status al_h5_attr_write_int(hid_t obj, const char *name, long value, al_err *err)
{
    return attr_write(obj, name, H5T_STD_I64LE, H5T_NATIVE_LONG, &value, err);
}

al_status al_h5_attr_write_real(hid_t obj, const char *name, double value, al_err *err)
{
    return attr_write(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, err);
}

/* Opens attribute name on obj, or reports AL_ENOTFOUND naming both. */
static al_status attr_open(hid_t obj, const char *name, hid_t *attr, al_err *err)
{
    char oname[256];
    *attr = H5I_INVALID_HID;
    if (H5Aexists(obj, name) <= 0)
        return al_fail(err, AL_ENOTFOUND, "attribute '%s' not found on %s", name,
                       obj_name(obj, oname, sizeof oname));
    *attr = H5Aopen(obj, name, H5P_DEFAULT);
    if (*attr < 0)
        return al_fail(err, AL_EIO, "cannot open attribute '%s' on %s", name,
                       obj_name(obj, oname, sizeof oname));
    return AL_OK;
}

al_status al_h5_attr_read_str(hid_t obj, const char *name, char *buf, size_t cap, al_err *err)
{
    hid_t attr, ftype = H5I_INVALID_HID, mtype = H5I_INVALID_HID;
    char oname[256];
    al_status st = attr_open(obj, name, &attr, err);
    if (st) return st;
    ftype = H5Aget_type(attr);
    if (H5Tget_class(ftype) != H5T_STRING || H5Tis_variable_str(ftype) > 0) {
        st = al_fail(err, AL_EFORMAT, "attribute '%s' on %s is not a fixed-length string", name,
                     obj_name(obj, oname, sizeof oname));
        goto done;
    }
    size_t n = H5Tget_size(ftype);
    char tmp[1024];
    if (n >= sizeof tmp) n = sizeof tmp - 1;
    mtype = H5Tcopy(H5T_C_S1);
    H5Tset_size(mtype, n + 1);
    H5Tset_strpad(mtype, H5T_STR_NULLTERM);
    H5Tset_cset(mtype, H5Tget_cset(ftype)); /* HDF5 does not convert between character sets */
    if (H5Aread(attr, mtype, tmp) < 0) {
        st = al_fail(err, AL_EIO, "cannot read attribute '%s' on %s", name,
                     obj_name(obj, oname, sizeof oname));
        goto done;
    }
    tmp[n] = '\0';
    snprintf(buf, cap, "%s", tmp);
done:
    if (mtype >= 0) H5Tclose(mtype);
    if (ftype >= 0) H5Tclose(ftype);
    H5Aclose(attr);
    return st;
}

static al_status attr_read_num(hid_t obj, const char *name, hid_t mtype, void *value,
                               al_err *err)
{
    hid_t attr, ftype;
    char oname[256];
    al_status st = attr_open(obj, name, &attr, err);
    if (st) return st;
    ftype = H5Aget_type(attr);
    H5T_class_t c = H5Tget_class(ftype);
    if (c != H5T_INTEGER && c != H5T_FLOAT)
        st = al_fail(err, AL_EFORMAT, "attribute '%s' on %s is not a number", name,
                     obj_name(obj, oname, sizeof oname));
    else if (H5Aread(attr, mtype, value) < 0)
        st = al_fail(err, AL_EIO, "cannot read attribute '%s' on %s", name,
                     obj_name(obj, oname, sizeof oname));
    H5Tclose(ftype);
    H5Aclose(attr);
    return st;
}

al_status al_h5_attr_read_int(hid_t obj, const char *name, long *value, al_err *err)
{
    return attr_read_num(obj, name, H5T_NATIVE_LONG, value, err);
}

al_status al_h5_attr_read_real(hid_t obj, const char *name, double *value, al_err *err)
{
    return attr_read_num(obj, name, H5T_NATIVE_DOUBLE, value, err);
}

al_status al_h5_ext_create(hid_t loc, const char *name, hid_t type, int rank,
                           const hsize_t *inner, hsize_t chunk_rows, const char *units,
                           hid_t *out, al_err *err)
{
    hsize_t dims[3] = {0, 0, 0}, maxd[3], chunk[3];
    al_status st = AL_OK;
    hid_t space = H5I_INVALID_HID, dcpl = H5I_INVALID_HID, d = H5I_INVALID_HID;
    *out = H5I_INVALID_HID;
    if (rank < 1 || rank > 3 || chunk_rows == 0)
        return al_fail(err, AL_EINVAL, "dataset '%s': rank %d / chunk %llu not supported", name,
                       rank, (unsigned long long)chunk_rows);
    maxd[0] = H5S_UNLIMITED;
    chunk[0] = chunk_rows;
    for (int k = 1; k < rank; k++) dims[k] = maxd[k] = chunk[k] = inner[k - 1];
    space = H5Screate_simple(rank, dims, maxd);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (space < 0 || dcpl < 0 || H5Pset_chunk(dcpl, rank, chunk) < 0) {
        st = al_fail(err, AL_EIO, "cannot set up dataset '%s'", name);
        goto done;
    }
    d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d < 0) {
        st = al_fail(err, AL_EIO, "cannot create dataset '%s'", name);
        goto done;
    }
    if (units && (st = al_h5_attr_write_str(d, "units", units, err))) goto done;
    *out = d;
    d = H5I_INVALID_HID;
done:
    if (d >= 0) H5Dclose(d);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (space >= 0) H5Sclose(space);
    return st;
}

/* Reads the full shape of a dataset (rank ≤ 3). */
static al_status get_shape(hid_t dset, int *rank, hsize_t dims[3], al_err *err)
{
    char oname[256];
    hid_t space = H5Dget_space(dset);
    int r = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    if (r < 1 || r > 3 || H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
        if (space >= 0) H5Sclose(space);
        return al_fail(err, AL_EFORMAT, "dataset %s has an unexpected shape",
                       obj_name(dset, oname, sizeof oname));
    }
    H5Sclose(space);
    *rank = r;
    return AL_OK;
}

al_status al_h5_rows(hid_t dset, hsize_t *rows, al_err *err)
{
    int rank = 1;
    hsize_t dims[3];
    AL_TRY(err, get_shape(dset, &rank, dims, err));
    *rows = dims[0];
    return AL_OK;
}

/* Selects rows [row0, row0+nrows) of the file space and makes a matching memory space. */
static al_status row_io(hid_t dset, hid_t mtype, hsize_t row0, hsize_t nrows, void *rbuf,
                        const void *wbuf, al_err *err)
{
    int rank = 1;
    hsize_t dims[3], start[3] = {row0, 0, 0}, count[3];
    char oname[256];
    al_status st = AL_OK;
    if (nrows == 0) return AL_OK;
    AL_TRY(err, get_shape(dset, &rank, dims, err));
    if (wbuf && row0 + nrows > dims[0]) {
        dims[0] = row0 + nrows;
        if (H5Dset_extent(dset, dims) < 0)
            return al_fail(err, AL_EIO, "cannot extend dataset %s to %llu rows",
                           obj_name(dset, oname, sizeof oname), (unsigned long long)dims[0]);
    } else if (!wbuf && row0 + nrows > dims[0]) {
        return al_fail(err, AL_EFORMAT, "dataset %s has %llu rows, rows %llu..%llu requested",
                       obj_name(dset, oname, sizeof oname), (unsigned long long)dims[0],
                       (unsigned long long)row0, (unsigned long long)(row0 + nrows - 1));
    }
    count[0] = nrows;
    for (int k = 1; k < rank; k++) count[k] = dims[k];
    hid_t fspace = H5Dget_space(dset), mspace = H5Screate_simple(rank, count, NULL);
    herr_t rc = -1;
    if (fspace >= 0 && mspace >= 0 &&
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0)
        rc = wbuf ? H5Dwrite(dset, mtype, mspace, fspace, H5P_DEFAULT, wbuf)
                  : H5Dread(dset, mtype, mspace, fspace, H5P_DEFAULT, rbuf);
    if (rc < 0) {
        char h5msg[160];
        al_h5_last_error(h5msg, sizeof h5msg);
        st = al_fail(err, AL_EIO, "cannot %s rows %llu..%llu of dataset %s (%s)",
                     wbuf ? "write" : "read", (unsigned long long)row0,
                     (unsigned long long)(row0 + nrows - 1),
                     obj_name(dset, oname, sizeof oname), h5msg);
    }
    if (mspace >= 0) H5Sclose(mspace);
    if (fspace >= 0) H5Sclose(fspace);
    return st;
}

al_status al_h5_write_rows(hid_t dset, hid_t mtype, hsize_t row0, hsize_t nrows,
                           const void *buf, al_err *err)
{
    return row_io(dset, mtype, row0, nrows, NULL, buf, err);
}

al_status al_h5_append_rows(hid_t dset, hid_t mtype, hsize_t nrows, const void *buf,
                            hsize_t *row0, al_err *err)
{
    hsize_t n;
    AL_TRY(err, al_h5_rows(dset, &n, err));
    if (row0) *row0 = n;
    return row_io(dset, mtype, n, nrows, NULL, buf, err);
}

al_status al_h5_read_rows(hid_t dset, hid_t mtype, hsize_t row0, hsize_t nrows, void *buf,
                          al_err *err)
{
    return row_io(dset, mtype, row0, nrows, buf, NULL, err);
}
