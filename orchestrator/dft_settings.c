/* Campaign dft section → plane-wave DFT settings (see dft_settings.h). */
#include "orchestrator/dft_settings.h"

#include <stdio.h>

#include "core/elements.h"
#include "core/units.h"

/* dft.magnetic_moments (element → μB) → the engine's per-element starting moments. */
static al_status moments(const orc_dft *d, pw_settings *s, al_err *err)
{
    s->n_magmom = 0;
    for (int i = 0; i < d->magnetic_moments.n; i++) {
        int z = d->magnetic_moments.z[i];
        double m = d->magnetic_moments.value[i];
        if (!d->spin && m != 0.0)
            return al_fail(err, AL_EINVAL, "dft.magnetic_moments: %s has %g μB but dft.spin is "
                           "false; set dft.spin: true", al_element_symbol(z), m);
        if (s->n_magmom == PW_MAX_SPECIES)
            return al_fail(err, AL_EINVAL, "dft.magnetic_moments: more than %d elements",
                           PW_MAX_SPECIES);
        s->magmom[s->n_magmom].z = z;
        s->magmom[s->n_magmom].moment = m;
        s->n_magmom++;
    }
    return AL_OK;
}

al_status orc_dft_settings(const orc_dft *d, pw_settings *s, al_err *err)
{
    *s = pw_settings_default();
    s->nspin = d->spin ? 2 : 1;
    AL_TRY(err, moments(d, s, err));
    s->ecut_ha = d->ecut * AL_EV_HARTREE;
    s->xc = d->xc == ORC_XC_PBE ? PW_XC_PBE : d->xc == ORC_XC_LDA_PZ ? PW_XC_LDA_PZ : PW_XC_LDA_PADE;
    for (int i = 0; i < 3; i++) {
        s->kgrid[i] = d->kpts.n == 3 ? (int)d->kpts.v[i] : 1;
        s->kshift[i] = d->kpts_shift.n == 3 ? d->kpts_shift.v[i] : 0.0;
        s->fft_grid[i] = d->fft_grid.n == 3 ? (int)d->fft_grid.v[i] : 0;
    }
    static const pw_smearing smearing[] = {PW_SMEAR_NONE, PW_SMEAR_FERMI_DIRAC, PW_SMEAR_GAUSSIAN,
                                           PW_SMEAR_COLD};
    s->smearing = smearing[d->smearing];
    s->smear_width_ha = d->smearing_width * AL_EV_HARTREE;
    if (d->pseudopotential_file[0]) snprintf(s->psp_file, sizeof s->psp_file, "%s", d->pseudopotential_file);
    s->n_psp = 0;
    for (int i = 0; i < d->pseudopotentials.n && i < PW_MAX_SPECIES; i++) {
        s->psp[i].z = d->pseudopotentials.z[i];
        snprintf(s->psp[i].entry, sizeof s->psp[i].entry, "%s", d->pseudopotentials.text[i]);
        s->n_psp++;
    }
    s->tol_energy_ha = d->scf_energy_tol * AL_EV_HARTREE;
    s->tol_density = d->scf_density_tol;
    s->max_iter = (int)d->max_scf_iterations;
    s->mix.beta = d->mixing_beta;
    s->extra_bands = (int)d->extra_bands;
    return AL_OK;
}
