/*
 * Self-consistent ground states against ABINIT 9.6.2 (scf_reference.h): total energy, every
 * energy term, the eigenvalues at Γ and, for Al with Fermi–Dirac smearing, the free and the
 * internal energy and the Fermi level; forces and stress of the displaced Si8 through the
 * facade. Same pseudopotential parameters, functional, cutoff,
 * bands and FFT grid as the reference runs. Tolerances: the issue asks 1e-5 Ha/atom; LDA is
 * checked at 1e-8 Ha per cell (terms 1e-7, eigenvalues 1e-7 Ha; measured ~1e-11), PBE at
 * 2e-5 Ha against ABINIT's own PBE (which differs from libxc's by ~2e-6 Ha per 8 atoms) and
 * at 1e-8 Ha against ABINIT run with libxc's PBE.
 */
#include "tests/dft/scf_fixture.h"

/* ABINIT 9.6.2, displaced Si8, LDA, Γ (reference set results.json: forces_Ha_per_bohr and
 * stress_Ha_per_bohr3, ABINIT sign σ = (1/Ω) ∂E/∂ε). */
static const double si8disp_forces_ha_bohr[8][3] = {
    {-0.00895045824318592, -0.0011495717204898705, 0.0045732584286424394},
    {-0.009471599647692406, -0.0012761362888797565, 0.0023393511900572047},
    {-0.003811043216716984, -0.005778633413550026, 0.0023221918883943853},
    {-0.003821346451083345, -0.001283294289888816, 0.007094742462038435},
    {0.00753853119816162, 0.007719484972463239, 0.009322625984505919},
    {0.010961103341473879, -0.012658167217241225, -0.011035937460636015},
    {-0.004564982226748086, 0.002977482256290759, -0.0028902192180587263},
    {0.01211979524579125, 0.011448835701295694, -0.011726013274943641},
};
static const double si8disp_stress_ha_bohr3[3][3] = {
    {-0.00019194711953260174, 2.073914791615728e-05, -8.260664756366316e-06},
    {2.073914791615728e-05, -0.0001946411727233306, -3.571595353842948e-05},
    {-8.260664756366316e-06, -3.571595353842948e-05, -0.00019426945598460853},
};


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
        /* The steps' energies take kinetic + non-local from the eigenvalues, the final one each
         * term from the wavefunctions: the last step's and the final value are the same. */
        AL_CHECK(t, res.n_hist == (size_t)res.iterations);
        if (res.n_hist > 0)
            AL_CHECK_CLOSE(t, res.energy_hist_ev[res.n_hist - 1] / h, res.energy_ev / h, 1e-10);
        /* k-point 0 is Γ in every grid used here. */
        AL_CHECK_CLOSE(t, res.kpoints[0][0] * res.kpoints[0][0] + res.kpoints[0][1] * res.kpoints[0][1] +
                              res.kpoints[0][2] * res.kpoints[0][2], 0.0, 0.0);
        for (int n = 0; n < r->nband; n++)
            AL_CHECK_CLOSE(t, res.eigenvalues_ev[n] / h, r->eig_gamma[n], tol_eig);
        /* Forces and stress through the facade (unit conversion, drift removal, sign). */
        AL_CHECK(t, res.has_forces && res.has_stress);
        if (!strcmp(name, "si8disp_gamma") && res.has_forces && res.has_stress)
            for (int a = 0; a < 8; a++)
                for (int d = 0; d < 3; d++) {
                    AL_CHECK_CLOSE(t, res.forces[a][d] / AL_HA_BOHR_EV_ANG,
                                   si8disp_forces_ha_bohr[a][d], 1e-7);
                    if (a < 3)
                        AL_CHECK_CLOSE(t, res.stress_gpa[a][d] / AL_HA_BOHR3_GPA,
                                       si8disp_stress_ha_bohr3[a][d], 1e-8);
                }
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
/* Perdew–Zunger LDA (libxc) against ABINIT ixc 2 on the displaced Si8 at Γ (reference set
 * results.json: abinit_ixc2_PZ_total_energy_Ha; QE agrees with it to 5e-9 Ha). */
static void test_si8disp_pz(al_test *t)
{
    const scf_ref *r = scf_ref_find("si8disp_gamma");
    pw_settings s = scf_ref_settings(r);
    s.xc = PW_XC_LDA_PZ;
    al_frame f;
    scf_ref_frame(r, &f);
    pw_dft *c = NULL;
    al_err err = {0};
    pw_result res;
    s.forces = s.stress = false;
    AL_CHECK_OK(t, pw_dft_create(&s, &c, &err), &err);
    AL_CHECK_OK(t, pw_dft_run(c, &f, &res, &err), &err);
    AL_CHECK_CLOSE(t, res.energy_ev / AL_HARTREE_EV, -31.357697146164636, 1e-8);
    pw_result_fini(&res);
    pw_dft_destroy(c);
    al_frame_fini(&f);
}

static void test_al_fcc_fd(al_test *t) { (void)check_case(t, "al_fcc_fd", 1e-8, 1e-7); }

static const al_test_case cases[] = {
    {"scf_si8_lda_gamma", test_si8_gamma, AL_TEST_FAST},
    {"scf_si8_lda_k222", test_si8_k222, AL_TEST_SLOW},
    {"scf_si8disp_lda_gamma", test_si8disp_gamma, AL_TEST_FAST},
    {"scf_si8disp_lda_k222", test_si8disp_k222, AL_TEST_SLOW},
    {"scf_si8disp_pbe_gamma", test_si8disp_pbe, AL_TEST_FAST},
    {"scf_si8disp_pz_gamma", test_si8disp_pz, AL_TEST_FAST},
    {"scf_al_fcc_fd_k444", test_al_fcc_fd, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
