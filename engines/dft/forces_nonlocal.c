/*
 * Non-local (separable GTH/HGH) energy, forces and stress. The projectors of each atom are
 * built here at every k-point from gth.h and ylm_real.h,
 *   β_lmi(q) = f_li(|q|) Y_lm(q) e^{−iq·R}/√Ω,  q = k+G   (the (−i)^l phase dropped),
 * and projected on the bands, P = Bᴴ Ψ (one ZGEMM per atom). The energy is
 *   E_nl = Σ_n f_n Σ_ij h_ij P_in* P_jn = Σ_jn W_jn P_jn,  W_jn = f_n Σ_i h_ij P_in*,
 * and any derivative of it with respect to a parameter of the projectors is
 *   ∂E = 2 Re Σ_G Σ_j ∂β_j(G)* Z_j(G),  Z = Ψ Wᵀ   (npw × n_proj, a second ZGEMM),
 * so each derivative costs O(npw · n_proj) instead of another projection on the bands:
 *   ∂β/∂R_c  = −i q_c β
 *   ∂β/∂ε_ab = −½ δ_ab β − [f'(q) Y q_a q_b/|q| + ½ f (∂_aY q_b + ∂_bY q_a)] e^{−iq·R}/√Ω
 * (the symmetrised strain derivative: E_nl is rotation invariant per (l, i, j) block, so the
 * antisymmetric part vanishes; the −½δ_ab β part gives −δ_ab E_nl). Kleinman and Bylander,
 * PRL 48, 1425 (1982) for the separable form; Nielsen and Martin, PRB 32, 3780 (1985) for the
 * stress. Form factors and Y_lm depend on q only, so they are tabulated once per k-point and
 * species; the phase e^{−iq·R} = e^{−ik·R} Π_d e^{−2πi m_d s_d} (s = fractional coordinates)
 * comes from per-atom tables of e^{−2πi m s_d}.
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

enum { MODE_ENERGY, MODE_FORCES, MODE_STRESS };
static const int VOIGT[6][2] = {{0, 0}, {1, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}};
enum { NLM = 16, NLI = 12 }; /* (l, m) pairs and (l, i) pairs for l ≤ 3, i < 3 */

/* Tables of one k-point. */
typedef struct ktab {
    double *y;          /* npw × 16: Y_lm(q) at index l² + m + l */
    double *dy;         /* npw × 16 × 3: ∇Y_lm(q) */
    double *qn;         /* npw: |q| */
    double *rad;        /* n_species × 12 × npw: f_li(|q|) at (sp·12 + 3l + i)·npw + g */
    double *drad;       /* same layout: f_li'(|q|) (stress only) */
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
            pw_ylm_real_grad(l, q, t->y + g * NLM + l * l,
                             (double(*)[3])(t->dy + (g * NLM + l * l) * 3));
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
    double kr = 0;
    for (int d = 0; d < 3; d++) {
        /* fractional coordinate: s_d = R·b_d / 2π */
        double s = (R[0] * sys->recip[d][0] + R[1] * sys->recip[d][1] +
                    R[2] * sys->recip[d][2]) / (2 * PI);
        kr += kb->k_cart[d] * R[d];
        for (int m = -mmax[d]; m <= mmax[d]; m++) tab[d][m + mmax[d]] = cexp(-2 * PI * I * m * s);
    }
    double complex ek = cexp(-I * kr) / sqrt(sys->omega);
    for (size_t g = 0; g < kb->npw; g++) {
        const int *m = kb->miller[g];
        ph[g] = ek * tab[0][m[0] + mmax[0]] * tab[1][m[1] + mmax[1]] * tab[2][m[2] + mmax[2]];
    }
}

/* Columns of an atom of species sp into B (npw × np). */
static void build_projectors(const pw_gth *p, size_t sp, const pw_kbasis *kb, const ktab *t,
                             const double complex *ph, double complex *B)
{
    size_t npw = kb->npw;
    for (int l = 0; l < p->n_l; l++)
        for (int i = 0; i < p->n_proj[l]; i++) {
            const double *f = t->rad + (sp * NLI + (size_t)(3 * l + i)) * npw;
            for (int m = 0; m < 2 * l + 1; m++) {
                double complex *col = B + (size_t)proj_col(p, l, i, m) * npw;
                for (size_t g = 0; g < npw; g++)
                    col[g] = f[g] * t->y[g * NLM + (size_t)(l * l + m)] * ph[g];
            }
        }
}

/*
 * W_jn = f_n Σ_i h_ij P_in* for the atom's rows of P and W (column-major, leading dimension
 * ld, rows starting at P and W), returning Σ_jn W_jn P_jn.
 */
