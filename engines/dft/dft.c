/*
 * The engine's facade (dft.h): settings, one ground-state calculation per frame with reuse of
 * the previous density and wavefunctions, and conversion of the results to eV.
 */
#include "engines/dft/dft.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/blas_threads.h"
#include "core/elements.h"
#include "core/units.h"
#include "engines/dft/basis.h"
#include "engines/dft/density.h"
#include "engines/dft/forces.h"
#include "engines/dft/kpoints.h"
#include "engines/dft/stress.h"
#include "engines/dft/system.h"

struct pw_dft {
    pw_settings set;
    /* Kept from the previous frame for reuse. */
    pw_system sys;
    pw_basis *basis;
    pw_state *state;
};

pw_settings pw_settings_default(void)
{
    pw_settings s;
    memset(&s, 0, sizeof s);
    s.ecut_ha = 15.0;
    s.xc = PW_XC_LDA_PADE;
    s.kgrid[0] = s.kgrid[1] = s.kgrid[2] = 1;
    s.smearing = PW_SMEAR_NONE;
    s.smear_width_ha = 0.01;
    s.extra_bands = 4;
    s.tol_energy_ha = 1e-8;
    s.tol_density = 1e-6;
    s.max_iter = 100;
    s.mix = pw_mix_opts_default();
    snprintf(s.psp_file, sizeof s.psp_file, "%s", PW_DEFAULT_PSP_FILE);
    s.min_distance_ang = 0.5;
    s.reuse = true;
    s.extrapolate = true;
    s.forces = true;
    s.stress = true;
    s.seed = 1;
    s.eigensolver = PW_EIG_DAVIDSON;
    s.nspin = 1;
    return s;
}

int pw_xc_parse(const char *name)
{
    if (!strcasecmp(name, "lda") || !strcasecmp(name, "pade") || !strcasecmp(name, "lda-pade") ||
        !strcasecmp(name, "teter93"))
        return PW_XC_LDA_PADE;
    if (!strcasecmp(name, "pz") || !strcasecmp(name, "lda-pz")) return PW_XC_LDA_PZ;
    if (!strcasecmp(name, "pbe")) return PW_XC_PBE;
    return -1;
}

const char *pw_xc_name(pw_xc_kind k)
{
    return k == PW_XC_PBE ? "pbe" : k == PW_XC_LDA_PZ ? "pz" : "lda";
}

int pw_smearing_parse(const char *name)
{
    if (!strcasecmp(name, "none") || !strcasecmp(name, "fixed")) return PW_SMEAR_NONE;
    if (!strcasecmp(name, "fd") || !strcasecmp(name, "fermi-dirac") ||
        !strcasecmp(name, "fermi_dirac"))
        return PW_SMEAR_FERMI_DIRAC;
    if (!strcasecmp(name, "gaussian") || !strcasecmp(name, "gauss")) return PW_SMEAR_GAUSSIAN;
    if (!strcasecmp(name, "mv") || !strcasecmp(name, "cold") ||
        !strcasecmp(name, "marzari-vanderbilt"))
        return PW_SMEAR_COLD;
    return -1;
}

const char *pw_smearing_name(pw_smearing k)
{
    static const char *n[] = {"none", "fd", "gaussian", "mv"};
    return (unsigned)k < 4 ? n[k] : "?";
}

void pw_result_fini(pw_result *r)
{
    if (!r) return;
    al_free(r->residual_hist);
    al_free(r->energy_hist_ev);
    al_free(r->kpoints);
    al_free(r->kweights);
    al_free(r->eigenvalues_ev);
    al_free(r->occupations);
    al_free(r->npw);
    al_free(r->forces);
    memset(r, 0, sizeof *r);
}

