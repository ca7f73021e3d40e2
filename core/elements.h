/*
 * The periodic table as galore needs it: symbol, atomic number and standard atomic mass
 * (IUPAC 2013/2021 conventional values, in amu). Z runs from 1 (H) to 118 (Og).
 */
#ifndef AL_ELEMENTS_H
#define AL_ELEMENTS_H

enum { AL_MAX_Z = 118 };

/* Atomic number for a symbol ("Si", case-sensitive as in chemistry); 0 when unknown. */
int al_element_z(const char *symbol);
/* Same, for a symbol given by pointer and length (not NUL-terminated). */
int al_element_zn(const char *symbol, unsigned long len);
/* Symbol for Z in 1..AL_MAX_Z, or "X" otherwise. */
const char *al_element_symbol(int z);
/* Standard atomic mass in amu for Z in 1..AL_MAX_Z; 0 otherwise. */
double al_element_mass(int z);

#endif
