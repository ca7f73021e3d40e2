/* Descriptor value storage, the cutoff function and the 2-body descriptor (see desc.h). */
#include "gp/desc/desc.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "gp/desc/desc_impl.h"

void desc_values_init(desc_values *v) { memset(v, 0, sizeof *v); }

void desc_values_fini(desc_values *v)
{
    al_free(v->x);
    al_free(v->c);
    al_free(v->centre);
    al_free(v->goff);
    al_free(v->g_atom);
    al_free(v->g_d);
    al_free(v->g_dx);
    al_free(v->g_dc);
    memset(v, 0, sizeof *v);
}

double desc_cutoff(double r, double rc, double w, double *df)
{
    *df = 0.0;
    if (r >= rc) return 0.0;
    if (r <= rc - w) return 1.0;
    double a = 3.14159265358979323846 * (r - rc + w) / w;
    *df = -0.5 * sin(a) * 3.14159265358979323846 / w;
    return 0.5 * (1.0 + cos(a));
}

/* Grows array ptr to n elements, keeping the old block when realloc fails (0 on success). */
#define GROW(ptr, n) ((tmp = al_realloc((ptr), (n) * sizeof *(ptr))) ? ((ptr) = tmp, 0) : -1)

/* Room for n instances and g gradient entries (desc_impl.h). */
al_status desc__reserve(desc_values *v, size_t n, size_t g, size_t dim, al_err *err)
{
    void *tmp;
    /* A larger vector length needs all per-dimension arrays regrown at full size. */
    if (dim > v->cap_dim) {
        v->cap = v->cap_grad = 0;
        v->cap_dim = dim;
    }
    if (n > v->cap) {
        if (GROW(v->x, n * v->cap_dim) || GROW(v->c, n) || GROW(v->centre, n) || GROW(v->goff, n + 1))
            return al_fail(err, AL_ENOMEM, "descriptor: out of memory");
        v->cap = n;
    }
    if (g > v->cap_grad) {
        if (GROW(v->g_atom, g) || GROW(v->g_d, g) || GROW(v->g_dx, g * v->cap_dim * 3) || GROW(v->g_dc, g))
            return al_fail(err, AL_ENOMEM, "descriptor: out of memory");
        v->cap_grad = g;
    }
    return AL_OK;
}

al_status desc_2b_compute(const desc_2b_spec *s, const al_frame *f, const al_nlist *nl,
                          desc_values *out, al_err *err)
{
    return desc_2b_compute_some(s, f, nl, NULL, out, err);
}

al_status desc_2b_compute_some(const desc_2b_spec *s, const al_frame *f, const al_nlist *nl,
                               const unsigned char *mask, desc_values *out, al_err *err)
{
    if (nl->cutoff + nl->skin < s->cutoff)
        return al_fail(err, AL_EINVAL, "distance_2b: neighbour list cutoff %g Å is below the descriptor's %g Å",
                       nl->cutoff + nl->skin, s->cutoff);
    out->n = out->n_grad = 0;
    out->dim = 1;
    AL_TRY(err, desc__reserve(out, 64, 64, 1, err));
    for (size_t i = 0; i < f->n_atoms; i++) {
        if ((f->z[i] != s->z1 && f->z[i] != s->z2) || (mask && !mask[i])) continue;
        for (size_t p = nl->offset[i]; p < nl->offset[i + 1]; p++) {
            int j = nl->j[p];
            double r = nl->r[p];
            int match = (f->z[i] == s->z1 && f->z[j] == s->z2) || (f->z[i] == s->z2 && f->z[j] == s->z1);
            if (!match || r >= s->cutoff) continue;
            size_t q = out->n;
            if (q + 1 > out->cap || q + 1 > out->cap_grad)
                AL_TRY(err, desc__reserve(out, 2 * (q + 1), 2 * (q + 1), 1, err));
            double dfc, fc = desc_cutoff(r, s->cutoff, s->transition_width, &dfc);
            out->x[q] = r;
            out->c[q] = fc;
            out->centre[q] = (int)i;
            out->goff[q] = q;
            out->g_atom[q] = j;
            for (int a = 0; a < 3; a++) {
                double u = nl->d[p][a] / r;   /* ∂r/∂d */
                out->g_d[q][a] = nl->d[p][a];
                out->g_dx[3 * q + a] = u;
                out->g_dc[q][a] = dfc * u;
            }
            out->n = q + 1;
        }
    }
    out->n_grad = out->n;
    out->goff[out->n] = out->n;
    return AL_OK;
}
