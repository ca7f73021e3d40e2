/*
 * Conversion of an al_frame (Å) into a pw_system (bohr) with its pseudopotentials loaded and
 * the input checked (system.c). Internal to the engine.
 */
#ifndef PW_SYSTEM_H
#define PW_SYSTEM_H

#include "engines/dft/dft.h"

/* Errors name the atom (1-based) and the value: unknown element, missing entry (from
 * pw_gth_load, prefixed with the element), overlapping atoms, degenerate cell. */
al_status pw_system_from_frame(const al_frame *f, const pw_settings *set, pw_system *s,
                               al_err *err);
void pw_system_fini(pw_system *s);

#endif
