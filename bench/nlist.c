/*
 * Neighbour-list build time for random silicon-density triclinic cells of 10^3, 10^4 and 10^5
 * atoms (cutoff 5 Å, skin 0.5 Å): median build time, time per atom, pairs, peak memory, and the
 * scaling ratio (time per atom at the largest size over the smallest; 1 means linear).
 * With --write DIR the structures are also written as extxyz for the reference program run by
 * bench/run_nlist.sh (ASE's neighbor_list on the same frames).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/bench_util.h"
#include "core/cell.h"
#include "core/extxyz.h"
#include "core/neighbors.h"
#include "core/rng.h"

static void make_cell(al_frame *f, size_t n, al_rng *rng)
{
    /* Diamond silicon has 0.04994 atoms/Å³; a slightly sheared cube of that density. */
    double edge = cbrt((double)n / 0.04994);
    al_frame_alloc(f, n, NULL);
    double c[3][3] = {{edge, 0, 0}, {0.1 * edge, edge, 0}, {-0.05 * edge, 0.08 * edge, edge}};
    memcpy(f->cell, c, sizeof c);
    f->pbc[0] = f->pbc[1] = f->pbc[2] = true;
    for (size_t i = 0; i < n; i++) {
        double s[3] = {al_rng_uniform(rng), al_rng_uniform(rng), al_rng_uniform(rng)};
        al_cell_cart(f->cell, s, f->pos[i]);
        f->z[i] = 14;
    }
}

int main(int argc, char **argv)
{
    const char *write_dir = argc == 3 && !strcmp(argv[1], "--write") ? argv[2] : NULL;
    const size_t sizes[] = {1000, 10000, 100000};
    double per_atom[3];
    al_rng rng;
    al_rng_seed(&rng, 1, 0);
    printf("# neighbour list build, cutoff 5 Å + skin 0.5 Å, random triclinic cells at Si density\n");
    printf("%8s %10s %12s %14s %10s\n", "atoms", "pairs", "build_ms", "ns_per_atom", "peak_MiB");
    for (int s = 0; s < 3; s++) {
        al_frame f;
        al_nlist nl;
        al_err err;
        al_frame_init(&f);
        al_nlist_init(&nl);
        make_cell(&f, sizes[s], &rng);
        int reps = sizes[s] >= 100000 ? 5 : 15;
        double t[15];
        for (int r = 0; r < reps; r++) {
            double t0 = al_wtime();
            if (al_nlist_build(&nl, &f, 5.0, 0.5, &err)) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
            t[r] = al_wtime() - t0;
        }
        double med = bench_median(t, reps);
        per_atom[s] = med / (double)sizes[s];
        printf("%8zu %10zu %12.3f %14.1f %10.1f\n", sizes[s], nl.n_pairs, med * 1e3, per_atom[s] * 1e9,
               bench_peak_mib());
        if (write_dir) {
            char path[1024];
            snprintf(path, sizeof path, "%s/cell_%zu.xyz", write_dir, sizes[s]);
            al_xyz_write_file(path, &f, 1, &err);
        }
        al_nlist_fini(&nl);
        al_frame_fini(&f);
    }
    printf("scaling (time per atom, 10^5 / 10^3): %.2f\n", per_atom[2] / per_atom[0]);
    return 0;
}
