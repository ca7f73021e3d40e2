/*
 * Physical constants (CODATA 2018, Tiesinga et al., Rev. Mod. Phys. 93, 025010 (2021)) and unit
 * conversions, defined once for all of galore.
 *
 * Interface units: energy eV, length Å, time fs, temperature K, mass amu (Da), pressure and
 * stress GPa, virial eV. The DFT engine works in Hartree atomic units internally and converts
 * at its boundary with the factors below.
 */
#ifndef AL_UNITS_H
#define AL_UNITS_H

/* Exact or CODATA 2018 recommended values. */
#define AL_BOHR_ANGSTROM 0.529177210903     /* Bohr radius in Å */
#define AL_HARTREE_EV 27.211386245988       /* Hartree energy in eV */
#define AL_BOLTZMANN_EV 8.617333262e-5      /* k_B in eV/K (exact) */
#define AL_EV_JOULE 1.602176634e-19         /* exact */
#define AL_AMU_KG 1.66053906660e-27         /* atomic mass constant */
#define AL_AVOGADRO 6.02214076e23           /* exact */
#define AL_PI 3.14159265358979323846

/* Derived conversions. */
#define AL_ANGSTROM_BOHR (1.0 / AL_BOHR_ANGSTROM)
#define AL_EV_HARTREE (1.0 / AL_HARTREE_EV)
#define AL_HARTREE_K (AL_HARTREE_EV / AL_BOLTZMANN_EV)      /* Ha in kelvin */
#define AL_RYDBERG_EV (0.5 * AL_HARTREE_EV)
#define AL_HA_BOHR_EV_ANG (AL_HARTREE_EV / AL_BOHR_ANGSTROM) /* force: Ha/bohr -> eV/Å */
/* 1 eV/Å³ in GPa: e / (1e-30 m³) / 1e9. */
#define AL_EV_ANG3_GPA (AL_EV_JOULE * 1e21)
/* 1 Ha/bohr³ in GPa. */
#define AL_HA_BOHR3_GPA \
    (AL_HARTREE_EV / (AL_BOHR_ANGSTROM * AL_BOHR_ANGSTROM * AL_BOHR_ANGSTROM) * AL_EV_ANG3_GPA)
/* Kinetic energy of 1 amu moving at 1 Å/fs, in eV: amu·(1e-10 m / 1e-15 s)² / e. */
#define AL_AMU_ANG2_FS2_EV (AL_AMU_KG * 1e10 / AL_EV_JOULE)

#endif
