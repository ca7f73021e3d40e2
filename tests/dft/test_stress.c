/*
 * Stress of single energy terms against central finite differences of the term energies
 * under homogeneous strain r → (1+ε)r at fixed Miller-indexed coefficients, occupations and
 * Ω·ρ(G) (DFTK's test/stresses.jl does the same), on the fixture of test_forces_fixture.h.
 * σ_ab·Ω = ∂E/∂ε_ab for all nine components (the helpers return ∂E/∂ε, not divided by Ω).
 * XC uses two model functionals with analytic derivatives, so the test needs no libxc:
 * LDA-like f = −a ρ^{4/3} and GGA-like f = −a ρ^{4/3} + c σ ρ^{−1/3}.
 */
#include "tests/dft/test_forces_fixture.h"

#include "engines/dft/ewald.h"
#include "engines/dft/stress.h"

#define XA 0.7386
#define XC 0.02

typedef struct strained {
    pw_system sys;
    double pos[FX_NAT][3];
    pw_basis *b;
    pw_kstate ks[8];
    pw_state st;
    double complex *rho_g;
} strained;

static int strain_make(const fx *f, const double eps[3][3], strained *s)
{
    al_err err = {0};
    double pos0[FX_NAT][3];
    memcpy(pos0, f->pos, sizeof pos0);
    s->sys = f->sys;
    fx_strain(f->sys.cell, (const double(*)[3])pos0, eps, s->sys.cell, s->pos);
    s->sys.pos = s->pos;
    if (pw_cell_reciprocal(s->sys.cell, s->sys.recip, &s->sys.omega, &err)) return -1;
    if (pw_basis_create(&s->sys, f->ecut, f->ngrid, &f->kp, &s->b, &err)) return -1;
    for (size_t k = 0; k < f->b->nk; k++)
        if (s->b->k[k].npw < 10) return -1;
    s->rho_g = al_calloc(f->b->nfft, sizeof *s->rho_g);
    fx_remap(f, s->b, s->sys.omega, s->ks, s->rho_g);
    s->st = f->st;
    s->st.k = s->ks;
    return 0;
}

static void strain_free(strained *s)
{
    fx_free_ks(s->ks, s->b->nk);
    pw_basis_destroy(s->b);
    al_free(s->rho_g);
}

/* Term energies of a (strained) configuration. */
enum { T_KIN, T_HAR, T_LOC, T_NL, T_LDA, T_GGA, NTERM };

static void gradient(const pw_basis *b, const double complex *fg, int c, double *out)
{
    double complex *box = pw_fft_alloc(b->nfft);
    size_t idx = 0;
    for (int i0 = 0; i0 < b->ngrid[0]; i0++)
        for (int i1 = 0; i1 < b->ngrid[1]; i1++)
            for (int i2 = 0; i2 < b->ngrid[2]; i2++, idx++) {
                int nyq = (b->ngrid[0] % 2 == 0 && 2 * i0 == b->ngrid[0]) ||
                          (b->ngrid[1] % 2 == 0 && 2 * i1 == b->ngrid[1]) ||
                          (b->ngrid[2] % 2 == 0 && 2 * i2 == b->ngrid[2]);
                box[idx] = nyq ? 0 : I * b->gvec[idx][c] * fg[idx];
            }
    pw_fft_backward(b->fft, box);
    for (size_t r = 0; r < b->nfft; r++) out[r] = creal(box[r]);
    pw_fft_free(box);
}

static void to_g(const pw_basis *b, const double *f, double complex *fg)
{
    al_err err = {0};
    pw_density_to_g(b, f, fg, &err);
}

