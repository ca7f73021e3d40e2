/*
 * Non-local (separable GTH/HGH) energy, forces and stress. The projectors of each atom are
 * built here at every k-point from gth.h and ylm_real.h,
 *   β_lmi(q) = f_li(|q|) Y_lm(q) e^{−iq·R}/√Ω,  q = k+G   (the (−i)^l phase dropped),
 * and projected on the bands with one ZGEMM per atom (P = Bᴴ Ψ, all derivative blocks at
 * once). Derivatives (formulas in forces.h and stress.h):
 *   ∂β/∂R_c  = −i q_c β
 *   ∂β/∂ε_ab = −½ δ_ab β − [f'(q) Y q_a q_b/|q| + ½ f (∂_aY q_b + ∂_bY q_a)] e^{−iq·R}/√Ω
 * (the symmetrised strain derivative: E_nl is rotation invariant per (l, i, j) block, so the
 * antisymmetric part vanishes). Kleinman and Bylander, PRL 48, 1425 (1982) for the separable
 * form; Nielsen and Martin, PRB 32, 3780 (1985) for the stress.
 * Cost: the radial form factors and Y_lm depend on q only, so they are tabulated once per
 * k-point and species; the phase e^{−iq·R} = e^{−ik·R} Π_d e^{−2πi m_d s_d} (s = fractional
 * coordinates) comes from per-atom tables of e^{−2πi m s_d}.
 */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "engines/dft/forces.h"
#include "engines/dft/stress.h"
#include "engines/dft/ylm_real.h"

#define PI 3.14159265358979323846

enum { MODE_ENERGY = 0, MODE_FORCES = 3, MODE_STRESS = 6 }; /* = number of derivative blocks */
static const int VOIGT[6][2] = {{0, 0}, {1, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}};
enum { NLM = 16, NLI = 12 }; /* (l, m) pairs and (l, i) pairs for l ≤ 3, i < 3 */

/* Tables of one k-point: Y_lm(q), ∇Y_lm(q) for l ≤ 3 (species independent). */
typedef struct ktab {
    size_t npw;
    double *y;    /* npw × 16: index l² + m + l */
    double *dy;   /* npw × 16 × 3 */
    double *qn;   /* npw: |q| */
    double complex *ph; /* npw: phase of the current atom, divided by √Ω */
    double *rad;  /* n_species × 12 × npw: f_li(|q|) at index (sp·12 + 3l + i)·npw + g */
    double *drad; /* same layout: f_li'(|q|) (stress only) */
} ktab;

/* Column index of projector (l, i, m) among the atom's projectors, order l, i, m. */
static int proj_col(const pw_gth *p, int l, int i, int m)
{
    int c = 0;
    for (int ll = 0; ll < l; ll++) c += (2 * ll + 1) * p->n_proj[ll];
    return c + i * (2 * l + 1) + m;
}

static void ktab_fill(const pw_system *sys, const pw_kbasis *kb, int mode, ktab *t)
{
    size_t npw = kb->npw;
    for (size_t g = 0; g < npw; g++) {
        const double *q = kb->kpg[g];
        t->qn[g] = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
        for (int l = 0; l <= 3; l++)
            pw_ylm_real_grad(l, q, t->y + g * NLM + l * l, (double(*)[3])(t->dy + (g * NLM + l * l) * 3));
    }
    for (size_t sp = 0; sp < sys->n_species; sp++) {
        const pw_gth *p = &sys->psp[sp];
        for (int l = 0; l < p->n_l; l++)
            for (int i = 0; i < p->n_proj[l]; i++) {
                double *f = t->rad + (sp * NLI + (size_t)(3 * l + i)) * npw;
                double *fp = t->drad + (sp * NLI + (size_t)(3 * l + i)) * npw;
                for (size_t g = 0; g < npw; g++) {
                    f[g] = pw_gth_proj_q(p, l, i, t->qn[g]);
                    if (mode == MODE_STRESS) fp[g] = pw_gth_proj_dq(p, l, i, t->qn[g]);
                }
            }
    }
}

