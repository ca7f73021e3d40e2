/*
 * GAP with multi-species SOAP on a binary (Ge, Se) system labelled by an analytic potential
 * written here (species-dependent Morse pairs, smoothly cut off): the model's SOAP descriptors
 * see both species; predicted forces and virial are the derivatives of the predicted energy
 * (central differences); the fit reproduces its training labels when every environment is a
 * sparse point; QUIP XML with n_species=2 and the HDF5 model file round-trip exactly; a format-1
 * model file (single-species SOAP) is still read; and a two-species model on one-species frames
 * predicts what the single-species model predicts.
 */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cell.h"
#include "core/h5util.h"
#include "core/neighbors.h"
#include "core/rng.h"
#include "gp/gap.h"
#include "tests/gp/random_cells.h"
#include "tests/harness/al_test.h"

enum { NF = 5, NA = 12 };

/* Morse pair φ(r) = D[(1 − e^{−a(r − r0)})² − 1]·f_c(r), parameters per species pair. */
static double morse(int zi, int zj, double r, double *dphi)
{
    int k = (zi == 32) + (zj == 32);   /* 0: Se-Se, 1: Ge-Se, 2: Ge-Ge */
    const double D[3] = {0.35, 0.9, 0.6}, A[3] = {1.4, 1.6, 1.3}, R0[3] = {2.35, 2.4, 2.5};
    double dfc, fc = desc_cutoff(r, 4.5, 1.0, &dfc), e = exp(-A[k] * (r - R0[k]));
    double m = D[k] * ((1 - e) * (1 - e) - 1), dm = D[k] * 2 * (1 - e) * A[k] * e;
    *dphi = dm * fc + m * dfc;
    return m * fc;
}

/* Energy, forces and virial (−Σ d ⊗ ∂E/∂d) of the pair potential; each pair is in the full
 * neighbour list twice, so each entry carries half of it. */
static void label(al_frame *f)
{
    al_err err;
    al_nlist nl;
    al_nlist_init(&nl);
    al_nlist_build(&nl, f, 4.5, 0.0, &err);
    al_frame_alloc_forces(f, &err);
    memset(f->forces, 0, f->n_atoms * sizeof *f->forces);
    memset(f->virial, 0, sizeof f->virial);
    f->energy = 0;
    for (size_t i = 0; i < f->n_atoms; i++)
        for (size_t p = nl.offset[i]; p < nl.offset[i + 1]; p++) {
            double dphi, r = nl.r[p];
            if (r >= 4.5) continue;
            f->energy += 0.5 * morse(f->z[i], f->z[nl.j[p]], r, &dphi);
            for (int a = 0; a < 3; a++) {
                double g = 0.5 * dphi * nl.d[p][a] / r;   /* ∂E/∂d_a of this entry */
                f->forces[nl.j[p]][a] -= g;
                f->forces[i][a] += g;
                for (int b = 0; b < 3; b++) f->virial[a][b] -= g * nl.d[p][b];
            }
        }
    f->labels = AL_LBL_ENERGY | AL_LBL_FORCES | AL_LBL_VIRIAL;
    al_nlist_fini(&nl);
}

/* A random triclinic cell (~6.3 Å) of Ge4Se8 (or all of species `only` when it is not 0),
 * no pair closer than 2.0 Å, labelled. */
static void random_frame(al_frame *f, uint64_t seed, int only)
{
    al_err err;
    al_rng r;
    al_rng_seed(&r, seed, 0);
    al_frame_init(f);
    al_frame_alloc(f, NA, &err);
    double cell[3][3] = {{6.4, 0, 0}, {0.7, 6.1, 0}, {-0.5, 0.6, 6.3}};
    for (size_t i = 0; i < NA; i++) f->z[i] = only ? only : i % 3 ? 34 : 32;
    random_cell_atoms(f, cell, 2.0, &r);
    label(f);
}

static al_frame *frames(size_t n, uint64_t seed, int only)
{
    al_frame *f = calloc(n, sizeof *f);
    for (size_t k = 0; k < n; k++) random_frame(&f[k], seed + k, only);
    return f;
}

static void free_frames(al_frame *f, size_t n)
{
    for (size_t k = 0; k < n; k++) al_frame_fini(&f[k]);
    free(f);
}

static gp_gap_spec spec_gese(size_t n_sparse)
{
    al_err err;
    gp_gap_spec s = gp_gap_spec_default();
    gp_gap_spec_add_2b(&s, 32, 32, 4.5, 1.0, 0.5, 1.0, 10, &err);
    gp_gap_spec_add_2b(&s, 32, 34, 4.5, 1.0, 0.5, 1.0, 10, &err);
    gp_gap_spec_add_2b(&s, 34, 34, 4.5, 1.0, 0.5, 1.0, 10, &err);
    gp_gap_spec_add_soap(&s, 32, 4.0, 1.0, 4, 3, 0.5, 4, 0.2, n_sparse, &err);
    gp_gap_spec_add_soap(&s, 34, 4.0, 1.0, 4, 3, 0.5, 4, 0.2, n_sparse, &err);
    s.sigma_energy = 0.001, s.sigma_force = 0.02, s.sigma_virial = 0.02;
    s.sparse_jitter = 1e-10;
    return s;
}

