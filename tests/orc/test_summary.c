/*
 * Descriptor summaries for selection: per species the mean SOAP vector of that species' atoms,
 * each SOAP seeing the neighbours of every species (as the model's descriptors do), zeros for a
 * species the frame lacks.
 */
#include <math.h>

#include "core/alloc.h"
#include "core/elements.h"
#include "core/neighbors.h"
#include "gp/desc/soap.h"
#include "orchestrator/summary.h"
#include "tests/harness/al_test.h"

static const orc_soap settings = {true, 4.0, 1.0, 3, 3, 0.5, 4, 0.2, 10, 0};

/* A rattled 8-atom simple-cubic cell of Ge and Se (a = 2.6 Å), n_ge of them Ge. */
static void binary_frame(al_test *t, al_frame *f, int n_ge)
{
    al_err err;
    al_frame_init(f);
    AL_CHECK_OK(t, al_frame_alloc(f, 8, &err), &err);
    for (int k = 0; k < 3; k++) f->cell[k][k] = 5.2, f->pbc[k] = true;
    for (int i = 0; i < 8; i++) {
        f->z[i] = i < n_ge ? 32 : 34;
        for (int k = 0; k < 3; k++) f->pos[i][k] = 2.6 * ((i >> k) & 1) + 0.07 * sin(3.1 * i + 1.7 * k);
    }
}

/* Mean over the atoms of species z of a SOAP with neighbour species sp (NULL: z only). */
static void mean_soap(al_test *t, const al_frame *f, int z, const desc_soap_species *sp, double *mean, size_t dim)
{
    al_err err;
    desc_soap_spec spec = {z, settings.cutoff, settings.transition_width, settings.atom_sigma,
                           (int)settings.n_max, (int)settings.l_max};
    desc_soap *s = NULL;
    AL_CHECK_OK(t, desc_soap_create_species(&spec, sp, &s, &err), &err);
    AL_CHECK(t, s && desc_soap_dim(s) == dim);
    al_nlist nl;
    al_nlist_init(&nl);
    desc_values dv;
    desc_values_init(&dv);
    AL_CHECK_OK(t, al_nlist_build(&nl, f, settings.cutoff, 0.0, &err), &err);
    AL_CHECK_OK(t, desc_soap_compute(s, f, &nl, &dv, &err), &err);
    for (size_t a = 0; a < dim; a++) {
        mean[a] = 0;
        for (size_t q = 0; q < dv.n; q++) mean[a] += dv.x[q * dv.dim + a] / (double)dv.n;
    }
    desc_values_fini(&dv);
    al_nlist_fini(&nl);
    desc_soap_destroy(s);
}

static void test_species_see_each_other(al_test *t)
{
    al_err err;
    int species[2] = {32, 34};
    orc_summary *sum = NULL;
    AL_CHECK_OK(t, orc_summary_create(&settings, species, 2, &sum, &err), &err);
    /* K = 2 species × 3 radial channels; (l_max + 1)·K(K + 1)/2 + 1 = 4·21 + 1 per species. */
    size_t each = 85;
    AL_CHECK_MSG(t, orc_summary_dim(sum) == 2 * each, "dimension %zu", orc_summary_dim(sum));
    al_frame f;
    binary_frame(t, &f, 3);
    double row[170], mean[85], own[85];
    AL_CHECK_OK(t, orc_summary_row(sum, &f, row, &err), &err);
    desc_soap_species both = {2, {32, 34}, DESC_SOAP_CENTRAL_DEFAULT};
    double worst = 0, apart = 0;
    for (int k = 0; k < 2; k++) {
        mean_soap(t, &f, species[k], &both, mean, each);
        for (size_t a = 0; a < each; a++) worst = fmax(worst, fabs(row[k * each + a] - mean[a]));
    }
    AL_CHECK_MSG(t, worst < 1e-14, "summary differs from the mean SOAP by %.3g", worst);
    /* A single-species SOAP (Ge neighbours of Ge only) has another dimension; compare its
     * power in the Ge-Ge channels: the Se neighbours must change the normalised vector. */
    desc_soap_species ge_only = {1, {32}, DESC_SOAP_CENTRAL_DEFAULT};
    mean_soap(t, &f, 32, &ge_only, own, 4 * 6 + 1);
    for (size_t a = 0; a < 4 * 6; a++) apart = fmax(apart, fabs(own[a] - row[a]));
    AL_CHECK_MSG(t, apart > 1e-3, "the Se neighbours leave the Ge summary unchanged (%.3g)", apart);
    al_frame_fini(&f);
    /* A frame without Ge: its Ge block is zero, its Se block is not. */
    binary_frame(t, &f, 0);
    AL_CHECK_OK(t, orc_summary_row(sum, &f, row, &err), &err);
    double ge = 0, se = 0;
    for (size_t a = 0; a < each; a++) ge += fabs(row[a]), se += fabs(row[each + a]);
    AL_CHECK(t, ge == 0 && se > 0.1);
    al_frame_fini(&f);
    orc_summary_destroy(sum);
}

static void test_too_many_species(al_test *t)
{
    al_err err;
    int species[9] = {1, 3, 5, 6, 7, 8, 11, 14, 15};
    orc_summary *sum = NULL;
    AL_CHECK(t, orc_summary_create(&settings, species, 9, &sum, &err) == AL_EINVAL && !sum);
    AL_CHECK_STR(t, err.msg, "descriptor summary: 9 species, at most 8 supported");
}

static const al_test_case cases[] = {
    {"species_see_each_other", test_species_see_each_other, AL_TEST_FAST},
    {"too_many_species", test_too_many_species, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
