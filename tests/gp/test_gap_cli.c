/*
 * `galore fit`, `galore predict`, `galore eval` and `galore info` on GAP models, end to end: the
 * built program fits six Stillinger-Weber silicon frames with a gap-only hyperparameter file;
 * its predictions and errors must equal those of the library on the saved model; bad usage and
 * bad files give exit code 2 with the file named. Runs the built program.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/extxyz.h"
#include "gp/gap.h"
#include "tests/harness/al_test.h"

#define GALORE GALORE_BINARY_DIR "/orchestrator/galore"


static const char *data(const char *name) { return al_test_path(al_test_data_dir(), name); }

static void test_fit_predict_eval(al_test *t)
{
    static char out[1 << 16];
    char cmd[4096], model[1024], xml[1024], pred[1024], csv[1024];
    const char *dir = al_test_tmp_dir(t);
    snprintf(model, sizeof model, "%sm.h5", dir);
    snprintf(xml, sizeof xml, "%sm.xml", dir);
    snprintf(pred, sizeof pred, "%sp.xyz", dir);
    snprintf(csv, sizeof csv, "%sparity.csv", dir);
    char frames[1024];
    snprintf(frames, sizeof frames, "%s", data("md/sw_frames.xyz"));
    snprintf(cmd, sizeof cmd, "%s fit %s -o %s --gap %s --xml %s", GALORE, frames, model, data("gp/gap_small.yaml"), xml);
    AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "%s", out);
    AL_CHECK_CONTAINS(t, out, "estimated memory");
    snprintf(cmd, sizeof cmd, "%s info %s %s", GALORE, model, xml);
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 0);
    AL_CHECK_CONTAINS(t, out, "m.h5: GAP model, 2 descriptors, with variance factors (uncertainty)");
    AL_CHECK_CONTAINS(t, out, "m.xml: GAP model, 2 descriptors, mean only (no uncertainty)");
    AL_CHECK_CONTAINS(t, out, "soap Si: cutoff 4 Å (transition 1 Å), n_max 4, l_max 3");

    /* predict: the written labels are the library's predictions with the saved model. */
    snprintf(cmd, sizeof cmd, "%s predict %s %s -o %s", GALORE, model, frames, pred);
    AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "%s", out);
    al_err err;
    gp_model *m = NULL;
    al_frame *p = NULL, *f = NULL;
    size_t np = 0, nf = 0;
    AL_CHECK_OK(t, gp_model_load(model, &m, &err), &err);
    AL_CHECK_OK(t, al_xyz_read_all(pred, &p, &np, &err), &err);
    AL_CHECK_OK(t, al_xyz_read_all(frames, &f, &nf, &err), &err);
    AL_CHECK(t, np == nf && nf == 6);
    double eabs = 0, fabs_sum = 0;
    size_t nfc = 0;
    for (size_t k = 0; k < nf && k < np; k++) {
        size_t na = f[k].n_atoms;
        double (*fo)[3] = calloc(na, sizeof *fo), ref, smax;
        al_pot_result r = {.forces = fo, .want_uncertainty = true, .force_sigma_atoms = AL_FORCE_SIGMA_ATOMS};
        long fatom = -2;
        AL_CHECK_OK(t, gp_model_predict(m, &f[k], &r, &err), &err);
        AL_CHECK_REL(t, p[k].energy, r.energy, 1e-12, 1e-12);
        AL_CHECK(t, al_info_get_real(&p[k].info, "ref_energy", &ref) && ref == f[k].energy);
        AL_CHECK(t, al_info_get_real(&p[k].info, "gap_sigma_max", &smax));
        AL_CHECK_REL(t, smax, r.sigma_max, 1e-12, 1e-15);
        AL_CHECK(t, al_info_get_real(&p[k].info, "gap_force_sigma_max", &smax));
        AL_CHECK_REL(t, smax, r.force_sigma_max, 1e-12, 1e-15);
        AL_CHECK(t, r.force_sigma_max > 0);
        AL_CHECK(t, al_info_get_int(&p[k].info, "gap_force_sigma_atom", &fatom) && fatom == r.force_sigma_atom);
        AL_CHECK(t, al_frame_find_prop(&p[k], "gap_sigma") && al_frame_find_prop(&p[k], "ref_forces"));
        AL_CHECK(t, al_frame_find_prop(&p[k], "gap_force_sigma"));
        for (size_t i = 0; i < na; i++)
            for (int a = 0; a < 3; a++) {
                AL_CHECK_REL(t, p[k].forces[i][a], fo[i][a], 1e-12, 1e-12);
                fabs_sum += fabs(fo[i][a] - f[k].forces[i][a]), nfc++;
            }
        eabs += fabs(r.energy - f[k].energy) / na;
        free(fo);
    }
    /* eval: the printed MAEs are the library's; the CSV has one row per compared value. */
    snprintf(cmd, sizeof cmd, "%s eval %s %s --csv %s", GALORE, model, frames, csv);
    AL_CHECK_MSG(t, al_test_run(cmd, out, sizeof out) == 0, "%s", out);
    const char *all = strstr(out, "\nall ");
    double e_mae = 0, e_rmse = 0, f_mae = 0;
    AL_CHECK(t, all && sscanf(all, "\nall %lf %lf %lf", &e_mae, &e_rmse, &f_mae) == 3);
    AL_CHECK_REL(t, e_mae, 1e3 * eabs / nf, 1e-3, 1e-9);
    AL_CHECK_REL(t, f_mae, fabs_sum / nfc, 1e-3, 1e-9);
    FILE *fp = fopen(csv, "r");
    size_t lines = 0;
    int c;
    while (fp && (c = fgetc(fp)) != EOF) lines += c == '\n';
    if (fp) fclose(fp);
    AL_CHECK(t, lines == 1 + 6 * (1 + 64 * 3 + 9));
    al_frames_free(p, np);
    al_frames_free(f, nf);
    gp_model_destroy(m);
}

static void test_bad_usage(al_test *t)
{
    static char out[1 << 14];
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s fit %s", GALORE, data("md/sw_frames.xyz"));
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "galore fit: needs TRAIN.xyz and -o MODEL");
    snprintf(cmd, sizeof cmd, "%s fit %s -o %sx.h5 --gap %s", GALORE, data("md/sw_frames.xyz"), al_test_tmp_dir(t),
             data("gp/gap_bad.yaml"));
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "gap_bad.yaml:2:32: gap.soap.n_max: must be >= 1 and <= 20, got 0");
    snprintf(cmd, sizeof cmd, "%s predict %snothere.h5 %s -o %sy.xyz", GALORE, al_test_tmp_dir(t),
             data("md/sw_frames.xyz"), al_test_tmp_dir(t));
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "nothere.h5: no such model file");
    snprintf(cmd, sizeof cmd, "%s eval %s", GALORE, data("gp/quip_small.xml"));
    AL_CHECK(t, al_test_run(cmd, out, sizeof out) == 2);
    AL_CHECK_CONTAINS(t, out, "galore eval: needs MODEL and TEST.xyz");
}

static const al_test_case cases[] = {
    {"fit_predict_eval", test_fit_predict_eval, AL_TEST_FAST},
    {"bad_usage", test_bad_usage, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