/* e^{−iq·R}/√Ω for every plane wave, from per-direction tables of e^{−2πi m s_d}. */
static void atom_phase(const pw_system *sys, const pw_kbasis *kb, const double R[3],
                       double complex *tab[3], const int mmax[3], double complex *ph)
{
    double s[3], kr = 0;
    for (int d = 0; d < 3; d++) {
        /* fractional coordinate: s_d = R·b_d / 2π */
        s[d] = (R[0] * sys->recip[d][0] + R[1] * sys->recip[d][1] + R[2] * sys->recip[d][2]) /
               (2 * PI);
        kr += kb->k_cart[d] * R[d];
        for (int m = -mmax[d]; m <= mmax[d]; m++)
            tab[d][m + mmax[d]] = cexp(-2 * PI * I * m * s[d]);
    }
    double complex ek = cexp(-I * kr) / sqrt(sys->omega);
    for (size_t g = 0; g < kb->npw; g++) {
        const int *m = kb->miller[g];
        ph[g] = ek * tab[0][m[0] + mmax[0]] * tab[1][m[1] + mmax[1]] * tab[2][m[2] + mmax[2]];
    }
}

/* Columns of atom a into B (npw × np) and derivative blocks into B + (1+d)·np·npw. */
static void build_projectors(const pw_gth *p, size_t sp, const pw_kbasis *kb, const ktab *t,
                             int mode, double complex *B)
{
    size_t npw = kb->npw, np = (size_t)pw_gth_nproj_total(p);
    for (int l = 0; l < p->n_l; l++)
        for (int i = 0; i < p->n_proj[l]; i++)
            for (size_t g = 0; g < npw; g++) {
                const double *q = kb->kpg[g], *y = t->y + g * NLM + l * l;
                const double *dy = t->dy + (g * NLM + l * l) * 3;
                size_t ri = (sp * NLI + (size_t)(3 * l + i)) * npw + g;
                double qn = t->qn[g], f = t->rad[ri];
                double fp = mode == MODE_STRESS ? t->drad[ri] : 0;
                double complex e = t->ph[g];
                for (int m = 0; m < 2 * l + 1; m++) {
                    size_t col = (size_t)proj_col(p, l, i, m);
                    double complex beta = f * y[m] * e;
                    B[col * npw + g] = beta;
                    if (mode == MODE_FORCES)
                        for (int d = 0; d < 3; d++)
                            B[((size_t)(1 + d) * np + col) * npw + g] = -I * q[d] * beta;
                    if (mode == MODE_STRESS)
                        for (int v = 0; v < 6; v++) {
                            int a = VOIGT[v][0], b = VOIGT[v][1];
                            double rad = qn > 0 ? fp * y[m] * q[a] * q[b] / qn : 0;
                            double ang = 0.5 * f * (dy[m * 3 + a] * q[b] + dy[m * 3 + b] * q[a]);
                            B[((size_t)(1 + v) * np + col) * npw + g] = -(rad + ang) * e;
                        }
                }
            }
}

/* Σ_n f_n Σ_{l,m,i,j} h^l_ij conj(P_(lim),n) X_(ljm),n, with P and X rows of a ldp × nb block. */
static double complex contract(const pw_gth *p, size_t ldp, size_t nb, const double *occ,
                               const double complex *P, const double complex *X)
{
    double complex s = 0;
    for (size_t n = 0; n < nb; n++) {
        if (occ[n] == 0) continue;
        double complex sn = 0;
        for (int l = 0; l < p->n_l; l++)
            for (int m = 0; m < 2 * l + 1; m++)
                for (int i = 0; i < p->n_proj[l]; i++)
                    for (int j = 0; j < p->n_proj[l]; j++)
                        sn += p->h[l][i][j] * conj(P[n * ldp + (size_t)proj_col(p, l, i, m)]) *
                              X[n * ldp + (size_t)proj_col(p, l, j, m)];
        s += occ[n] * sn;
    }
    return s;
}

typedef struct nlbuf {
    double complex *B, *P, *ph, *tab[3];
    double *y, *dy, *qn, *rad;
    int mmax[3];
} nlbuf;

static void nlbuf_free(nlbuf *w)
{
    al_free(w->B); al_free(w->P); al_free(w->ph); al_free(w->tab[0]);
    al_free(w->y); al_free(w->dy); al_free(w->qn); al_free(w->rad);
}

