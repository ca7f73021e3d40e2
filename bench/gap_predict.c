/*
 * GAP prediction: agreement with QUIP and speed.
 *
 *   bench_gap_predict quip GAP.xml TEST.xyz QUIP_PRED.xyz
 *       loads a QUIP GAP XML potential and predicts the frames of TEST.xyz (full-precision
 *       positions); compares with what `quip E=T F=T V=T local=T` wrote (energy, force, virial,
 *       local_energy): max and RMS differences per quantity.
 *   bench_gap_predict time MODEL [N_CELLS...]
 *       MODEL is a galore HDF5 model or a QUIP XML file; times energy+forces+virial and, when the
 *       model has variance factors, the same with per-atom uncertainty, on diamond Si supercells
 *       (n×n×n cubic cells of 8 atoms, a = 5.431 Å, displacements of 0.1 Å) for n = 2, 4, 8
 *       (64, 512, 4096 atoms) by default. Median of 5 evaluations after one warm-up, in CPU
 *       time (one thread; steadier than wall time on a shared machine); prints ms per atom and
 *       the ratio to QUIP's 0.98 ms/atom (si-sw README, model a, 64 atoms). Then the same with
 *       the local-energy sigmas, and with them the exact force sigma of AL_FORCE_SIGMA_ATOMS atoms.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_util.h"
#include "core/extxyz.h"
#include "core/rng.h"
#include "gp/gap.h"

static int fail(const al_err *err)
{
    fprintf(stderr, "error: %s\n", err->msg);
    return 1;
}

static al_status load_model(const char *path, gp_model **m, al_err *err)
{
    size_t n = strlen(path);
    if (n > 4 && !strcmp(path + n - 4, ".xml")) return gp_model_read_quip_xml(path, m, err);
    return gp_model_open(path, m, err);
}

static int run_quip(const char *xml, const char *test, const char *pred)
{
    al_err err;
    gp_model *m = NULL;
    al_frame *ft = NULL, *fp = NULL;
    size_t nt = 0, np = 0;
    if (gp_model_read_quip_xml(xml, &m, &err) || al_xyz_read_all(test, &ft, &nt, &err) ||
        al_xyz_read_all(pred, &fp, &np, &err))
        return fail(&err);
    if (nt != np) {
        fprintf(stderr, "error: %zu test frames but %zu predictions\n", nt, np);
        return 1;
    }
    double de = 0, df = 0, dv = 0, dl = 0, sf2 = 0;
    size_t nf = 0;
    double t0 = al_wtime();
    for (size_t k = 0; k < nt; k++) {
        size_t na = ft[k].n_atoms;
        double (*f)[3] = calloc(na, sizeof *f), vir[9], *loc = calloc(na, sizeof *loc);
        al_pot_result r = {.forces = f, .virial = vir};
        gp_predict_extra ex = {.local_energy = loc};
        if (gp_model_predict_ext(m, &ft[k], &r, &ex, &err)) return fail(&err);
        const al_atom_prop *pl = al_frame_find_prop(&fp[k], "local_energy");
        de = fmax(de, fabs(r.energy - fp[k].energy) / na);
        for (size_t i = 0; i < na; i++) {
            for (int a = 0; a < 3; a++) {
                double d = f[i][a] - (fp[k].forces ? fp[k].forces[i][a] : NAN);
                df = isnan(d) || isnan(df) ? NAN : fmax(df, fabs(d));
                sf2 += d * d, nf++;
            }
            if (pl) dl = fmax(dl, fabs(loc[i] - pl->reals[i]));
        }
        for (int a = 0; a < 9; a++) dv = fmax(dv, fabs(vir[a] - fp[k].virial[a / 3][a % 3]));
        free(f);
        free(loc);
    }
    printf("QUIP agreement on %zu frames (%s):\n", nt, xml);
    printf("  energy      max |dE|/N    %.3e eV/atom (target 1e-6)\n", de);
    printf("  forces      max |dF|      %.3e eV/A   (target 1e-5), RMS %.3e\n", df, sqrt(sf2 / (double)nf));
    printf("  virial      max |dV|      %.3e eV      (QUIP prints 8 decimals)\n", dv);
    printf("  local E     max |de_i|    %.3e eV\n", dl);
    printf("  prediction time %.3f s for %zu frames\n", al_wtime() - t0, nt);
    al_frames_free(ft, nt);
    al_frames_free(fp, np);
    gp_model_destroy(m);
    return 0;
}

static void diamond_cell(al_frame *f, int n, uint64_t seed)
{
    static const double u[8][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0},
                                   {.25, .25, .25}, {.25, .75, .75}, {.75, .25, .75}, {.75, .75, .25}};
    al_err err;
    al_rng r;
    al_rng_seed(&r, seed, 0);
    double a = 5.431;
    al_frame_alloc(f, 8 * (size_t)n * n * n, &err);
    for (int k = 0; k < 3; k++) f->cell[k][k] = a * n, f->pbc[k] = true;
    size_t i = 0;
    for (int x = 0; x < n; x++)
        for (int y = 0; y < n; y++)
            for (int z = 0; z < n; z++)
                for (int b = 0; b < 8; b++, i++) {
                    int c[3] = {x, y, z};
                    f->z[i] = 14;
                    for (int k = 0; k < 3; k++) f->pos[i][k] = a * (c[k] + u[b][k]) + 0.1 * al_rng_normal(&r);
                }
}

/* Median CPU time of a prediction; unc: 0 none, 1 local-energy sigmas, 2 and the force sigma. */
static double time_predict(gp_model *m, al_frame *f, int unc, al_err *err)
{
    size_t na = f->n_atoms;
    double (*forces)[3] = calloc(na, sizeof *forces), vir[9], *sig = calloc(na, sizeof *sig), t[5];
    double *fsig = calloc(na, sizeof *fsig);
    for (int rep = -1; rep < 5; rep++) {
        al_pot_result r = {.forces = forces, .virial = vir, .want_uncertainty = unc > 0, .atom_sigma = unc ? sig : NULL,
                           .force_sigma_atoms = unc > 1 ? AL_FORCE_SIGMA_ATOMS : 0, .force_sigma = unc > 1 ? fsig : NULL};
        double t0 = bench_cpu_seconds();
        if (gp_model_predict(m, f, &r, err)) return -1;
        if (rep >= 0) t[rep] = bench_cpu_seconds() - t0;
    }
    free(forces);
    free(sig);
    free(fsig);
    return bench_median(t, 5);
}

