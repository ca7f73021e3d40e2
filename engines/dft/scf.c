/*
 * SCF loop (see scf.h). Eigensolver accuracy follows the SCF: each step asks for residuals
 * below 1/100 of the current density residual (bounded to [1e-11, 1e-3] Ha), with at most 3
 * Davidson blocks (4 LOBPCG iterations) per step, the first step (random start vectors)
 * included: as with ABINIT's nline, cheap inexact steps converge the whole fixed point faster
 * (Si64 with Davidson: 3 blocks per step took 14 SCF steps and 35 s, 4 blocks 14 steps and
 * 44 s, 2 blocks 24 steps). A looser coupling (1/10) lets Si8 on a 2×2×2 grid stall with a
 * degenerate Γ level half occupied, and a tightly converged Si2 stall at 1e-8.
 */
#include "engines/dft/scf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "engines/dft/density.h"
#include "engines/dft/ewald.h"
#include "engines/dft/hamiltonian.h"
#include "engines/dft/davidson.h"
#include "engines/dft/lobpcg.h"

void pw_scf_diag_fini(pw_scf_diag *d)
{
    if (!d) return;
    al_free(d->residual_hist);
    al_free(d->energy_hist);
    d->residual_hist = d->energy_hist = NULL;
    d->n_hist = 0;
}

typedef struct work {
    double complex *box, *xcwork, *rho_g;
    double *rho_out, *vh2, *vxc2, *next, *eigall, *occall, *wk;
    double *veff_slab;     /* nspin × nfft: v_eff in the FFT's slab order, for H */
    double *rho_slab;      /* nfft: one channel's density in slab order, while it is summed */
    double complex *nl_work; /* 2·nproj·nbands: H's non-local projections off Γ */
    size_t nk;
    pw_xc *xc;
    pw_mixer *mix;
    pw_ham_real *real;     /* nk: the packed real form of each Γ k-point's H, made once */
    bool *has_real;        /* nk */
    pw_davidson_ws *dav;   /* the band solver's workspace, for every k-point and step */
} work;

static void work_free(work *w)
{
    pw_fft_free(w->box);
    pw_fft_free(w->xcwork);
    pw_fft_free(w->rho_g);
    al_free(w->rho_out); al_free(w->vh2); al_free(w->vxc2); al_free(w->next);
    al_free(w->eigall); al_free(w->occall); al_free(w->wk); al_free(w->veff_slab); al_free(w->rho_slab);
    al_free(w->nl_work);
    pw_xc_destroy(w->xc);
    pw_mixer_destroy(w->mix);
    for (size_t k = 0; w->real && k < w->nk; k++)
        if (w->has_real[k]) pw_ham_real_fini(&w->real[k]);
    al_free(w->real);
    al_free(w->has_real);
    pw_davidson_ws_destroy(w->dav);
}

/* What stays fixed during the SCF: the real form of H's kinetic and non-local parts at Γ, and
 * the band solver's workspace (no allocation inside the loop). */
static al_status solver_alloc(const pw_basis *b, const pw_scf_opts *o, pw_state *s, work *w,
                              al_err *err)
{
    w->nk = b->nk;
    w->real = al_calloc(b->nk, sizeof *w->real);
    w->has_real = al_calloc(b->nk, sizeof *w->has_real);
    if (!w->real || !w->has_real) return al_fail(err, AL_ENOMEM, "SCF: out of memory");
    size_t npw_max = 0, np_max = 0;
    for (size_t k = 0; k < b->nk; k++) {
        if (!b->k[k].minus) {
            if (b->k[k].npw > npw_max) npw_max = b->k[k].npw;
            if (s->nl[k].nproj > np_max) np_max = s->nl[k].nproj;
            continue;
        }
        pw_ham h = {b, &b->k[k], &s->nl[k], NULL, NULL, NULL, NULL, 0};
        AL_TRY(err, pw_ham_real_init(&h, &w->real[k], err));
        w->has_real[k] = true;
        AL_TRY(err, pw_ham_real_reserve(&w->real[k], s->nbands, err));
        if (w->real[k].n / 2 > npw_max) npw_max = w->real[k].n / 2; /* packed: half the length */
    }
    if (np_max > 0 && !(w->nl_work = al_malloc(2 * np_max * s->nbands * sizeof *w->nl_work)))
        return al_fail(err, AL_ENOMEM, "SCF: out of memory");
    if (o->eigensolver == PW_EIG_LOBPCG) return AL_OK;
    return pw_davidson_ws_create(npw_max, s->nbands, &w->dav, err);
}