static al_status nlbuf_alloc(const pw_system *sys, const pw_basis *b, size_t nb, int mode,
                             nlbuf *w, al_err *err)
{
    size_t npmax = 0, npwmax = 0, ntab = 0;
    memset(w, 0, sizeof *w);
    for (size_t sp = 0; sp < sys->n_species; sp++) {
        size_t np = (size_t)pw_gth_nproj_total(&sys->psp[sp]);
        if (np > npmax) npmax = np;
    }
    for (size_t k = 0; k < b->nk; k++) {
        if (b->k[k].npw > npwmax) npwmax = b->k[k].npw;
        for (size_t g = 0; g < b->k[k].npw; g++)
            for (int d = 0; d < 3; d++)
                if (abs(b->k[k].miller[g][d]) > w->mmax[d]) w->mmax[d] = abs(b->k[k].miller[g][d]);
    }
    for (int d = 0; d < 3; d++) ntab += (size_t)(2 * w->mmax[d] + 1);
    size_t ncol = (size_t)(1 + mode) * npmax;
    w->B = al_malloc(ncol * npwmax * sizeof *w->B);
    w->P = al_malloc(ncol * nb * sizeof *w->P);
    w->ph = al_malloc(npwmax * sizeof *w->ph);
    w->tab[0] = al_malloc(ntab * sizeof *w->tab[0]);
    w->y = al_malloc(npwmax * NLM * sizeof *w->y);
    w->dy = al_malloc(npwmax * NLM * 3 * sizeof *w->dy);
    w->qn = al_malloc(npwmax * sizeof *w->qn);
    w->rad = al_malloc(2 * sys->n_species * NLI * npwmax * sizeof *w->rad);
    if (!w->B || !w->P || !w->ph || !w->tab[0] || !w->y || !w->dy || !w->qn || !w->rad) {
        nlbuf_free(w);
        return al_fail(err, AL_ENOMEM,
                       "non-local forces: out of memory (%zu plane waves, %zu projectors)",
                       npwmax, npmax);
    }
    w->tab[1] = w->tab[0] + 2 * w->mmax[0] + 1;
    w->tab[2] = w->tab[1] + 2 * w->mmax[1] + 1;
    return AL_OK;
}

/* Energy, and position or strain derivatives (mode), accumulated over k-points and atoms. */
static al_status nonlocal_work(const pw_system *sys, const pw_basis *b, const pw_state *st,
                               int mode, double *energy, double (*forces)[3], double s[3][3],
                               al_err *err)
{
    size_t nb = st->nbands;
    double e = 0, sv[6] = {0};
    nlbuf w;
    AL_TRY(err, nlbuf_alloc(sys, b, nb, mode, &w, err));
    const double complex one = 1, zero = 0;
    for (size_t k = 0; k < b->nk && nb > 0; k++) {
        const pw_kbasis *kb = &b->k[k];
        const double *occ = st->k[k].occ;
        double wk = kb->weight;
        ktab t = {kb->npw, w.y, w.dy, w.qn, w.ph, w.rad,
                  w.rad + sys->n_species * NLI * kb->npw};
        ktab_fill(sys, kb, mode, &t);
        for (size_t a = 0; a < sys->n_atoms; a++) {
            const pw_gth *p = &sys->psp[sys->species[a]];
            size_t np = (size_t)pw_gth_nproj_total(p), ncol = (size_t)(1 + mode) * np;
            if (np == 0) continue;
            atom_phase(sys, kb, sys->pos[a], w.tab, w.mmax, w.ph);
            build_projectors(p, (size_t)sys->species[a], kb, &t, mode, w.B);
            cblas_zgemm(CblasColMajor, CblasConjTrans, CblasNoTrans, (int)ncol, (int)nb,
                        (int)kb->npw, &one, w.B, (int)kb->npw, st->k[k].psi, (int)kb->npw,
                        &zero, w.P, (int)ncol);
            /* Block d of P (rows d·np .. d·np+np−1 of each band column) is P + d·np. */
            e += wk * creal(contract(p, ncol, nb, occ, w.P, w.P));
            for (int d = 0; d < mode; d++) {
                double v = wk * 2 * creal(contract(p, ncol, nb, occ, w.P, w.P + (size_t)(1 + d) * np));
                if (mode == MODE_FORCES && forces) forces[a][d] -= v;
                if (mode == MODE_STRESS) sv[d] += v;
            }
        }
    }
    nlbuf_free(&w);
    if (energy) *energy = e;
    if (s)
        for (int v = 0; v < 6; v++) {
            int i = VOIGT[v][0], j = VOIGT[v][1];
            s[i][j] = s[j][i] = sv[v] - (i == j) * e;
        }
    return AL_OK;
}

al_status pw_nonlocal_energy_forces(const pw_system *sys, const pw_basis *b,
                                    const pw_state *st, double *energy, double (*forces)[3],
                                    al_err *err)
{
    AL_TRY(err, nonlocal_work(sys, b, st, forces ? MODE_FORCES : MODE_ENERGY, energy, forces,
                              NULL, err));
    return AL_OK;
}

al_status pw_stress_nonlocal(const pw_system *sys, const pw_basis *b, const pw_state *st,
                             double s[3][3], al_err *err)
{
    AL_TRY(err, nonlocal_work(sys, b, st, MODE_STRESS, NULL, NULL, s, err));
    return AL_OK;
}
