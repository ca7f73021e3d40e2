/* Frame lifecycle, labels and derived quantities (see frame.h). */
#include "core/frame.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"

void al_frame_init(al_frame *f) { memset(f, 0, sizeof *f); }

static void prop_fini(al_atom_prop *p, size_t n_atoms)
{
    if (p->strs) {
        for (size_t i = 0; i < n_atoms * (size_t)p->ncols; i++) al_free(p->strs[i]);
        al_free(p->strs);
    }
    al_free(p->ints);
    al_free(p->reals);
    al_free(p->name);
}

void al_frame_fini(al_frame *f)
{
    if (!f) return;
    al_free(f->z);
    al_free(f->pos);
    al_free(f->vel);
    al_free(f->forces);
    al_info_fini(&f->info);
    for (size_t k = 0; k < f->n_props; k++) prop_fini(&f->props[k], f->n_atoms);
    al_free(f->props);
    memset(f, 0, sizeof *f);
}

al_status al_frame_alloc(al_frame *f, size_t n_atoms, al_err *err)
{
    al_frame_fini(f);
    f->z = al_calloc(n_atoms, sizeof *f->z);
    f->pos = al_calloc(n_atoms, sizeof *f->pos);
    if (!f->z || !f->pos) {
        al_frame_fini(f);
        return al_fail(err, AL_ENOMEM, "cannot allocate a frame of %zu atoms", n_atoms);
    }
    f->n_atoms = n_atoms;
    return AL_OK;
}

al_status al_frame_alloc_forces(al_frame *f, al_err *err)
{
    if (f->forces) return AL_OK;
    f->forces = al_calloc(f->n_atoms, sizeof *f->forces);
    if (!f->forces) return al_fail(err, AL_ENOMEM, "cannot allocate forces for %zu atoms", f->n_atoms);
    return AL_OK;
}

al_status al_frame_alloc_vel(al_frame *f, al_err *err)
{
    if (f->vel) return AL_OK;
    f->vel = al_calloc(f->n_atoms, sizeof *f->vel);
    if (!f->vel) return al_fail(err, AL_ENOMEM, "cannot allocate velocities for %zu atoms", f->n_atoms);
    return AL_OK;
}

void al_frame_clear_labels(al_frame *f)
{
    f->labels = 0;
    f->energy = 0.0;
    memset(f->virial, 0, sizeof f->virial);
    al_free(f->forces);
    f->forces = NULL;
}

static void *dup_array(const void *src, size_t count, size_t size)
{
    if (!src) return NULL;
    void *d = al_malloc(count * size);
    if (d) memcpy(d, src, count * size);
    return d;
}

static al_status prop_copy(al_atom_prop *d, const al_atom_prop *s, size_t n_atoms)
{
    size_t n = n_atoms * (size_t)s->ncols;
    memset(d, 0, sizeof *d);
    d->name = al_strdup(s->name);
    d->type = s->type;
    d->ncols = s->ncols;
    if (!d->name) return AL_ENOMEM;
    if (s->type == AL_VAL_STR) {
        d->strs = al_calloc(n, sizeof *d->strs);
        if (!d->strs) return AL_ENOMEM;
        for (size_t i = 0; i < n; i++)
            if (s->strs[i] && !(d->strs[i] = al_strdup(s->strs[i]))) return AL_ENOMEM;
    } else if (s->type == AL_VAL_REAL) {
        if (!(d->reals = dup_array(s->reals, n, sizeof *s->reals))) return AL_ENOMEM;
    } else {
        if (!(d->ints = dup_array(s->ints, n, sizeof *s->ints))) return AL_ENOMEM;
    }
    return AL_OK;
}

al_status al_frame_copy(al_frame *dst, const al_frame *src, al_err *err)
{
    al_status st = al_frame_alloc(dst, src->n_atoms, err);
    if (st) return st;
    memcpy(dst->cell, src->cell, sizeof dst->cell);
    memcpy(dst->pbc, src->pbc, sizeof dst->pbc);
    memcpy(dst->z, src->z, src->n_atoms * sizeof *src->z);
    memcpy(dst->pos, src->pos, src->n_atoms * sizeof *src->pos);
    dst->labels = src->labels;
    dst->energy = src->energy;
    memcpy(dst->virial, src->virial, sizeof dst->virial);
    if ((src->vel && !(dst->vel = dup_array(src->vel, src->n_atoms, sizeof *src->vel))) ||
        (src->forces && !(dst->forces = dup_array(src->forces, src->n_atoms, sizeof *src->forces))))
        goto oom;
    if (al_info_copy(&dst->info, &src->info, err)) goto oom;
    if (src->n_props) {
        dst->props = al_calloc(src->n_props, sizeof *dst->props);
        if (!dst->props) goto oom;
        for (size_t k = 0; k < src->n_props; k++) {
            dst->n_props = k + 1;
            if (prop_copy(&dst->props[k], &src->props[k], src->n_atoms)) goto oom;
        }
    }
    return AL_OK;
oom:
    al_frame_fini(dst);
    return al_fail(err, AL_ENOMEM, "out of memory copying a frame of %zu atoms", src->n_atoms);
}

