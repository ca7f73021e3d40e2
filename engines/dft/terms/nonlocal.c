/*
 * Separable non-local GTH/HGH pseudopotential (Hartwigsen, Goedecker, Hutter, PRB 58, 3641
 * (1998), eqs. 2–4): V_nl = Σ_a Σ_lm Σ_ij |β_almi⟩ h^l_ij ⟨β_almj|, with (gth.h)
 *   ⟨k+G|β_almi⟩ = (−i)^l p^l_i(|k+G|) Y_lm(k+G) e^{−i(k+G)·R_a} / √Ω.
 * Applied as two matrix products: P = β^H ψ, then Hψ += β (D P), with D block diagonal.
 */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "engines/dft/terms/term.h"
#include "engines/dft/ylm_real.h"

void pw_nonlocal_fini(pw_nonlocal_k *nl)
{
    if (!nl) return;
    al_free(nl->beta);
    al_free(nl->d);
    al_free(nl->atom);
    al_free(nl->l);
    al_free(nl->m);
    al_free(nl->i);
    memset(nl, 0, sizeof *nl);
}

al_status pw_nonlocal_build(const pw_system *sys, const pw_kbasis *kb, pw_nonlocal_k *nl,
                            al_err *err)
{
    memset(nl, 0, sizeof *nl);
    size_t np = 0;
    for (size_t a = 0; a < sys->n_atoms; a++)
        np += (size_t)pw_gth_nproj_total(&sys->psp[sys->species[a]]);
    nl->nproj = np;
    if (np == 0) return AL_OK;
    size_t npw = kb->npw;
    nl->beta = al_malloc(npw * np * sizeof *nl->beta);
    nl->d = al_calloc(np * np, sizeof *nl->d);
    nl->atom = al_malloc(np * sizeof(int));
    nl->l = al_malloc(np * sizeof(int));
    nl->m = al_malloc(np * sizeof(int));
    nl->i = al_malloc(np * sizeof(int));
    double *radial = al_malloc(npw * sizeof *radial);
    double *ylm = al_malloc(7 * npw * sizeof *ylm);
    double complex *phase = al_malloc(npw * sizeof *phase);
    if (!nl->beta || !nl->d || !nl->atom || !nl->l || !nl->m || !nl->i || !radial || !ylm ||
        !phase) {
        al_free(radial); al_free(ylm); al_free(phase);
        pw_nonlocal_fini(nl);
        return al_fail(err, AL_ENOMEM, "non-local projectors: out of memory");
    }
    double norm = 1.0 / sqrt(sys->omega);
    size_t j = 0;
    for (size_t a = 0; a < sys->n_atoms; a++) {
        const pw_gth *p = &sys->psp[sys->species[a]];
        for (size_t g = 0; g < npw; g++) {
            const double *v = kb->kpg[g];
            double ph = v[0] * sys->pos[a][0] + v[1] * sys->pos[a][1] + v[2] * sys->pos[a][2];
            phase[g] = (cos(ph) - I * sin(ph)) * norm;
        }
        for (int l = 0; l < p->n_l; l++) {
            if (p->n_proj[l] == 0) continue;
            for (size_t g = 0; g < npw; g++) pw_ylm_real(l, kb->kpg[g], ylm + 7 * g);
            double complex il = l == 0 ? 1.0 : l == 1 ? -I : l == 2 ? -1.0 : I;
            size_t first = j; /* projectors of (a, l): index first + i·(2l+1) + (m+l) */
            for (int i = 0; i < p->n_proj[l]; i++) {
                for (size_t g = 0; g < npw; g++)
                    radial[g] = pw_gth_proj_q(p, l, i, sqrt(2.0 * kb->kin[g]));
                for (int m = -l; m <= l; m++, j++) {
                    double complex *col = nl->beta + j * npw;
                    for (size_t g = 0; g < npw; g++)
                        col[g] = il * radial[g] * ylm[7 * g + (size_t)(m + l)] * phase[g];
                    nl->atom[j] = (int)a;
                    nl->l[j] = l;
                    nl->m[j] = m;
                    nl->i[j] = i;
                }
            }
            for (int i1 = 0; i1 < p->n_proj[l]; i1++)
                for (int i2 = 0; i2 < p->n_proj[l]; i2++)
                    for (int m = 0; m < 2 * l + 1; m++) {
                        size_t r = first + (size_t)i1 * (2 * l + 1) + m;
                        size_t c = first + (size_t)i2 * (2 * l + 1) + m;
                        nl->d[r * np + c] = p->h[l][i1][i2];
                    }
        }
    }
    al_free(radial); al_free(ylm); al_free(phase);
    return AL_OK;
}

al_status pw_nonlocal_apply(const pw_nonlocal_k *nl, size_t npw, size_t nb,
                            const double complex *psi, double complex *hpsi,
                            double complex *proj, al_err *err)
{
    return pw_nonlocal_apply_work(nl, npw, nb, psi, hpsi, proj, NULL, err);
}

al_status pw_nonlocal_apply_work(const pw_nonlocal_k *nl, size_t npw, size_t nb,
                                 const double complex *psi, double complex *hpsi,
                                 double complex *proj, double complex *work, al_err *err)
{
    size_t np = nl->nproj;
    if (np == 0 || nb == 0) return AL_OK;
    double complex *p = work ? work : al_malloc(2 * np * nb * sizeof *p);
    if (!p) return al_fail(err, AL_ENOMEM, "non-local projectors: out of memory");
    double complex *q = p + np * nb;
    const double complex one = 1.0, zero = 0.0;
    cblas_zgemm(CblasColMajor, CblasConjTrans, CblasNoTrans, (int)np, (int)nb, (int)npw, &one,
                nl->beta, (int)npw, psi, (int)npw, &zero, p, (int)np);
    for (size_t n = 0; n < nb; n++)
        for (size_t r = 0; r < np; r++) {
            double complex s = 0.0;
            const double *drow = nl->d + r * np;
            for (size_t c = 0; c < np; c++)
                if (drow[c] != 0.0) s += drow[c] * p[n * np + c];
            q[n * np + r] = s;
        }
    if (hpsi)
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)npw, (int)nb, (int)np, &one,
                    nl->beta, (int)npw, q, (int)np, &one, hpsi, (int)npw);
    if (proj) memcpy(proj, p, np * nb * sizeof *p);
    if (!work) al_free(p);
    return AL_OK;
}

double pw_nonlocal_band_energy(const pw_nonlocal_k *nl, size_t nb, const double complex *proj,
                               const double *occ)
{
    size_t np = nl->nproj;
    double e = 0.0;
    for (size_t n = 0; n < nb; n++) {
        if (occ[n] == 0.0) continue;
        const double complex *p = proj + n * np;
        double en = 0.0;
        for (size_t r = 0; r < np; r++)
            for (size_t c = 0; c < np; c++)
                if (nl->d[r * np + c] != 0.0) en += nl->d[r * np + c] * creal(conj(p[r]) * p[c]);
        e += occ[n] * en;
    }
    return e;
}