static al_status work_alloc(const pw_basis *b, const pw_scf_opts *o, size_t nb, int ns, work *w,
                            al_err *err)
{
    size_t nf = b->nfft, nsf = (size_t)ns * nf;
    memset(w, 0, sizeof *w);
    w->box = pw_fft_alloc(nf);
    w->xcwork = pw_fft_alloc(4 * nf);
    w->rho_g = pw_fft_alloc(nf);
    w->rho_out = al_malloc(nsf * sizeof(double));
    w->vh2 = al_malloc(nf * sizeof(double));
    w->vxc2 = al_malloc(nsf * sizeof(double));
    w->next = al_malloc(nsf * sizeof(double));
    w->eigall = al_malloc((size_t)ns * b->nk * nb * sizeof(double));
    w->occall = al_malloc((size_t)ns * b->nk * nb * sizeof(double));
    w->wk = al_malloc(b->nk * sizeof(double));
    w->veff_slab = al_malloc(nsf * sizeof(double));
    w->rho_slab = al_malloc(nf * sizeof(double));
    if (!w->box || !w->xcwork || !w->rho_g || !w->rho_out || !w->vh2 || !w->vxc2 || !w->next ||
        !w->eigall || !w->occall || !w->wk || !w->veff_slab ||
        !w->rho_slab)
        return al_fail(err, AL_ENOMEM, "SCF: out of memory");
    AL_TRY(err, pw_xc_create_spin(o->xc, ns, &w->xc, err));
    AL_TRY(err, pw_mixer_create_spin(&o->mix, nf, ns, &w->mix, err));
    return AL_OK;
}

static void to_g(const pw_basis *b, const double *f, double complex *g)
{
    for (size_t i = 0; i < b->nfft; i++) g[i] = f[i];
    pw_fft_forward(b->fft, g);
}

/* Hartree and XC potentials of rho (with spin: ρ then m) into vh, vxc (per spin channel),
 * with their energies. */
static al_status potentials(const pw_system *sys, const pw_basis *b, work *w, const double *rho,
                            double *vh, double *vxc, double *vsigma, double *eh, double *exc,
                            al_err *err)
{
    to_g(b, rho, w->rho_g);
    pw_hartree(sys, b, w->rho_g, vh, eh, w->box);
    if (pw_xc_nspin(w->xc) == 2)
        AL_TRY(err, pw_xc_eval_spin(w->xc, sys, b, rho, rho + b->nfft, vxc, vsigma, exc, err));
    else
        AL_TRY(err, pw_xc_eval(w->xc, sys, b, rho, vxc, vsigma, exc, w->xcwork, err));
    return AL_OK;
}

/* v_eff,σ = v_loc + v_H + v_xc,σ for each spin channel. */
static void effective_potential(const pw_basis *b, pw_state *s)
{
    size_t nf = b->nfft;
    for (size_t sp = 0; sp < (size_t)pw_state_nspin(s); sp++)
        for (size_t i = 0; i < nf; i++)
            s->veff[sp * nf + i] = s->vloc[i] + s->vh[i] + s->vxc[sp * nf + i];
}

