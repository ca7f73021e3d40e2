/*
 * Self-consistent ground states against ABINIT 9.6.2 (scf_reference.h): total energy, every
 * energy term, the eigenvalues at Γ and, for Al with Fermi–Dirac smearing, the free and the
 * internal energy and the Fermi level. Same pseudopotential parameters, functional, cutoff,
 * bands and FFT grid as the reference runs. Tolerances: the issue asks 1e-5 Ha/atom; LDA is
 * checked at 1e-8 Ha per cell (terms 1e-7, eigenvalues 1e-7 Ha; measured ~1e-11), PBE at
 * 2e-5 Ha against ABINIT's own PBE (which differs from libxc's by ~2e-6 Ha per 8 atoms) and
 * at 1e-8 Ha against ABINIT run with libxc's PBE.
 */
#include "tests/dft/scf_fixture.h"

/* Runs a reference case, checks it, and returns the free energy (Ha; NAN on failure). */
static double check_case(al_test *t, const char *name, double tol_e, double tol_eig)
{
    double energy = NAN;
    const scf_ref *r = scf_ref_find(name);
    AL_CHECK(t, r != NULL);
    if (!r) return energy;
    pw_settings s = scf_ref_settings(r);
    al_frame f;
    scf_ref_frame(r, &f);
    pw_dft *c = NULL;
    al_err err = {0};
    AL_CHECK_OK(t, pw_dft_create(&s, &c, &err), &err);
    pw_result res;
    al_status st = pw_dft_run(c, &f, &res, &err);
    AL_CHECK_OK(t, st, &err);
    if (st == AL_OK) {
        const double h = AL_HARTREE_EV;
        energy = res.energy_ev / h;
        AL_CHECK(t, res.converged);
        AL_CHECK(t, res.fft_grid[0] == r->ngfft && res.fft_grid[1] == r->ngfft &&
                        res.fft_grid[2] == r->ngfft);
        AL_CHECK_CLOSE(t, res.energy_ev / h, r->etotal, tol_e);
        AL_CHECK_CLOSE(t, res.energy_internal_ev / h, r->internal, tol_e);
        AL_CHECK_CLOSE(t, res.terms.kinetic / h, r->kinetic, tol_e * 10);
        AL_CHECK_CLOSE(t, res.terms.hartree / h, r->hartree, tol_e * 10);
        AL_CHECK_CLOSE(t, res.terms.xc / h, r->xc_e, tol_e * 10);
        AL_CHECK_CLOSE(t, res.terms.ewald / h, r->ewald, 1e-9);
        AL_CHECK_CLOSE(t, res.terms.psp_core / h, r->psp_core, 1e-9);
        AL_CHECK_CLOSE(t, res.terms.local / h, r->local, tol_e * 10);
        AL_CHECK_CLOSE(t, res.terms.nonlocal / h, r->nonlocal, tol_e * 10);
        AL_CHECK_CLOSE(t, res.fermi_ev / h, r->fermi, tol_eig);
        /* k-point 0 is Γ in every grid used here. */
        AL_CHECK_CLOSE(t, res.kpoints[0][0] * res.kpoints[0][0] + res.kpoints[0][1] * res.kpoints[0][1] +
                              res.kpoints[0][2] * res.kpoints[0][2], 0.0, 0.0);
        for (int n = 0; n < r->nband; n++)
            AL_CHECK_CLOSE(t, res.eigenvalues_ev[n] / h, r->eig_gamma[n], tol_eig);
        if (getenv("GALORE_TEST_VERBOSE"))
            fprintf(stderr, "%s: F = %.10f Ha (ref %.10f, diff %.2e), %d steps, %.1f s\n", name,
                    res.energy_ev / h, r->etotal, res.energy_ev / h - r->etotal, res.iterations,
                    res.t_total);
    }
    pw_result_fini(&res);
    pw_dft_destroy(c);
    al_frame_fini(&f);
    return energy;
}

static void test_si8_gamma(al_test *t) { (void)check_case(t, "si8_gamma", 1e-8, 1e-7); }
static void test_si8_k222(al_test *t) { (void)check_case(t, "si8_k222", 1e-8, 1e-7); }
static void test_si8disp_gamma(al_test *t) { (void)check_case(t, "si8disp_gamma", 1e-8, 1e-7); }
static void test_si8disp_k222(al_test *t) { (void)check_case(t, "si8disp_k222", 1e-8, 1e-7); }
static void test_si8disp_pbe(al_test *t)
{
    /* ABINIT run with libxc's PBE (ixc -101130; results.json of the reference set) uses the
     * functional galore uses, so there the agreement must be as for LDA. */
    double e = check_case(t, "si8disp_pbe", 2e-5, 2e-5);
    AL_CHECK_CLOSE(t, e, -31.128896166937658, 1e-8);
}
static void test_al_fcc_fd(al_test *t) { (void)check_case(t, "al_fcc_fd", 1e-8, 1e-7); }

static const al_test_case cases[] = {
    {"scf_si8_lda_gamma", test_si8_gamma, AL_TEST_FAST},
    {"scf_si8_lda_k222", test_si8_k222, AL_TEST_SLOW},
    {"scf_si8disp_lda_gamma", test_si8disp_gamma, AL_TEST_FAST},
    {"scf_si8disp_lda_k222", test_si8disp_k222, AL_TEST_SLOW},
    {"scf_si8disp_pbe_gamma", test_si8disp_pbe, AL_TEST_FAST},
    {"scf_al_fcc_fd_k444", test_al_fcc_fd, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