static al_status check_spin(const pw_settings *s, al_err *err)
{
    if (s->nspin != 1 && s->nspin != 2)
        return al_fail(err, AL_EINVAL, "nspin = %d: must be 1 (no spin) or 2 (collinear spin)",
                       s->nspin);
    if (s->n_magmom > PW_MAX_SPECIES)
        return al_fail(err, AL_EINVAL, "%zu magnetic moments: at most %d elements", s->n_magmom,
                       PW_MAX_SPECIES);
    for (size_t i = 0; i < s->n_magmom; i++) {
        if (s->magmom[i].z < 1 || s->magmom[i].z > AL_MAX_Z)
            return al_fail(err, AL_EINVAL,
                           "magnetic moment %zu: unknown element (atomic number %d)", i + 1,
                           s->magmom[i].z);
        if (!isfinite(s->magmom[i].moment))
            return al_fail(err, AL_EINVAL, "magnetic moment of %s: %g is not a number",
                           al_element_symbol(s->magmom[i].z), s->magmom[i].moment);
        if (s->nspin != 2 && s->magmom[i].moment != 0.0)
            return al_fail(err, AL_EINVAL, "magnetic moment of %s (%g μB) needs spin "
                           "polarisation (nspin = 2)", al_element_symbol(s->magmom[i].z),
                           s->magmom[i].moment);
    }
    return AL_OK;
}

al_status pw_dft_create(const pw_settings *s, pw_dft **out, al_err *err)
{
    *out = NULL;
    if (!(s->ecut_ha > 0.0 && s->ecut_ha < 1e4))
        return al_fail(err, AL_EINVAL, "ecut_ha = %g: must be in (0, 1e4) Ha", s->ecut_ha);
    for (int d = 0; d < 3; d++) {
        if (s->kgrid[d] < 1)
            return al_fail(err, AL_EINVAL, "k-point grid %dx%dx%d: every size must be >= 1",
                           s->kgrid[0], s->kgrid[1], s->kgrid[2]);
        if (s->fft_grid[d] < 0)
            return al_fail(err, AL_EINVAL, "fft_grid %d: must be >= 0 (0 = automatic)",
                           s->fft_grid[d]);
    }
    if (s->smearing != PW_SMEAR_NONE && !(s->smear_width_ha > 0.0))
        return al_fail(err, AL_EINVAL, "smearing width %g Ha: must be > 0", s->smear_width_ha);
    if (s->max_iter < 1) return al_fail(err, AL_EINVAL, "max_iter = %d: must be >= 1", s->max_iter);
    AL_TRY(err, check_spin(s, err));
    if (!(s->tol_energy_ha > 0.0) || !(s->tol_density > 0.0))
        return al_fail(err, AL_EINVAL, "SCF tolerances (energy %g Ha, density %g) must be > 0",
                       s->tol_energy_ha, s->tol_density);
    /* For library users that did not call it at start: the engine's matrices are small. */
    al_blas_default_threads();
    pw_dft *c = al_calloc(1, sizeof *c);
    if (!c) return al_fail(err, AL_ENOMEM, "DFT: out of memory");
    c->set = *s;
    *out = c;
    return AL_OK;
}

static void drop_previous(pw_dft *c)
{
    pw_state_destroy(c->state);
    pw_basis_destroy(c->basis);
    pw_system_fini(&c->sys);
    c->state = NULL;
    c->basis = NULL;
}

void pw_dft_want(pw_dft *c, bool forces, bool stress)
{
    c->set.forces = forces;
    c->set.stress = stress;
}

void pw_dft_destroy(pw_dft *c)
{
    if (!c) return;
    drop_previous(c);
    al_free(c);
}

static size_t default_bands(const pw_settings *s, double nel)
{
    if (s->n_bands > 0) return (size_t)s->n_bands;
    size_t nocc = (size_t)ceil(nel / 2.0 - 1e-9);
    size_t extra = s->extra_bands > 0 ? (size_t)s->extra_bands : 0;
    if (s->smearing == PW_SMEAR_NONE) return nocc + extra;
    /* With smearing, the usual max(1.2·N/2, N/2 + extra) (QE's rule) and 4 bands more: then the
     * partially occupied bands are never the last of the eigensolver's block, whose bands
     * converge slowest. Without them a rattled Si8 cell at Γ (4-fold LUMO split by the
     * distortion) kept the density residual near 5e-3 for hundreds of steps. */
    size_t more = (size_t)ceil(1.2 * nel / 2.0);
    return (more > nocc + extra ? more : nocc + extra) + 4;
}

