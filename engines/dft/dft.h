/*
 * galore's plane-wave DFT engine: the public facade (DESIGN.md: frame in, labels out).
 *
 * Kohn–Sham DFT with GTH/HGH norm-conserving pseudopotentials read from CP2K GTH_POTENTIALS
 * files, LDA (Goedecker–Teter–Hutter Padé, Perdew–Zunger) or PBE through libxc, Monkhorst–Pack
 * k-points, fixed or smeared occupations, optional collinear spin polarisation (nspin = 2,
 * starting moments per element), Pulay/Kerker density mixing and LOBPCG. Internals
 * work in Hartree atomic units; this interface takes Å (core al_frame) and reports eV, with
 * the CODATA 2018 factors of core/units.h. Settings carry their unit in the name (ecut_ha).
 * Conventions relative to ABINIT and Quantum ESPRESSO are in docs/dft.md: energies match
 * ABINIT's etotal (free energy with smearing); eigenvalues and the Fermi level exclude the
 * G = 0 local term as ABINIT does (QE's are higher by psp_core/N_el).
 *
 * Usage:
 *   pw_settings s = pw_settings_default();  s.ecut_ha = 15; s.kgrid[0..2] = 2;
 *   pw_dft *c; pw_dft_create(&s, &c, &err);
 *   pw_result r; st = pw_dft_run(c, &frame, &r, &err);  // AL_ENOCONV: r filled, r.converged false
 *   ... pw_result_fini(&r); pw_dft_destroy(c);
 * A pw_dft keeps the last density and wavefunctions and starts the next frame from them when
 * the next frame has the same species in the same order and the same FFT grid (a series).
 */
#ifndef PW_DFT_H
#define PW_DFT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/comm.h"
#include "core/frame.h"
#include "core/potential.h"
#include "core/status.h"
#include "engines/dft/scf.h"

enum { PW_MAX_SPECIES = 16 };

#define PW_DEFAULT_PSP_FILE "/usr/share/cp2k/GTH_POTENTIALS"

/* Pseudopotential entry for one element (entry name or alias in the file, e.g. GTH-PBE-q4). */
typedef struct pw_psp_choice {
    int z;
    char entry[64];
} pw_psp_choice;

/* Starting magnetic moment of every atom of one element (μB = ρ↑ − ρ↓ electrons). */
typedef struct pw_magmom {
    int z;
    double moment;
} pw_magmom;

typedef struct pw_settings {
    double ecut_ha;          /* plane-wave cutoff (Ha); default 15 */
    pw_xc_kind xc;           /* default PW_XC_LDA_PADE */
    int kgrid[3];            /* Monkhorst–Pack grid; default 1 1 1 (Γ) */
    double kshift[3];        /* in grid steps, each 0 or ½ typically; default 0 */
    pw_smearing smearing;    /* default PW_SMEAR_NONE (fixed occupations) */
    double smear_width_ha;   /* σ (Ha); default 0.01 */
    int n_bands;             /* 0: automatic, N_el/2 + extra_bands (fixed occupations),
                                max(1.2·N_el/2, N_el/2 + extra_bands) + 4 (smeared) */
    int extra_bands;         /* default 4 */
    double tol_energy_ha;    /* SCF: |ΔE| per cell between steps; default 1e-8 */
    double tol_density;      /* SCF: ∫|ρ_out − ρ_in| / N_el; default 1e-6 */
    int max_iter;            /* default 100 */
    pw_mix_opts mix;         /* default pw_mix_opts_default() */
    char psp_file[512];      /* default PW_DEFAULT_PSP_FILE */
    size_t n_psp;            /* explicit entries; other elements use GTH-PBE-q<n> (PBE) or */
    pw_psp_choice psp[PW_MAX_SPECIES]; /* GTH-PADE-q<n> (both LDAs), smallest n in the file */
    int fft_grid[3];         /* 0 0 0: automatic (basis.h) */
    int nspin;               /* 1: spin-degenerate (default); 2: collinear spin polarisation */
    size_t n_magmom;         /* starting moments per element (nspin 2 only); elements not */
    pw_magmom magmom[PW_MAX_SPECIES]; /* listed start at 0; |moment| ≤ the atom's valence.
                                A frame with a per-atom real column initial_magmoms (ASE's
                                extxyz name, μB) uses it instead, atom by atom. */
    double min_distance_ang; /* atoms closer than this are rejected; default 0.5 Å */
    bool reuse;              /* start from the previous frame's density/wavefunctions; true */
    bool extrapolate;        /* with reuse, in the same cell: move the previous density with the
                                atoms (ρ_prev − ρ_atoms(prev) + ρ_atoms(new)); default true */
    bool forces;             /* compute forces after the SCF (forces.h); default true */
    bool stress;             /* compute the stress tensor after the SCF (stress.h); default true */
    unsigned long seed;      /* random start vectors; default 1 */
    pw_eigensolver eigensolver; /* default PW_EIG_DAVIDSON */
    const al_comm *comm;     /* borrowed, NULL (default): this process alone. With P ranks the
                                (spin, k-point) pairs are shared among them; every rank calls
                                pw_dft_run with the same frame and gets the same result. */
    void (*progress)(void *user, const pw_scf_step *step); /* per SCF step; optional */
    void *progress_user;
} pw_settings;

