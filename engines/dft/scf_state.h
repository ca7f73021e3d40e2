/*
 * Internal data of the plane-wave engine, shared by its files and by the force and stress
 * code (forces.c, stress.c): the system in atomic units, the plane-wave basis, and the
 * self-consistent state (wavefunctions, occupations, projections, density, potentials).
 * Not a public interface: the facade is dft.h.
 *
 * Units: Hartree atomic units (bohr, Ha). Cell rows are lattice vectors a_i (bohr); b_i are
 * reciprocal vectors with a_i·b_j = 2π δ_ij; Ω = |a_0·(a_1×a_2)|.
 * Normalisation: plane waves ⟨r|k+G⟩ = e^{i(k+G)·r}/√Ω, so a band is a coefficient vector c_G
 * with Σ_G |c_G|² = 1 and ψ(r) = Ω^{-1/2} Σ_G c_G e^{i(k+G)·r}.
 * Densities and potentials: real-space values on the FFT grid (fft.h layout); their Fourier
 * coefficients use f(G) = (1/N) Σ_r f(r) e^{−iG·r}, so ∫_Ω f g* = Ω Σ_G f(G) g(G)*.
 * G = 0 convention (as ABINIT): the Hartree and local potentials have no G = 0 component; the
 * local G = 0 limit enters the energy only, as psp_core = (Σ_atoms epsatm)·N_el/Ω. Eigenvalues
 * and the Fermi level therefore follow ABINIT's convention (QE's are shifted by psp_core/N_el).
 */
#ifndef PW_SCF_STATE_H
#define PW_SCF_STATE_H

#include <complex.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/comm.h"
#include "engines/dft/fft.h"
#include "engines/dft/gth.h"

/* Atoms and pseudopotentials (species are distinct atomic numbers, in first-seen order). */
typedef struct pw_system {
    double cell[3][3];   /* bohr, rows a_i */
    double recip[3][3];  /* 1/bohr, rows b_i */
    double omega;        /* bohr³ */
    size_t n_atoms;
    double (*pos)[3];    /* Cartesian, bohr */
    int *species;        /* index into psp[] per atom */
    size_t n_species;
    pw_gth *psp;         /* one per species */
    double n_electrons;  /* Σ Z_ion */
    double *magmom;      /* n_atoms starting moments (μB, spin-polarised runs; NULL = none) */
} pw_system;

/* The plane waves of one k-point: |k+G|²/2 ≤ ecut. */
typedef struct pw_kbasis {
    double k_red[3];     /* reduced coordinates (units of b_i) */
    double k_cart[3];    /* 1/bohr */
    double weight;       /* Σ_k weight = 1 */
    size_t npw;
    int (*miller)[3];    /* G = Σ m_d b_d */
    double (*kpg)[3];    /* k+G, Cartesian */
    double *kin;         /* |k+G|²/2, Ha */
    size_t *fft_index;   /* position of G in the FFT box */
    size_t *minus;       /* Γ only (else NULL): index of −G, for real wavefunctions c(−G) = c(G)* */
} pw_kbasis;

typedef struct pw_basis {
    double ecut;          /* Ha */
    int ngrid[3];
    size_t nfft;
    double gsqcut;        /* |G|² limit of the density sphere, (2·√(2 ecut))² (ABINIT's choice) */
    double (*gvec)[3];    /* nfft Cartesian G of each FFT point (frequencies −n/2+1..n/2) */
    double *g2;           /* nfft |G|² */
    bool *in_sphere;      /* nfft: G ≠ 0 and |G|² ≤ gsqcut (Hartree, local potential) */
    size_t nk;
    pw_kbasis *k;
    pw_fft *fft;
} pw_basis;

/* Non-local projectors of one k-point: β_j(G) for all atoms' projectors j, and the
 * block-diagonal coupling D (h_ij within one atom, l, m). E_nl = Σ f ⟨ψ|β⟩ D ⟨β|ψ⟩. */
typedef struct pw_nonlocal_k {
    size_t nproj;            /* Σ_atoms Σ_l (2l+1) n_proj[l] */
    double complex *beta;    /* npw × nproj, column-major (projector j at beta + j·npw) */
    double *d;               /* nproj × nproj, symmetric */
    int *atom;               /* nproj: atom of each projector */
    int *l, *m, *i;          /* nproj: channel, m index (−l..l) and radial index */
} pw_nonlocal_k;

/* Wavefunctions and band data of one k-point. */
typedef struct pw_kstate {
    size_t nbands;
    double complex *psi;     /* npw × nbands, column-major: band n at psi + n·npw */
    double *eig;             /* nbands, Ha (ABINIT convention) */
    double *occ;             /* nbands, 0..2 (spin-degenerate) or 0..1 (one spin channel) */
    double complex *proj;    /* nproj × nbands: ⟨β_j|ψ_n⟩ after the last energy evaluation */
    double *resid;           /* nbands: ‖Hψ − εψ‖ after the last eigensolver call */
} pw_kstate;