/* Model XC energy on basis b, density ρ(G) = rho_g; optionally vxc and vsigma. */
static double model_xc(const pw_basis *b, double omega, const double complex *rho_g, int gga,
                       double *vxc, double *vsigma)
{
    size_t n = b->nfft;
    double *rho = al_malloc(n * sizeof *rho), *g[3], e = 0;
    double complex *box = pw_fft_alloc(n);
    memcpy(box, rho_g, n * sizeof *box);
    pw_fft_backward(b->fft, box);
    for (size_t r = 0; r < n; r++) rho[r] = creal(box[r]);
    for (int c = 0; c < 3; c++) {
        g[c] = al_malloc(n * sizeof(double));
        gradient(b, rho_g, c, g[c]);
    }
    for (size_t r = 0; r < n; r++) {
        double sig = g[0][r] * g[0][r] + g[1][r] * g[1][r] + g[2][r] * g[2][r];
        double f = -XA * pow(rho[r], 4.0 / 3) + (gga ? XC * sig * pow(rho[r], -1.0 / 3) : 0);
        e += f * omega / (double)n;
        if (vxc) vxc[r] = -XA * 4.0 / 3 * pow(rho[r], 1.0 / 3) -
                          (gga ? XC / 3 * sig * pow(rho[r], -4.0 / 3) : 0);
        if (vsigma) vsigma[r] = gga ? XC * pow(rho[r], -1.0 / 3) : 0;
    }
    if (vxc && gga) { /* vxc −= 2 ∇·(vsigma ∇ρ) */
        double *tmp = al_malloc(n * sizeof *tmp), *d = al_malloc(n * sizeof *d);
        double complex *ag = al_malloc(n * sizeof *ag);
        for (int c = 0; c < 3; c++) {
            for (size_t r = 0; r < n; r++) tmp[r] = vsigma[r] * g[c][r];
            to_g(b, tmp, ag);
            gradient(b, ag, c, d);
            for (size_t r = 0; r < n; r++) vxc[r] -= 2 * d[r];
        }
        al_free(tmp);
        al_free(d);
        al_free(ag);
    }
    for (int c = 0; c < 3; c++) al_free(g[c]);
    al_free(rho);
    pw_fft_free(box);
    return e;
}

static double term_energy(int term, const pw_system *sys, const pw_basis *b, const pw_state *st,
                          const double complex *rho_g)
{
    double e = 0, s[3][3];
    al_err err = {0};
    switch (term) {
    case T_KIN:
        for (size_t k = 0; k < b->nk; k++)
            for (size_t n = 0; n < st->nbands; n++)
                for (size_t g = 0; g < b->k[k].npw; g++) {
                    double complex c = st->k[k].psi[n * b->k[k].npw + g];
                    e += b->k[k].weight * st->k[k].occ[n] * creal(c * conj(c)) * b->k[k].kin[g];
                }
        return e;
    case T_HAR: pw_stress_hartree(b, sys->omega, rho_g, &e, s); return e;
    case T_LOC: return pw_local_energy_forces(sys, b, rho_g, &e, NULL, NULL) ? NAN : e;
    case T_NL:
        if (pw_nonlocal_energy_forces(sys, b, st, &e, NULL, &err)) return NAN;
        return e;
    default: return model_xc(b, sys->omega, rho_g, term == T_GGA, NULL, NULL);
    }
}

static al_status term_stress(int term, fx *f, double s[3][3], al_err *err)
{
    switch (term) {
    case T_KIN: pw_stress_kinetic(f->b, &f->st, s); return AL_OK;
    case T_HAR: pw_stress_hartree(f->b, f->sys.omega, f->rho_g, NULL, s); return AL_OK;
    case T_LOC: return pw_stress_local(&f->sys, f->b, f->rho_g, s, err);
    case T_NL: return pw_stress_nonlocal(&f->sys, f->b, &f->st, s, err);
    default: {
        int gga = term == T_GGA;
        double *vs = al_malloc(f->b->nfft * sizeof *vs);
        double e = model_xc(f->b, f->sys.omega, f->rho_g, gga, f->st.vxc, vs);
        al_status st = pw_stress_xc(f->b, f->sys.omega, f->st.rho, f->st.vxc, e, gga ? vs : NULL, s, err);
        al_free(vs);
        return st;
    }
    }
}

static void check_term(al_test *t, int term, double tol)
{
    fx f;
    al_err err = {0};
    AL_CHECK(t, fx_init(&f) == 0);
    double s[3][3];
    AL_CHECK_OK(t, term_stress(term, &f, s, &err), &err);
    const double h = 1e-5;
    double smax = 0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            double ed[2];
            for (int sg = 0; sg < 2; sg++) {
                double eps[3][3] = {{0}};
                eps[a][b] = sg ? -h : h;
                strained st;
                memset(&st, 0, sizeof st);
                AL_CHECK(t, strain_make(&f, (const double(*)[3])eps, &st) == 0);
                ed[sg] = term_energy(term, &st.sys, st.b, &st.st, st.rho_g);
                strain_free(&st);
            }
            AL_CHECK_MSG(t, fabs(s[a][b] - (ed[0] - ed[1]) / (2 * h)) < tol,
                         "term %d: dE/de[%d][%d] = %.10g, finite difference %.10g", term, a, b,
                         s[a][b], (ed[0] - ed[1]) / (2 * h));
            smax = fmax(smax, fabs(s[a][b]));
        }
    AL_CHECK(t, smax > 1e-3); /* the term is not trivially zero */
    AL_CHECK_CLOSE(t, s[0][1], s[1][0], 1e-10);
    AL_CHECK_CLOSE(t, s[1][2], s[2][1], 1e-10);
    fx_fini(&f);
}

