/*
 * g(r) throughput: frames of random silicon-density cells of 10^3, 10^4 and 10^5 atoms through the
 * g(r) accumulator (r_max 6 Å, 200 bins). Prints atom-frames per second per size and the ratio of
 * per-atom cost between the largest and smallest (1 = linear), plus peak memory.
 */
#include <math.h>
#include <stdio.h>

#include "bench/bench_util.h"
#include "core/rng.h"
#include "engines/analysis/rdf.h"

int main(void)
{
    const size_t sizes[] = {1000, 10000, 100000};
    const int frames = 10;
    double per_atom[3];
    al_rng rng;
    al_rng_seed(&rng, 4, 0);
    printf("# g(r) accumulation, r_max 6 Å, 200 bins, %d frames per size\n", frames);
    printf("%8s %14s %16s %10s\n", "atoms", "ms_per_frame", "atom_frames_per_s", "peak_MiB");
    for (int s = 0; s < 3; s++) {
        al_frame f;
        al_err err;
        an_rdf *g = NULL;
        al_frame_init(&f);
        al_frame_alloc(&f, sizes[s], &err);
        double edge = cbrt(sizes[s] / 0.04994);
        for (int k = 0; k < 3; k++) f.cell[k][k] = edge, f.pbc[k] = true;
        an_rdf_create(6.0, 200, &g, &err);
        double t = 0;
        for (int fr = 0; fr < frames; fr++) {
            for (size_t i = 0; i < f.n_atoms; i++) {
                f.z[i] = 14;
                for (int k = 0; k < 3; k++) f.pos[i][k] = edge * al_rng_uniform(&rng);
            }
            double t0 = al_wtime();
            an_rdf_add_frame(g, &f, &err);
            t += al_wtime() - t0;
        }
        per_atom[s] = t / frames / sizes[s];
        printf("%8zu %14.2f %16.3g %10.1f\n", sizes[s], 1e3 * t / frames, 1.0 / per_atom[s], bench_peak_mib());
        an_rdf_destroy(g);
        al_frame_fini(&f);
    }
    printf("scaling (time per atom, 10^5 / 10^3): %.2f\n", per_atom[2] / per_atom[0]);
    return 0;
}
