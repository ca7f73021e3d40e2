/* The campaign schema: one row per key (internal to the campaign parser and its documents). */
#ifndef ORC_CAMPAIGN_SCHEMA_H
#define ORC_CAMPAIGN_SCHEMA_H

#include <stddef.h>

#include "orchestrator/campaign.h"
#include "orchestrator/quantity.h"

typedef enum orc_type {
    ORC_T_BOOL,
    ORC_T_INT,
    ORC_T_REAL,       /* dimensionless, or a quantity when dim != ORC_DIM_NONE */
    ORC_T_STRING,     /* char[ORC_PATH_LEN] (or shorter: `size`) */
    ORC_T_ENUM,       /* int: index into `choices` ("a|b|c") */
    ORC_T_INTS,       /* orc_int_list */
    ORC_T_REALS,      /* orc_real_list */
    ORC_T_STRINGS,    /* orc_str_list */
    ORC_T_ELEM_TEXT,  /* orc_elem_map, element → text */
    ORC_T_ELEM_REAL,  /* orc_elem_map, element → number (quantity when dim set) */
    ORC_T_SEGMENTS    /* orc_segments, records described by the segment table */
} orc_type;

enum {
    ORC_REQUIRED = 1u << 0,     /* no default: must be given */
    ORC_UNIT_REQUIRED = 1u << 1,/* a bare number is refused: the unit must be written */
    ORC_MIN = 1u << 2,          /* value >= min */
    ORC_MIN_EXCL = 1u << 3,     /* value > min */
    ORC_MAX = 1u << 4,          /* value <= max */
    ORC_MAX_EXCL = 1u << 5      /* value < max */
};

typedef struct orc_key {
    const char *section;        /* "dft", "gap.soap", or "segment" for schedule records */
    const char *name;
    orc_type type;
    orc_dim dim;
    const char *unit;           /* unit of a bare number (NULL: the interface unit) */
    const char *def;            /* default, as YAML text (NULL: none) */
    unsigned flags;
    double min, max;
    const char *choices;        /* ORC_T_ENUM: "a|b|c" */
    int count;                  /* lists: required length (0: 1..ORC_MAX_LIST) */
    size_t offset;              /* into orc_campaign (or orc_segment for "segment" rows) */
    size_t size;                /* ORC_T_STRING: buffer size */
    const char *doc;
} orc_key;

extern const orc_key orc_campaign_keys[];
extern const size_t orc_campaign_n_keys;
extern const char *const orc_campaign_sections[];   /* NULL-terminated, in file order */
extern const char *const orc_campaign_section_docs[];

#endif