static al_status eigensolve(const pw_basis *b, pw_state *s, work *w, double tol, int maxiter,
                            double *max_resid, al_err *err)
{
    *max_resid = 0.0;
    al_status st = AL_OK;
    for (size_t j = 0; j < (size_t)pw_state_nspin(s) * b->nk && !st; j++) {
        if (!pw_state_mine(s, j)) continue; /* another rank's (scf_state.h) */
        size_t k = j % b->nk;
        size_t off = (j / b->nk) * b->nfft; /* the spin channel's potential */
        pw_ham h = {b, &b->k[k], &s->nl[k], s->veff + off, w->box, w->veff_slab + off,
                    w->nl_work, s->nbands};
        int it;
        pw_kstate *ks = &s->k[j];
        /* Bands that decide convergence: the occupied ones of the previous step and one more
         * (all bands before occupations exist). */
        size_t nconv = 0;
        for (size_t n = 0; n < s->nbands; n++)
            if (ks->occ[n] > 1e-10) nconv = n + 1;
        nconv = nconv == 0 || nconv >= s->nbands ? s->nbands : nconv + 1;
        if (w->dav)
            st = pw_davidson(&h, w->has_real[k] ? &w->real[k] : NULL, w->dav, s->nbands, nconv,
                             ks->psi, ks->eig, ks->resid, tol, maxiter, &it, err);
        else
            st = pw_lobpcg(&h, s->nbands, nconv, ks->psi, ks->eig, ks->resid, tol, maxiter, &it, err);
        for (size_t n = 0; n < nconv && !st; n++)
            if (ks->resid[n] > *max_resid) *max_resid = ks->resid[n];
    }
    st = pw_state_agree(s, st, err);
    if (!st && s->comm && s->nranks > 1) st = al_comm_max(s->comm, max_resid, 1, err);
    return st ? AL_TRACE(err) : AL_OK;
}

static al_status occupy(const pw_system *sys, const pw_basis *b, const pw_scf_opts *o,
                        pw_state *s, work *w, al_err *err)
{
    size_t nb = s->nbands, nks = (size_t)pw_state_nspin(s) * b->nk;
    for (size_t k = 0; k < b->nk; k++) w->wk[k] = b->k[k].weight;
    /* every rank gets every eigenvalue, so that all find the same occupations */
    for (size_t j = 0; j < nks; j++)
        for (size_t n = 0; n < nb; n++)
            w->eigall[j * nb + n] = pw_state_mine(s, j) ? s->k[j].eig[n] : 0.0;
    AL_TRY(err, pw_state_reduce(s, w->eigall, nks * nb, err));
    for (size_t j = 0; j < nks; j++) memcpy(s->k[j].eig, w->eigall + j * nb, nb * sizeof(double));
    AL_TRY(err, pw_occupations_spin(o->smearing, o->smear_width, sys->n_electrons,
                                    pw_state_nspin(s), b->nk, w->wk, nb, w->eigall, w->occall,
                                    &s->fermi, &s->e.entropy, err));
    for (size_t j = 0; j < nks; j++) memcpy(s->k[j].occ, w->occall + j * nb, nb * sizeof(double));
    return AL_OK;
}

/* Kinetic and non-local energies of the current wavefunctions from the wavefunctions
 * themselves (their projections on the non-local projectors): the terms reported at the end. */
static al_status kinetic_nonlocal(const pw_basis *b, pw_state *s, work *w, double *kin,
                                  double *nl, al_err *err)
{
    double part[2] = {pw_kinetic_energy(b, s), 0.0}; /* this rank's pairs */
    al_status st = AL_OK;
    for (size_t j = 0; j < (size_t)pw_state_nspin(s) * b->nk && !st; j++) {
        if (!pw_state_mine(s, j)) continue;
        size_t k = j % b->nk;
        const pw_kbasis *kb = &b->k[k];
        if (w->has_real[k]) { /* Γ: real projections by a packed real product */
            pw_ham h = {b, kb, &s->nl[k], NULL, NULL, NULL, NULL, 0};
            pw_ham_real hr = w->real[k];
            hr.h = &h;
            st = pw_ham_real_project(&hr, s->nbands, s->k[j].psi, s->k[j].proj, err);
        } else {
            st = pw_nonlocal_apply(&s->nl[k], kb->npw, s->nbands, s->k[j].psi, NULL,
                                   s->k[j].proj, err);
        }
        if (!st)
            part[1] += kb->weight * pw_nonlocal_band_energy(&s->nl[k], s->nbands, s->k[j].proj,
                                                            s->k[j].occ);
    }
    AL_TRY(err, pw_state_agree(s, st, err));
    AL_TRY(err, pw_state_reduce(s, part, 2, err));
    *kin = part[0];
    *nl = part[1];
    return AL_OK;
}