static double energy(gp_model *m, const al_frame *f)
{
    al_err err;
    al_pot_result r = {0};
    gp_model_predict(m, f, &r, &err);
    return r.energy;
}

/* Fit on NF frames; forces and virial of a new frame against central differences of the
 * predicted energy; the errors of the fit against the Morse labels are printed. */
static void test_forces_virial_fd(al_test *t)
{
    al_err err;
    al_frame *f = frames(NF, 100, 0), *test = frames(3, 200, 0);
    gp_gap_spec s = spec_gese(24);
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, NF, &m, &err), &err);
    const gp_gap_spec *ms = gp_model_spec(m);
    for (size_t d = 3; d < 5; d++) {
        const desc_soap_species *sp = &ms->desc[d].soap_species;
        AL_CHECK(t, sp->n == 2 && sp->z[0] == 32 && sp->z[1] == 34);
    }
    /* Errors on unseen frames, for the record (the fit is small: 5 frames). */
    double se = 0, sf = 0, sf0 = 0;
    double (*fc)[3] = calloc(NA, sizeof *fc), virial[9];
    for (size_t k = 0; k < 3; k++) {
        al_pot_result r = {.forces = fc};
        AL_CHECK_OK(t, gp_model_predict(m, &test[k], &r, &err), &err);
        se += pow((r.energy - test[k].energy) / NA, 2);
        for (size_t i = 0; i < NA; i++)
            for (int a = 0; a < 3; a++) sf += pow(fc[i][a] - test[k].forces[i][a], 2), sf0 += pow(test[k].forces[i][a], 2);
    }
    printf("  unseen frames: energy RMSE %.2f meV/atom, force RMSE %.3f eV/Å (labels' RMS %.3f eV/Å)\n",
           1000 * sqrt(se / 3), sqrt(sf / (3 * NA * 3)), sqrt(sf0 / (3 * NA * 3)));
    AL_CHECK(t, sf < 0.5 * sf0);   /* it has learned something about the forces */
    al_frame *g = &test[0];
    al_pot_result r = {.forces = fc, .virial = virial};
    AL_CHECK_OK(t, gp_model_predict(m, g, &r, &err), &err);
    const double h = 1e-4;
    double worst = 0;
    for (size_t i = 0; i < NA; i += 2)
        for (int a = 0; a < 3; a++) {
            double x0 = g->pos[i][a];
            g->pos[i][a] = x0 + h;
            double ep = energy(m, g);
            g->pos[i][a] = x0 - h;
            double em = energy(m, g);
            g->pos[i][a] = x0;
            worst = fmax(worst, fabs(fc[i][a] + (ep - em) / (2 * h)));
            AL_CHECK_REL(t, fc[i][a], -(ep - em) / (2 * h), 1e-6, 1e-7);
        }
    /* Strain step: the energy carries ~1e-10 eV of rounding from the cancelling α (docs/gap.md),
     * so smaller steps lose more to rounding than they gain in truncation. */
    double worst_v = 0, HS = 1e-4;
    al_frame s1;
    al_frame_init(&s1);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            double e[2];
            for (int sg = 0; sg < 2; sg++) {
                double mtx[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
                mtx[a][b] += sg ? -HS : HS;
                al_frame_copy(&s1, g, &err);
                al_mat3_mul(g->cell, mtx, s1.cell);
                for (size_t i = 0; i < NA; i++)
                    for (int c = 0; c < 3; c++)
                        s1.pos[i][c] = g->pos[i][0] * mtx[0][c] + g->pos[i][1] * mtx[1][c] + g->pos[i][2] * mtx[2][c];
                e[sg] = energy(m, &s1);
            }
            worst_v = fmax(worst_v, fabs(virial[3 * a + b] + (e[0] - e[1]) / (2 * HS)));
            AL_CHECK_REL(t, virial[3 * a + b], -(e[0] - e[1]) / (2 * HS), 1e-5, 1e-5);
        }
    printf("  forces vs FD of the energy: max error %.2g eV/Å; virial: %.2g eV\n", worst, worst_v);
    al_frame_fini(&s1);
    free(fc);
    gp_model_destroy(m);
    free_frames(f, NF);
    free_frames(test, 3);
}

/* Every environment a sparse point, energies only, tiny noise: the training energies are
 * interpolated. */
