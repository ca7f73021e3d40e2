/*
 * Physical quantities written with units in campaign files ("30 Ry", "1 ps", "0.5 Å"),
 * converted to galore's interface units (eV, Å, fs, K, GPa, eV/Å, s for wall time).
 */
#ifndef ORC_QUANTITY_H
#define ORC_QUANTITY_H

typedef enum orc_dim {
    ORC_DIM_NONE,
    ORC_DIM_ENERGY,       /* eV */
    ORC_DIM_LENGTH,       /* Å */
    ORC_DIM_TIME,         /* fs (MD times) */
    ORC_DIM_WALLTIME,     /* s (budgets, timeouts) */
    ORC_DIM_TEMPERATURE,  /* K */
    ORC_DIM_PRESSURE,     /* GPa */
    ORC_DIM_FORCE,        /* eV/Å */
    ORC_DIM_DENSITY,      /* g/cm³ */
    ORC_DIM_COUNT
} orc_dim;

/* The interface unit of a dimension ("eV", "Å", ...; "" for none). */
const char *orc_dim_unit(orc_dim dim);
/* A noun for messages ("an energy", "a length", ...). */
const char *orc_dim_noun(orc_dim dim);
/* The accepted unit names of a dimension, for messages ("eV, meV, Ha, mHa, Ry, mRy"). */
const char *orc_dim_units_list(orc_dim dim);

/*
 * Parses "<number> [unit]" for dimension dim. A bare number is taken in default_unit (which
 * must be one of the dimension's units). Returns 0 and the value in interface units, 1 when the
 * text is not a number followed by an optional unit, 2 when the unit is unknown for dim, 3 when
 * a unit is required but absent.
 */
int orc_quantity_parse(const char *text, orc_dim dim, const char *default_unit, int unit_required,
                       double *value);

#endif
