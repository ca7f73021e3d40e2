/* The DFT engine's settings from the `dft` section of a campaign or settings file. */
#ifndef ORC_DFT_SETTINGS_H
#define ORC_DFT_SETTINGS_H

#include "engines/dft/dft.h"
#include "orchestrator/campaign.h"

/* s from d (eV and the campaign's units converted to the engine's Hartree units; dft.spin →
 * nspin 2, dft.magnetic_moments → starting moments per element). AL_EINVAL, naming the key,
 * for non-zero magnetic moments without dft.spin. */
al_status orc_dft_settings(const orc_dft *d, pw_settings *s, al_err *err);

#endif
