/*
 * Neighbour lists with cell lists (see neighbors.h).
 *
 * Atoms are binned in fractional coordinates; along a periodic direction the positions are
 * wrapped into [0, 1) and each bin is at least (cutoff + skin) wide perpendicular to the
 * opposite faces, so neighbours lie within `reach` bins, where reach > 1 only when the
 * cell is thinner than the cutoff. Bin offsets that wrap around a periodic direction carry an
 * image shift, and distinct offsets reaching the same bin carry distinct shifts, so every
 * (j, image) appears exactly once. Non-periodic directions are binned over the atoms' extent
 * and never wrapped. Work and memory are O(N) at fixed density.
 */
#include "core/neighbors.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/cell.h"

typedef struct binning {
    double h[3][3], inv[3][3];  /* cell used for fractional coordinates */
    int nbin[3], reach[3];
    double lo[3];               /* fractional origin of the bins (0 for periodic directions) */
    double scale[3];            /* bins per unit of fractional coordinate */
    bool pbc[3];
} binning;

void al_nlist_init(al_nlist *nl) { memset(nl, 0, sizeof *nl); }

void al_nlist_fini(al_nlist *nl)
{
    if (!nl) return;
    al_free(nl->offset);
    al_free(nl->j);
    al_free(nl->shift);
    al_free(nl->d);
    al_free(nl->r);
    al_free(nl->pos0);
    memset(nl, 0, sizeof *nl);
}

/* A non-singular cell for binning: the frame's cell, or for a cluster without one, a box
 * around the atoms (only allowed when no direction is periodic). */
static al_status binning_cell(const al_frame *f, binning *b, al_err *err)
{
    memcpy(b->h, f->cell, sizeof b->h);
    memcpy(b->pbc, f->pbc, sizeof b->pbc);
    if (al_mat3_inv(b->h, b->inv, NULL) == AL_OK) return AL_OK;
    if (f->pbc[0] || f->pbc[1] || f->pbc[2])
        return al_fail(err, AL_EINVAL,
                       "neighbour list: the cell is singular (volume 0) but pbc is set");
    double span = 1.0;
    for (size_t i = 0; i < f->n_atoms; i++)
        for (int k = 0; k < 3; k++) span = fmax(span, fabs(f->pos[i][k]));
    memset(b->h, 0, sizeof b->h);
    for (int k = 0; k < 3; k++) b->h[k][k] = 2.0 * span;
    return al_mat3_inv(b->h, b->inv, err);
}

static al_status setup_bins(const al_frame *f, double rc, binning *b, double (*s)[3], al_err *err)
{
    double width[3], smin[3] = {0, 0, 0}, smax[3] = {1, 1, 1};
    al_cell_widths(b->h, width);
    for (size_t i = 0; i < f->n_atoms; i++) {
        for (int k = 0; k < 3; k++)
            if (!isfinite(f->pos[i][k]))
                return al_fail(err, AL_EINVAL, "neighbour list: atom %zu has a non-finite position", i);
        al_cell_frac(b->inv, f->pos[i], s[i]);
        for (int k = 0; k < 3; k++) {
            if (b->pbc[k]) continue;
            if (i == 0 || s[i][k] < smin[k]) smin[k] = s[i][k];
            if (i == 0 || s[i][k] > smax[k]) smax[k] = s[i][k];
        }
    }
    for (int k = 0; k < 3; k++) {
        double extent = b->pbc[k] ? 1.0 : fmax(smax[k] - smin[k], 1e-12);
        double len = extent * width[k];   /* perpendicular length covered by the bins (Å) */
        long n = (long)floor(len / rc);
        if (n < 1) n = 1;
        if (n > 1000) n = 1000;  /* bounds the bin count for huge sparse clusters */
        b->nbin[k] = (int)n;
        b->lo[k] = b->pbc[k] ? 0.0 : smin[k];
        b->scale[k] = (double)n / extent;
        double bin_width = len / (double)n;
        b->reach[k] = (int)ceil(rc / bin_width);
        if (!b->pbc[k] && b->reach[k] > b->nbin[k]) b->reach[k] = b->nbin[k];
    }
    return AL_OK;
}

