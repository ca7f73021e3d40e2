/*
 * Local structure: distributions of coordination numbers, bond angles, and Q^n units.
 *
 * Coordination distribution: for each atom of species a, the number l of atoms of species b
 * within R; fractions of atoms with l = 0..AN_MAX_COORD (e.g. 4-fold Ge, VO4/VO5/VO6).
 * Bond-angle distribution for a triplet a–b–c (b at the centre): the angle between r_a − r_b
 * and r_c − r_b for neighbours within r_ab and r_bc, as a probability density in degree⁻¹.
 * Q^n: for network formers F (e.g. P, Si) and oxygen O bonded within R, an oxygen bonded to
 * two or more formers is bridging, and Q^n is the fraction of formers with n bridging oxygens.
 * All accumulate over the frames passed in.
 */
#ifndef AN_LOCAL_H
#define AN_LOCAL_H

#include "core/frame.h"
#include "core/status.h"

enum { AN_MAX_COORD = 16 };

typedef struct an_counts {
    double count[AN_MAX_COORD + 1];   /* atoms (summed over frames) with l = 0..AN_MAX_COORD */
    double total;
} an_counts;

/* Adds one frame's coordination numbers of b (Z) around a (Z) within R Å. l > AN_MAX_COORD is
 * counted in the last bin. */
al_status an_coordination_add(an_counts *c, const al_frame *f, int za, int zb, double R, al_err *err);

/* Adds one frame's Q^n counts (n = bridging oxygens per former) for formers zf and anions zo. */
al_status an_qn_add(an_counts *c, const al_frame *f, int zf, int zo, double R, al_err *err);

typedef struct an_angles {
    int nbins;            /* over 0..180° */
    double *hist;         /* nbins */
    double total;
} an_angles;

al_status an_angles_init(an_angles *a, int nbins, al_err *err);
void an_angles_fini(an_angles *a);
/* Adds the angles a–b–c of one frame (za, zb centre, zc; cutoffs r_ab, r_bc in Å). */
al_status an_angles_add(an_angles *a, const al_frame *f, int za, int zb, int zc, double r_ab,
                        double r_bc, al_err *err);
/* Probability density (degree⁻¹) of bin k; the bins' centres are (k + ½)·180/nbins. */
double an_angles_density(const an_angles *a, int k);

#endif
