/* Tests of the small core pieces: status table, units, elements, RNG, frames and info maps. */
#include <stdint.h>

#include "core/alloc.h"
#include "core/cell.h"
#include "core/elements.h"
#include "core/frame.h"
#include "core/rng.h"
#include "core/units.h"
#include "tests/harness/al_test.h"

static void test_status_messages(al_test *t)
{
    al_err err;
    al_err_clear(&err);
    AL_CHECK(t, al_fail(&err, AL_EINVAL, "ecut=%g Ha too small", 2.5) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "ecut=2.5 Ha too small");
    AL_CHECK_STR(t, al_status_str(AL_ENOMEM), "out of memory");
    AL_CHECK_STR(t, al_status_name(AL_EFORMAT), "EFORMAT");
    al_fail_wrap(&err, "reading %s: ", "dft.yaml");
    AL_CHECK_STR(t, err.msg, "reading dft.yaml: ecut=2.5 Ha too small");
    AL_TRACE(&err);
    AL_CHECK_CONTAINS(t, err.trace, "test_basics.c:");
    AL_CHECK(t, al_fail(NULL, AL_EIO, "no record") == AL_EIO);
}

static void test_units_codata2018(al_test *t)
{
    /* Independent values: CODATA 2018 tables and the ABINIT reference README (older constants). */
    AL_CHECK_REL(t, AL_HA_BOHR_EV_ANG, 51.42206747632590, 1e-13, 0);
    AL_CHECK_REL(t, AL_HA_BOHR3_GPA, 29421.01569650548, 1e-12, 0);
    AL_CHECK_REL(t, AL_EV_ANG3_GPA, 160.2176634, 1e-15, 0);
    AL_CHECK_REL(t, AL_AMU_ANG2_FS2_EV, 103.6427, 1e-6, 0);
    AL_CHECK_REL(t, AL_HARTREE_K, 315775.02480407, 1e-10, 0);
}

static void test_elements(al_test *t)
{
    AL_CHECK(t, al_element_z("Si") == 14);
    AL_CHECK(t, al_element_z("O") == 8);
    AL_CHECK(t, al_element_z("Og") == 118);
    AL_CHECK(t, al_element_z("si") == 0);
    AL_CHECK(t, al_element_z("Xx") == 0);
    AL_CHECK(t, al_element_z("") == 0);
    AL_CHECK_STR(t, al_element_symbol(32), "Ge");
    AL_CHECK_STR(t, al_element_symbol(0), "X");
    AL_CHECK_CLOSE(t, al_element_mass(14), 28.085, 1e-9);
    AL_CHECK_CLOSE(t, al_element_mass(34), 78.971, 1e-9);
    AL_CHECK_CLOSE(t, al_element_mass(23), 50.9415, 1e-9);
}

static void test_rng_reproducible_streams(al_test *t)
{
    al_rng a, b, c;
    al_rng_seed(&a, 42, 0);
    al_rng_seed(&b, 42, 0);
    al_rng_seed(&c, 42, 1);
    int same = 1, differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = al_rng_u64(&a), y = al_rng_u64(&b), z = al_rng_u64(&c);
        same &= x == y;
        differ += x != z;
    }
    AL_CHECK(t, same);
    AL_CHECK(t, differ == 1000);
    /* Reference output of xoshiro256** for state {1,2,3,4} (from the authors' C code). */
    al_rng r = {{1, 2, 3, 4}, 0, 0.0};
    AL_CHECK(t, al_rng_u64(&r) == 11520ULL);
    AL_CHECK(t, al_rng_u64(&r) == 0ULL);
    AL_CHECK(t, al_rng_u64(&r) == 1509978240ULL);
    AL_CHECK(t, al_rng_u64(&r) == 1215971899390074240ULL);
}

static void test_rng_distributions(al_test *t)
{
    al_rng r;
    al_rng_seed(&r, 7, 3);
    const int n = 200000;
    double sum = 0, sum2 = 0, usum = 0;
    int counts[5] = {0};
    for (int i = 0; i < n; i++) {
        double x = al_rng_normal(&r);
        sum += x;
        sum2 += x * x;
        double u = al_rng_uniform(&r);
        AL_CHECK(t, u >= 0.0 && u < 1.0);
        usum += u;
        counts[al_rng_below(&r, 5)]++;
    }
    /* Means within ~5 standard errors. */
    AL_CHECK_CLOSE(t, sum / n, 0.0, 5.0 / sqrt(n));
    AL_CHECK_CLOSE(t, sum2 / n, 1.0, 5.0 * sqrt(2.0 / n));
    AL_CHECK_CLOSE(t, usum / n, 0.5, 5.0 * sqrt(1.0 / 12.0 / n));
    for (int k = 0; k < 5; k++) AL_CHECK_CLOSE(t, counts[k], n / 5.0, 5.0 * sqrt(n * 0.16));
    /* Saving and restoring the state (a struct copy) restores the sequence. */
    al_rng saved = r;
    double x1 = al_rng_normal(&r), x2 = al_rng_normal(&r);
    r = saved;
    AL_CHECK(t, al_rng_normal(&r) == x1 && al_rng_normal(&r) == x2);
}

