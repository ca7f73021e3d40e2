/*
 * Density from wavefunctions, and the SCF starting guesses (see density.h).
 */
#include "engines/dft/density.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/rng.h"
#include "engines/dft/basis.h"
#include "engines/dft/terms/term.h"

void pw_state_destroy(pw_state *s)
{
    if (!s) return;
    for (size_t k = 0; s->k && k < s->nk * (size_t)pw_state_nspin(s); k++) {
        al_free(s->k[k].psi);
        al_free(s->k[k].eig);
        al_free(s->k[k].occ);
        al_free(s->k[k].proj);
        al_free(s->k[k].resid);
    }
    for (size_t k = 0; s->nl && k < s->nk; k++) pw_nonlocal_fini(&s->nl[k]);
    al_free(s->k);
    al_free(s->nl);
    al_free(s->rho);
    al_free(s->vloc);
    al_free(s->vh);
    al_free(s->vxc);
    al_free(s->vsigma);
    al_free(s->veff);
    pw_fft_free(s->vloc_g);
    al_free(s);
}

al_status pw_state_create(const pw_system *sys, const pw_basis *b, size_t nbands, int nspin,
                          pw_state **out, al_err *err)
{
    *out = NULL;
    if (nspin != 1 && nspin != 2)
        return al_fail(err, AL_EINVAL, "nspin = %d: must be 1 or 2", nspin);
    pw_state *s = al_calloc(1, sizeof *s);
    if (!s) return al_fail(err, AL_ENOMEM, "SCF state: out of memory");
    size_t ns = (size_t)nspin, nks = ns * b->nk;
    s->nk = b->nk;
    s->nbands = nbands;
    s->nspin = nspin;
    s->k = al_calloc(nks, sizeof *s->k);
    s->nl = al_calloc(b->nk, sizeof *s->nl);
    size_t nf = b->nfft;
    s->rho = al_calloc(ns * nf, sizeof *s->rho);
    s->mag = nspin == 2 && s->rho ? s->rho + nf : NULL;
    s->vloc = al_calloc(nf, sizeof *s->vloc);
    s->vh = al_calloc(nf, sizeof *s->vh);
    s->vxc = al_calloc(ns * nf, sizeof *s->vxc);
    s->veff = al_calloc(ns * nf, sizeof *s->veff);
    s->vloc_g = pw_fft_alloc(nf);
    bool ok = s->k && s->nl && s->rho && s->vloc && s->vh && s->vxc && s->veff && s->vloc_g;
    for (size_t k = 0; ok && k < nks; k++) {
        size_t npw = b->k[k % b->nk].npw;
        pw_kstate *ks = &s->k[k];
        ks->nbands = nbands;
        ks->psi = al_calloc(npw * nbands, sizeof *ks->psi);
        ks->eig = al_calloc(nbands, sizeof *ks->eig);
        ks->occ = al_calloc(nbands, sizeof *ks->occ);
        ks->resid = al_calloc(nbands, sizeof *ks->resid);
        ok = ks->psi && ks->eig && ks->occ && ks->resid;
    }
    al_status st = AL_OK;
    if (!ok) st = al_fail(err, AL_ENOMEM, "SCF state: out of memory");
    for (size_t k = 0; !st && k < b->nk; k++)
        st = pw_nonlocal_build(sys, &b->k[k], &s->nl[k], err);
    for (size_t k = 0; !st && k < nks; k++) {
        s->k[k].proj = al_calloc(s->nl[k % b->nk].nproj * nbands + 1, sizeof *s->k[k].proj);
        if (!s->k[k].proj) st = al_fail(err, AL_ENOMEM, "SCF state: out of memory");
    }
    if (st) {
        pw_state_destroy(s);
        return st;
    }
    *out = s;
    return AL_OK;
}

void pw_state_set_comm(pw_state *s, const al_comm *comm)
{
    s->comm = comm;
    s->rank = comm ? al_comm_rank(comm) : 0;
    s->nranks = comm ? al_comm_size(comm) : 1;
}

/* Adds the bands of (spin, k) pair j, √f-weighted, to slab (FFT slab order): two real bands per
 * transform at Γ (|√f_a ψ_a + i √f_b ψ_b|² = f_a ψ_a² + f_b ψ_b²), else one. */
static void add_pair(const pw_system *sys, const pw_basis *b, const pw_state *s, size_t j,
                     double *slab, double complex *box)
{
    const pw_kbasis *kb = &b->k[j % b->nk];
    const pw_kstate *ks = &s->k[j];
    for (size_t n = 0; n < ks->nbands; n++) {
        double f = kb->weight * ks->occ[n] / sys->omega;
        if (f == 0.0) continue;
        size_t n2 = n + 1;
        double f2 = n2 < ks->nbands ? kb->weight * ks->occ[n2] / sys->omega : 0.0;
        double sa = sqrt(f), sb = kb->minus && f2 > 0.0 ? sqrt(f2) : 0.0;
        const double complex *ca = ks->psi + n * kb->npw, *cb = ks->psi + n2 * kb->npw;
        pw_fft_clear_box(b->fft, box);
        if (sb > 0.0) {
            for (size_t g = 0; g < kb->npw; g++) box[kb->fft_index[g]] = sa * ca[g] + I * sb * cb[g];
            n = n2;
        } else {
            for (size_t g = 0; g < kb->npw; g++) box[kb->fft_index[g]] = sa * ca[g];
        }
        pw_fft_sphere_add_density(b->fft, box, slab);
    }
}