/*
 * The same sum, kinetic plus non-local, from the eigenvalues (the band-structure energy less
 * the effective potential's part; Payne et al., Rev. Mod. Phys. 64, 1045 (1992), eq. 5.7):
 * Σ f ε = Σ f ⟨ψ|T + V_nl + v_eff|ψ⟩, and the last term is ∫ v_eff ρ_out on the grid, exactly,
 * since ε are the Rayleigh quotients of the returned bands for the v_eff they were solved
 * with. Costs nothing: every rank holds every eigenvalue, occupation and the density.
 */
static double kinetic_nonlocal_from_eigenvalues(const pw_system *sys, const pw_basis *b,
                                                const pw_state *s, const double *rho_out)
{
    int ns = pw_state_nspin(s);
    double band = 0.0;
    for (size_t j = 0; j < (size_t)ns * b->nk; j++)
        for (size_t n = 0; n < s->nbands; n++)
            band += b->k[j % b->nk].weight * s->k[j].occ[n] * s->k[j].eig[n];
    size_t nf = b->nfft;
    double pot = 0.0;
    for (size_t i = 0; i < nf; i++) {
        if (ns == 1) {
            pot += s->veff[i] * rho_out[i];
        } else { /* ρ_σ = (ρ ± m)/2 */
            double up = 0.5 * (rho_out[i] + rho_out[nf + i]), dn = 0.5 * (rho_out[i] - rho_out[nf + i]);
            pot += s->veff[i] * up + s->veff[nf + i] * dn;
        }
    }
    return band - pot * sys->omega / (double)nf;
}

static void total_energies(const pw_scf_opts *o, pw_energies *e)
{
    e->internal = e->kinetic + e->hartree + e->xc + e->local + e->nonlocal + e->ewald + e->psp_core;
    e->free = e->internal + e->entropy;
    e->zero_width = pw_smear_zero_width(o->smearing, e->internal, e->free);
}

/*
 * Energies of the current wavefunctions and their density w->rho_out. During the loop the
 * kinetic and non-local energies come from the eigenvalues, their sum held in e->kinetic
 * (e->nonlocal 0); final_terms() splits them.
 */
static al_status energies(const pw_system *sys, const pw_basis *b, const pw_scf_opts *o,
                          pw_state *s, work *w, al_err *err)
{
    pw_energies *e = &s->e;
    e->kinetic = kinetic_nonlocal_from_eigenvalues(sys, b, s, w->rho_out);
    e->nonlocal = 0.0;
    AL_TRY(err, potentials(sys, b, w, w->rho_out, w->vh2, w->vxc2, s->vsigma, &e->hartree,
                           &e->xc, err));
    e->local = pw_local_energy(sys, b, w->rho_g, s->vloc_g);
    total_energies(o, e);
    return AL_OK;
}

/* The kinetic and non-local terms of the final wavefunctions, each from the wavefunctions. */
static al_status final_terms(const pw_basis *b, const pw_scf_opts *o, pw_state *s, work *w,
                             al_err *err)
{
    AL_TRY(err, kinetic_nonlocal(b, s, w, &s->e.kinetic, &s->e.nonlocal, err));
    total_energies(o, &s->e);
    return AL_OK;
}

