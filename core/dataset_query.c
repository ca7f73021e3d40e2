/*
 * Queries and in-place updates of the HDF5 store: per-frame metadata, selection by filter,
 * role changes, adding labels to stored frames, and the summary shown by `galore info`.
 *
 * Updates never move data: a role is one byte of /frames/role; labels overwrite the frame's
 * rows of energy, virial and forces (NaN until then), are flushed, and only then is the
 * frame's byte in /frames/labels set. A crash before that last write leaves the frame exactly
 * as unlabeled as it was.
 */
#include <limits.h>
#include <string.h>

#include "core/alloc.h"
#include "core/dataset_impl.h"
#include "core/h5util.h"

static al_status check_index(const al_store *s, size_t index, al_err *err)
{
    if (index >= s->n[AX_FRAME])
        return al_fail(err, AL_EINVAL, "'%s' has %zu frames; frame %zu does not exist", s->path,
                       (size_t)s->n[AX_FRAME], index);
    return AL_OK;
}

al_status al_store_frame_meta(const al_store *s, size_t index, al_store_meta *meta,
                              size_t *n_atoms, unsigned *labels, al_err *err)
{
    AL_TRY(err, check_index(s, index, err));
    if (meta) {
        meta->role = (al_role)s->role[index];
        meta->iteration = s->iter[index];
    }
    if (n_atoms) *n_atoms = (size_t)s->n_atoms[index];
    if (labels) *labels = s->labels[index];
    return AL_OK;
}

static al_status check_writable(const al_store *s, size_t index, al_err *err)
{
    AL_TRY(err, check_index(s, index, err));
    if (s->mode != AL_STORE_APPEND)
        return al_fail(err, AL_EINVAL, "'%s' is open read-only; cannot update frame %zu",
                       s->path, index);
    return AL_OK;
}

al_status al_store_set_role(al_store *s, size_t index, al_role role, al_err *err)
{
    AL_TRY(err, check_writable(s, index, err));
    if ((int)role < 0 || role >= AL_ROLE_COUNT)
        return al_fail(err, AL_EINVAL, "role %d is not one of pool, train, validation, test",
                       (int)role);
    int8_t r = (int8_t)role;
    al_h5_quiet q;
    al_h5_quiet_begin(&q);
    al_status st = ds__frame_write(s, C_ROLE, index, &r, err);
    if (!st) st = ds__flush(s, err);
    al_h5_quiet_end(&q);
    if (st) return al_fail_wrap(err, "setting the role of frame %zu: ", index);
    s->role[index] = r;
    return AL_OK;
}

static al_status write_labels(al_store *s, size_t i, const al_frame *lb, al_err *err)
{
    unsigned add = lb->labels & (AL_LBL_ENERGY | AL_LBL_FORCES | AL_LBL_VIRIAL);
    if (add & AL_LBL_ENERGY) AL_TRY(err, ds__frame_write(s, C_ENERGY, i, &lb->energy, err));
    if (add & AL_LBL_VIRIAL) AL_TRY(err, ds__frame_write(s, C_VIRIAL, i, lb->virial, err));
    if (add & AL_LBL_FORCES)
        AL_TRY(err, al_h5_write_rows(s->d[C_FORCES], H5T_NATIVE_DOUBLE,
                                     (hsize_t)s->atom_start[i], lb->n_atoms, lb->forces, err));
    /* The values must be on disk before the flag that makes them visible. */
    AL_TRY(err, ds__flush(s, err));
    uint8_t flags = (uint8_t)(s->labels[i] | add);
    AL_TRY(err, ds__frame_write(s, C_LABELS, i, &flags, err));
    AL_TRY(err, ds__flush(s, err));
    s->labels[i] = flags;
    return AL_OK;
}

al_status al_store_set_labels(al_store *s, size_t index, const al_frame *labels, al_err *err)
{
    AL_TRY(err, check_writable(s, index, err));
    if (labels->n_atoms != (size_t)s->n_atoms[index])
        return al_fail(err, AL_EINVAL, "labels for %zu atoms given to frame %zu of %lld atoms",
                       labels->n_atoms, index, (long long)s->n_atoms[index]);
    if ((labels->labels & AL_LBL_FORCES) && !labels->forces)
        return al_fail(err, AL_EINVAL, "labels for frame %zu have the forces flag but no forces",
                       index);
    al_h5_quiet q;
    al_h5_quiet_begin(&q);
    al_status st = write_labels(s, index, labels, err);
    al_h5_quiet_end(&q);
    if (st) return al_fail_wrap(err, "labelling frame %zu of '%s': ", index, s->path);
    return AL_OK;
}

al_store_filter al_store_filter_all(void)
{
    al_store_filter f = {0, LONG_MIN, LONG_MAX, -1, 0, 0, (size_t)-1};
    return f;
}

static bool passes(const al_store *s, size_t i, const al_store_filter *f)
{
    unsigned lb = s->labels[i];
    size_t na = (size_t)s->n_atoms[i];
    if (f->roles && !(f->roles & (1u << s->role[i]))) return false;
    if (s->iter[i] < f->iter_min || s->iter[i] > f->iter_max) return false;
    if (f->labeled == 0 && lb != 0) return false;
    if (f->labeled == 1 && lb == 0) return false;
    if ((lb & f->labels_all) != f->labels_all) return false;
    return na >= f->atoms_min && na <= f->atoms_max;
}