double al_frame_volume(const al_frame *f)
{
    const double(*c)[3] = f->cell;
    double v = c[0][0] * (c[1][1] * c[2][2] - c[1][2] * c[2][1]) -
               c[0][1] * (c[1][0] * c[2][2] - c[1][2] * c[2][0]) +
               c[0][2] * (c[1][0] * c[2][1] - c[1][1] * c[2][0]);
    return fabs(v);
}

al_status al_frame_stress_gpa(const al_frame *f, double stress[3][3], al_err *err)
{
    double vol = al_frame_volume(f);
    if (!(f->labels & AL_LBL_VIRIAL))
        return al_fail(err, AL_EINVAL, "frame has no virial, so no stress");
    if (!(vol > 0.0)) return al_fail(err, AL_EINVAL, "frame has a degenerate cell (volume 0)");
    /* 1 eV/Å³ = 160.2176634 GPa (CODATA 2018, exact). */
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) stress[a][b] = -f->virial[a][b] / vol * 160.2176634;
    return AL_OK;
}

void al_frame_set_virial_from_stress(al_frame *f, const double s[3][3])
{
    double vol = al_frame_volume(f);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) f->virial[a][b] = -s[a][b] * vol;
    f->labels |= AL_LBL_VIRIAL;
}

void al_frame_count_species(const al_frame *f, size_t counts[AL_MAX_Z + 1])
{
    memset(counts, 0, (AL_MAX_Z + 1) * sizeof *counts);
    for (size_t i = 0; i < f->n_atoms; i++)
        if (f->z[i] >= 0 && f->z[i] <= AL_MAX_Z) counts[f->z[i]]++;
}

/* ---- per-atom extra columns ---- */

al_atom_prop *al_frame_find_prop(const al_frame *f, const char *name)
{
    for (size_t k = 0; k < f->n_props; k++)
        if (strcmp(f->props[k].name, name) == 0) return &f->props[k];
    return NULL;
}

void al_frame_remove_prop(al_frame *f, const char *name)
{
    al_atom_prop *p = al_frame_find_prop(f, name);
    if (!p) return;
    size_t k = (size_t)(p - f->props);
    prop_fini(p, f->n_atoms);
    memmove(&f->props[k], &f->props[k + 1], (f->n_props - k - 1) * sizeof *f->props);
    f->n_props--;
}

al_status al_frame_add_prop(al_frame *f, const char *name, al_val_type type, int ncols,
                            al_atom_prop **out, al_err *err)
{
    if (ncols < 1) return al_fail(err, AL_EINVAL, "per-atom property '%s' needs >= 1 column", name);
    al_frame_remove_prop(f, name);
    al_atom_prop *grown = al_realloc(f->props, (f->n_props + 1) * sizeof *f->props);
    if (!grown) return al_fail(err, AL_ENOMEM, "out of memory adding property '%s'", name);
    f->props = grown;
    al_atom_prop *p = &f->props[f->n_props];
    memset(p, 0, sizeof *p);
    size_t n = f->n_atoms * (size_t)ncols;
    p->name = al_strdup(name);
    p->type = type;
    p->ncols = ncols;
    if (type == AL_VAL_STR)
        p->strs = al_calloc(n, sizeof *p->strs);
    else if (type == AL_VAL_REAL)
        p->reals = al_calloc(n, sizeof *p->reals);
    else
        p->ints = al_calloc(n, sizeof *p->ints);
    if (!p->name || !(p->strs || p->reals || p->ints)) {
        prop_fini(p, 0);
        return al_fail(err, AL_ENOMEM, "out of memory adding property '%s'", name);
    }
    f->n_props++;
    if (out) *out = p;
    return AL_OK;
}