/* The same cell, and the same species atom by atom (only positions changed). */
static bool same_atoms(const pw_system *prev, const pw_system *sys)
{
    if (memcmp(prev->cell, sys->cell, sizeof sys->cell) || prev->n_atoms != sys->n_atoms)
        return false;
    for (size_t a = 0; a < sys->n_atoms; a++)
        if (prev->psp[prev->species[a]].z != sys->psp[sys->species[a]].z ||
            prev->psp[prev->species[a]].zion != sys->psp[sys->species[a]].zion)
            return false;
    return true;
}

/* After extrapolation: ρ ≥ 0 with ∫ρ = N_el, and with spin |m| ≤ ρ. */
static void keep_physical(const pw_system *sys, const pw_basis *b, pw_state *s)
{
    size_t nf = b->nfft;
    double tot = 0.0;
    for (size_t i = 0; i < nf; i++) {
        if (s->rho[i] < 0.0) s->rho[i] = 0.0;
        tot += s->rho[i];
    }
    tot *= sys->omega / (double)nf;
    if (tot > 0.0)
        for (size_t i = 0; i < nf; i++) s->rho[i] *= sys->n_electrons / tot;
    if (s->mag)
        for (size_t i = 0; i < nf; i++) s->mag[i] = fmax(-s->rho[i], fmin(s->rho[i], s->mag[i]));
}

/* Start the new state from the previous one when the series allows it. */
static void start_guess(const pw_dft *c, const pw_system *sys, const pw_basis *b, pw_state *s)
{
    const pw_basis *pb = c->basis;
    const pw_state *ps = c->state;
    bool same_grid = c->set.reuse && pb && ps && !memcmp(pb->ngrid, b->ngrid, sizeof b->ngrid) &&
                     c->sys.n_atoms == sys->n_atoms && fabs(c->sys.n_electrons - sys->n_electrons) < 1e-9;
    size_t ns = (size_t)s->nspin;
    same_grid = same_grid && ps->nspin == s->nspin;
    if (same_grid) {
        double scale = c->sys.omega / sys->omega; /* keeps ∫ρ = N_el in a resized cell */
        for (size_t i = 0; i < ns * b->nfft; i++) s->rho[i] = ps->rho[i] * scale;
        double complex *box = c->set.extrapolate && same_atoms(&c->sys, sys)
                                  ? pw_fft_alloc(b->nfft) : NULL;
        if (box) {
            pw_density_move_atoms(&c->sys, sys, b, s->rho, box);
            keep_physical(sys, b, s);
        }
        pw_fft_free(box);
    } else {
        double complex *box = pw_fft_alloc(b->nfft);
        if (box) pw_density_guess(sys, b, s->rho, box);
        if (box && s->mag) pw_magnetization_guess(sys, b, s->rho, s->mag, box);
        pw_fft_free(box);
    }
    pw_psi_guess(b, s, c->set.seed);
    if (!same_grid || pb->nk != b->nk || ps->nbands != s->nbands) return;
    for (size_t j = 0; j < ns * b->nk; j++) {
        size_t k = j % b->nk;
        if (pb->k[k].npw != b->k[k].npw ||
            memcmp(pb->k[k].miller, b->k[k].miller, b->k[k].npw * sizeof *b->k[k].miller))
            continue;
        memcpy(s->k[j].psi, ps->k[j].psi, b->k[k].npw * s->nbands * sizeof *s->k[j].psi);
    }
}