/* Bin coordinate of an atom and, for periodic directions, its image offset. */
static void locate(const binning *b, const double s[3], int bin[3], int image[3])
{
    for (int k = 0; k < 3; k++) {
        double u = s[k];
        image[k] = 0;
        if (b->pbc[k]) {
            double fl = floor(u);
            image[k] = (int)fl;
            u -= fl;
        }
        int c = (int)floor((u - b->lo[k]) * b->scale[k]);
        if (c < 0) c = 0;
        if (c >= b->nbin[k]) c = b->nbin[k] - 1;
        bin[k] = c;
    }
}

static al_status reserve(al_nlist *nl, size_t need, al_err *err)
{
    if (need <= nl->cap) return AL_OK;
    size_t cap = nl->cap ? nl->cap : 1024;
    while (cap < need) cap *= 2;
    int *j = al_realloc(nl->j, cap * sizeof *j);
    if (j) nl->j = j;
    int(*sh)[3] = al_realloc(nl->shift, cap * sizeof *sh);
    if (sh) nl->shift = sh;
    double(*d)[3] = al_realloc(nl->d, cap * sizeof *d);
    if (d) nl->d = d;
    double *r = al_realloc(nl->r, cap * sizeof *r);
    if (r) nl->r = r;
    if (!j || !sh || !d || !r)
        return al_fail(err, AL_ENOMEM, "neighbour list: out of memory for %zu pairs", cap);
    nl->cap = cap;
    return AL_OK;
}

/* d = (r_j − r_i) + (S0·a + S1·b + S2·c), summed in this order so that build and refresh give
 * bit-identical vectors (the order neighbors.h promises). */
static inline void pair_vector(const al_frame *f, size_t i, size_t j, const int S[3], double d[3])
{
    for (int k = 0; k < 3; k++)
        d[k] = (f->pos[j][k] - f->pos[i][k]) +
               (S[0] * f->cell[0][k] + S[1] * f->cell[1][k] + S[2] * f->cell[2][k]);
}

static int pair_cmp(const int ja, const int *sa, const int jb, const int *sb)
{
    if (ja != jb) return ja < jb ? -1 : 1;
    for (int k = 0; k < 3; k++)
        if (sa[k] != sb[k]) return sa[k] < sb[k] ? -1 : 1;
    return 0;
}

/* Sorts the pairs [a, b) by (j, shift): insertion sort, since each block is short (tens to a
 * few hundred pairs) and bins already deliver it nearly in order of j. */
static void sort_block(al_nlist *nl, size_t a, size_t b)
{
    for (size_t p = a + 1; p < b; p++) {
        int j = nl->j[p], S[3];
        double d[3], r = nl->r[p];
        memcpy(S, nl->shift[p], sizeof S);
        memcpy(d, nl->d[p], sizeof d);
        size_t q = p;
        for (; q > a && pair_cmp(nl->j[q - 1], nl->shift[q - 1], j, S) > 0; q--) {
            nl->j[q] = nl->j[q - 1];
            memcpy(nl->shift[q], nl->shift[q - 1], sizeof S);
            memcpy(nl->d[q], nl->d[q - 1], sizeof d);
            nl->r[q] = nl->r[q - 1];
        }
        nl->j[q] = j;
        memcpy(nl->shift[q], S, sizeof S);
        memcpy(nl->d[q], d, sizeof d);
        nl->r[q] = r;
    }
}

typedef struct scan {
    const al_frame *f;
    const binning *b;
    const int (*img)[3];
    const int *head, *next;
    double rc2;
} scan;