pw_settings pw_settings_default(void);

/* Parses "lda"/"pade", "pz", "pbe" (case-insensitive); -1 when unknown. */
int pw_xc_parse(const char *name);
const char *pw_xc_name(pw_xc_kind kind);
/* Parses "none"/"fixed", "fd"/"fermi-dirac", "gaussian", "mv"/"cold"; -1 when unknown. */
int pw_smearing_parse(const char *name);
const char *pw_smearing_name(pw_smearing kind);

/* Energy terms in eV (see scf_state.h's pw_energies). */
typedef struct pw_terms_ev {
    double kinetic, hartree, xc, local, nonlocal, ewald, psp_core, entropy;
} pw_terms_ev;

typedef struct pw_result {
    bool converged;
    char reason[200];
    int iterations;
    size_t n_hist;
    double *residual_hist;   /* per SCF step, ∫|Δρ| / N_el */
    double *energy_hist_ev;  /* per SCF step, free energy (eV) */
    double energy_ev;        /* free energy F = E − TS (= E with fixed occupations); the label */
    double energy_internal_ev;
    double energy_zero_width_ev;
    pw_terms_ev terms;
    double fermi_ev;         /* ABINIT convention; HOMO for fixed occupations */
    size_t n_kpoints, n_bands;
    double (*kpoints)[3];    /* reduced */
    double *kweights;
    int nspin;               /* 1, or 2: the two arrays below hold spin up, then spin down */
    double *eigenvalues_ev;  /* nspin × n_kpoints × n_bands, ascending per k, ABINIT convention */
    double *occupations;     /* nspin × n_kpoints × n_bands, 0..2 (nspin 1) or 0..1 (nspin 2) */
    double magnetization;    /* ∫ (ρ↑ − ρ↓) over the cell, μB (0 without spin) */
    double abs_magnetization; /* ∫ |ρ↑ − ρ↓| over the cell, μB (0 without spin) */
    size_t *npw;             /* plane waves per k-point */
    int fft_grid[3];
    bool has_forces, has_stress;
    double (*forces)[3];     /* n_atoms × 3, eV/Å, average force removed (when has_forces) */
    double virial[3][3];     /* eV, −σ·V (extxyz/ASE sign; when has_stress) */
    double stress_gpa[3][3]; /* σ = (1/V) ∂E/∂ε, GPa (negative diagonal = positive pressure) */
    double t_forces;         /* s, forces and stress */
    double t_setup, t_eigensolver, t_density, t_potential, t_mixing, t_energy, t_total; /* s */
} pw_result;

void pw_result_fini(pw_result *r);

typedef struct pw_dft pw_dft;

/* Copies the settings; loads nothing yet. Errors: AL_EINVAL for a bad setting (named). */
al_status pw_dft_create(const pw_settings *s, pw_dft **out, al_err *err);
void pw_dft_destroy(pw_dft *c);

/*
 * Ground state of frame f (Å). Fills *r (release with pw_result_fini) on AL_OK and on
 * AL_ENOCONV (r->converged false, r->reason says why, last residual in the history).
 * Errors: AL_EINVAL (unknown element, overlapping atoms, degenerate cell, ecut too small for
 * the bands, ...), AL_ENOTFOUND / AL_EIO / AL_EFORMAT (pseudopotential file or entry), AL_ENOMEM.
 */
al_status pw_dft_run(pw_dft *c, const al_frame *f, pw_result *r, al_err *err);

/* Changes which derivatives the next runs compute (the settings' forces and stress). */
void pw_dft_want(pw_dft *c, bool forces, bool stress);

/*
 * The engine as an al_potential (owns a pw_dft with these settings): energy, and forces and
 * virial when asked for (they are computed only when requested).
 */
al_status pw_dft_potential_create(const pw_settings *s, al_potential *out, al_err *err);

#endif
