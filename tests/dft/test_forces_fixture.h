/*
 * A small fixed system for the force and stress tests of single energy terms: three atoms of
 * three species (Ge: s, p, d projectors with off-diagonal h; O: C1, C2 and an empty p channel;
 * Na: C1, C2 and one p projector; GTH parameters from tests/data/dft/GTH_POTENTIALS_test) in a
 * triclinic cell, two k-points, four bands with unequal occupations, random wavefunction
 * coefficients and a random smooth positive density. The wavefunctions are not eigenstates:
 * the term energies are explicit functions of positions and strain at fixed coefficients,
 * which is what the finite differences test. Coefficients vanish near the sphere edges so
 * that the strained bases hold the same plane waves.
 */
#ifndef TEST_FORCES_FIXTURE_H
#define TEST_FORCES_FIXTURE_H

#include <complex.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/rng.h"
#include "engines/dft/basis.h"
#include "engines/dft/forces.h"
#include "engines/dft/kpoints.h"
#include "engines/dft/scf_state.h"
#include "tests/harness/al_test.h"

enum { FX_NAT = 3, FX_NB = 4 };

typedef struct fx {
    pw_gth psp[3];
    double pos[FX_NAT][3];
    int species[FX_NAT];
    pw_system sys;
    pw_kpoints kp;
    pw_basis *b;
    pw_kstate ks[8];
    double occ[FX_NB];
    pw_state st;
    double complex *rho_g; /* ρ(G) on the grid */
    double ecut;
    int ngrid[3];
} fx;

static const double FX_CELL[3][3] = {{6.3, 0.4, -0.3}, {0.9, 5.8, 0.5}, {-0.6, 0.7, 6.6}};
static const double FX_FRAC[FX_NAT][3] = {{0.1, 0.2, 0.05}, {0.45, 0.6, 0.4}, {0.8, 0.25, 0.7}};

static const char *fx_data(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%sdft/%s", al_test_data_dir(), name);
    return buf;
}

