/*
 * Unit tables for campaign quantities (see quantity.h). Factors convert to the interface unit
 * and come from core/units.h (CODATA 2018), so they are defined once.
 */
#include "orchestrator/quantity.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/units.h"

typedef struct unit_row {
    orc_dim dim;
    const char *name;
    double factor;  /* value in interface units per 1 of this unit */
} unit_row;

static const unit_row units[] = {
    {ORC_DIM_ENERGY, "eV", 1.0},
    {ORC_DIM_ENERGY, "meV", 1e-3},
    {ORC_DIM_ENERGY, "Ha", AL_HARTREE_EV},
    {ORC_DIM_ENERGY, "mHa", 1e-3 * AL_HARTREE_EV},
    {ORC_DIM_ENERGY, "Ry", AL_RYDBERG_EV},
    {ORC_DIM_ENERGY, "mRy", 1e-3 * AL_RYDBERG_EV},
    {ORC_DIM_ENERGY, "eV/atom", 1.0},
    {ORC_DIM_ENERGY, "meV/atom", 1e-3},
    {ORC_DIM_LENGTH, "Å", 1.0},
    {ORC_DIM_LENGTH, "A", 1.0},
    {ORC_DIM_LENGTH, "Angstrom", 1.0},
    {ORC_DIM_LENGTH, "bohr", AL_BOHR_ANGSTROM},
    {ORC_DIM_LENGTH, "nm", 10.0},
    {ORC_DIM_LENGTH, "pm", 0.01},
    {ORC_DIM_TIME, "fs", 1.0},
    {ORC_DIM_TIME, "ps", 1e3},
    {ORC_DIM_TIME, "ns", 1e6},
    {ORC_DIM_WALLTIME, "s", 1.0},
    {ORC_DIM_WALLTIME, "min", 60.0},
    {ORC_DIM_WALLTIME, "h", 3600.0},
    {ORC_DIM_WALLTIME, "d", 86400.0},
    {ORC_DIM_TEMPERATURE, "K", 1.0},
    {ORC_DIM_PRESSURE, "GPa", 1.0},
    {ORC_DIM_PRESSURE, "MPa", 1e-3},
    {ORC_DIM_PRESSURE, "kbar", 0.1},
    {ORC_DIM_PRESSURE, "bar", 1e-4},
    {ORC_DIM_PRESSURE, "atm", 1.01325e-4},
    {ORC_DIM_PRESSURE, "Pa", 1e-9},
    {ORC_DIM_FORCE, "eV/Å", 1.0},
    {ORC_DIM_FORCE, "eV/A", 1.0},
    {ORC_DIM_FORCE, "meV/Å", 1e-3},
    {ORC_DIM_FORCE, "meV/A", 1e-3},
    {ORC_DIM_FORCE, "Ha/bohr", AL_HA_BOHR_EV_ANG},
    {ORC_DIM_DENSITY, "g/cm3", 1.0},
    {ORC_DIM_DENSITY, "g/cm^3", 1.0},
};
enum { N_UNITS = sizeof units / sizeof units[0] };

static const char *const nouns[ORC_DIM_COUNT] = {
    "a number", "an energy", "a length", "a time", "a duration", "a temperature", "a pressure",
    "a force", "a density"};
static const char *const unit_lists[ORC_DIM_COUNT] = {
    "",
    "eV, meV, Ha, mHa, Ry, mRy (per atom: eV/atom, meV/atom)",
    "Å (or A, Angstrom), bohr, nm, pm",
    "fs, ps, ns",
    "s, min, h, d",
    "K",
    "GPa, MPa, kbar, bar, atm, Pa",
    "eV/Å (or eV/A), meV/Å, Ha/bohr",
    "g/cm3"};

const char *orc_dim_unit(orc_dim dim)
{
    for (int k = 0; k < N_UNITS; k++)
        if (units[k].dim == dim && units[k].factor == 1.0) return units[k].name;
    return "";
}

const char *orc_dim_noun(orc_dim dim) { return dim < ORC_DIM_COUNT ? nouns[dim] : "a value"; }
const char *orc_dim_units_list(orc_dim dim) { return dim < ORC_DIM_COUNT ? unit_lists[dim] : ""; }

static const unit_row *find_unit(orc_dim dim, const char *name)
{
    for (int k = 0; k < N_UNITS; k++)
        if (units[k].dim == dim && strcmp(units[k].name, name) == 0) return &units[k];
    return NULL;
}

int orc_quantity_parse(const char *text, orc_dim dim, const char *default_unit, int unit_required,
                       double *value)
{
    char *end;
    double x = strtod(text, &end);
    if (end == text) return 1;
    while (*end && isspace((unsigned char)*end)) end++;
    const char *unit = *end ? end : NULL;
    if (unit) {
        size_t n = strlen(unit);
        while (n && isspace((unsigned char)unit[n - 1])) n--;
        char name[32];
        if (n >= sizeof name) return 2;
        memcpy(name, unit, n);
        name[n] = '\0';
        const unit_row *u = find_unit(dim, name);
        if (!u) return dim == ORC_DIM_NONE ? 1 : 2;
        *value = x * u->factor;
        return 0;
    }
    if (unit_required) return 3;
    const unit_row *u = default_unit ? find_unit(dim, default_unit) : NULL;
    *value = x * (u ? u->factor : 1.0);
    return 0;
}