static double weights(const pw_gth *p, size_t ld, size_t nb, const double *occ,
                      const double complex *P, double complex *W)
{
    double e = 0;
    for (size_t n = 0; n < nb; n++)
        for (int l = 0; l < p->n_l; l++)
            for (int m = 0; m < 2 * l + 1; m++)
                for (int j = 0; j < p->n_proj[l]; j++) {
                    size_t cj = n * ld + (size_t)proj_col(p, l, j, m);
                    double complex w = 0;
                    for (int i = 0; i < p->n_proj[l]; i++)
                        w += p->h[l][i][j] * conj(P[n * ld + (size_t)proj_col(p, l, i, m)]);
                    W[cj] = occ[n] * w;
                    e += creal(W[cj] * P[cj]);
                }
    return e;
}

/* ∂E/∂R_c = 2 Re Σ_G Σ_j (−i q_c β_j)* Z_j = −2 Σ_G q_c Im(Σ_j β_j* Z_j). */
static void force_terms(const pw_kbasis *kb, size_t np, const double complex *B,
                        const double complex *Z, double de[3])
{
    double acc[3] = {0, 0, 0};
    size_t npw = kb->npw;
    for (size_t g = 0; g < npw; g++) {
        double complex y = 0;
        for (size_t j = 0; j < np; j++) y += conj(B[j * npw + g]) * Z[j * npw + g];
        /* (−i q β)* Z = i q β* Z, and Re(i y) = −Im y */
        for (int c = 0; c < 3; c++) acc[c] -= kb->kpg[g][c] * cimag(y);
    }
    for (int c = 0; c < 3; c++) de[c] = 2 * acc[c];
}

/* Strain derivative (Voigt order, without the −δ_ab E part): 2 Re Σ_G Σ_j ∂_abβ_j* Z_j. */
static void stress_terms(const pw_gth *p, size_t sp, const pw_kbasis *kb, const ktab *t,
                         const double complex *ph, const double complex *Z, double sv[6])
{
    size_t npw = kb->npw;
    for (int l = 0; l < p->n_l; l++)
        for (int i = 0; i < p->n_proj[l]; i++) {
            const double *f = t->rad + (sp * NLI + (size_t)(3 * l + i)) * npw;
            const double *fp = t->drad + (sp * NLI + (size_t)(3 * l + i)) * npw;
            for (int m = 0; m < 2 * l + 1; m++) {
                const double complex *z = Z + (size_t)proj_col(p, l, i, m) * npw;
                size_t lm = (size_t)(l * l + m);
                for (size_t g = 0; g < npw; g++) {
                    const double *q = kb->kpg[g], *dy = t->dy + (g * NLM + lm) * 3;
                    double y = t->y[g * NLM + lm], qn = t->qn[g];
                    /* ∂β = −x e with real x, so Re[(∂β)* z] = −x Re(e* z) */
                    double re = creal(conj(ph[g]) * z[g]);
                    for (int v = 0; v < 6; v++) {
                        int a = VOIGT[v][0], b = VOIGT[v][1];
                        double rad = qn > 0 ? fp[g] * y * q[a] * q[b] / qn : 0;
                        double ang = 0.5 * f[g] * (dy[a] * q[b] + dy[b] * q[a]);
                        sv[v] -= 2 * (rad + ang) * re;
                    }
                }
            }
        }
}

typedef struct nlbuf {
    double complex *B, *Z, *P, *W, *ph, *tab[3];
    double *y, *dy, *qn, *rad;
    int mmax[3];
    size_t ncol_max;  /* projector columns per batch of atoms */
    size_t nat_max;   /* atoms per batch */
} nlbuf;

static void nlbuf_free(nlbuf *w)
{
    al_free(w->B); al_free(w->Z); al_free(w->P); al_free(w->W); al_free(w->ph);
    al_free(w->tab[0]); al_free(w->y); al_free(w->dy); al_free(w->qn); al_free(w->rad);
}

static al_status nlbuf_alloc(const pw_system *sys, const pw_basis *b, size_t nb, nlbuf *w,
                             al_err *err)
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
    /*
     * Atoms are projected in batches so that Ψ is streamed through memory once per batch
     * rather than once per atom: up to 256 columns, and B and Z of at most 2^22 elements each
     * (64 MiB), but always at least one atom.
     */
    size_t budget = ((size_t)1 << 22) / (npwmax ? npwmax : 1);
    w->ncol_max = budget < 256 ? budget : 256;
    if (w->ncol_max < npmax) w->ncol_max = npmax;
    w->nat_max = w->ncol_max;
    if (w->nat_max > sys->n_atoms) w->nat_max = sys->n_atoms;
    if (w->nat_max == 0) w->nat_max = 1;
    w->B = al_malloc(w->ncol_max * npwmax * sizeof *w->B);
    w->Z = al_malloc(w->ncol_max * npwmax * sizeof *w->Z);
    w->P = al_malloc(w->ncol_max * nb * sizeof *w->P);
    w->W = al_malloc(w->ncol_max * nb * sizeof *w->W);
    w->ph = al_malloc(w->nat_max * npwmax * sizeof *w->ph);
    w->tab[0] = al_malloc(ntab * sizeof *w->tab[0]);
    w->y = al_malloc(npwmax * NLM * sizeof *w->y);
    w->dy = al_malloc(npwmax * NLM * 3 * sizeof *w->dy);
    w->qn = al_malloc(npwmax * sizeof *w->qn);
    w->rad = al_malloc(2 * sys->n_species * NLI * npwmax * sizeof *w->rad);
    if (!w->B || !w->Z || !w->P || !w->W || !w->ph || !w->tab[0] || !w->y || !w->dy ||
        !w->qn || !w->rad) {
        nlbuf_free(w);
        return al_fail(err, AL_ENOMEM,
                       "non-local forces: out of memory (%zu plane waves, %zu projectors)",
                       npwmax, npmax);
    }
    w->tab[1] = w->tab[0] + 2 * w->mmax[0] + 1;
    w->tab[2] = w->tab[1] + 2 * w->mmax[1] + 1;
    return AL_OK;
}