void pw_density_from_psi(const pw_system *sys, const pw_basis *b, const pw_state *s,
                         double *rho, double complex *box, double *slab)
{
    size_t nf = b->nfft;
    int ns = pw_state_nspin(s);
    memset(rho, 0, (size_t)ns * nf * sizeof *rho);
    for (size_t j = 0; j < (size_t)ns * b->nk; j++) {
        if (!pw_state_mine(s, j)) continue;
        memset(slab, 0, nf * sizeof *slab);
        add_pair(sys, b, s, j, slab, box);
        pw_fft_slab_add_to_grid(b->fft, slab, 1.0, rho);
        /* spin up adds to both ρ and m, spin down to ρ and −m */
        if (ns == 2) pw_fft_slab_add_to_grid(b->fft, slab, j < b->nk ? 1.0 : -1.0, rho + nf);
    }
}

/* The Fourier transform of an atom's unit Gaussian guess density, exp(−G²σ²/2), with a width
 * from its local pseudopotential radius. */
static double gaussian_ft(const pw_gth *p, double g2)
{
    double sig = fmax(2.0 * p->rloc, 0.6);
    return exp(-0.5 * g2 * sig * sig);
}

/* Σ_a q_a exp(−G²σ_a²/2) e^{−iG·R_a}/Ω over the density sphere, to real space in box. */
static void gaussians(const pw_system *sys, const pw_basis *b, const double *q,
                      double complex *box)
{
    size_t nf = b->nfft;
    for (size_t i = 0; i < nf; i++) {
        box[i] = 0.0;
        if (i != 0 && !b->in_sphere[i]) continue;
        const double *g = b->gvec[i];
        double complex sum = 0.0;
        for (size_t a = 0; a < sys->n_atoms; a++) {
            const pw_gth *p = &sys->psp[sys->species[a]];
            double ph = g[0] * sys->pos[a][0] + g[1] * sys->pos[a][1] + g[2] * sys->pos[a][2];
            double qa = q ? q[a] : p->zion;
            sum += qa * gaussian_ft(p, b->g2[i]) * (cos(ph) - I * sin(ph));
        }
        box[i] = sum / sys->omega;
    }
    pw_fft_backward(b->fft, box);
}

void pw_density_move_atoms(const pw_system *prev, const pw_system *sys, const pw_basis *b,
                           double *rho, double complex *box)
{
    size_t nf = b->nfft;
    for (size_t i = 0; i < nf; i++) {
        box[i] = 0.0;
        if (!b->in_sphere[i]) continue; /* G = 0: both superpositions hold N_el */
        const double *g = b->gvec[i];
        double complex sum = 0.0;
        for (size_t a = 0; a < sys->n_atoms; a++) {
            const pw_gth *p = &sys->psp[sys->species[a]];
            double ph = g[0] * sys->pos[a][0] + g[1] * sys->pos[a][1] + g[2] * sys->pos[a][2];
            double ph0 = g[0] * prev->pos[a][0] + g[1] * prev->pos[a][1] + g[2] * prev->pos[a][2];
            sum += p->zion * gaussian_ft(p, b->g2[i]) *
                   ((cos(ph) - I * sin(ph)) - (cos(ph0) - I * sin(ph0)));
        }
        box[i] = sum / sys->omega;
    }
    pw_fft_backward(b->fft, box);
    for (size_t i = 0; i < nf; i++) rho[i] += creal(box[i]);
}

void pw_density_guess(const pw_system *sys, const pw_basis *b, double *rho, double complex *box)
{
    size_t nf = b->nfft;
    gaussians(sys, b, NULL, box);
    double tot = 0.0;
    for (size_t i = 0; i < nf; i++) {
        rho[i] = creal(box[i]) > 0.0 ? creal(box[i]) : 0.0;
        tot += rho[i];
    }
    tot *= sys->omega / (double)nf;
    for (size_t i = 0; i < nf; i++) rho[i] *= sys->n_electrons / tot;
}

void pw_magnetization_guess(const pw_system *sys, const pw_basis *b, const double *rho,
                            double *mag, double complex *box)
{
    size_t nf = b->nfft;
    memset(mag, 0, nf * sizeof *mag);
    if (!sys->magmom) return;
    /* The same Gaussians with charges m_a, scaled as ρ was (∫ρ = N_el), so each atom's
     * density splits as (Z ± m)/2 between the channels; |m| ≤ ρ keeps both non-negative. */
    gaussians(sys, b, NULL, box);
    double tot = 0.0;
    for (size_t i = 0; i < nf; i++) tot += creal(box[i]) > 0.0 ? creal(box[i]) : 0.0;
    double scale = sys->n_electrons / (tot * sys->omega / (double)nf);
    gaussians(sys, b, sys->magmom, box);
    for (size_t i = 0; i < nf; i++) {
        double m = creal(box[i]) * scale;
        mag[i] = fmax(-rho[i], fmin(rho[i], m));
    }
}

void pw_psi_guess(const pw_basis *b, pw_state *s, unsigned long seed)
{
    /* Both spin channels start from the same vectors: with no magnetisation they then stay
     * identical and the run reproduces the spin-degenerate one. */
    for (size_t j = 0; j < (size_t)pw_state_nspin(s) * b->nk; j++) {
        size_t k = j % b->nk;
        al_rng rng;
        al_rng_seed(&rng, seed, k);
        const pw_kbasis *kb = &b->k[k];
        for (size_t n = 0; n < s->nbands; n++)
            for (size_t g = 0; g < kb->npw; g++) {
                double damp = 1.0 / ((1.0 + 2.0 * kb->kin[g]) * (1.0 + 2.0 * kb->kin[g]));
                double re = al_rng_uniform(&rng) - 0.5, im = al_rng_uniform(&rng) - 0.5;
                s->k[j].psi[n * kb->npw + g] = damp * (re + I * im);
            }
    }
}
