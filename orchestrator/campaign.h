/*
 * The campaign file: one YAML document with the sections system, dft, gap, explore, select,
 * bayesopt, loop, validate, output and notify. Every key is declared once, in the schema table of
 * orchestrator/campaign_schema.c (type, unit, default, range, documentation and where it lives
 * in orc_campaign); the parser, `galore check`, and docs/campaign.md all come from that table.
 *
 * Values are stored in galore's interface units: eV, Å, fs, K, GPa, eV/Å, wall time in s.
 * Enumerations are stored as the index of the chosen value in the key's list of choices (the
 * ORC_* enums below follow the same order).
 */
#ifndef ORC_CAMPAIGN_H
#define ORC_CAMPAIGN_H

#include <stdbool.h>
#include <stdio.h>

#include "core/status.h"

enum { ORC_MAX_ELEMENTS = 16, ORC_MAX_SEGMENTS = 64, ORC_MAX_LIST = 16, ORC_PATH_LEN = 1024 };

/* A per-element table (e.g. pseudopotential entry or e0 per element). */
typedef struct orc_elem_map {
    int n;
    int z[ORC_MAX_ELEMENTS];
    double value[ORC_MAX_ELEMENTS];
    char text[ORC_MAX_ELEMENTS][64];
} orc_elem_map;

typedef struct orc_int_list {
    int n;
    long v[ORC_MAX_LIST];
} orc_int_list;

typedef struct orc_real_list {
    int n;
    double v[ORC_MAX_LIST];
} orc_real_list;

typedef struct orc_str_list {
    int n;
    char v[ORC_MAX_LIST][64];
} orc_str_list;

/* One segment of an MD schedule: hold at a temperature, or ramp between two. */
typedef enum { ORC_SEG_HOLD, ORC_SEG_RAMP } orc_seg_kind;
typedef struct orc_segment {
    int kind;
    double temperature;          /* K, hold */
    double t_start, t_end;       /* K, ramp */
    double duration;             /* fs */
    double pressure;             /* GPa (NPT) */
    long sample_every;           /* steps between candidate checks */
} orc_segment;

typedef struct orc_segments {
    int n;
    orc_segment seg[ORC_MAX_SEGMENTS];
} orc_segments;

typedef enum { ORC_INIT_FILE, ORC_INIT_RATTLE, ORC_INIT_RANDOM } orc_init_kind;
typedef enum { ORC_LABELER_DFT, ORC_LABELER_SW, ORC_LABELER_LJ } orc_labeler;
typedef enum { ORC_XC_LDA, ORC_XC_LDA_PZ, ORC_XC_PBE } orc_xc;
typedef enum { ORC_SMEAR_NONE, ORC_SMEAR_FD, ORC_SMEAR_GAUSS, ORC_SMEAR_MV } orc_smearing;

typedef struct orc_system {
    char structure[ORC_PATH_LEN];
    int initial;
    char initial_file[ORC_PATH_LEN];
    orc_int_list supercell;
    long n_initial;
    double rattle_amplitude;     /* Å */
    double strain_amplitude;     /* fraction */
    orc_elem_map composition;    /* atoms per element (random structures) */
    double density;              /* g/cm³ */
    double min_distance;         /* Å */
} orc_system;

typedef struct orc_dft {
    int labeler;
    int xc;
    double ecut;                 /* eV */
    orc_int_list kpts;
    orc_real_list kpts_shift;
    int smearing;
    double smearing_width;       /* eV */
    char pseudopotential_file[ORC_PATH_LEN];
    orc_elem_map pseudopotentials;
    double scf_energy_tol;       /* eV */
    double scf_density_tol;      /* electrons per electron */
    long max_scf_iterations;
    double mixing_beta;
    long extra_bands;
    orc_int_list fft_grid;           /* [0, 0, 0]: automatic */
    bool spin;
    long ranks_per_label;            /* MPI ranks sharing one label's k-points */
    orc_elem_map magnetic_moments;   /* μB per atom */
} orc_dft;

typedef struct orc_two_body {
    bool enabled;
    double cutoff, transition_width;   /* Å */
    long n_sparse;
    double delta;                      /* eV */
    double theta;                      /* Å */
} orc_two_body;

typedef struct orc_soap {
    bool enabled;
    double cutoff, transition_width;   /* Å */
    long n_max, l_max;
    double atom_sigma;                 /* Å */
    long zeta;
    double delta;                      /* eV */
    long n_sparse;
    int sparse_method;                 /* 0 cur, 1 random */
} orc_soap;