static al_status setup(const pw_system *sys, const pw_basis *b, pw_state *s, work *w, al_err *err)
{
    pw_local_potential(sys, b, s->vloc_g, s->vloc, w->box);
    double *charge = al_malloc(sys->n_atoms * sizeof *charge);
    if (!charge) return al_fail(err, AL_ENOMEM, "SCF: out of memory");
    for (size_t a = 0; a < sys->n_atoms; a++) charge[a] = sys->psp[sys->species[a]].zion;
    al_status st = pw_ewald(sys->cell, sys->n_atoms, (const double(*)[3])sys->pos, charge,
                            &s->e.ewald, NULL, NULL, err);
    al_free(charge);
    if (st) return AL_TRACE(err);
    s->e.psp_core = pw_psp_core_energy(sys);
    return AL_OK;
}

/* Appends one step to the history (sized for max_iter steps before the loop). */
static void push_hist(pw_scf_diag *d, double res, double e)
{
    d->residual_hist[d->n_hist] = res;
    d->energy_hist[d->n_hist] = e;
    d->n_hist++;
}

/* ∫ f over the cell (the magnetisation for the progress line); 0 when f is NULL. */
static double integral(const pw_basis *b, double omega, const double *f)
{
    if (!f) return 0.0;
    double sum = 0.0;
    for (size_t i = 0; i < b->nfft; i++) sum += f[i];
    return sum * omega / (double)b->nfft;
}

/*
 * Density residual per electron: ∫|ρ_out − ρ_in| / N_el, with spin Σ_σ ∫|ρσ_out − ρσ_in| /
 * N_el (equal to the former when m = 0, so a non-magnetic run converges the same way).
 */
static double residual(const pw_system *sys, const pw_basis *b, int ns, const double *in,
                       const double *out)
{
    size_t nf = b->nfft;
    double r1 = 0.0;
    for (size_t i = 0; i < nf; i++) {
        double dr = out[i] - in[i];
        if (ns == 1) {
            r1 += fabs(dr);
        } else {
            double dm = out[nf + i] - in[nf + i];
            r1 += 0.5 * (fabs(dr + dm) + fabs(dr - dm));
        }
    }
    return r1 * sys->omega / (double)nf / sys->n_electrons;
}

static al_status loop(const pw_system *sys, const pw_basis *b, const pw_scf_opts *o, pw_state *s,
                      work *w, pw_scf_diag *d, al_err *err)
{
    size_t nf = b->nfft, nsf = (size_t)pw_state_nspin(s) * nf;
    double e_prev = 0.0, res = 1.0, t;
    for (int it = 1; it <= o->max_iter; it++) {
        double t0 = al_wtime();
        t = t0;
        double eh, exc;
        AL_TRY(err, potentials(sys, b, w, s->rho, s->vh, s->vxc, NULL, &eh, &exc, err));
        effective_potential(b, s);
        for (int sp = 0; sp < pw_state_nspin(s); sp++)
            pw_fft_slab_potential(b->fft, s->veff + sp * nf, w->veff_slab + sp * nf);
        d->t_potential += al_wtime() - t; t = al_wtime();
        double tol = fmin(1e-3, fmax(1e-11, 0.01 * res)), rmax;
        AL_TRY(err, eigensolve(b, s, w, tol, w->dav ? 3 : 4, &rmax, err));
        d->t_eigensolver += al_wtime() - t; t = al_wtime();
        AL_TRY(err, occupy(sys, b, o, s, w, err));
        pw_density_from_psi(sys, b, s, w->rho_out, w->box, w->rho_slab);
        AL_TRY(err, pw_state_reduce(s, w->rho_out, nsf, err));
        res = residual(sys, b, pw_state_nspin(s), s->rho, w->rho_out);
        d->t_density += al_wtime() - t; t = al_wtime();
        AL_TRY(err, energies(sys, b, o, s, w, err));
        d->t_energy += al_wtime() - t; t = al_wtime();
        double de = it == 1 ? s->e.free : s->e.free - e_prev;
        e_prev = s->e.free;
        d->iterations = it;
        push_hist(d, res, s->e.free);
        if (o->progress) {
            pw_scf_step step = {it, s->e.free, de, res, rmax, al_wtime() - t0,
                                integral(b, sys->omega, s->mag ? w->rho_out + nf : NULL)};
            o->progress(o->user, &step);
        }
        if (it > 1 && fabs(de) < o->tol_energy && res < o->tol_density) {
            d->converged = true;
            snprintf(d->reason, sizeof d->reason,
                     "converged: |dE| = %.3g Ha < %.3g and residual %.3g < %.3g after %d steps",
                     fabs(de), o->tol_energy, res, o->tol_density, it);
            return AL_OK;
        }
        AL_TRY(err, pw_mixer_next(w->mix, b, s->rho, w->rho_out, w->next, err));
        memcpy(s->rho, w->next, nsf * sizeof(double));
        d->t_mixing += al_wtime() - t;
    }
    snprintf(d->reason, sizeof d->reason,
             "not converged in %d steps: last |dE| = %.3g Ha (tolerance %.3g), density residual "
             "%.3g (tolerance %.3g)", o->max_iter,
             d->n_hist > 1 ? fabs(d->energy_hist[d->n_hist - 1] - d->energy_hist[d->n_hist - 2]) : 0.0,
             o->tol_energy, res, o->tol_density);
    return al_fail(err, AL_ENOCONV, "SCF %s", d->reason);
}