static void test_kinetic(al_test *t) { check_term(t, T_KIN, 1e-7); }
static void test_hartree(al_test *t) { check_term(t, T_HAR, 1e-7); }
static void test_local(al_test *t) { check_term(t, T_LOC, 1e-7); }
static void test_nonlocal(al_test *t) { check_term(t, T_NL, 1e-7); }
static void test_xc_lda(al_test *t) { check_term(t, T_LDA, 1e-7); }
static void test_xc_gga(al_test *t) { check_term(t, T_GGA, 1e-7); }

/* pw_stress adds the terms divided by Ω, the psp_core term and Ewald. */
static void test_assembly(al_test *t)
{
    fx f;
    al_err err = {0};
    AL_CHECK(t, fx_init(&f) == 0);
    f.st.e.xc = model_xc(f.b, f.sys.omega, f.rho_g, 0, f.st.vxc, NULL);
    f.st.e.psp_core = 0.37;
    double tot[3][3], ew[3][3], e, q[FX_NAT] = {4, 6, 9};
    pw_stress_terms terms;
    AL_CHECK_OK(t, pw_stress(&f.sys, f.b, &f.st, NULL, tot, &terms, &err), &err);
    AL_CHECK_OK(t, pw_ewald(f.sys.cell, FX_NAT, (const double(*)[3])f.pos, q, &e, NULL, ew, &err), &err);
    double sk[3][3], sl[3][3];
    pw_stress_kinetic(f.b, &f.st, sk);
    AL_CHECK_OK(t, pw_stress_local(&f.sys, f.b, f.rho_g, sl, &err), &err);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            double sum = terms.kinetic[a][b] + terms.hartree[a][b] + terms.xc[a][b] +
                         terms.local[a][b] + terms.nonlocal[a][b] + terms.ewald[a][b] +
                         terms.psp_core[a][b];
            AL_CHECK_CLOSE(t, tot[a][b], sum, 1e-14);
            AL_CHECK_CLOSE(t, terms.ewald[a][b], ew[a][b], 1e-14);
            AL_CHECK_CLOSE(t, terms.kinetic[a][b], sk[a][b] / f.sys.omega, 1e-14);
            AL_CHECK_CLOSE(t, terms.local[a][b], sl[a][b] / f.sys.omega, 1e-11);
            AL_CHECK_CLOSE(t, terms.psp_core[a][b], -(a == b) * 0.37 / f.sys.omega, 1e-15);
        }
    fx_fini(&f);
}

/* Unit conversions: 1 Ha/bohr³ = 29421.0155 GPa (CODATA 2018; ABINIT 9.6 prints 29421.010803
 * with older constants), virial = −σ·Ω in eV. */
static void test_units(al_test *t)
{
    const double s[3][3] = {{1e-4, 2e-5, 0}, {2e-5, -3e-4, 0}, {0, 0, 0}};
    double g[3][3], w[3][3];
    pw_stress_to_gpa(s, g);
    pw_stress_to_virial_ev(s, 1000, w);
    AL_CHECK_CLOSE(t, g[0][0], 1e-4 * 29421.0155, 1e-6);
    AL_CHECK_CLOSE(t, g[1][0], 2e-5 * 29421.0155, 1e-6);
    AL_CHECK_CLOSE(t, w[1][1], 3e-4 * 1000 * 27.211386245988, 1e-12);
    AL_CHECK_CLOSE(t, w[0][1], -2e-5 * 1000 * 27.211386245988, 1e-12);
}

static const al_test_case cases[] = {
    {"stress_units", test_units, AL_TEST_FAST},
    {"stress_kinetic_fd", test_kinetic, AL_TEST_FAST},
    {"stress_hartree_fd", test_hartree, AL_TEST_FAST},
    {"stress_local_fd", test_local, AL_TEST_FAST},
    {"stress_nonlocal_fd", test_nonlocal, AL_TEST_FAST},
    {"stress_xc_lda_fd", test_xc_lda, AL_TEST_FAST},
    {"stress_xc_gga_fd", test_xc_gga, AL_TEST_FAST},
    {"stress_assembly", test_assembly, AL_TEST_FAST},
    {0}};
AL_TEST_MAIN(cases)