/* Appends the neighbours of atom i found in the bins around `bin`. */
static al_status scan_atom(al_nlist *nl, const scan *sc, size_t i, const int bin[3], al_err *err)
{
    const binning *b = sc->b;
    int lo[3], hi[3];
    for (int k = 0; k < 3; k++) {
        lo[k] = bin[k] - b->reach[k];
        hi[k] = bin[k] + b->reach[k];
        if (!b->pbc[k]) {
            if (lo[k] < 0) lo[k] = 0;
            if (hi[k] >= b->nbin[k]) hi[k] = b->nbin[k] - 1;
        }
    }
    for (int cx = lo[0]; cx <= hi[0]; cx++)
        for (int cy = lo[1]; cy <= hi[1]; cy++)
            for (int cz = lo[2]; cz <= hi[2]; cz++) {
                int c[3] = {cx, cy, cz}, wrap[3], w[3];
                for (int k = 0; k < 3; k++) {
                    int n = b->nbin[k];
                    wrap[k] = (c[k] >= 0 ? c[k] / n : -((-c[k] + n - 1) / n));
                    w[k] = c[k] - wrap[k] * n;
                }
                int cell = (w[0] * b->nbin[1] + w[1]) * b->nbin[2] + w[2];
                for (int j = sc->head[cell]; j >= 0; j = sc->next[j]) {
                    int S[3];
                    for (int k = 0; k < 3; k++)
                        /* Crossing `wrap` bins between wrapped positions is, in the caller's
                         * unwrapped positions, the image shift S. */
                        S[k] = wrap[k] + sc->img[i][k] - sc->img[j][k];
                    if ((size_t)j == i && !S[0] && !S[1] && !S[2]) continue;
                    double d[3];
                    pair_vector(sc->f, i, (size_t)j, S, d);
                    double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                    if (r2 >= sc->rc2) continue;
                    al_status st = reserve(nl, nl->n_pairs + 1, err);
                    if (st) return st;
                    size_t p = nl->n_pairs++;
                    nl->j[p] = j;
                    memcpy(nl->shift[p], S, sizeof S);
                    memcpy(nl->d[p], d, sizeof d);
                    nl->r[p] = sqrt(r2);
                }
            }
    return AL_OK;
}

static al_status fill(al_nlist *nl, const al_frame *f, const binning *b, double (*s)[3],
                      double rc, al_err *err)
{
    size_t n = f->n_atoms;
    size_t ncell = (size_t)b->nbin[0] * (size_t)b->nbin[1] * (size_t)b->nbin[2];
    int *head = al_malloc(ncell * sizeof *head);
    int *next = al_malloc((n ? n : 1) * sizeof *next);
    int(*img)[3] = al_malloc((n ? n : 1) * sizeof *img);
    int(*bins)[3] = al_malloc((n ? n : 1) * sizeof *bins);
    al_status st = AL_OK;
    if (!head || !next || !img || !bins) {
        st = al_fail(err, AL_ENOMEM, "neighbour list: out of memory for %zu bins", ncell);
        goto done;
    }
    for (size_t c = 0; c < ncell; c++) head[c] = -1;
    /* Insert in reverse so each bin lists its atoms in ascending order. */
    for (size_t i = n; i-- > 0;) {
        locate(b, s[i], bins[i], img[i]);
        int cell = (bins[i][0] * b->nbin[1] + bins[i][1]) * b->nbin[2] + bins[i][2];
        next[i] = head[cell];
        head[cell] = (int)i;
    }
    scan sc = {f, b, (const int(*)[3])img, head, next, rc * rc};
    nl->n_pairs = 0;
    for (size_t i = 0; i < n; i++) {
        nl->offset[i] = nl->n_pairs;
        if ((st = scan_atom(nl, &sc, i, bins[i], err))) goto done;
        sort_block(nl, nl->offset[i], nl->n_pairs);
    }
    nl->offset[n] = nl->n_pairs;
done:
    al_free(head);
    al_free(next);
    al_free(img);
    al_free(bins);
    return st;
}

