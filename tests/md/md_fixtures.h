/*
 * Shared fixtures of the MD tests: diamond silicon supercells, an fcc argon crystal, and a toy
 * potential (an Einstein crystal, E = Σ k/2 |r_i − r0_i|²) whose uncertainty grows with the
 * displacements (σ_i = α |r_i − r0_i|²) and whose energy can jump by a set amount after a
 * given number of calls, to drive every branch of the uncertainty watch.
 */
#ifndef MD_TEST_FIXTURES_H
#define MD_TEST_FIXTURES_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "core/potential.h"
#include "engines/md/analytic.h"
#include "engines/md/md.h"

/* n×n×n cubic diamond cells of lattice constant a (8 n³ atoms of species z). */
static inline void fx_diamond(al_frame *f, int n, double a, int z)
{
    static const double basis[8][3] = {{0, 0, 0},       {0, .5, .5},     {.5, 0, .5},
                                       {.5, .5, 0},     {.25, .25, .25}, {.25, .75, .75},
                                       {.75, .25, .75}, {.75, .75, .25}};
    al_frame_init(f);
    al_frame_alloc(f, (size_t)(8 * n * n * n), NULL);
    size_t k = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            for (int l = 0; l < n; l++)
                for (int b = 0; b < 8; b++, k++) {
                    f->z[k] = z;
                    f->pos[k][0] = a * (i + basis[b][0]);
                    f->pos[k][1] = a * (j + basis[b][1]);
                    f->pos[k][2] = a * (l + basis[b][2]);
                }
    for (int d = 0; d < 3; d++) {
        f->pbc[d] = true;
        f->cell[d][d] = n * a;
    }
}

/* n×n×n conventional fcc cells of lattice constant a (4 n³ atoms). */
static inline void fx_fcc(al_frame *f, int n, double a, int z)
{
    static const double basis[4][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}};
    al_frame_init(f);
    al_frame_alloc(f, (size_t)(4 * n * n * n), NULL);
    size_t k = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            for (int l = 0; l < n; l++)
                for (int b = 0; b < 4; b++, k++) {
                    f->z[k] = z;
                    f->pos[k][0] = a * (i + basis[b][0]);
                    f->pos[k][1] = a * (j + basis[b][1]);
                    f->pos[k][2] = a * (l + basis[b][2]);
                }
    for (int d = 0; d < 3; d++) {
        f->pbc[d] = true;
        f->cell[d][d] = n * a;
    }
}

typedef struct fx_toy {
    size_t n;
    double (*r0)[3];
    double k;              /* eV/Å² */
    double alpha;          /* eV/Å² */
    long calls;
    long jump_after;       /* calls; < 0: never */
    double jump;           /* eV/atom */
} fx_toy;

static inline al_status fx_toy_compute(void *self, const al_frame *f, al_pot_result *out, al_err *err)
{
    (void)err;
    fx_toy *t = self;
    double e = 0.0, smax = 0.0, ssum = 0.0;
    for (size_t i = 0; i < f->n_atoms; i++) {
        double d2 = 0.0;
        for (int a = 0; a < 3; a++) {
            double d = f->pos[i][a] - t->r0[i][a];
            d2 += d * d;
            if (out->forces) out->forces[i][a] = -t->k * d;
        }
        e += 0.5 * t->k * d2;
        double s = t->alpha * d2;
        if (out->atom_sigma) out->atom_sigma[i] = s;
        smax = fmax(smax, s);
        ssum += s;
    }
    if (t->jump_after >= 0 && t->calls >= t->jump_after) e += t->jump * (double)f->n_atoms;
    t->calls++;
    out->energy = e;
    if (out->virial) memset(out->virial, 0, 9 * sizeof *out->virial);
    out->has_uncertainty = out->want_uncertainty;
    out->sigma_max = smax;
    out->sigma_mean = ssum / (double)f->n_atoms;
    /* a stand-in force σ, reported only when asked for: 10 eV/Å per eV of σ, + the atom count */
    out->force_sigma_max = out->force_sigma_atoms > 0 ? 10.0 * smax + out->force_sigma_atoms : 0.0;
    return AL_OK;
}

static inline void fx_toy_destroy(void *self)
{
    fx_toy *t = self;
    free(t->r0);
    free(t);
}

static const al_potential_ops fx_toy_ops = {"toy", fx_toy_compute, NULL, fx_toy_destroy};

/* Tethers every atom of f at its position. */
static inline al_potential fx_toy_create(const al_frame *f, double k, double alpha)
{
    fx_toy *t = calloc(1, sizeof *t);
    t->n = f->n_atoms;
    t->r0 = malloc(f->n_atoms * sizeof *t->r0);
    memcpy(t->r0, f->pos, f->n_atoms * sizeof *t->r0);
    t->k = k;
    t->alpha = alpha;
    t->jump_after = -1;
    return (al_potential){&fx_toy_ops, t};
}

/* One hold segment. */
static inline md_segment fx_hold(double t, double duration)
{
    return (md_segment){.t_start = t, .t_end = t, .duration = duration};
}

/* Running mean and variance (Welford). */
typedef struct fx_stats {
    long n;
    double mean, m2;
} fx_stats;

static inline void fx_stats_add(fx_stats *s, double x)
{
    s->n++;
    double d = x - s->mean;
    s->mean += d / (double)s->n;
    s->m2 += d * (x - s->mean);
}

static inline double fx_stats_var(const fx_stats *s)
{
    return s->n > 1 ? s->m2 / (double)(s->n - 1) : 0.0;
}

#endif