static void test_frame_copy_and_info(al_test *t)
{
    al_err err;
    al_frame f, g;
    al_frame_init(&f);
    al_frame_init(&g);
    AL_CHECK_OK(t, al_frame_alloc(&f, 2, &err), &err);
    f.z[0] = 14;
    f.z[1] = 8;
    f.pos[1][2] = 1.5;
    f.cell[0][0] = f.cell[1][1] = f.cell[2][2] = 4.0;
    f.pbc[0] = f.pbc[1] = f.pbc[2] = true;
    AL_CHECK_OK(t, al_frame_alloc_forces(&f, &err), &err);
    f.forces[1][0] = -0.25;
    f.energy = -10.0;
    f.virial[0][0] = 2.0;
    f.labels = AL_LBL_ENERGY | AL_LBL_FORCES | AL_LBL_VIRIAL;
    AL_CHECK_OK(t, al_info_set_str(&f.info, "config_type", "liquid", &err), &err);
    AL_CHECK_OK(t, al_info_set_real(&f.info, "temperature", 1500.0, &err), &err);
    AL_CHECK_OK(t, al_info_set_int(&f.info, "step", 12, &err), &err);
    AL_CHECK_OK(t, al_info_set_real(&f.info, "temperature", 1600.0, &err), &err);
    al_atom_prop *p = NULL;
    AL_CHECK_OK(t, al_frame_add_prop(&f, "tags", AL_VAL_INT, 1, &p, &err), &err);
    p->ints[1] = 5;
    AL_CHECK_OK(t, al_frame_copy(&g, &f, &err), &err);
    al_frame_fini(&f);
    AL_CHECK(t, g.n_atoms == 2 && g.z[1] == 8 && g.pos[1][2] == 1.5 && g.forces[1][0] == -0.25);
    AL_CHECK(t, g.info.n == 3);
    double temp = 0;
    long step = 0;
    AL_CHECK(t, al_info_get_real(&g.info, "temperature", &temp) && temp == 1600.0);
    AL_CHECK(t, al_info_get_int(&g.info, "step", &step) && step == 12);
    AL_CHECK_STR(t, al_info_get_str(&g.info, "config_type"), "liquid");
    AL_CHECK(t, al_frame_find_prop(&g, "tags")->ints[1] == 5);
    AL_CHECK_CLOSE(t, al_frame_volume(&g), 64.0, 1e-12);
    double s[3][3];
    AL_CHECK_OK(t, al_frame_stress_gpa(&g, s, &err), &err);
    AL_CHECK_CLOSE(t, s[0][0], -2.0 / 64.0 * 160.2176634, 1e-12);
    al_info_remove(&g.info, "step");
    AL_CHECK(t, g.info.n == 2 && !al_info_get(&g.info, "step"));
    al_frame_fini(&g);
}

static void test_cell_inverse_widths(al_test *t)
{
    al_err err;
    double c[3][3] = {{3.0, 0.0, 0.0}, {1.0, 4.0, 0.0}, {0.5, -0.7, 5.0}};
    double inv[3][3], prod[3][3], w[3];
    AL_CHECK_OK(t, al_mat3_inv(c, inv, &err), &err);
    al_mat3_mul(c, inv, prod);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) AL_CHECK_CLOSE(t, prod[i][j], i == j, 1e-14);
    al_cell_widths(c, w);
    /* Width along c is the height of c above the a-b plane: 5.0. */
    AL_CHECK_CLOSE(t, w[2], 5.0, 1e-12);
    AL_CHECK_CLOSE(t, w[0] * w[1] * w[2] > 0, 1, 0);
    double flat[3][3] = {{1, 0, 0}, {2, 0, 0}, {0, 0, 1}};
    AL_CHECK(t, al_mat3_inv(flat, inv, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, "singular");
}

static const al_test_case cases[] = {
    {"status_messages", test_status_messages, AL_TEST_FAST},
    {"units_codata2018", test_units_codata2018, AL_TEST_FAST},
    {"elements", test_elements, AL_TEST_FAST},
    {"rng_reproducible_streams", test_rng_reproducible_streams, AL_TEST_FAST},
    {"rng_distributions", test_rng_distributions, AL_TEST_FAST},
    {"frame_copy_and_info", test_frame_copy_and_info, AL_TEST_FAST},
    {"cell_inverse_widths", test_cell_inverse_widths, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