static void test_exact_interpolation(al_test *t)
{
    al_err err;
    al_frame *f = frames(NF, 300, 0);
    for (size_t k = 0; k < NF; k++) f[k].labels = AL_LBL_ENERGY;
    gp_gap_spec s = gp_gap_spec_default();
    gp_gap_spec_add_soap(&s, 32, 4.0, 1.0, 4, 3, 0.5, 2, 1.0, 1000, &err);
    gp_gap_spec_add_soap(&s, 34, 4.0, 1.0, 4, 3, 0.5, 2, 1.0, 1000, &err);
    s.sigma_energy = 1e-7;
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, NF, &m, &err), &err);
    AL_CHECK(t, gp_model_n_sparse(m, 0) == NF * 4 && gp_model_n_sparse(m, 1) == NF * 8);
    double worst = 0;
    for (size_t k = 0; k < NF; k++) worst = fmax(worst, fabs(energy(m, &f[k]) - f[k].energy));
    printf("  training energies reproduced to %.2g eV\n", worst);
    AL_CHECK_MSG(t, worst < 1e-5, "interpolation misses a training energy by %.3g eV", worst);
    gp_model_destroy(m);
    free_frames(f, NF);
}

/* Energy, forces and virial of two models must be bit-identical. */
static void check_identical(al_test *t, gp_model *a, gp_model *b, const al_frame *f)
{
    al_err err;
    double (*fa)[3] = calloc(NA, sizeof *fa), (*fb)[3] = calloc(NA, sizeof *fb), va[9], vb[9];
    al_pot_result ra = {.forces = fa, .virial = va}, rb = {.forces = fb, .virial = vb};
    AL_CHECK_OK(t, gp_model_predict(a, f, &ra, &err), &err);
    AL_CHECK_OK(t, gp_model_predict(b, f, &rb, &err), &err);
    AL_CHECK_MSG(t, ra.energy == rb.energy, "energies %.17g and %.17g", ra.energy, rb.energy);
    AL_CHECK(t, !memcmp(fa, fb, NA * sizeof *fa) && !memcmp(va, vb, sizeof va));
    free(fa);
    free(fb);
}

static void test_xml_and_h5_round_trip(al_test *t)
{
    al_err err;
    al_frame *f = frames(3, 400, 0), *g = frames(1, 500, 0);
    gp_gap_spec s = spec_gese(16);
    gp_model *m = NULL, *b = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, 3, &m, &err), &err);
    const char *xml = al_test_path(al_test_tmp_dir(t), "gese.xml");
    AL_CHECK_OK(t, gp_model_write_quip_xml(m, xml, &err), &err);
    /* The descriptor string carries QUIP's species keys. */
    FILE *fp = fopen(xml, "r");
    char *text = calloc(1 << 22, 1);
    size_t len = fp ? fread(text, 1, (1 << 22) - 1, fp) : 0;
    if (fp) fclose(fp);
    AL_CHECK(t, len > 0);
    AL_CHECK_CONTAINS(t, text, "n_species=2 Z=34 species_Z={32 34 } central_reference_all_species=F");
    AL_CHECK_OK(t, gp_model_read_quip_xml(xml, &b, &err), &err);
    const desc_soap_species *sp = &gp_model_spec(b)->desc[4].soap_species;
    AL_CHECK(t, sp->n == 2 && sp->z[0] == 32 && sp->z[1] == 34 && sp->central == DESC_SOAP_CENTRAL_OWN);
    check_identical(t, m, b, &g[0]);
    gp_model_destroy(b);
    b = NULL;
    /* As gap_fit writes it, without central_reference_all_species: QUIP's default for several
     * species is F, the same model. */
    for (char *p; (p = strstr(text, " central_reference_all_species=F"));) memmove(p, p + 32, strlen(p + 32) + 1);
    const char *xml2 = al_test_path(al_test_tmp_dir(t), "gese_default.xml");
    fp = fopen(xml2, "w");
    if (fp) fputs(text, fp), fclose(fp);
    AL_CHECK_OK(t, gp_model_read_quip_xml(xml2, &b, &err), &err);
    AL_CHECK(t, gp_model_spec(b)->desc[3].soap_species.central == DESC_SOAP_CENTRAL_OWN);
    check_identical(t, m, b, &g[0]);
    gp_model_destroy(b);
    b = NULL;
    const char *h5 = al_test_path(al_test_tmp_dir(t), "gese.h5");
    AL_CHECK_OK(t, gp_model_save(m, h5, &err), &err);
    AL_CHECK_OK(t, gp_model_load(h5, &b, &err), &err);
    check_identical(t, m, b, &g[0]);
    gp_model_destroy(b);
    free(text);
    gp_model_destroy(m);
    free_frames(f, 3);
    free_frames(g, 1);
}

/* A model file of format 1 (before species lists) holds single-species SOAP descriptors: made
 * here by saving such a model and removing the new attributes. */