al_status al_nlist_build(al_nlist *nl, const al_frame *f, double cutoff, double skin, al_err *err)
{
    if (!(cutoff > 0.0) || !isfinite(cutoff))
        return al_fail(err, AL_EINVAL, "neighbour list: cutoff must be > 0 Å, got %g", cutoff);
    if (!(skin >= 0.0) || !isfinite(skin))
        return al_fail(err, AL_EINVAL, "neighbour list: skin must be >= 0 Å, got %g", skin);
    size_t n = f->n_atoms;
    binning b;
    AL_TRY(err, binning_cell(f, &b, err));
    double(*s)[3] = al_malloc((n ? n : 1) * sizeof *s);
    size_t *offset = al_realloc(nl->offset, (n + 1) * sizeof *offset);
    double(*pos0)[3] = al_realloc(nl->pos0, (n ? n : 1) * sizeof *pos0);
    if (offset) nl->offset = offset;
    if (pos0) nl->pos0 = pos0;
    al_status st = AL_OK;
    if (!s || !offset || !pos0) {
        st = al_fail(err, AL_ENOMEM, "neighbour list: out of memory for %zu atoms", n);
        goto done;
    }
    double rc = cutoff + skin;
    if ((st = setup_bins(f, rc, &b, s, err))) goto done;
    if ((st = fill(nl, f, &b, s, rc, err))) goto done;
    nl->n_atoms = n;
    nl->cutoff = cutoff;
    nl->skin = skin;
    memcpy(nl->pos0, f->pos, n * sizeof *f->pos);
    memcpy(nl->cell0, f->cell, sizeof nl->cell0);
    memcpy(nl->pbc0, f->pbc, sizeof nl->pbc0);
    nl->built = true;
done:
    al_free(s);
    if (st) nl->n_atoms = 0, nl->n_pairs = 0, nl->built = false;
    return st;
}

bool al_nlist_needs_rebuild(const al_nlist *nl, const al_frame *f)
{
    if (!nl->built || nl->n_atoms != f->n_atoms) return true;
    if (memcmp(nl->pbc0, f->pbc, sizeof nl->pbc0) != 0) return true;
    /* Pair vectors change by the homogeneous deformation M = h0⁻¹h of the cell plus each atom's
     * own displacement δ measured in the deformed frame; no pair can have entered the cutoff
     * while (rc + skin)(1 − ‖M − I‖_F) − 2 max|δ| >= rc. */
    double inv0[3][3], m[3][3], dev = 0.0;
    bool same_cell = memcmp(nl->cell0, f->cell, sizeof nl->cell0) == 0;
    if (same_cell) {
        memset(m, 0, sizeof m);
        m[0][0] = m[1][1] = m[2][2] = 1.0;
    } else {
        if (al_mat3_inv(nl->cell0, inv0, NULL) != AL_OK) return true;
        al_mat3_mul(inv0, f->cell, m);
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 3; c++) dev += (m[a][c] - (a == c)) * (m[a][c] - (a == c));
        dev = sqrt(dev);
    }
    double rcs = nl->cutoff + nl->skin;
    double budget = rcs * (1.0 - dev) - nl->cutoff;  /* room for 2 max|δ| */
    if (budget <= 0.0) return true;
    double limit2 = 0.25 * budget * budget;
    for (size_t i = 0; i < f->n_atoms; i++) {
        double mapped[3], dr[3];
        for (int k = 0; k < 3; k++)
            mapped[k] = nl->pos0[i][0] * m[0][k] + nl->pos0[i][1] * m[1][k] + nl->pos0[i][2] * m[2][k];
        for (int k = 0; k < 3; k++) dr[k] = f->pos[i][k] - mapped[k];
        if (dr[0] * dr[0] + dr[1] * dr[1] + dr[2] * dr[2] > limit2) return true;
    }
    return false;
}

void al_nlist_refresh(al_nlist *nl, const al_frame *f)
{
    for (size_t i = 0; i < nl->n_atoms; i++)
        for (size_t p = nl->offset[i]; p < nl->offset[i + 1]; p++) {
            double *d = nl->d[p];
            pair_vector(f, i, (size_t)nl->j[p], nl->shift[p], d);
            nl->r[p] = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        }
}

al_status al_nlist_update(al_nlist *nl, const al_frame *f, double cutoff, double skin, al_err *err)
{
    if (nl->cutoff != cutoff || nl->skin != skin || al_nlist_needs_rebuild(nl, f))
        return al_nlist_build(nl, f, cutoff, skin, err);
    al_nlist_refresh(nl, f);
    return AL_OK;
}
