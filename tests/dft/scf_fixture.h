/*
 * Shared helpers of the SCF tests: a frame and settings from a reference case of
 * scf_reference.h (bohr → Å with the CODATA 2018 Bohr radius, so the engine sees exactly the
 * reference geometry), and the test copy of the GTH parameter file.
 */
#ifndef TEST_SCF_FIXTURE_H
#define TEST_SCF_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "core/units.h"
#include "engines/dft/dft.h"
#include "tests/harness/al_test.h"
#include "tests/dft/scf_reference.h"

static const scf_ref *scf_ref_find(const char *name)
{
    for (size_t i = 0; i < sizeof scf_refs / sizeof scf_refs[0]; i++)
        if (!strcmp(scf_refs[i].name, name)) return &scf_refs[i];
    return NULL;
}

static void scf_progress_print(void *user, const pw_scf_step *s)
{
    (void)user;
    fprintf(stderr, "  scf %3d  F = %.12f Ha  dE = %9.2e  res = %9.2e  eigres = %8.1e  %.2f s\n",
            s->iteration, s->energy, s->delta_energy, s->residual, s->eig_residual, s->seconds);
}

static pw_settings scf_ref_settings(const scf_ref *r)
{
    pw_settings s = pw_settings_default();
    s.ecut_ha = r->ecut;
    s.xc = (pw_xc_kind)r->xc;
    for (int d = 0; d < 3; d++) s.kgrid[d] = r->kgrid[d];
    s.smearing = r->smearing ? PW_SMEAR_FERMI_DIRAC : PW_SMEAR_NONE;
    s.smear_width_ha = r->smearing ? r->tsmear : 0.01;
    s.n_bands = r->nband;
    s.tol_energy_ha = 1e-10;
    s.tol_density = 1e-8;
    snprintf(s.psp_file, sizeof s.psp_file, "%s", al_test_path(al_test_data_dir(), "dft/GTH_POTENTIALS_test"));
    if (getenv("GALORE_TEST_VERBOSE")) s.progress = scf_progress_print;
    return s;
}

static void scf_ref_frame(const scf_ref *r, al_frame *f)
{
    al_frame_init(f);
    al_frame_alloc(f, (size_t)r->n_atoms, NULL);
    for (int i = 0; i < 3; i++) {
        f->pbc[i] = true;
        for (int j = 0; j < 3; j++) f->cell[i][j] = r->cell[i][j] * AL_BOHR_ANGSTROM;
    }
    for (int a = 0; a < r->n_atoms; a++) {
        f->z[a] = r->z;
        for (int j = 0; j < 3; j++) f->pos[a][j] = r->pos[a][j] * AL_BOHR_ANGSTROM;
    }
}

#endif
