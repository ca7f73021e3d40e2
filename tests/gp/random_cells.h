/*
 * Random periodic test cells for the descriptor and GAP tests: a triclinic cell near a given
 * one, and atoms at random fractional positions no closer than a minimum distance to any
 * earlier atom or its periodic images.
 */
#ifndef TESTS_GP_RANDOM_CELLS_H
#define TESTS_GP_RANDOM_CELLS_H

#include <stdbool.h>

#include "core/cell.h"
#include "core/frame.h"
#include "core/rng.h"

/* f's cell = base with each entry moved by up to ±0.15 Å, periodic in all directions, and its
 * n_atoms atoms placed at least min_dist apart (the last try kept if 1000 fail). */
static inline void random_cell_atoms(al_frame *f, const double base[3][3], double min_dist, al_rng *r)
{
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) f->cell[a][b] = base[a][b] + 0.3 * (al_rng_uniform(r) - 0.5);
    for (int a = 0; a < 3; a++) f->pbc[a] = true;
    for (size_t i = 0; i < f->n_atoms; i++)
        for (int tries = 0; tries < 1000; tries++) {
            double s[3] = {al_rng_uniform(r), al_rng_uniform(r), al_rng_uniform(r)};
            al_cell_cart(f->cell, s, f->pos[i]);
            bool ok = true;
            for (size_t j = 0; j < i && ok; j++)
                for (int im = 0; im < 27 && ok; im++) {   /* the periodic images nearby too */
                    double d2 = 0;
                    for (int a = 0; a < 3; a++) {
                        double d = f->pos[i][a] - f->pos[j][a];
                        for (int c = 0, k = im; c < 3; c++, k /= 3) d += (k % 3 - 1) * f->cell[c][a];
                        d2 += d * d;
                    }
                    ok = d2 > min_dist * min_dist;
                }
            if (ok) break;
        }
}

#endif
