/*
 * Pair correlations of a trajectory: partial radial distribution functions g_ab(r) averaged
 * over frames, the total g(r), running coordination numbers and the first minimum.
 *
 * Convention (Faber–Ziman; docs/analysis.md): for species a and b with N_a, N_b atoms in a cell
 * of volume V,
 *     g_ab(r) = V / (N_a N_b) · Σ_{i∈a} Σ_{j∈b, j≠i} δ(r − r_ij) / (4π r²),
 * evaluated on bins of width dr with the exact shell volume 4π((r+dr/2)³ − (r−dr/2)³)/3, all
 * periodic images included (any r_max, any triclinic cell). The total g(r) = Σ_ab c_a c_b g_ab(r)
 * with concentrations c_a = N_a/N. Frames may differ in volume; each is normalised by its own.
 * The coordination number of b around a within R is n_ab(R) = (1/N_a) Σ_{i∈a} #{j∈b: r_ij < R},
 * counted directly (not integrated from the binned g).
 */
#ifndef AN_RDF_H
#define AN_RDF_H

#include <stddef.h>

#include "core/frame.h"
#include "core/status.h"

enum { AN_MAX_SPECIES = 8 };

typedef struct an_rdf an_rdf;

/* Histogram of r in [0, r_max) Å in nbins bins. Species are found in the frames. */
al_status an_rdf_create(double r_max, int nbins, an_rdf **out, al_err *err);
void an_rdf_destroy(an_rdf *g);

/* Adds one frame (borrowed). All frames must hold the same species counts. */
al_status an_rdf_add_frame(an_rdf *g, const al_frame *f, al_err *err);

int an_rdf_n_species(const an_rdf *g);
/* Atomic number and concentration of species s (0..n_species−1, ascending Z). */
int an_rdf_species(const an_rdf *g, int s, double *concentration);
int an_rdf_nbins(const an_rdf *g);
double an_rdf_r(const an_rdf *g, int bin);      /* bin centre, Å */
double an_rdf_dr(const an_rdf *g);
/* Mean number density N/V over the frames (Å⁻³). */
double an_rdf_density(const an_rdf *g);
size_t an_rdf_frames(const an_rdf *g);

/* g_ab for species indices a, b (symmetric) into out (nbins values). */
void an_rdf_partial(const an_rdf *g, int a, int b, double *out);
/* The total g(r) = Σ c_a c_b g_ab into out. */
void an_rdf_total(const an_rdf *g, double *out);
/* Coordination number n_ab(R): mean number of b atoms within R of an a atom (R <= r_max). */
double an_rdf_coordination(const an_rdf *g, int a, int b, double R);
/* Position of the first minimum of g_ab after its first maximum (Å), or r_max when none. */
double an_rdf_first_minimum(const an_rdf *g, int a, int b);

#endif
