/*
 * The band solvers against dense diagonalisation: H = T + V_loc + V_nl of Si2 in a sheared cell
 * (6 Ha) is built column by column from the solver's own H application, diagonalised by
 * LAPACK, and the lowest eigenvalues compared with Davidson's and LOBPCG's from random start
 * vectors: at Γ in the packed real form (real symmetric H) and at a k-point off Γ (complex
 * Hermitian H). Also: the returned vectors are orthonormal with residuals below the
 * tolerance, a second call from converged vectors does nothing, and bad calls fail clearly.
 */
#include <complex.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "engines/dft/basis.h"
#include "engines/dft/davidson.h"
#include "engines/dft/density.h"
#include "engines/dft/gth.h"
#include "engines/dft/kpoints.h"
#include "engines/dft/lobpcg.h"
#include "engines/dft/terms/term.h"
#include "tests/harness/al_test.h"

enum { NB = 10 };

typedef struct fixture {
    pw_gth psp[1];
    int species[2];
    double pos[2][3];
    pw_system sys;
    pw_kpoints kp;
    pw_basis *b;
    pw_state *st;
    double complex *box;
} fixture;

static const char *data(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%sdft/%s", al_test_data_dir(), name);
    return buf;
}

static al_status fixture_init(fixture *f, al_err *err)
{
    static const double cell[3][3] = {{0.1, 5.1, 5.0}, {5.2, 0.0, 5.1}, {4.9, 5.2, 0.2}};
    static const double pos[2][3] = {{0.1, -0.05, 0.02}, {2.65, 2.5, 2.6}};
    memset(f, 0, sizeof *f);
    AL_TRY(err, pw_gth_load(data("GTH_POTENTIALS_test"), 14, "GTH-PADE-q4", &f->psp[0], err));
    memcpy(f->sys.cell, cell, sizeof cell);
    AL_TRY(err, pw_cell_reciprocal(cell, f->sys.recip, &f->sys.omega, err));
    memcpy(f->pos, pos, sizeof pos);
    f->sys.n_atoms = 2;
    f->sys.pos = f->pos;
    f->sys.species = f->species;
    f->sys.n_species = 1;
    f->sys.psp = f->psp;
    f->sys.n_electrons = 8;
    const int grid[3] = {2, 1, 2};
    const int ngrid[3] = {18, 18, 18};
    AL_TRY(err, pw_kpoints_mp(grid, NULL, true, &f->kp, err));
    AL_TRY(err, pw_basis_create(&f->sys, 6.0, ngrid, &f->kp, &f->b, err));
    AL_TRY(err, pw_state_create(&f->sys, f->b, NB, 1, &f->st, err));
    f->box = pw_fft_alloc(f->b->nfft);
    if (!f->box) return al_fail(err, AL_ENOMEM, "test: out of memory");
    pw_local_potential(&f->sys, f->b, f->st->vloc_g, f->st->vloc, f->box);
    return AL_OK;
}

static void fixture_fini(fixture *f)
{
    pw_fft_free(f->box);
    pw_state_destroy(f->st);
    pw_basis_destroy(f->b);
    pw_kpoints_fini(&f->kp);
}

/* Index of the first k-point that is (want_gamma) or is not Γ in its packed real form. */
static size_t find_k(const fixture *f, bool want_gamma)
{
    for (size_t k = 0; k < f->b->nk; k++)
        if ((f->b->k[k].minus != NULL) == want_gamma) return k;
    return f->b->nk;
}

/* Lowest NB eigenvalues of H at k by dense diagonalisation of the matrix built from H applied
 * to unit vectors: packed real form at Γ (without the pad entry), full sphere elsewhere. */
