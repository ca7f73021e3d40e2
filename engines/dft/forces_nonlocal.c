/*
 * Non-local (separable GTH/HGH) energy, forces and stress. The projectors of each atom are
 * built here at every k-point from gth.h and ylm_real.h,
 *   β_lmi(q) = f_li(|q|) Y_lm(q) e^{−iq·R}/√Ω,  q = k+G   (the (−i)^l phase dropped),
 * and projected on the bands with one ZGEMM per atom and derivative (P = Bᴴ Ψ). Derivatives
 * (formulas in forces.h and stress.h):
 *   ∂β/∂R_c  = −i q_c β
 *   ∂β/∂ε_ab = −½ δ_ab β − [f'(q) Y q_a q_b/|q| + ½ f (∂_aY q_b + ∂_bY q_a)] e^{−iq·R}/√Ω
 * (the symmetrised strain derivative: E_nl is rotation invariant per (l, i, j) block, so the
 * antisymmetric part vanishes). Kleinman and Bylander, PRL 48, 1425 (1982) for the separable
 * form; Nielsen and Martin, PRB 32, 3780 (1985) for the stress.
 */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "engines/dft/forces.h"
#include "engines/dft/stress.h"
#include "engines/dft/ylm_real.h"

enum { NDER = 9 }; /* 3 position + 6 strain derivatives (xx yy zz yz xz xy) */
static const int VOIGT[6][2] = {{0, 0}, {1, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}};

/* Column index of projector (l, i, m) among the atom's projectors, order l, i, m. */
static int proj_col(const pw_gth *p, int l, int i, int m)
{
    int c = 0;
    for (int ll = 0; ll < l; ll++) c += (2 * ll + 1) * p->n_proj[ll];
    return c + i * (2 * l + 1) + m;
}

/*
 * Projector columns of atom a at k-point kb into B (npw × np, column-major) and, when
 * nder > 0, the derivatives into D + d·npw·np (d < 3: position, d ≥ 3: strain, Voigt order).
 */
static void build_projectors(const pw_system *sys, const pw_kbasis *kb, size_t a, int nder,
                             double complex *B, double complex *D)
{
    const pw_gth *p = &sys->psp[sys->species[a]];
    const double *R = sys->pos[a];
    size_t npw = kb->npw, np = (size_t)pw_gth_nproj_total(p);
    double inv_sqrt_omega = 1 / sqrt(sys->omega);
    for (size_t g = 0; g < npw; g++) {
        const double *q = kb->kpg[g];
        double qn = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
        double ph = -(q[0] * R[0] + q[1] * R[1] + q[2] * R[2]);
        double complex e = (cos(ph) + I * sin(ph)) * inv_sqrt_omega;
        for (int l = 0; l < p->n_l; l++) {
            double y[7], dy[7][3];
            pw_ylm_real_grad(l, q, y, dy);
            for (int i = 0; i < p->n_proj[l]; i++) {
                double f = pw_gth_proj_q(p, l, i, qn);
                double fp = nder > 3 ? pw_gth_proj_dq(p, l, i, qn) : 0;
                for (int m = 0; m < 2 * l + 1; m++) {
                    size_t col = (size_t)proj_col(p, l, i, m);
                    double complex beta = f * y[m] * e;
                    B[col * npw + g] = beta;
                    for (int d = 0; d < nder && d < 3; d++)
                        D[((size_t)d * np + col) * npw + g] = -I * q[d] * beta;
                    for (int v = 0; v + 3 < nder; v++) {
                        int s = VOIGT[v][0], t = VOIGT[v][1];
                        double rad = qn > 0 ? fp * y[m] * q[s] * q[t] / qn : 0;
                        double ang = 0.5 * f * (dy[m][s] * q[t] + dy[m][t] * q[s]);
                        D[((size_t)(3 + v) * np + col) * npw + g] = -(rad + ang) * e;
                    }
                }
            }
        }
    }
}

/* Σ_n f_n Σ_{l,m,i,j} h^l_ij conj(P_(lim),n) X_(ljm),n  (P, X: np × nb column-major). */
static double complex contract(const pw_gth *p, size_t np, size_t nb, const double *occ,
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
                        sn += p->h[l][i][j] * conj(P[n * np + (size_t)proj_col(p, l, i, m)]) *
                              X[n * np + (size_t)proj_col(p, l, j, m)];
        s += occ[n] * sn;
    }
    return s;
}