/* Builds sys (cell, positions) and the basis for `cell` and Cartesian positions `pos`. */
static inline int fx_geometry(fx *f, const double cell[3][3], const double pos[FX_NAT][3])
{
    al_err err = {0};
    memcpy(f->sys.cell, cell, sizeof f->sys.cell);
    memcpy(f->pos, pos, sizeof f->pos);
    if (pw_cell_reciprocal(cell, f->sys.recip, &f->sys.omega, &err)) return -1;
    pw_basis_destroy(f->b);
    f->b = NULL;
    if (pw_basis_create(&f->sys, f->ecut, f->ngrid, &f->kp, &f->b, &err)) {
        fprintf(stderr, "fixture basis: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static inline size_t fx_neg_index(const pw_basis *b, size_t idx)
{
    int n0 = b->ngrid[0], n1 = b->ngrid[1], n2 = b->ngrid[2];
    int i2 = (int)(idx % (size_t)n2), i1 = (int)(idx / (size_t)n2 % (size_t)n1),
        i0 = (int)(idx / ((size_t)n2 * (size_t)n1));
    return ((size_t)((n0 - i0) % n0) * (size_t)n1 + (size_t)((n1 - i1) % n1)) * (size_t)n2 +
           (size_t)((n2 - i2) % n2);
}

static inline int fx_init(fx *f)
{
    memset(f, 0, sizeof *f);
    al_err err = {0};
    const int z[3] = {32, 8, 11};
    const char *names[3] = {"GTH-PBE-q4", "GTH-PBE-q6", "GTH-PBE-q9"};
    for (int s = 0; s < 3; s++)
        if (pw_gth_load(fx_data("GTH_POTENTIALS_test"), z[s], names[s], &f->psp[s], &err)) {
            fprintf(stderr, "fixture: %s\n", err.msg);
            return -1;
        }
    f->sys.n_atoms = FX_NAT;
    f->sys.n_species = 3;
    f->sys.psp = f->psp;
    f->sys.species = f->species;
    f->sys.pos = f->pos;
    f->sys.n_electrons = 4 + 6 + 9;
    for (int a = 0; a < FX_NAT; a++) f->species[a] = a;
    const int grid[3] = {2, 1, 1};
    const double shift[3] = {0.5, 0, 0.5};
    if (pw_kpoints_mp(grid, shift, true, &f->kp, &err)) return -1;
    f->ecut = 5.0;
    pw_basis_choose_grid(FX_CELL, f->ecut, f->ngrid);
    double pos[FX_NAT][3];
    for (int a = 0; a < FX_NAT; a++)
        for (int c = 0; c < 3; c++)
            pos[a][c] = FX_FRAC[a][0] * FX_CELL[0][c] + FX_FRAC[a][1] * FX_CELL[1][c] +
                        FX_FRAC[a][2] * FX_CELL[2][c];
    if (fx_geometry(f, FX_CELL, pos)) return -1;
    const pw_basis *b = f->b;
    al_rng rng;
    al_rng_seed(&rng, 7, 3);
    /* wavefunctions */
    const double occ[FX_NB] = {2.0, 1.3, 0.5, 0.0};
    memcpy(f->occ, occ, sizeof occ);
    f->st.nbands = FX_NB;
    f->st.k = f->ks;
    for (size_t k = 0; k < b->nk; k++) {
        const pw_kbasis *kb = &b->k[k];
        f->ks[k].nbands = FX_NB;
        f->ks[k].occ = f->occ;
        f->ks[k].psi = al_calloc(kb->npw * FX_NB, sizeof(double complex));
        for (int n = 0; n < FX_NB; n++) {
            double norm = 0;
            double complex *c = f->ks[k].psi + (size_t)n * kb->npw;
            for (size_t g = 0; g < kb->npw; g++) {
                if (kb->kin[g] > 0.8 * f->ecut) continue;
                c[g] = (al_rng_normal(&rng) + I * al_rng_normal(&rng)) * exp(-kb->kin[g]);
                norm += creal(c[g] * conj(c[g]));
            }
            for (size_t g = 0; g < kb->npw; g++) c[g] /= sqrt(norm);
        }
    }
    /* density: ρ0 + smooth random Hermitian part inside 0.6 of the density sphere */
    f->rho_g = al_calloc(b->nfft, sizeof *f->rho_g);
    f->st.rho = al_calloc(b->nfft, sizeof(double));
    f->st.vxc = al_calloc(b->nfft, sizeof(double));
    double rho0 = f->sys.n_electrons / f->sys.omega;
    for (size_t g = 0; g < b->nfft; g++) {
        size_t mg = fx_neg_index(b, g);
        if (mg < g || g == 0 || b->g2[g] > 0.6 * b->gsqcut) continue;
        double complex v = 0.02 * rho0 * (al_rng_normal(&rng) + I * al_rng_normal(&rng)) *
                           exp(-0.3 * b->g2[g]);
        if (mg == g) v = creal(v);
        f->rho_g[g] = v;
        f->rho_g[mg] = conj(v);
    }
    f->rho_g[0] = rho0;
    double complex *box = pw_fft_alloc(b->nfft);
    memcpy(box, f->rho_g, b->nfft * sizeof *box);
    pw_fft_backward(b->fft, box);
    double rmin = rho0;
    for (size_t r = 0; r < b->nfft; r++) {
        f->st.rho[r] = creal(box[r]);
        rmin = fmin(rmin, f->st.rho[r]);
    }
    pw_fft_free(box);
    if (!(rmin > 0.2 * rho0)) {
        fprintf(stderr, "fixture: density minimum %g is not positive enough\n", rmin);
        return -1;
    }
    return 0;
}

static inline void fx_fini(fx *f)
{
    for (size_t k = 0; f->b && k < f->b->nk; k++) al_free(f->ks[k].psi);
    pw_basis_destroy(f->b);
    pw_kpoints_fini(&f->kp);
    al_free(f->rho_g);
    al_free(f->st.rho);
    al_free(f->st.vxc);
}

/* Positions r → (1+ε) r and cell rows likewise. */
static inline void fx_strain(const double cell[3][3], const double pos[FX_NAT][3], const double eps[3][3],
                      double c2[3][3], double p2[FX_NAT][3])
{
    for (int r = 0; r < 3; r++)
        for (int a = 0; a < 3; a++) {
            c2[r][a] = cell[r][a];
            for (int b = 0; b < 3; b++) c2[r][a] += eps[a][b] * cell[r][b];
        }
    for (int i = 0; i < FX_NAT; i++)
        for (int a = 0; a < 3; a++) {
            p2[i][a] = pos[i][a];
            for (int b = 0; b < 3; b++) p2[i][a] += eps[a][b] * pos[i][b];
        }
}

/*
 * A copy g of f's state on basis `nb` (a strained basis with the same grid and Miller
 * indices): coefficients moved by Miller index, ρ(G) scaled by Ω/Ω' so that Ω ρ(G) is fixed.
 * Returns allocated psi arrays in ks (free with fx_free_ks) and rho_g.
 */
static inline void fx_remap(const fx *f, const pw_basis *nb, double omega_new, pw_kstate *ks,
                     double complex *rho_g)
{
    const pw_basis *b = f->b;
    size_t *map = al_malloc(b->nfft * sizeof *map);
    for (size_t k = 0; k < b->nk; k++) {
        for (size_t i = 0; i < b->nfft; i++) map[i] = (size_t)-1;
        for (size_t g = 0; g < b->k[k].npw; g++) map[b->k[k].fft_index[g]] = g;
        ks[k] = f->ks[k];
        ks[k].psi = al_calloc(nb->k[k].npw * FX_NB, sizeof(double complex));
        for (size_t g = 0; g < nb->k[k].npw; g++) {
            size_t o = map[nb->k[k].fft_index[g]];
            if (o == (size_t)-1) continue;
            for (int n = 0; n < FX_NB; n++)
                ks[k].psi[(size_t)n * nb->k[k].npw + g] = f->ks[k].psi[(size_t)n * b->k[k].npw + o];
        }
    }
    for (size_t i = 0; i < b->nfft; i++) rho_g[i] = f->rho_g[i] * f->sys.omega / omega_new;
    al_free(map);
}

static inline void fx_free_ks(pw_kstate *ks, size_t nk)
{
    for (size_t k = 0; k < nk; k++) al_free(ks[k].psi);
}

#endif
