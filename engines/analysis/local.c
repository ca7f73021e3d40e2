/* Coordination, Q^n and bond-angle distributions (see local.h). */
#include "engines/analysis/local.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/neighbors.h"

/* Neighbours of each a atom that are b atoms within R. */
static al_status count_bonds(const al_frame *f, int za, int zb, double R, int *n_out, al_nlist *nl,
                             al_err *err)
{
    AL_TRY(err, al_nlist_build(nl, f, R, 0.0, err));
    for (size_t i = 0; i < f->n_atoms; i++) {
        n_out[i] = 0;
        if (f->z[i] != za) continue;
        for (size_t p = nl->offset[i]; p < nl->offset[i + 1]; p++)
            if (f->z[nl->j[p]] == zb && nl->r[p] < R) n_out[i]++;
    }
    return AL_OK;
}

al_status an_coordination_add(an_counts *c, const al_frame *f, int za, int zb, double R, al_err *err)
{
    al_nlist nl;
    al_nlist_init(&nl);
    int *n = al_malloc((f->n_atoms ? f->n_atoms : 1) * sizeof *n);
    al_status st = n ? count_bonds(f, za, zb, R, n, &nl, err) : al_fail(err, AL_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < f->n_atoms; i++) {
        if (f->z[i] != za) continue;
        c->count[n[i] > AN_MAX_COORD ? AN_MAX_COORD : n[i]] += 1.0;
        c->total += 1.0;
    }
    al_free(n);
    al_nlist_fini(&nl);
    return st;
}

al_status an_qn_add(an_counts *c, const al_frame *f, int zf, int zo, double R, al_err *err)
{
    al_nlist nl;
    al_nlist_init(&nl);
    int *formers_of = al_malloc((f->n_atoms ? f->n_atoms : 1) * sizeof *formers_of);
    al_status st = formers_of ? count_bonds(f, zo, zf, R, formers_of, &nl, err)
                              : al_fail(err, AL_ENOMEM, "out of memory");
    /* The same list (cutoff R) serves the formers: count their bridging oxygens. */
    for (size_t i = 0; !st && i < f->n_atoms; i++) {
        if (f->z[i] != zf) continue;
        int bridging = 0;
        for (size_t p = nl.offset[i]; p < nl.offset[i + 1]; p++) {
            int j = nl.j[p];
            if (f->z[j] == zo && nl.r[p] < R && formers_of[j] >= 2) bridging++;
        }
        c->count[bridging > AN_MAX_COORD ? AN_MAX_COORD : bridging] += 1.0;
        c->total += 1.0;
    }
    al_free(formers_of);
    al_nlist_fini(&nl);
    return st;
}

al_status an_angles_init(an_angles *a, int nbins, al_err *err)
{
    memset(a, 0, sizeof *a);
    if (nbins < 1) return al_fail(err, AL_EINVAL, "bond angles: bins must be >= 1, got %d", nbins);
    a->hist = al_calloc((size_t)nbins, sizeof *a->hist);
    if (!a->hist) return al_fail(err, AL_ENOMEM, "out of memory");
    a->nbins = nbins;
    return AL_OK;
}

void an_angles_fini(an_angles *a)
{
    al_free(a->hist);
    memset(a, 0, sizeof *a);
}

al_status an_angles_add(an_angles *a, const al_frame *f, int za, int zb, int zc, double r_ab,
                        double r_bc, al_err *err)
{
    al_nlist nl;
    al_nlist_init(&nl);
    double rc = r_ab > r_bc ? r_ab : r_bc;
    al_status st = al_nlist_build(&nl, f, rc, 0.0, err);
    for (size_t i = 0; !st && i < f->n_atoms; i++) {
        if (f->z[i] != zb) continue;
        for (size_t p = nl.offset[i]; p < nl.offset[i + 1]; p++) {
            if (f->z[nl.j[p]] != za || nl.r[p] >= r_ab) continue;
            for (size_t q = nl.offset[i]; q < nl.offset[i + 1]; q++) {
                if (q == p || f->z[nl.j[q]] != zc || nl.r[q] >= r_bc) continue;
                /* Each unordered pair once when the two ends are the same species. */
                if (za == zc && q < p) continue;
                const double *u = nl.d[p], *v = nl.d[q];
                double c = (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (nl.r[p] * nl.r[q]);
                double deg = acos(c < -1 ? -1 : c > 1 ? 1 : c) * 180.0 / 3.14159265358979323846;
                int k = (int)(deg / 180.0 * a->nbins);
                a->hist[k >= a->nbins ? a->nbins - 1 : k] += 1.0;
                a->total += 1.0;
            }
        }
    }
    al_nlist_fini(&nl);
    return st;
}

double an_angles_density(const an_angles *a, int k)
{
    return a->total > 0 ? a->hist[k] / (a->total * 180.0 / a->nbins) : 0.0;
}