static int dense_eigenvalues(const fixture *f, const pw_ham *h, double *out)
{
    size_t n;
    double *w;
    int info;
    if (h->kb->minus) {
        pw_ham_real hr;
        al_err err = {0};
        if (pw_ham_real_init(h, &hr, &err)) return -1;
        size_t np = hr.n;
        double *u = al_calloc(np * np, sizeof *u), *hu = al_malloc(np * np * sizeof *hu);
        for (size_t i = 0; i < np; i++) u[i * np + i] = 1.0;
        pw_ham_real_apply(&hr, np, u, hu, &err);
        n = np - 1; /* the last packed entry is structurally zero */
        for (size_t j = 0; j < n; j++)
            for (size_t i = 0; i < n; i++) u[j * n + i] = hu[j * np + i];
        w = al_malloc(n * sizeof *w);
        info = LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'U', (int)n, u, (int)n, w);
        al_free(u);
        al_free(hu);
        pw_ham_real_fini(&hr);
    } else {
        n = h->kb->npw;
        double complex *u = al_calloc(n * n, sizeof *u), *hu = al_malloc(n * n * sizeof *hu);
        for (size_t i = 0; i < n; i++) u[i * n + i] = 1.0;
        al_err err = {0};
        pw_ham_apply(h, n, u, hu, &err);
        /* The Hermitian H = A + iB as the real symmetric [[A, −B], [B, A]], whose spectrum is
         * H's with every eigenvalue twice: LAPACK's real solver, because Debian's OpenBLAS
         * 0.3.21 complex kernels under zheev read out of bounds (see subspace.c). */
        size_t n2 = 2 * n;
        double *big = al_malloc(n2 * n2 * sizeof *big), *w2 = al_malloc(n2 * sizeof *w2);
        for (size_t j = 0; j < n; j++)
            for (size_t i = 0; i < n; i++) {
                double a = creal(hu[j * n + i]), b = cimag(hu[j * n + i]);
                big[j * n2 + i] = big[(j + n) * n2 + i + n] = a;
                big[(j + n) * n2 + i] = -b;
                big[j * n2 + i + n] = b;
            }
        info = LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'U', (int)n2, big, (int)n2, w2);
        w = al_malloc(n * sizeof *w);
        for (size_t i = 0; i < n; i++) w[i] = w2[2 * i];
        al_free(big);
        al_free(w2);
        al_free(u);
        al_free(hu);
    }
    (void)f;
    memcpy(out, w, NB * sizeof *out);
    al_free(w);
    return info;
}

/* max |XᴴX − 1| of the NB full-sphere vectors x (npw each). */
static double orthonormality(const double complex *x, size_t npw)
{
    double worst = 0.0;
    for (size_t a = 0; a < NB; a++)
        for (size_t c = 0; c < NB; c++) {
            double complex s = 0.0;
            for (size_t g = 0; g < npw; g++) s += conj(x[a * npw + g]) * x[c * npw + g];
            worst = fmax(worst, cabs(s - (a == c ? 1.0 : 0.0)));
        }
    return worst;
}

static void check_solver(al_test *t, bool gamma, bool davidson)
{
    fixture f;
    al_err err = {0};
    AL_CHECK_OK(t, fixture_init(&f, &err), &err);
    size_t k = find_k(&f, gamma);
    AL_CHECK(t, k < f.b->nk);
    if (k >= f.b->nk) {
        fixture_fini(&f);
        return;
    }
    pw_ham h = {f.b, &f.b->k[k], &f.st->nl[k], f.st->vloc, f.box, NULL, NULL, 0};
    double ref[NB], eig[NB], resid[NB];
    AL_CHECK(t, dense_eigenvalues(&f, &h, ref) == 0);
    pw_psi_guess(f.b, f.st, 3);
    double complex *x = f.st->k[k].psi;
    size_t npw = f.b->k[k].npw;
    const double tol = 1e-9;
    int iters = -1;
    pw_davidson_ws *ws = NULL;
    if (davidson) {
        AL_CHECK_OK(t, pw_davidson_ws_create(npw, NB, &ws, &err), &err);
        AL_CHECK_OK(t, pw_davidson(&h, NULL, ws, NB, NB, x, eig, resid, tol, 200, &iters, &err), &err);
    } else {
        AL_CHECK_OK(t, pw_lobpcg(&h, NB, NB, x, eig, resid, tol, 200, &iters, &err), &err);
    }
    AL_CHECK(t, iters > 0 && iters < 200);
    int first_iters = iters;
    for (int n = 0; n < NB; n++) {
        AL_CHECK_CLOSE(t, eig[n], ref[n], 1e-10);
        AL_CHECK(t, resid[n] <= tol);
    }
    AL_CHECK_CLOSE(t, orthonormality(x, npw), 0.0, 1e-12);
    if (davidson) { /* again from the converged vectors: nothing left to do */
        double eig2[NB];
        AL_CHECK_OK(t, pw_davidson(&h, NULL, ws, NB, NB, x, eig2, resid, tol, 200, &iters, &err), &err);
        AL_CHECK(t, iters == 0);
        for (int n = 0; n < NB; n++) AL_CHECK_CLOSE(t, eig2[n], ref[n], 1e-10);
    }
    if (getenv("GALORE_TEST_VERBOSE"))
        fprintf(stderr, "%s %s: npw %zu, %d iterations, e0 %.12f (dense %.12f)\n",
                davidson ? "Davidson" : "LOBPCG", gamma ? "Γ" : "k", npw, first_iters, eig[0], ref[0]);
    pw_davidson_ws_destroy(ws);
    fixture_fini(&f);
}

