/*
 * Stress tensor terms (formulas and sign convention in stress.h; Nielsen and Martin, PRB 32,
 * 3780 (1985); the GGA term as in Dal Corso and Resta, PRB 50, 4327 (1994)). Each pw_stress_*
 * helper returns ∂E/∂ε (Ha); pw_stress divides by Ω and adds them up.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/units.h"
#include "engines/dft/ewald.h"
#include "engines/dft/forces.h"
#include "engines/dft/stress.h"

#define PI 3.14159265358979323846

void pw_stress_kinetic(const pw_basis *b, const pw_state *st, double s[3][3])
{
    memset(s, 0, 9 * sizeof(double));
    for (size_t ks = 0; ks < (size_t)pw_state_nspin(st) * b->nk; ks++) {
        if (!pw_state_mine(st, ks)) continue;
        const pw_kbasis *kb = &b->k[ks % b->nk];
        for (size_t n = 0; n < st->nbands; n++) {
            double f = kb->weight * st->k[ks].occ[n];
            if (f == 0) continue;
            const double complex *c = st->k[ks].psi + n * kb->npw;
            for (size_t g = 0; g < kb->npw; g++) {
                double w = f * (creal(c[g]) * creal(c[g]) + cimag(c[g]) * cimag(c[g]));
                const double *q = kb->kpg[g];
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++) s[i][j] -= w * q[i] * q[j];
            }
        }
    }
}

void pw_stress_hartree(const pw_basis *b, double omega, const double complex *rho_g,
                       double *e_hartree, double s[3][3])
{
    double e = 0;
    memset(s, 0, 9 * sizeof(double));
    for (size_t g = 0; g < b->nfft; g++) {
        if (!b->in_sphere[g]) continue;
        double r2 = creal(rho_g[g]) * creal(rho_g[g]) + cimag(rho_g[g]) * cimag(rho_g[g]);
        double t = 4 * PI * omega * r2 / b->g2[g];
        const double *G = b->gvec[g];
        e += 0.5 * t;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) s[i][j] += t * G[i] * G[j] / b->g2[g];
    }
    for (int i = 0; i < 3; i++) s[i][i] -= e;
    if (e_hartree) *e_hartree = e;
}

al_status pw_stress_local(const pw_system *sys, const pw_basis *b,
                          const double complex *rho_g, double s[3][3], al_err *err)
{
    AL_TRY(err, pw__local_work(sys, b, rho_g, NULL, NULL, s, err));
    return AL_OK;
}

/* ∇ρ on the grid: FFT⁻¹[iG_c ρ(G)] over the box, Nyquist planes of even n_d left out. */
static al_status density_gradient(const pw_basis *b, const double complex *rho_g,
                                  double *grad /* 3 × nfft */, al_err *err)
{
    double complex *box = pw_fft_alloc(b->nfft);
    if (!box) return al_fail(err, AL_ENOMEM, "XC stress: out of memory");
    for (int c = 0; c < 3; c++) {
        size_t idx = 0;
        for (int i0 = 0; i0 < b->ngrid[0]; i0++)
            for (int i1 = 0; i1 < b->ngrid[1]; i1++)
                for (int i2 = 0; i2 < b->ngrid[2]; i2++, idx++) {
                    int nyq = (b->ngrid[0] % 2 == 0 && 2 * i0 == b->ngrid[0]) ||
                              (b->ngrid[1] % 2 == 0 && 2 * i1 == b->ngrid[1]) ||
                              (b->ngrid[2] % 2 == 0 && 2 * i2 == b->ngrid[2]);
                    box[idx] = nyq ? 0 : I * b->gvec[idx][c] * rho_g[idx];
                }
        pw_fft_backward(b->fft, box);
        for (size_t r = 0; r < b->nfft; r++) grad[c * b->nfft + r] = creal(box[r]);
    }
    pw_fft_free(box);
    return AL_OK;
}

al_status pw_stress_xc(const pw_basis *b, double omega, const double *rho, const double *vxc,
                       double exc, const double *vsigma, double s[3][3], al_err *err)
{
    return pw_stress_xc_spin(b, omega, 1, rho, vxc, exc, vsigma, s, err);
}

/* ∇ρ_σ (3 × nfft each) of the nspin channel densities in dens (nspin × nfft). */
static al_status channel_gradients(const pw_basis *b, int nspin, const double *dens,
                                   double *grad, al_err *err)
{
    double complex *g = al_malloc(b->nfft * sizeof *g);
    if (!g) return al_fail(err, AL_ENOMEM, "XC stress: out of memory");
    al_status st = AL_OK;
    for (int sp = 0; sp < nspin && !st; sp++) {
        st = pw_density_to_g(b, dens + (size_t)sp * b->nfft, g, err);
        if (!st) st = density_gradient(b, g, grad + (size_t)sp * 3 * b->nfft, err);
    }
    al_free(g);
    return st;
}

/*
 * GGA part −Σ_στ ∂f/∂σ_στ (∂_aρ_σ ∂_bρ_τ + ∂_bρ_σ ∂_aρ_τ) ∫ over the grid; with one channel
 * σ = |∇ρ|² and this is −2 ∂f/∂σ ∂_aρ ∂_bρ. Channel c of vsigma couples (σ, τ) = PAIR[c].
 */
