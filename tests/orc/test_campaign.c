/*
 * Campaign files: values and unit conversions of a complete file, defaults, an exact round trip
 * through `galore check` output, the documentation generated from the same schema, and the
 * messages for bad files (checked word for word: file, line, column, key and problem).
 */
#include <stdlib.h>

#include "core/units.h"
#include "orchestrator/campaign.h"
#include "tests/harness/al_test.h"

static const char *data(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%scampaign/%s", al_test_data_dir(), name);
    return buf;
}

static orc_campaign c, d;

static void test_full_file_values(al_test *t)
{
    al_err err;
    AL_CHECK_OK(t, orc_campaign_load(data("full.yaml"), &c, &err), &err);
    /* 30 Ry = 15 Ha = 408.170793689820 eV (CODATA 2018). */
    AL_CHECK_CLOSE(t, c.dft.ecut, 408.17079368982, 1e-9);
    AL_CHECK_CLOSE(t, c.dft.smearing_width, 0.27211386245988, 1e-14);
    AL_CHECK(t, c.dft.xc == ORC_XC_PBE && c.dft.smearing == ORC_SMEAR_FD && c.dft.spin);
    AL_CHECK(t, c.dft.kpts.n == 3 && c.dft.kpts.v[2] == 2 && c.dft.kpts_shift.v[1] == 0.5);
    AL_CHECK(t, c.dft.pseudopotentials.n == 2 && c.dft.pseudopotentials.z[1] == 34);
    AL_CHECK_STR(t, c.dft.pseudopotentials.text[1], "GTH-PBE-q6");
    AL_CHECK(t, c.system.initial == ORC_INIT_RANDOM && c.system.composition.value[1] == 64);
    AL_CHECK(t, c.gap.e0.value[0] == -1.5 && c.gap.e0.value[1] == -2.25);
    AL_CHECK_CLOSE(t, c.gap.sigma_energy, 0.001, 1e-15);
    AL_CHECK(t, c.gap.soap.l_max == 8 && c.gap.soap.n_sparse == 2500 && c.gap.two_body.cutoff == 2.5);
    AL_CHECK(t, c.explore.schedule.n == 2);
    AL_CHECK_CLOSE(t, c.explore.schedule.seg[0].duration, 20000.0, 1e-9);   /* 20 ps in fs */
    AL_CHECK_CLOSE(t, c.explore.schedule.seg[0].pressure, 1.0, 1e-12);      /* 10 kbar in GPa */
    AL_CHECK(t, c.explore.schedule.seg[1].kind == ORC_SEG_HOLD && c.explore.schedule.seg[1].temperature == 1100);
    AL_CHECK(t, c.explore.schedule.seg[1].sample_every == 50);
    AL_CHECK_CLOSE(t, c.explore.timestep, 0.5, 0);
    AL_CHECK_CLOSE(t, c.select.uncertainty_min, 0.005, 1e-15);
    AL_CHECK_CLOSE(t, c.loop.wall_time, 1800.0, 0);
    AL_CHECK(t, c.bayesopt.enabled && c.bayesopt.batch == 2 && c.loop.seed == 42);
    AL_CHECK(t, c.notify.events.n == 2 && !strcmp(c.notify.events.v[1], "end"));
    /* Defaults of keys the file does not give. */
    AL_CHECK(t, c.dft.max_scf_iterations == 100 && c.gap.soap.sparse_method == 0);
    AL_CHECK_CLOSE(t, c.gap.sigma_force, 0.05, 0);
    AL_CHECK_CLOSE(t, c.explore.barostat_period, 1000.0, 0);
}

static void round_trip(al_test *t, const char *source)
{
    al_err err;
    char path[1024];
    snprintf(path, sizeof path, "%seffective.yaml", al_test_tmp_dir(t));
    AL_CHECK_OK(t, orc_campaign_load(source, &c, &err), &err);
    FILE *fp = fopen(path, "w");
    orc_campaign_write_yaml(&c, fp);
    fclose(fp);
    AL_CHECK_OK(t, orc_campaign_load(path, &d, &err), &err);
    memset(c.path, 0, sizeof c.path);
    memset(d.path, 0, sizeof d.path);
    AL_CHECK_MSG(t, memcmp(&c, &d, sizeof c) == 0, "the effective campaign of %s reads back differently",
                 source);
}