/* ∫ m and ∫ |m| over the cell (μB) of the final density. */
static void magnetization(const pw_basis *b, double omega, const pw_state *s, pw_result *r)
{
    r->magnetization = r->abs_magnetization = 0.0;
    if (!s->mag) return;
    for (size_t i = 0; i < b->nfft; i++) {
        r->magnetization += s->mag[i];
        r->abs_magnetization += fabs(s->mag[i]);
    }
    r->magnetization *= omega / (double)b->nfft;
    r->abs_magnetization *= omega / (double)b->nfft;
}

static al_status fill_result(const pw_basis *b, const pw_state *s, const pw_scf_diag *d,
                             pw_result *r, al_err *err)
{
    const double ev = AL_HARTREE_EV;
    size_t ns = (size_t)s->nspin, nks = ns * b->nk;
    r->converged = d->converged;
    snprintf(r->reason, sizeof r->reason, "%s", d->reason);
    r->iterations = d->iterations;
    r->n_hist = d->n_hist;
    r->residual_hist = al_malloc((d->n_hist + 1) * sizeof(double));
    r->energy_hist_ev = al_malloc((d->n_hist + 1) * sizeof(double));
    r->n_kpoints = b->nk;
    r->n_bands = s->nbands;
    r->kpoints = al_malloc(b->nk * sizeof *r->kpoints);
    r->kweights = al_malloc(b->nk * sizeof(double));
    r->nspin = s->nspin;
    r->eigenvalues_ev = al_malloc(nks * s->nbands * sizeof(double));
    r->occupations = al_malloc(nks * s->nbands * sizeof(double));
    r->npw = al_malloc(b->nk * sizeof(size_t));
    if (!r->residual_hist || !r->energy_hist_ev || !r->kpoints || !r->kweights ||
        !r->eigenvalues_ev || !r->occupations || !r->npw)
        return al_fail(err, AL_ENOMEM, "DFT result: out of memory");
    for (size_t i = 0; i < d->n_hist; i++) {
        r->residual_hist[i] = d->residual_hist[i];
        r->energy_hist_ev[i] = d->energy_hist[i] * ev;
    }
    const pw_energies *e = &s->e;
    r->energy_ev = e->free * ev;
    r->energy_internal_ev = e->internal * ev;
    r->energy_zero_width_ev = e->zero_width * ev;
    pw_terms_ev t = {e->kinetic * ev, e->hartree * ev, e->xc * ev, e->local * ev,
                     e->nonlocal * ev, e->ewald * ev, e->psp_core * ev, e->entropy * ev};
    r->terms = t;
    r->fermi_ev = s->fermi * ev;
    for (size_t k = 0; k < b->nk; k++) {
        memcpy(r->kpoints[k], b->k[k].k_red, sizeof r->kpoints[k]);
        r->kweights[k] = b->k[k].weight;
        r->npw[k] = b->k[k].npw;
    }
    for (size_t j = 0; j < nks; j++)
        for (size_t n = 0; n < s->nbands; n++) {
            r->eigenvalues_ev[j * s->nbands + n] = s->k[j].eig[n] * ev;
            r->occupations[j * s->nbands + n] = s->k[j].occ[n];
        }
    memcpy(r->fft_grid, b->ngrid, sizeof r->fft_grid);
    r->t_setup = d->t_setup;
    r->t_eigensolver = d->t_eigensolver;
    r->t_density = d->t_density;
    r->t_potential = d->t_potential;
    r->t_mixing = d->t_mixing;
    r->t_energy = d->t_energy;
    r->t_total = d->t_total;
    return AL_OK;
}