static void gga_stress(const pw_basis *b, int nspin, const double *grad, const double *vsigma,
                       double dv, double s[3][3])
{
    static const int PAIR[3][2] = {{0, 0}, {0, 1}, {1, 1}};
    size_t nf = b->nfft;
    int nc = nspin == 2 ? 3 : 1;
    for (int c = 0; c < nc; c++) {
        const double *gs = grad + (size_t)PAIR[c][0] * 3 * nf;
        const double *gt = grad + (size_t)PAIR[c][1] * 3 * nf;
        const double *vs = vsigma + (size_t)c * nf;
        /* σ↑↑ and σ↓↓ carry a factor 2 (σ_σσ = |∇ρ_σ|²); σ↑↓ = ∇ρ↑·∇ρ↓ has two terms instead */
        for (size_t r = 0; r < nf; r++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    s[i][j] -= vs[r] * (gs[i * nf + r] * gt[j * nf + r] +
                                        gs[j * nf + r] * gt[i * nf + r]) * dv;
    }
}

al_status pw_stress_xc_spin(const pw_basis *b, double omega, int nspin, const double *rho,
                            const double *vxc, double exc, const double *vsigma, double s[3][3],
                            al_err *err)
{
    size_t nf = b->nfft;
    double dv = omega / (double)nf, vrho = 0;
    memset(s, 0, 9 * sizeof(double));
    double *dens = al_malloc((size_t)nspin * nf * sizeof *dens);
    double *grad = vsigma ? al_malloc((size_t)nspin * 3 * nf * sizeof *grad) : NULL;
    al_status st = AL_OK;
    if (!dens || (vsigma && !grad)) {
        st = al_fail(err, AL_ENOMEM, "XC stress: out of memory");
        goto done;
    }
    /* channel densities: ρ, or ρ↑ = (ρ + m)/2 and ρ↓ = (ρ − m)/2 from rho = [ρ, m] */
    for (size_t r = 0; r < nf; r++) {
        if (nspin == 1) {
            dens[r] = rho[r];
        } else {
            dens[r] = 0.5 * (rho[r] + rho[nf + r]);
            dens[nf + r] = 0.5 * (rho[r] - rho[nf + r]);
        }
    }
    for (size_t r = 0; r < (size_t)nspin * nf; r++) vrho += vxc[r] * dens[r] * dv;
    for (int i = 0; i < 3; i++) s[i][i] = exc - vrho;
    if (!vsigma) goto done;
    if ((st = channel_gradients(b, nspin, dens, grad, err))) goto done;
    gga_stress(b, nspin, grad, vsigma, dv, s);
done:
    al_free(dens);
    al_free(grad);
    return st;
}

static void add_scaled(double out[3][3], const double s[3][3], double f, double term[3][3])
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            out[i][j] += f * s[i][j];
            if (term) term[i][j] = f * s[i][j];
        }
}

al_status pw_stress(const pw_system *sys, const pw_basis *b, const pw_state *st,
                    const double *vsigma, double stress[3][3], pw_stress_terms *terms,
                    al_err *err)
{
    al_status status = AL_OK;
    double s[3][3], tot[3][3] = {{0}}, inv = 1 / sys->omega;
    pw_stress_terms tmp, *t = terms ? terms : &tmp;
    double complex *rho_g = al_malloc(b->nfft * sizeof *rho_g);
    double *q = al_malloc(sys->n_atoms * sizeof *q);
    if (!rho_g || !q) status = al_fail(err, AL_ENOMEM, "stress: out of memory");
    else status = pw_density_to_g(b, st->rho, rho_g, err);
    if ((status = pw_state_agree(st, status, err))) goto done; /* before the collectives */
    pw_stress_kinetic(b, st, s);
    if ((status = pw_state_reduce(st, &s[0][0], 9, err))) goto done; /* distributed pairs */
    add_scaled(tot, (const double(*)[3])s, inv, t->kinetic);
    pw_stress_hartree(b, sys->omega, rho_g, NULL, s);
    add_scaled(tot, (const double(*)[3])s, inv, t->hartree);
    if ((status = pw_stress_xc_spin(b, sys->omega, pw_state_nspin(st), st->rho, st->vxc,
                                    st->e.xc, vsigma, s, err)))
        goto done;
    add_scaled(tot, (const double(*)[3])s, inv, t->xc);
    if ((status = pw_stress_local(sys, b, rho_g, s, err))) goto done;
    add_scaled(tot, (const double(*)[3])s, inv, t->local);
    status = pw_state_agree(st, pw_stress_nonlocal(sys, b, st, s, err), err);
    if (!status) status = pw_state_reduce(st, &s[0][0], 9, err);
    if (status) goto done;
    add_scaled(tot, (const double(*)[3])s, inv, t->nonlocal);
    memset(s, 0, sizeof s);
    for (int i = 0; i < 3; i++) s[i][i] = -st->e.psp_core;
    add_scaled(tot, (const double(*)[3])s, inv, t->psp_core);
    for (size_t a = 0; a < sys->n_atoms; a++) q[a] = sys->psp[sys->species[a]].zion;
    if ((status = pw_ewald(sys->cell, sys->n_atoms, (const double(*)[3])sys->pos, q, NULL, NULL,
                           s, err)))
        goto done;
    add_scaled(tot, (const double(*)[3])s, 1, t->ewald);
    memcpy(stress, tot, sizeof tot);
done:
    al_free(rho_g);
    al_free(q);
    if (status) AL_TRACE(err);
    return status;
}

void pw_stress_to_gpa(const double s[3][3], double gpa[3][3])
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) gpa[i][j] = s[i][j] * AL_HA_BOHR3_GPA;
}

void pw_stress_to_virial_ev(const double s[3][3], double omega, double virial_ev[3][3])
{
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) virial_ev[i][j] = -s[i][j] * omega * AL_HARTREE_EV;
}