/* Energy terms (Ha). etotal = kinetic+hartree+xc+local+nonlocal+ewald+psp_core (internal
 * energy E); free = E + entropy (entropy holds −T·S); zero_width extrapolates σ → 0. */
typedef struct pw_energies {
    double kinetic, hartree, xc, local, nonlocal, ewald, psp_core;
    double internal, entropy, free, zero_width;
} pw_energies;

/*
 * Collinear spin (nspin = 2; von Barth and Hedin, J. Phys. C 5, 1629 (1972)): every k-point
 * has one set of bands per spin channel, k[σ·nk + k] for σ = 0 (up), 1 (down), with
 * occupations 0..1; the projectors nl[] are shared. The density is kept as the total ρ and the
 * magnetisation m = ρ↑ − ρ↓ (so ρ_σ = (ρ ± m)/2), stored back to back in one array: mag is
 * rho + nfft. Spin-resolved potentials are stored σ-major (vxc + σ·nfft). nspin 0 (a state
 * filled by hand in a test) means 1: use pw_state_nspin.
 */
/*
 * Distribution over processes: with a communicator of P > 1 ranks, the (spin, k) pairs
 * j = σ·nk + k are dealt round-robin, rank j mod P solving the bands of pair j. Every rank
 * keeps the whole state, but the wavefunctions, projections and residuals of the other ranks'
 * pairs are stale; eigenvalues, occupations, densities, potentials and energies are the same
 * on every rank (summed, then broadcast from rank 0). Sums over pairs in the kinetic and
 * non-local helpers cover this rank's pairs only (pw_state_mine); their callers in scf.c,
 * forces.c and stress.c add them over the ranks. comm NULL (or nranks ≤ 1): one process.
 */
typedef struct pw_state {
    size_t nk;               /* = basis->nk */
    size_t nbands;
    int nspin;               /* 1 (spin-degenerate) or 2 (collinear spin) */
    const al_comm *comm;     /* borrowed; NULL: not distributed */
    int rank, nranks;        /* of comm (0 and 1 without one) */
    pw_kstate *k;            /* nspin × basis->nk, spin-major */
    pw_nonlocal_k *nl;       /* basis->nk */
    /* After pw_scf_run: the density of the final wavefunctions (ρ_out of the last step) and
     * the potentials and energies of that density; during the loop, the SCF input density. */
    double *rho;             /* nspin × nfft: total density (electrons/bohr³), then m */
    double *mag;             /* = rho + nfft with spin, else NULL: m = ρ↑ − ρ↓ */
    double *vloc;            /* nfft local pseudopotential (G ≠ 0 part), Ha */
    double *vh;              /* nfft Hartree potential */
    double *vxc;             /* nspin × nfft exchange–correlation potential per spin channel
                                (GGA: incl. the −∇·(∂f/∂∇ρ_σ) term) */
    double *vsigma;          /* GGA only (NULL for an LDA): ∂f_xc/∂σ, σ = |∇ρ|² (nfft), or with
                                spin the three channels ∂f/∂σ_↑↑, ∂f/∂σ_↑↓, ∂f/∂σ_↓↓ (3 × nfft) */
    double *veff;            /* nspin × nfft: vloc + vh + vxc of each spin channel */
    double complex *vloc_g;  /* nfft Fourier coefficients of vloc */
    double fermi;            /* Ha (ABINIT convention); HOMO for fixed occupations */
    pw_energies e;
} pw_state;

static inline int pw_state_nspin(const pw_state *s) { return s->nspin == 2 ? 2 : 1; }

/* Whether this rank solves (spin, k) pair j. */
static inline bool pw_state_mine(const pw_state *s, size_t j)
{
    return !s->comm || s->nranks <= 1 || (int)(j % (size_t)s->nranks) == s->rank;
}

/*
 * The worst status over the ranks (call before a collective, so that an error on one rank
 * does not leave the others waiting); a rank that did not fail gets a message saying so.
 */
static inline al_status pw_state_agree(const pw_state *s, al_status st, al_err *err)
{
    if (!s->comm || s->nranks <= 1) return st;
    al_status all = al_comm_agree(s->comm, st);
    if (all && !st) return al_fail(err, all, "DFT: another rank failed (%s)", al_status_name(all));
    return all;
}

/*
 * Sum of x (n values) over the ranks of s->comm, broadcast from rank 0 so that every rank
 * holds bitwise the same numbers (the SCF's decisions then agree); nothing without a comm.
 * Every rank must call it. Errors: AL_EMPI.
 */
static inline al_status pw_state_reduce(const pw_state *s, double *x, size_t n, al_err *err)
{
    if (!s->comm || s->nranks <= 1) return AL_OK;
    AL_TRY(err, al_comm_sum(s->comm, x, n, err));
    AL_TRY(err, al_comm_bcast(s->comm, x, n * sizeof *x, 0, err));
    return AL_OK;
}

#endif
