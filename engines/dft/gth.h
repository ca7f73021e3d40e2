/*
 * Goedecker–Teter–Hutter / Hartwigsen–Goedecker–Hutter analytic norm-conserving
 * pseudopotentials: parameters read from CP2K `GTH_POTENTIALS` files, and their form factors
 * in reciprocal space.
 *
 * Units: Hartree atomic units throughout (lengths and radii in bohr, energies in Ha, q in
 * 1/bohr, form factors V(q) in Ha·bohr³, projector form factors in bohr^{3/2}).
 *
 * Real-space forms (GTH, PRB 54, 1703 (1996), eq. 1; HGH, PRB 58, 3641 (1998), eqs. 1–3):
 *   V_loc(r) = −Z_ion/r · erf(r/(√2 r_loc)) + exp(−x²/2) [C1 + C2 x² + C3 x⁴ + C4 x⁶],
 *              x = r/r_loc
 *   V_nl(r, r') = Σ_{l,m} Σ_{i,j} Y_lm(r̂) p_i^l(r) h^l_ij p_j^l(r') Y_lm(r̂')
 *   p_i^l(r) = √2 r^{l+2(i−1)} exp(−r²/(2 r_l²)) / (r_l^{l+(4i−1)/2} √Γ(l+(4i−1)/2)),
 *              normalised so that ∫ p_i^l(r)² r² dr = 1.
 *
 * Reciprocal space (GTH eq. 5 and HGH eq. 4, written without the 1/Ω of a cell):
 *   V_loc(q) = ∫ V_loc(r) e^{−iq·r} d³r
 *            = −(4π Z_ion/q²) e^{−t} + (2π)^{3/2} r_loc³ e^{−t} [C1 + C2 (3 − 2t)
 *              + C3 (15 − 20t + 4t²) + C4 (105 − 210t + 84t² − 8t³)],  t = (q r_loc)²/2.
 *   pw_gth_proj_q(l, i, q) = 4π ∫ r² p_i^l(r) j_l(q r) dr.
 * With normalised plane waves ⟨r|k+G⟩ = e^{i(k+G)·r}/√Ω and the projector of atom R,
 * β_lmi(r) = p_i^l(|r−R|) Y_lm(r−R), the exact overlap is
 *   ⟨k+G|β_lmi⟩ = (−i)^l · pw_gth_proj_q(l, i, |k+G|) · Y_lm(k+G) · e^{−i(k+G)·R} / √Ω,
 * with Y_lm the real spherical harmonics of ylm_real.h (orthonormal on the unit sphere).
 * The factor (−i)^l is common to all projectors of one l, so it cancels in every quantity
 * bilinear in them: E_nl = Σ_{lm} Σ_ij h^l_ij ⟨ψ|β_lmi⟩⟨β_lmj|ψ⟩ is the same with or without
 * it, and the engine may drop it.
 *
 * The G = 0 limit of the local part: pw_gth_vloc_g0 = lim_{q→0} [V_loc(q) + 4π Z_ion/q²]
 *   = 2π Z_ion r_loc² + (2π)^{3/2} r_loc³ (C1 + 3 C2 + 15 C3 + 105 C4),
 * ABINIT's `epsatm`; the energy term (Σ_atoms epsatm) N_el/Ω is ABINIT's `psp_core`.
 *
 * File format (CP2K, see the header of /usr/share/cp2k/GTH_POTENTIALS):
 *   Element  Name  [alias names...]
 *   n_elec(s) n_elec(p) ...                      (Z_ion = their sum)
 *   r_loc  n_c  C1 ... C_{n_c}
 *   n_l                                           (number of angular momenta, l = 0..n_l−1)
 *   r_l  n_proj  h_11 h_12 ... h_1n               (upper triangle of h, row by row,
 *                h_22 ...                          continuing on the following lines)
 *   [k_ij upper triangle for l > 0 in spin-orbit files: read and ignored]
 * Entries with a non-linear core correction (`NLCC`) or extended local part (`LPOT`) are
 * rejected with AL_EFORMAT. Lines starting with '#' and blank lines are ignored.
 */
#ifndef PW_GTH_H
#define PW_GTH_H

#include "core/status.h"

enum { PW_GTH_LMAX = 3, PW_GTH_NPROJ_MAX = 3 };

typedef struct pw_gth {
    int z;             /* atomic number */
    char entry[64];    /* the name the entry was selected by (as asked for) */
    int zion;          /* valence charge Z_ion */
    double rloc;       /* bohr */
    int n_c;           /* number of local coefficients given (0..4); unused c[] are 0 */
    double c[4];       /* C1..C4, Ha */
    int n_l;           /* number of angular-momentum channels l = 0..n_l−1 (0..4) */
    double r[4];       /* r_l, bohr */
    int n_proj[4];     /* projectors per channel (0..3) */
    double h[4][3][3]; /* h^l_ij, Ha, symmetric (lower triangle filled from the upper) */
    char source[512];  /* "path:line" of the entry's header line */
} pw_gth;

/*
 * Reads the entry for element z named `entry` (matched case-insensitively against the name and
 * every alias on the header line) from the CP2K-format file at `path`.
 * Errors: AL_EIO (cannot open), AL_ENOTFOUND (no such element/entry; the message names the
 * file and the entry), AL_EFORMAT (malformed entry; the message is "path:line: expected ...").
 * On failure *out is zeroed.
 */
al_status pw_gth_load(const char *path, int z, const char *entry, pw_gth *out, al_err *err);

/* Local form factor V_loc(q) (Ha·bohr³) for q > 0, including the −4πZ_ion/q² Coulomb tail. */
double pw_gth_vloc_q(const pw_gth *psp, double q);
/* dV_loc/dq (Ha·bohr⁴) for q > 0. */
double pw_gth_vloc_dq(const pw_gth *psp, double q);
/* lim_{q→0} [V_loc(q) + 4πZ_ion/q²] (Ha·bohr³): ABINIT's epsatm. */
double pw_gth_vloc_g0(const pw_gth *psp);

/*
 * Projector form factor 4π ∫ r² p_i^l(r) j_l(qr) dr (bohr^{3/2}) for channel l (0..3) and
 * projector i (0-based, 0..n_proj[l]−1), q ≥ 0; see the normalisation above.
 */
double pw_gth_proj_q(const pw_gth *psp, int l, int i, double q);
/* Its derivative with respect to q (bohr^{5/2}). */
double pw_gth_proj_dq(const pw_gth *psp, int l, int i, double q);

/* Total number of projectors Σ_l (2l+1) n_proj[l] of one atom. */
int pw_gth_nproj_total(const pw_gth *psp);

#endif