al_status pw_scf_run(const pw_system *sys, const pw_basis *b, const pw_scf_opts *o, pw_state *s,
                     pw_scf_diag *diag, al_err *err)
{
    memset(diag, 0, sizeof *diag);
    if (o->max_iter < 1)
        return al_fail(err, AL_EINVAL, "SCF: max_iter = %d must be >= 1", o->max_iter);
    diag->residual_hist = al_malloc((size_t)o->max_iter * sizeof *diag->residual_hist);
    diag->energy_hist = al_malloc((size_t)o->max_iter * sizeof *diag->energy_hist);
    if (!diag->residual_hist || !diag->energy_hist)
        return al_fail(err, AL_ENOMEM, "SCF: out of memory for %d steps of history", o->max_iter);
    double t0 = al_wtime();
    work w;
    int ns = pw_state_nspin(s);
    al_status st = work_alloc(b, o, s->nbands, ns, &w, err);
    if (!st) st = setup(sys, b, s, &w, err);
    if (!st) st = solver_alloc(b, o, s, &w, err);
    /* ∂f/∂σ: one channel, or ↑↑, ↑↓, ↓↓ with spin */
    size_t nvs = (ns == 2 ? 3 : 1) * b->nfft;
    if (!st && pw_xc_is_gga(w.xc) && !s->vsigma && !(s->vsigma = al_calloc(nvs, sizeof(double))))
        st = al_fail(err, AL_ENOMEM, "SCF: out of memory");
    diag->t_setup = al_wtime() - t0;
    if (!st) st = loop(sys, b, o, s, &w, diag, err);
    if (st == AL_OK || st == AL_ENOCONV) {
        al_status ft = final_terms(b, o, s, &w, err);
        if (ft) st = ft;
    }
    if (st == AL_OK || st == AL_ENOCONV) {
        /* Leave the state consistent with the final wavefunctions (scf_state.h). */
        size_t nf = b->nfft;
        memcpy(s->rho, w.rho_out, (size_t)ns * nf * sizeof(double));
        memcpy(s->vh, w.vh2, nf * sizeof(double));
        memcpy(s->vxc, w.vxc2, (size_t)ns * nf * sizeof(double));
        effective_potential(b, s);
    }
    work_free(&w);
    diag->t_total = al_wtime() - t0;
    return st;
}
