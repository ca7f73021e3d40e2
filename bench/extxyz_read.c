/*
 * extxyz read throughput. `bench_extxyz_read FILE` streams every frame of FILE and prints MB/s,
 * frames, atoms and peak memory; `bench_extxyz_read --make FILE MB` first writes a test file of
 * about MB megabytes (64- to 512-atom silicon frames with energy, forces and virial).
 * bench/run_extxyz.sh times ASE's reader on the same file in the same invocation.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/bench_util.h"
#include "core/extxyz.h"
#include "core/rng.h"

static int make_file(const char *path, double mb)
{
    al_rng rng;
    al_rng_seed(&rng, 3, 0);
    FILE *fp = fopen(path, "w");
    if (!fp) return 1;
    al_frame f;
    al_err err;
    al_frame_init(&f);
    struct stat st;
    for (size_t k = 0;; k++) {
        size_t n = (size_t)64 << (k % 4);    /* 64, 128, 256, 512 atoms */
        al_frame_alloc(&f, n, &err);
        al_frame_alloc_forces(&f, &err);
        double edge = cbrt(n / 0.05);
        for (int a = 0; a < 3; a++) f.cell[a][a] = edge, f.pbc[a] = true;
        for (size_t i = 0; i < n; i++) {
            f.z[i] = 14;
            for (int a = 0; a < 3; a++) {
                f.pos[i][a] = edge * al_rng_uniform(&rng);
                f.forces[i][a] = al_rng_normal(&rng);
            }
        }
        f.energy = -4.3 * n + al_rng_normal(&rng);
        for (int a = 0; a < 3; a++) f.virial[a][a] = al_rng_normal(&rng);
        f.labels = AL_LBL_ENERGY | AL_LBL_FORCES | AL_LBL_VIRIAL;
        al_info_set_str(&f.info, "config_type", "bench", &err);
        al_xyz_write(fp, &f, &err);
        if (k % 16 == 15) {
            fflush(fp);
            if (fstat(fileno(fp), &st) == 0 && st.st_size > mb * 1e6) break;
        }
    }
    al_frame_fini(&f);
    return fclose(fp) != 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--make")) return make_file(argv[2], atof(argv[3]));
    if (argc != 2) {
        fprintf(stderr, "usage: bench_extxyz_read FILE | --make FILE MB\n");
        return 2;
    }
    struct stat st;
    if (stat(argv[1], &st) != 0) return 1;
    al_xyz_reader *r = NULL;
    al_err err;
    al_frame f;
    al_frame_init(&f);
    size_t frames = 0, atoms = 0;
    int done = 0;
    double t0 = al_wtime();
    if (al_xyz_open(argv[1], &r, &err)) return 1;
    while (!al_xyz_read_next(r, &f, &done, &err) && !done) {
        frames++;
        atoms += f.n_atoms;
    }
    double dt = al_wtime() - t0;
    al_xyz_close(r);
    al_frame_fini(&f);
    printf("galore: %.1f MB in %.3f s = %.1f MB/s (%zu frames, %zu atoms), peak %.1f MiB\n",
           st.st_size / 1e6, dt, st.st_size / 1e6 / dt, frames, atoms, bench_peak_mib());
    return 0;
}