static void test_davidson_gamma(al_test *t) { check_solver(t, true, true); }
static void test_davidson_k(al_test *t) { check_solver(t, false, true); }
static void test_lobpcg_gamma(al_test *t) { check_solver(t, true, false); }
static void test_lobpcg_k(al_test *t) { check_solver(t, false, false); }

/* A tolerance below rounding (1e-14 Ha): corrections become nearly dependent on the basis and
 * take the explicit orthonormalisation path; the solver must stop at maxiter with the
 * eigenpairs still right and the vectors orthonormal. As in the SCF (occupied bands and one
 * more), the top band of the block is not required to converge: at the k-point it lies close
 * to the first band outside the block and its residual falls only ~2× per restart cycle. */
static void test_davidson_unreachable(al_test *t)
{
    fixture f;
    al_err err = {0};
    AL_CHECK_OK(t, fixture_init(&f, &err), &err);
    for (int gamma = 1; gamma >= 0; gamma--) {
        size_t k = find_k(&f, gamma);
        pw_ham h = {f.b, &f.b->k[k], &f.st->nl[k], f.st->vloc, f.box, NULL, NULL, 0};
        size_t npw = f.b->k[k].npw;
        double ref[NB], eig[NB], resid[NB];
        int iters;
        AL_CHECK(t, dense_eigenvalues(&f, &h, ref) == 0);
        pw_psi_guess(f.b, f.st, 5);
        pw_davidson_ws *ws = NULL;
        AL_CHECK_OK(t, pw_davidson_ws_create(npw, NB, &ws, &err), &err);
        AL_CHECK_OK(t, pw_davidson(&h, NULL, ws, NB, NB - 1, f.st->k[k].psi, eig, resid, 1e-14,
                                   60, &iters, &err), &err);
        for (int n = 0; n < NB; n++) {
            AL_CHECK_CLOSE(t, eig[n], ref[n], 1e-10);
            if (n < NB - 1)
                AL_CHECK_MSG(t, resid[n] < 1e-9, "%s band %d: residual %.3g", gamma ? "Γ" : "k",
                             n, resid[n]);
        }
        AL_CHECK_CLOSE(t, orthonormality(f.st->k[k].psi, npw), 0.0, 1e-12);
        pw_davidson_ws_destroy(ws);
    }
    fixture_fini(&f);
}

/* Dependent start vectors and a workspace of the wrong size are refused with a message. */
static void test_davidson_bad(al_test *t)
{
    fixture f;
    al_err err = {0};
    AL_CHECK_OK(t, fixture_init(&f, &err), &err);
    size_t k = find_k(&f, false);
    pw_ham h = {f.b, &f.b->k[k], &f.st->nl[k], f.st->vloc, f.box, NULL, NULL, 0};
    size_t npw = f.b->k[k].npw;
    double eig[NB], resid[NB];
    int iters;
    pw_psi_guess(f.b, f.st, 3);
    double complex *x = f.st->k[k].psi;
    memcpy(x + npw, x, npw * sizeof *x); /* band 1 = band 0 */
    pw_davidson_ws *ws = NULL;
    AL_CHECK_OK(t, pw_davidson_ws_create(npw, NB, &ws, &err), &err);
    AL_CHECK(t, pw_davidson(&h, NULL, ws, NB, NB, x, eig, resid, 1e-8, 50, &iters, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, "linearly dependent");
    pw_davidson_ws_destroy(ws);
    AL_CHECK_OK(t, pw_davidson_ws_create(npw / 2, NB, &ws, &err), &err);
    AL_CHECK(t, pw_davidson(&h, NULL, ws, NB, NB, x, eig, resid, 1e-8, 50, &iters, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, "plane waves");
    pw_davidson_ws_destroy(ws);
    AL_CHECK_OK(t, pw_davidson_ws_create(npw, NB - 1, &ws, &err), &err);
    AL_CHECK(t, pw_davidson(&h, NULL, ws, NB, NB, x, eig, resid, 1e-8, 50, &iters, &err) == AL_EINVAL);
    AL_CHECK_CONTAINS(t, err.msg, "bands");
    pw_davidson_ws_destroy(ws);
    fixture_fini(&f);
}

static const al_test_case cases[] = {
    {"eig_davidson_gamma_dense", test_davidson_gamma, AL_TEST_FAST},
    {"eig_davidson_k_dense", test_davidson_k, AL_TEST_FAST},
    {"eig_lobpcg_gamma_dense", test_lobpcg_gamma, AL_TEST_FAST},
    {"eig_lobpcg_k_dense", test_lobpcg_k, AL_TEST_FAST},
    {"eig_davidson_unreachable_tolerance", test_davidson_unreachable, AL_TEST_FAST},
    {"eig_davidson_bad_input", test_davidson_bad, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