/* Energy, and position (nder = 3) or strain (nder = 9) derivatives accumulated per atom. */
static al_status nonlocal_work(const pw_system *sys, const pw_basis *b, const pw_state *st,
                               int nder, double *energy, double (*forces)[3], double s[3][3],
                               al_err *err)
{
    size_t npmax = 0, npwmax = 0, nb = st->nbands;
    for (size_t sp = 0; sp < sys->n_species; sp++) {
        size_t np = (size_t)pw_gth_nproj_total(&sys->psp[sp]);
        if (np > npmax) npmax = np;
    }
    for (size_t k = 0; k < b->nk; k++)
        if (b->k[k].npw > npwmax) npwmax = b->k[k].npw;
    double e = 0, sv[6] = {0};
    if (npmax == 0 || nb == 0) goto out;
    size_t nbuf = (size_t)(1 + nder) * npmax;
    double complex *B = al_malloc(nbuf * npwmax * sizeof *B);
    double complex *P = al_malloc(nbuf * nb * sizeof *P);
    double complex *blk = al_malloc(nbuf * nb * sizeof *blk);
    if (!B || !P || !blk) {
        al_free(B);
        al_free(P);
        al_free(blk);
        return al_fail(err, AL_ENOMEM, "non-local forces: out of memory (%zu plane waves, %zu projectors)", npwmax, npmax);
    }
    const double complex one = 1, zero = 0;
    for (size_t k = 0; k < b->nk; k++) {
        const pw_kbasis *kb = &b->k[k];
        const double *occ = st->k[k].occ;
        double w = kb->weight;
        for (size_t a = 0; a < sys->n_atoms; a++) {
            const pw_gth *p = &sys->psp[sys->species[a]];
            size_t np = (size_t)pw_gth_nproj_total(p);
            if (np == 0) continue;
            size_t ncol = (size_t)(1 + nder) * np;
            build_projectors(sys, kb, a, nder, B, B + np * kb->npw);
            cblas_zgemm(CblasColMajor, CblasConjTrans, CblasNoTrans, (int)ncol, (int)nb,
                        (int)kb->npw, &one, B, (int)kb->npw, st->k[k].psi, (int)kb->npw,
                        &zero, P, (int)ncol);
            /* P holds ncol × nb; split it into the (1+nder) blocks of np rows. */
            for (int d = 0; d <= nder; d++)
                for (size_t n = 0; n < nb; n++)
                    memcpy(blk + ((size_t)d * nb + n) * np, P + n * ncol + (size_t)d * np,
                           np * sizeof *blk);
            double ea = creal(contract(p, np, nb, occ, blk, blk));
            e += w * ea;
            for (int d = 0; d < nder && d < 3; d++)
                if (forces)
                    forces[a][d] -= w * 2 * creal(contract(p, np, nb, occ, blk, blk + (size_t)(1 + d) * nb * np));
            for (int v = 0; v + 3 < nder; v++)
                sv[v] += w * 2 * creal(contract(p, np, nb, occ, blk, blk + (size_t)(4 + v) * nb * np));
        }
    }
    al_free(B);
    al_free(P);
    al_free(blk);
out:
    if (energy) *energy = e;
    if (s) {
        for (int v = 0; v < 6; v++) {
            int i = VOIGT[v][0], j = VOIGT[v][1];
            s[i][j] = s[j][i] = sv[v] - (i == j) * e;
        }
    }
    return AL_OK;
}

al_status pw_nonlocal_energy_forces(const pw_system *sys, const pw_basis *b,
                                    const pw_state *st, double *energy, double (*forces)[3],
                                    al_err *err)
{
    AL_TRY(err, nonlocal_work(sys, b, st, forces ? 3 : 0, energy, forces, NULL, err));
    return AL_OK;
}

al_status pw_stress_nonlocal(const pw_system *sys, const pw_basis *b, const pw_state *st,
                             double s[3][3], al_err *err)
{
    AL_TRY(err, nonlocal_work(sys, b, st, 9, NULL, NULL, s, err));
    return AL_OK;
}