static int run_time(const char *path, int argc, char **argv)
{
    al_err err;
    gp_model *m = NULL;
    if (load_model(path, &m, &err)) return fail(&err);
    int sizes[8] = {2, 4, 8}, ns = 3;
    if (argc > 0) {
        ns = argc < 8 ? argc : 8;
        for (int k = 0; k < ns; k++) sizes[k] = atoi(argv[k]);
    }
    printf("CPU ms per atom; +sigma: local-energy sigmas; +force: and the force sigma of %d atoms\n",
           AL_FORCE_SIGMA_ATOMS);
    printf("%8s %10s %10s %10s %12s\n", "atoms", "E+F+V", "+sigma", "+force", "QUIP/galore");
    for (int k = 0; k < ns; k++) {
        al_frame f;
        al_frame_init(&f);
        diamond_cell(&f, sizes[k], 7);
        bool var = gp_model_has_variance(m);
        double t = time_predict(m, &f, 0, &err), tu = var ? time_predict(m, &f, 1, &err) : NAN;
        double tf = var ? time_predict(m, &f, 2, &err) : NAN;
        if (t < 0 || tu < 0 || tf < 0) return fail(&err);
        double per = 1e3 * t / f.n_atoms;
        printf("%8zu %10.4f %10.4f %10.4f %12.2f\n", f.n_atoms, per, 1e3 * tu / f.n_atoms, 1e3 * tf / f.n_atoms,
               0.98 / per);
        al_frame_fini(&f);
    }
    printf("peak memory %.0f MiB\n", bench_peak_mib());
    gp_model_destroy(m);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && !strcmp(argv[1], "quip")) return run_quip(argv[2], argv[3], argv[4]);
    if (argc >= 3 && !strcmp(argv[1], "time")) return run_time(argv[2], argc - 3, argv + 3);
    fprintf(stderr, "usage: %s quip GAP.xml TEST.xyz QUIP_PRED.xyz | time MODEL [N...]\n", argv[0]);
    return 2;
}
