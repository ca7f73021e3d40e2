/*
 * GAP fit on the si-sw benchmark set: fit time, peak memory and test errors, against QUIP's
 * gap_fit on the same data and hyperparameters (si-sw README, model a: test E MAE/RMSE
 * 1.81/4.91 meV/atom, F MAE/RMSE 0.104/0.204 eV/Å, virial RMSE 26.8 meV/atom; 325 s, 4.27 GiB).
 *
 *   bench_gap_fit TRAIN.xyz TEST.xyz [MODEL_OUT.h5] [n_sparse_soap] [n_max] [cur|cur_random|random|from:MODEL]
 * (from:MODEL refits with the sparse points of MODEL, e.g. QUIP's gap_a.xml, which separates the
 * fit itself from the sparse-point choice.)
 *
 * Hyperparameters ("thesis-like", issue 5): 2-body cutoff 5.0 Å (transition 0.5 Å), 20 uniform
 * sparse points, delta 1.0 eV, theta 1.0 Å; SOAP cutoff 5.0 Å, transition 1.0 Å, n_max 6,
 * l_max 6, atom_sigma 0.5 Å, zeta 4, delta 0.2 eV, 1000 CUR sparse points; sigmas
 * 0.002 eV/atom, 0.05 eV/Å, 0.05 eV/atom; sparse_jitter 1e-10; e0 = 0.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_util.h"
#include "core/extxyz.h"
#include "gp/gap.h"

typedef struct errs {
    double e_abs, e_sq, f_abs, f_sq, v_sq;
    size_t ne, nf, nv;
} errs;

static int test_errors(gp_model *m, const al_frame *f, size_t n, errs *e, al_err *err)
{
    for (size_t k = 0; k < n; k++) {
        size_t na = f[k].n_atoms;
        double (*forces)[3] = calloc(na, sizeof *forces), vir[9];
        al_pot_result r = {.forces = forces, .virial = vir};
        if (gp_model_predict(m, &f[k], &r, err)) return 1;
        double de = (r.energy - f[k].energy) / na;
        e->e_abs += fabs(de), e->e_sq += de * de, e->ne++;
        for (size_t i = 0; i < na; i++)
            for (int a = 0; a < 3; a++) {
                double d = forces[i][a] - f[k].forces[i][a];
                e->f_abs += fabs(d), e->f_sq += d * d, e->nf++;
            }
        for (int a = 0; a < 9; a++) {
            double d = (vir[a] - f[k].virial[a / 3][a % 3]) / na;
            e->v_sq += d * d, e->nv++;
        }
        free(forces);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s TRAIN.xyz TEST.xyz [MODEL_OUT.h5] [n_sparse_soap] [n_max] [cur|cur_random|random|from:MODEL]\n", argv[0]);
        return 2;
    }
    al_err err;
    al_frame *tr = NULL, *te = NULL;
    size_t ntr = 0, nte = 0;
    if (al_xyz_read_all(argv[1], &tr, &ntr, &err) || al_xyz_read_all(argv[2], &te, &nte, &err)) {
        fprintf(stderr, "error: %s\n", err.msg);
        return 1;
    }
    size_t nsp = argc > 4 ? (size_t)atol(argv[4]) : 1000;
    int nmax = argc > 5 ? atoi(argv[5]) : 6;
    const char *meth = argc > 6 ? argv[6] : "cur";
    gp_gap_spec s = gp_gap_spec_default();
    s.sparse_jitter = 1e-10;
    if (gp_gap_spec_add_2b(&s, 14, 14, 5.0, 0.5, 1.0, 1.0, 20, &err) ||
        gp_gap_spec_add_soap(&s, 14, 5.0, 1.0, nmax, 6, 0.5, 4, 0.2, nsp, &err)) {
        fprintf(stderr, "error: %s\n", err.msg);
        return 1;
    }
    s.desc[1].sparse_method = !strcmp(meth, "cur_random") ? GP_SPARSE_CUR_RANDOM
                              : !strcmp(meth, "random")   ? GP_SPARSE_RANDOM
                                                          : GP_SPARSE_CUR;
    s.seed = getenv("GAP_BENCH_SEED") ? (uint64_t)atol(getenv("GAP_BENCH_SEED")) : 1;
    if (getenv("GAP_BENCH_JITTER")) s.sparse_jitter = atof(getenv("GAP_BENCH_JITTER"));   /* experiments */
    if (getenv("GAP_BENCH_SIGMA_E")) s.sigma_energy = atof(getenv("GAP_BENCH_SIGMA_E"));
    if (getenv("GAP_BENCH_SIGMA_V")) s.sigma_virial = atof(getenv("GAP_BENCH_SIGMA_V"));
    al_log_set_level(AL_LOG_INFO);
    gp_model *m = NULL, *src = NULL;
    if (!strncmp(meth, "from:", 5) && gp_model_open(meth + 5, &src, &err)) {
        fprintf(stderr, "error: %s\n", err.msg);
        return 1;
    }
    double t0 = al_wtime();
    if (src ? gp_gap_refit(&s, src, tr, ntr, &m, &err) : gp_gap_fit(&s, tr, ntr, &m, &err)) {
        fprintf(stderr, "error: %s\n", err.msg);
        return 1;
    }
    double tfit = al_wtime() - t0, mem = bench_peak_mib();
    errs e = {0};
    t0 = al_wtime();
    if (test_errors(m, te, nte, &e, &err)) {
        fprintf(stderr, "error: %s\n", err.msg);
        return 1;
    }
    double tpred = al_wtime() - t0;
    printf("GAP fit, %zu training frames, SOAP n_max %d, n_sparse %zu (%s)\n", ntr, nmax, nsp, meth);
    printf("  fit time %.1f s, peak memory %.2f GiB   (QUIP gap_fit: 325 s, 4.27 GiB)\n", tfit, mem / 1024.0);
    printf("  test energy MAE %.3f RMSE %.3f meV/atom      (QUIP 1.81 / 4.91)\n", 1e3 * e.e_abs / e.ne,
           1e3 * sqrt(e.e_sq / e.ne));
    printf("  test forces MAE %.4f RMSE %.4f eV/A          (QUIP 0.104 / 0.204)\n", e.f_abs / e.nf, sqrt(e.f_sq / e.nf));
    printf("  test virial RMSE %.2f meV/atom               (QUIP 26.8)\n", 1e3 * sqrt(e.v_sq / e.nv));
    printf("  prediction of %zu test frames %.2f s\n", nte, tpred);
    if (argc > 3 && gp_model_save(m, argv[3], &err)) fprintf(stderr, "error: %s\n", err.msg);
    gp_model_destroy(m);
    gp_model_destroy(src);
    al_frames_free(tr, ntr);
    al_frames_free(te, nte);
    return 0;
}