/* The effective file reads back as the same campaign, also when it leaves quantities without a
 * default unset (dft.ecut with an analytic labeler). */
static void test_round_trip_through_check_output(al_test *t)
{
    round_trip(t, data("full.yaml"));
    char sw[1024];
    snprintf(sw, sizeof sw, "%sloop/si_sw.yaml", al_test_data_dir());
    round_trip(t, sw);
}

static void test_docs_match_schema(al_test *t)
{
    char path[1024];
    snprintf(path, sizeof path, "%sgenerated.md", al_test_tmp_dir(t));
    FILE *fp = fopen(path, "w");
    orc_campaign_write_doc(fp);
    fclose(fp);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cmp -s %s %s/docs/campaign.md", path, GALORE_SOURCE_DIR);
    AL_CHECK_MSG(t, system(cmd) == 0,
                 "docs/campaign.md differs from the schema; regenerate it with "
                 "'galore check --doc > docs/campaign.md'");
}

static void test_examples_validate(al_test *t)
{
    al_err err;
    AL_CHECK_OK(t, orc_campaign_load(GALORE_SOURCE_DIR "/configs/demo.yaml", &c, &err), &err);
    AL_CHECK(t, c.explore.schedule.n == 2 && c.loop.max_iterations == 4);
    /* The realistic examples start from the thesis's hyperparameters (DESIGN.md). */
    AL_CHECK_OK(t, orc_campaign_load(GALORE_SOURCE_DIR "/configs/gese2.yaml", &c, &err), &err);
    AL_CHECK(t, c.gap.soap.n_sparse == 2500 && c.gap.soap.l_max == 8 && c.gap.two_body.cutoff == 2.5);
    AL_CHECK(t, c.system.initial == ORC_INIT_RANDOM && c.system.composition.n == 2);
    AL_CHECK_OK(t, orc_campaign_load(GALORE_SOURCE_DIR "/configs/nvp_glass.yaml", &c, &err), &err);
    AL_CHECK(t, c.gap.soap.n_sparse == 3600 && c.gap.two_body.n_sparse == 80 && c.gap.sigma_virial == 0.02);
    AL_CHECK(t, c.system.composition.n == 4);
    AL_CHECK_OK(t, orc_campaign_load(GALORE_SOURCE_DIR "/configs/si.yaml", &c, &err), &err);
    AL_CHECK(t, c.system.supercell.v[2] == 2 && c.gap.soap.n_max == 6);
}

static void check_bad(al_test *t, const char *file, const char *message)
{
    al_err err;
    al_err_clear(&err);
    al_status st = orc_campaign_load(data(file), &c, &err);
    AL_CHECK_MSG(t, st == AL_EFORMAT, "%s: status %s", file, al_status_str(st));
    AL_CHECK_STR(t, strstr(err.msg, file), message);
}