typedef struct orc_gap {
    orc_elem_map e0;                   /* eV per isolated atom */
    orc_two_body two_body;
    orc_soap soap;
    double sigma_energy;               /* eV/atom */
    double sigma_force;                /* eV/Å */
    double sigma_virial;               /* eV/atom */
    double sparse_jitter;
} orc_gap;

typedef struct orc_explore {
    int ensemble;                      /* 0 nve, 1 nvt, 2 npt */
    int thermostat;                    /* 0 nose-hoover, 1 langevin */
    int cell_mode;                     /* 0 iso, 1 flex (npt) */
    long chain_length;                 /* Nose-Hoover thermostats per chain */
    double timestep;                   /* fs */
    double thermostat_period;          /* fs */
    double barostat_period;            /* fs */
    long replicas;
    orc_segments schedule;
    long check_every;                  /* steps */
    long force_sigma_atoms;            /* exact force σ of this many atoms per check; 0: none */
    double min_distance;               /* Å */
    double max_energy_jump;            /* eV/atom */
    long trajectory_stride;            /* steps; 0 = no trajectory */
} orc_explore;

typedef struct orc_select {
    double uncertainty_min, uncertainty_max;   /* eV/atom */
    int above_max;                     /* 0 skip, 1 cap */
    int diversity;                     /* 0 cur, 1 fps, 2 random, 3 none */
    int cur_variant;                   /* 0 greedy (deterministic), 1 random (seeded) */
    long per_iteration;
} orc_select;

typedef struct orc_bayesopt {
    bool enabled;
    long tune_every, budget, batch;
    int acquisition;                   /* 0 ei, 1 ucb */
    double energy_weight;              /* per eV/atom of energy MAE */
    double force_weight;               /* per eV/Å of force MAE */
    double validation_fraction;
    long patience;                     /* trials without improvement before stopping; 0 = off */
} orc_bayesopt;

typedef struct orc_loop {
    long max_iterations, max_labels;
    double wall_time;                  /* s */
    double target_energy_mae;          /* eV/atom */
    double target_force_mae;           /* eV/Å */
    double test_fraction;
    long seed;
} orc_loop;

/* The validation MD after the loop: the final model's g(r) and S(k) against a reference. */
typedef struct orc_validate {
    bool enabled;                      /* set by writing the section */
    char structure[ORC_PATH_LEN];      /* "" = system.structure */
    orc_int_list supercell;
    int ensemble, thermostat, cell_mode;   /* as in orc_explore */
    long chain_length;
    double timestep;                   /* fs */
    double thermostat_period;          /* fs */
    double barostat_period;            /* fs */
    orc_segments schedule;
    double equilibration;              /* fs, not sampled */
    long sample_every;                 /* steps */
    double r_max, bin_width;           /* Å */
    double k_max;                      /* Å⁻¹ */
    bool lorch;
    char reference_trajectory[ORC_PATH_LEN];
    char reference_gr[ORC_PATH_LEN];
} orc_validate;

typedef struct orc_output {
    char directory[ORC_PATH_LEN];
    double trajectory_max_mb;
    int log_level;                     /* 0 debug, 1 info, 2 warn, 3 error */
    int progress;                      /* 0 auto, 1 on, 2 off */
} orc_output;

typedef struct orc_notify {
    char webhook_url[ORC_PATH_LEN];
    char webhook_url_env[128];
    double timeout;                    /* s */
    long retries;
    orc_str_list events;
} orc_notify;

typedef struct orc_campaign {
    char path[ORC_PATH_LEN];           /* the file it was read from */
    orc_system system;
    orc_dft dft;
    orc_gap gap;
    orc_explore explore;
    orc_select select;
    orc_bayesopt bayesopt;
    orc_loop loop;
    orc_validate validate;
    orc_output output;
    orc_notify notify;
} orc_campaign;

/* Fills c with every default (what an empty campaign file means). */
void orc_campaign_defaults(orc_campaign *c);

/*
 * Reads and validates a campaign file. On error, err->msg is
 * "<file>:<line>:<column>: <section.key>: <what is wrong and what is expected>".
 * Errors: AL_ENOTFOUND (no such file), AL_EFORMAT (YAML or schema violation).
 */
al_status orc_campaign_load(const char *path, orc_campaign *c, al_err *err);
/* The same for a file giving only some sections (galore fit --gap, galore tune --campaign): every
 * key given is checked as above, but nothing is required; the rest keeps its defaults. */
al_status orc_campaign_load_part(const char *path, orc_campaign *c, al_err *err);

/* Writes the effective campaign (every key, defaults filled in, units written out) as YAML. */
void orc_campaign_write_yaml(const orc_campaign *c, FILE *out);

/* Writes the Markdown reference of every key (docs/campaign.md). */
void orc_campaign_write_doc(FILE *out);

#endif