/* Atoms a0..a1−1 (nc projector columns) at one k-point: energy and derivatives, weight wk. */
static double batch(const pw_system *sys, const pw_kbasis *kb, const ktab *t, nlbuf *w,
                    const pw_kstate *ks, size_t nb, size_t a0, size_t a1, size_t nc, int mode,
                    double wk, double (*forces)[3], double sv[6])
{
    const double complex one = 1, zero = 0;
    int npw = (int)kb->npw;
    double e = 0;
    for (size_t a = a0, off = 0; a < a1; a++) {
        size_t sp = (size_t)sys->species[a];
        double complex *ph = w->ph + (a - a0) * kb->npw;
        atom_phase(sys, kb, sys->pos[a], w->tab, w->mmax, ph);
        build_projectors(&sys->psp[sp], sp, kb, t, ph, w->B + off * kb->npw);
        off += (size_t)pw_gth_nproj_total(&sys->psp[sp]);
    }
    cblas_zgemm(CblasColMajor, CblasConjTrans, CblasNoTrans, (int)nc, (int)nb, npw, &one, w->B,
                npw, ks->psi, npw, &zero, w->P, (int)nc);
    for (size_t a = a0, off = 0; a < a1; a++) {
        const pw_gth *p = &sys->psp[sys->species[a]];
        e += wk * weights(p, nc, nb, ks->occ, w->P + off, w->W + off);
        off += (size_t)pw_gth_nproj_total(p);
    }
    if (mode == MODE_ENERGY) return e;
    cblas_zgemm(CblasColMajor, CblasNoTrans, CblasTrans, npw, (int)nc, (int)nb, &one, ks->psi,
                npw, w->W, (int)nc, &zero, w->Z, npw);
    for (size_t a = a0, off = 0; a < a1; a++) {
        size_t sp = (size_t)sys->species[a];
        const pw_gth *p = &sys->psp[sp];
        size_t np = (size_t)pw_gth_nproj_total(p);
        const double complex *z = w->Z + off * kb->npw;
        if (mode == MODE_FORCES && forces) {
            double de[3];
            force_terms(kb, np, w->B + off * kb->npw, z, de);
            for (int c = 0; c < 3; c++) forces[a][c] -= wk * de[c];
        }
        if (mode == MODE_STRESS) {
            double d6[6] = {0};
            stress_terms(p, sp, kb, t, w->ph + (a - a0) * kb->npw, z, d6);
            for (int v = 0; v < 6; v++) sv[v] += wk * d6[v];
        }
        off += np;
    }
    return e;
}

/* Energy, and position or strain derivatives (mode), accumulated over k-points and atoms. */
static al_status nonlocal_work(const pw_system *sys, const pw_basis *b, const pw_state *st,
                               int mode, double *energy, double (*forces)[3], double s[3][3],
                               al_err *err)
{
    size_t nb = st->nbands;
    double e = 0, sv[6] = {0};
    nlbuf w;
    AL_TRY(err, nlbuf_alloc(sys, b, nb, &w, err));
    /* With spin, j runs over (spin, k) pairs; each channel is its own set of bands (f ≤ 1). */
    int ns = pw_state_nspin(st);
    for (size_t j = 0; j < b->nk * (size_t)ns && nb > 0; j++) {
        if (!pw_state_mine(st, j)) continue; /* another rank's pair (scf_state.h) */
        size_t k = j % b->nk;
        const pw_kbasis *kb = &b->k[k];
        ktab t = {w.y, w.dy, w.qn, w.rad, w.rad + sys->n_species * NLI * kb->npw};
        ktab_fill(sys, kb, mode, &t);
        for (size_t a0 = 0; a0 < sys->n_atoms;) {
            /* the batch: atoms a0..a1−1 with nc projector columns in all */
            size_t a1 = a0, nc = 0;
            while (a1 < sys->n_atoms && a1 - a0 < w.nat_max) {
                size_t np = (size_t)pw_gth_nproj_total(&sys->psp[sys->species[a1]]);
                if (nc + np > w.ncol_max && a1 > a0) break;
                nc += np;
                a1++;
            }
            if (nc > 0)
                e += batch(sys, kb, &t, &w, &st->k[j], nb, a0, a1, nc, mode, kb->weight, forces,
                           sv);
            a0 = a1;
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