al_status al_store_select(const al_store *s, const al_store_filter *flt, size_t **idx,
                          size_t *n, al_err *err)
{
    size_t total = (size_t)s->n[AX_FRAME], k = 0;
    al_store_filter all = al_store_filter_all();
    if (!flt) flt = &all;
    *idx = NULL;
    *n = 0;
    for (size_t i = 0; i < total; i++) k += passes(s, i, flt);
    if (k == 0) return AL_OK;
    size_t *out = al_malloc(k * sizeof *out);
    if (!out) return al_fail(err, AL_ENOMEM, "out of memory selecting %zu frames", k);
    k = 0;
    for (size_t i = 0; i < total; i++)
        if (passes(s, i, flt)) out[k++] = i;
    *idx = out;
    *n = k;
    return AL_OK;
}

static al_status count_extras(const al_store *s, al_store_summary *sum, al_err *err)
{
    size_t nf = (size_t)s->n[AX_FRAME], na = (size_t)s->n[AX_ATOM];
    uint8_t *vel = al_malloc(nf ? nf : 1);
    int32_t *z = al_malloc((na ? na : 1) * sizeof *z);
    al_status st = AL_OK;
    if (!vel || !z) {
        st = al_fail(err, AL_ENOMEM, "out of memory summarising '%s'", s->path);
        goto done;
    }
    if ((st = al_h5_read_rows(s->d[C_HAS_VEL], H5T_NATIVE_UINT8, 0, nf, vel, err)) ||
        (st = al_h5_read_rows(s->d[C_Z], H5T_NATIVE_INT32, 0, na, z, err)))
        goto done;
    for (size_t i = 0; i < nf; i++) sum->n_velocities += vel[i] != 0;
    /* Only atoms of committed frames count (rows of an interrupted append are past na). */
    for (size_t a = 0; a < na; a++)
        if (z[a] >= 0 && z[a] <= AL_MAX_Z) sum->species[z[a]]++;
done:
    al_free(vel);
    al_free(z);
    return st;
}

al_status al_store_summarize(const al_store *s, al_store_summary *sum, al_err *err)
{
    memset(sum, 0, sizeof *sum);
    sum->version = s->version;
    sum->n_frames = (size_t)s->n[AX_FRAME];
    sum->n_atoms_total = (size_t)s->n[AX_ATOM];
    for (size_t i = 0; i < sum->n_frames; i++) {
        size_t na = (size_t)s->n_atoms[i];
        unsigned lb = s->labels[i];
        if (s->role[i] >= 0 && s->role[i] < AL_ROLE_COUNT) sum->per_role[s->role[i]]++;
        sum->n_labeled += lb != 0;
        sum->n_energy += (lb & AL_LBL_ENERGY) != 0;
        sum->n_forces += (lb & AL_LBL_FORCES) != 0;
        sum->n_virial += (lb & AL_LBL_VIRIAL) != 0;
        if (i == 0 || na < sum->atoms_min) sum->atoms_min = na;
        if (i == 0 || na > sum->atoms_max) sum->atoms_max = na;
        if (i == 0 || s->iter[i] < sum->iter_min) sum->iter_min = s->iter[i];
        if (i == 0 || s->iter[i] > sum->iter_max) sum->iter_max = s->iter[i];
    }
    al_h5_quiet q;
    al_h5_quiet_begin(&q);
    al_status st = count_extras(s, sum, err);
    al_h5_quiet_end(&q);
    return st;
}

al_status al_store_print_summary(const al_store *s, FILE *out, al_err *err)
{
    al_store_summary m;
    AL_TRY(err, al_store_summarize(s, &m, err));
    fprintf(out, "dataset file   %s (format version %ld)\n", s->path, m.version);
    fprintf(out, "frames         %zu (", m.n_frames);
    for (int r = 0; r < AL_ROLE_COUNT; r++)
        fprintf(out, "%s%s %zu", r ? ", " : "", al_role_name((al_role)r), m.per_role[r]);
    fprintf(out, ")\n");
    fprintf(out, "labeled        %zu (energy %zu, forces %zu, virial %zu); with velocities %zu\n",
            m.n_labeled, m.n_energy, m.n_forces, m.n_virial, m.n_velocities);
    fprintf(out, "atoms          %zu..%zu per frame, %zu in total\n", m.atoms_min, m.atoms_max,
            m.n_atoms_total);
    fprintf(out, "iterations     %ld..%ld\n", m.iter_min, m.iter_max);
    fprintf(out, "species       ");
    int any = 0;
    for (int z = 0; z <= AL_MAX_Z; z++)
        if (m.species[z]) {
            fprintf(out, "%s %s %zu", any ? "," : "", al_element_symbol(z), m.species[z]);
            any = 1;
        }
    fprintf(out, "%s\n", any ? "" : " none");
    return AL_OK;
}