/* Forces and stress of the final state, converted to eV/Å, eV and GPa. */
static al_status derivatives(const pw_settings *set, const pw_system *sys, const pw_basis *b,
                             const pw_state *s, pw_result *r, al_err *err)
{
    double t0 = al_wtime();
    if (set->forces) {
        r->forces = al_malloc(sys->n_atoms * sizeof *r->forces);
        if (!r->forces) return al_fail(err, AL_ENOMEM, "DFT forces: out of memory");
        AL_TRY(err, pw_forces(sys, b, s, r->forces, NULL, err));
        for (size_t a = 0; a < sys->n_atoms; a++)
            for (int d = 0; d < 3; d++) r->forces[a][d] *= AL_HA_BOHR_EV_ANG;
        r->has_forces = true;
    }
    if (set->stress) {
        double sig[3][3];
        AL_TRY(err, pw_stress(sys, b, s, s->vsigma, sig, NULL, err));
        pw_stress_to_gpa(sig, r->stress_gpa);
        pw_stress_to_virial_ev(sig, sys->omega, r->virial);
        r->has_stress = true;
    }
    r->t_forces = al_wtime() - t0;
    return AL_OK;
}

static al_status prepare(pw_dft *c, const al_frame *f, pw_system *sys, pw_basis **b,
                         pw_state **s, al_err *err)
{
    const pw_settings *set = &c->set;
    AL_TRY(err, pw_system_from_frame(f, set, sys, err));
    pw_kpoints kp = {0};
    bool gamma = set->kgrid[0] == 1 && set->kgrid[1] == 1 && set->kgrid[2] == 1 &&
                 set->kshift[0] == 0 && set->kshift[1] == 0 && set->kshift[2] == 0;
    al_status st = gamma ? pw_kpoints_gamma(&kp, err)
                         : pw_kpoints_mp(set->kgrid, set->kshift, true, &kp, err);
    if (!st) st = pw_basis_create(sys, set->ecut_ha, set->fft_grid, &kp, b, err);
    pw_kpoints_fini(&kp);
    if (st) return AL_TRACE(err);
    size_t nb = default_bands(set, sys->n_electrons);
    for (size_t k = 0; k < (*b)->nk; k++)
        if ((*b)->k[k].npw < nb)
            return al_fail(err, AL_EINVAL,
                           "ecut = %g Ha gives %zu plane waves at k-point %zu, fewer than the "
                           "%zu bands needed; raise ecut", set->ecut_ha, (*b)->k[k].npw, k + 1, nb);
    AL_TRY(err, pw_state_create(sys, *b, nb, set->nspin, s, err));
    pw_state_set_comm(*s, set->comm);
    start_guess(c, sys, *b, *s);
    return AL_OK;
}

al_status pw_dft_run(pw_dft *c, const al_frame *f, pw_result *r, al_err *err)
{
    memset(r, 0, sizeof *r);
    pw_system sys;
    pw_basis *b = NULL;
    pw_state *s = NULL;
    al_status st = prepare(c, f, &sys, &b, &s, err);
    if (st) {
        pw_state_destroy(s);
        pw_basis_destroy(b);
        pw_system_fini(&sys);
        return st;
    }
    pw_scf_opts o = {c->set.xc, c->set.smearing, c->set.smear_width_ha, c->set.tol_energy_ha,
                     c->set.tol_density, c->set.max_iter, c->set.mix, c->set.progress,
                     c->set.progress_user, c->set.eigensolver};
    pw_scf_diag d;
    st = pw_scf_run(&sys, b, &o, s, &d, err);
    if (st == AL_OK || st == AL_ENOCONV) {
        al_err e2;
        al_status st2 = fill_result(b, s, &d, r, &e2);
        magnetization(b, sys.omega, s, r);
        if (st2) {
            pw_result_fini(r);
            if (err) *err = e2;
            st = st2;
        }
    }
    if ((st == AL_OK || st == AL_ENOCONV) && (c->set.forces || c->set.stress)) {
        al_err e2;
        al_status st2 = derivatives(&c->set, &sys, b, s, r, &e2);
        if (st2) {
            pw_result_fini(r);
            if (err) *err = e2;
            st = st2;
        }
    }
    pw_scf_diag_fini(&d);
    /* Keep this frame's state for the next one. */
    drop_previous(c);
    c->sys = sys;
    c->basis = b;
    c->state = s;
    return st;
}