static void test_reads_format_1(al_test *t)
{
    al_err err;
    al_frame *f = frames(3, 600, 0), *g = frames(1, 700, 0);
    gp_gap_spec s = spec_gese(12);
    for (size_t d = 3; d < 5; d++) s.desc[d].soap_species = (desc_soap_species){1, {s.desc[d].soap.z}, DESC_SOAP_CENTRAL_DEFAULT};
    gp_model *m = NULL, *b = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, f, 3, &m, &err), &err);
    const char *h5 = al_test_path(al_test_tmp_dir(t), "v1.h5");
    AL_CHECK_OK(t, gp_model_save(m, h5, &err), &err);
    hid_t h = H5Fopen(h5, H5F_ACC_RDWR, H5P_DEFAULT);
    AL_CHECK_OK(t, al_h5_attr_write_int(h, "format_version", 1, &err), &err);
    for (int d = 3; d < 5; d++) {
        char name[32];
        snprintf(name, sizeof name, "descriptor_%d", d);
        AL_CHECK(t, H5Adelete_by_name(h, name, "species_z", H5P_DEFAULT) >= 0);
        AL_CHECK(t, H5Adelete_by_name(h, name, "central", H5P_DEFAULT) >= 0);
    }
    H5Fclose(h);
    AL_CHECK_OK(t, gp_model_load(h5, &b, &err), &err);
    AL_CHECK(t, gp_model_spec(b)->desc[3].soap_species.n == 1 && gp_model_spec(b)->desc[3].soap_species.z[0] == 32);
    check_identical(t, m, b, &g[0]);
    gp_model_destroy(b);
    gp_model_destroy(m);
    free_frames(f, 3);
    free_frames(g, 1);
}

/* On frames of Se only, a SOAP with neighbour species (Ge, Se) gives the kernels of the
 * single-species SOAP: the two fits and their predictions agree to rounding. */
static void test_reduces_to_one_species(al_test *t)
{
    al_err err;
    al_frame *f = frames(3, 800, 34), *g = frames(1, 900, 34);
    gp_gap_spec s1 = gp_gap_spec_default();
    gp_gap_spec_add_soap(&s1, 34, 4.0, 1.0, 4, 3, 0.5, 4, 0.2, 20, &err);
    s1.sigma_energy = 0.001, s1.sigma_force = 0.02, s1.sigma_virial = 0.02;
    gp_gap_spec s2 = s1;
    s2.desc[0].soap_species = (desc_soap_species){2, {32, 34}, DESC_SOAP_CENTRAL_DEFAULT};
    gp_model *a = NULL, *b = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s1, f, 3, &a, &err), &err);
    AL_CHECK_OK(t, gp_gap_fit(&s2, f, 3, &b, &err), &err);
    AL_CHECK(t, gp_model_spec(a)->desc[0].soap_species.n == 1 && gp_model_spec(b)->desc[0].soap_species.n == 2);
    double (*fa)[3] = calloc(NA, sizeof *fa), (*fb)[3] = calloc(NA, sizeof *fb), va[9], vb[9];
    al_pot_result ra = {.forces = fa, .virial = va}, rb = {.forces = fb, .virial = vb};
    AL_CHECK_OK(t, gp_model_predict(a, &g[0], &ra, &err), &err);
    AL_CHECK_OK(t, gp_model_predict(b, &g[0], &rb, &err), &err);
    double df = 0, fmx = 0, dv = 0;
    for (size_t i = 0; i < NA; i++)
        for (int c = 0; c < 3; c++) df = fmax(df, fabs(fa[i][c] - fb[i][c])), fmx = fmax(fmx, fabs(fa[i][c]));
    for (int k = 0; k < 9; k++) dv = fmax(dv, fabs(va[k] - vb[k]));
    printf("  one-species vs two-species model: |ΔE| %.2g eV, |ΔF| %.2g eV/Å (max |F| %.2g), |ΔW| %.2g eV\n",
           fabs(ra.energy - rb.energy), df, fmx, dv);
    AL_CHECK_CLOSE(t, ra.energy, rb.energy, 1e-8 * fabs(ra.energy) + 1e-9);
    AL_CHECK(t, df < 1e-8 * fmax(1.0, fmx) && dv < 1e-8);
    free(fa);
    free(fb);
    gp_model_destroy(a);
    gp_model_destroy(b);
    free_frames(f, 3);
    free_frames(g, 1);
}

static const al_test_case cases[] = {
    {"forces_virial_fd", test_forces_virial_fd, AL_TEST_FAST},
    {"exact_interpolation", test_exact_interpolation, AL_TEST_FAST},
    {"xml_and_h5_round_trip", test_xml_and_h5_round_trip, AL_TEST_FAST},
    {"reads_format_1", test_reads_format_1, AL_TEST_FAST},
    {"reduces_to_one_species", test_reduces_to_one_species, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