static void test_bad_files(al_test *t)
{
    check_bad(t, "syntax.yaml", "syntax.yaml:3:6: YAML syntax error: mapping values are not allowed in this context");
    check_bad(t, "unknown_section.yaml", "unknown_section.yaml:1:1: unknown section 'dtf' (did you mean 'dft'?)");
    check_bad(t, "unknown_key.yaml", "unknown_key.yaml:4:3: dft.ecutt: unknown key (did you mean 'ecut'?)");
    check_bad(t, "no_unit.yaml",
              "no_unit.yaml:4:9: dft.ecut: \"30\" needs a unit here, e.g. \"30 Ry\" (a bare number is ambiguous)");
    check_bad(t, "not_number.yaml",
              "not_number.yaml:4:9: dft.ecut: expected an energy with a unit (e.g. \"30 Ry\"), got \"thirty\"");
    check_bad(t, "bad_unit.yaml",
              "bad_unit.yaml:4:9: dft.ecut: unknown unit in \"30 Rydberg\" for an energy (use eV, meV, Ha, "
              "mHa, Ry, mRy (per atom: eV/atom, meV/atom))");
    check_bad(t, "range.yaml", "range.yaml:5:16: dft.mixing_beta: must be > 0 and <= 1, got 1.5");
    check_bad(t, "enum.yaml",
              "enum.yaml:5:13: dft.smearing: expected one of none, fermi-dirac, gaussian, "
              "marzari-vanderbilt; got \"fermi\"");
    check_bad(t, "duplicate.yaml", "duplicate.yaml:6:3: dft.ecut: duplicate key (first given on line 4)");
    check_bad(t, "list_length.yaml", "list_length.yaml:5:9: dft.kpts: expected a list of 3 integers, got 2 values");
    check_bad(t, "element.yaml", "element.yaml:5:22: dft.pseudopotentials: unknown element 'Sx'");
    check_bad(t, "missing.yaml", "missing.yaml:1:1: system.structure: required key is missing (needed with initial: rattle)");
    check_bad(t, "missing_ecut.yaml",
              "missing_ecut.yaml:3:1: dft.ecut: required key is missing (needed with labeler: dft)");
    check_bad(t, "wrong_type.yaml", "wrong_type.yaml:3:14: system.n_initial: expected an integer, got \"2.5\"");
    check_bad(t, "segment.yaml", "segment.yaml:7:7: explore.schedule[0]: required key 'duration' is missing");
    check_bad(t, "window.yaml",
              "window.yaml:5:1: select: uncertainty_min (0.3 eV/atom) must be below uncertainty_max (0.2 eV/atom)");
    check_bad(t, "empty.yaml", "empty.yaml: the campaign file is empty");
    check_bad(t, "not_mapping.yaml",
              "not_mapping.yaml:1:1: the campaign file must be a mapping of sections (system, dft, gap, "
              "explore, select, bayesopt, loop, validate, output, notify)");
    al_err err;
    AL_CHECK(t, orc_campaign_load("/nonexistent/campaign.yaml", &c, &err) == AL_ENOTFOUND);
    AL_CHECK_STR(t, err.msg, "/nonexistent/campaign.yaml: No such file or directory");
}

/* A file with only some sections (galore fit --gap, galore tune --campaign): read as given with
 * the rest at its defaults; its keys are still checked; as a whole campaign it is incomplete. */
static void test_partial_files(al_test *t)
{
    al_err err;
    char path[1024];
    snprintf(path, sizeof path, "%sgp/gap_small.yaml", al_test_data_dir());
    AL_CHECK_OK(t, orc_campaign_load_part(path, &c, &err), &err);
    AL_CHECK(t, c.gap.two_body.n_sparse == 10 && c.gap.soap.n_max == 4 && c.gap.soap.l_max == 3);
    AL_CHECK(t, c.gap.soap.cutoff == 4.0);
    orc_campaign_defaults(&d);
    AL_CHECK(t, c.loop.seed == d.loop.seed && c.explore.replicas == d.explore.replicas);
    AL_CHECK(t, orc_campaign_load(path, &c, &err) == AL_EFORMAT);
    AL_CHECK_CONTAINS(t, err.msg, "required key is missing");
    snprintf(path, sizeof path, "%sgp/gap_bad.yaml", al_test_data_dir());
    AL_CHECK(t, orc_campaign_load_part(path, &c, &err) == AL_EFORMAT);
    AL_CHECK_CONTAINS(t, err.msg, "gap_bad.yaml:2:32: gap.soap.n_max: must be >= 1 and <= 20, got 0");
}

static const al_test_case cases[] = {
    {"full_file_values", test_full_file_values, AL_TEST_FAST},
    {"round_trip_through_check_output", test_round_trip_through_check_output, AL_TEST_FAST},
    {"docs_match_schema", test_docs_match_schema, AL_TEST_FAST},
    {"examples_validate", test_examples_validate, AL_TEST_FAST},
    {"bad_files", test_bad_files, AL_TEST_FAST},
    {"partial_files", test_partial_files, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
