/*
 * MD benchmark: NVE velocity Verlet with the analytic Stillinger–Weber silicon potential on
 * diamond supercells (8 n³ atoms, a = 5.431 Å, started at 1000 K), neighbour skin 1 Å.
 * Prints steps/s, ns/day at 1 fs, the fraction of wall time outside force evaluation, and
 * peak memory. bench/md_sw.sh runs LAMMPS on the same systems for the ratio.
 * Usage: bench_md_sw [N_CELLS STEPS]...   (default: 2 10000 4 2000 8 300: 64, 512, 4096 atoms)
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench_util.h"
#include "engines/md/analytic.h"
#include "engines/md/md.h"

static void diamond(al_frame *f, int n)
{
    static const double b[8][3] = {{0, 0, 0},       {0, .5, .5},     {.5, 0, .5},     {.5, .5, 0},
                                   {.25, .25, .25}, {.25, .75, .75}, {.75, .25, .75}, {.75, .75, .25}};
    const double a = 5.431;
    al_frame_alloc(f, (size_t)(8 * n * n * n), NULL);
    size_t k = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            for (int l = 0; l < n; l++)
                for (int m = 0; m < 8; m++, k++) {
                    f->z[k] = 14;
                    f->pos[k][0] = a * (i + b[m][0]);
                    f->pos[k][1] = a * (j + b[m][1]);
                    f->pos[k][2] = a * (l + b[m][2]);
                }
    for (int d = 0; d < 3; d++) {
        f->pbc[d] = true;
        f->cell[d][d] = n * a;
    }
}

static int run(int n, long steps)
{
    al_err err;
    al_frame f;
    al_frame_init(&f);
    diamond(&f, n);
    al_potential sw;
    md_sw_opts so = md_sw_opts_default();
    so.skin = 1.0;
    if (md_sw_create(&so, &sw, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    md_segment seg = {.t_start = 1000, .t_end = 1000, .duration = (double)steps};
    md_opts o = md_opts_default();
    o.ensemble = MD_NVE;
    o.segments = &seg;
    o.n_segments = 1;
    o.check_every = steps;   /* sampling costs a frame copy; keep it out of the timing */
    md_result res;
    md_result_init(&res);
    if (md_run(&o, &f, &sw, &res, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    double sps = (double)res.steps / res.total_seconds;
    printf("%8zu %8ld %12.1f %10.3f %14.2f %12.1f\n", f.n_atoms, res.steps, sps, sps * 86400e-6,
           100.0 * (1.0 - res.force_seconds / res.total_seconds), bench_peak_mib());
    md_result_fini(&res);
    al_potential_destroy(&sw);
    al_frame_fini(&f);
    return 0;
}

int main(int argc, char **argv)
{
    printf("# galore NVE, Stillinger-Weber Si, dt 1 fs, skin 1 A\n");
    printf("%8s %8s %12s %10s %14s %12s\n", "atoms", "steps", "steps/s", "ns/day", "non-force_%",
           "peak_MiB");
    if (argc < 3) return run(2, 10000) || run(4, 2000) || run(8, 300);
    for (int i = 1; i + 1 < argc; i += 2)
        if (run(atoi(argv[i]), atol(argv[i + 1]))) return 1;
    return 0;
}
