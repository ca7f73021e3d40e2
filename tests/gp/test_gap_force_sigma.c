/*
 * The exact GAP force uncertainty (gp/gap_force_sigma.c, docs/gap.md) against a brute-force
 * evaluation written here, for a silicon model with 2-body and SOAP descriptors:
 *  - the DTC predictive variance of every force component by finite differences: the force's
 *    covariance with the sparse points is −∂k_E/∂r_iα with k_E the frame's summed kernel row
 *    (central differences of full descriptor evaluations), its prior variance the mixed second
 *    difference of the prior energy covariance between two displaced copies of the frame, and
 *    the posterior from the model's factors (gp_dtc_variance);
 *  - the atoms examined are those with the largest local-energy sigma;
 *  - its limits: far below the prior at a frame fitted with tight force labels, near the prior far
 *    from the data;
 *  - invariance under rotation and translation; nothing is computed unless requested.
 * Kernels are written out here: 2-body δ² exp(−(r − r')²/2θ²), SOAP δ² (p·p')^ζ.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/cell.h"
#include "core/rng.h"
#include "gp/desc/soap.h"
#include "gp/gap.h"
#include "gp/gap_model.h"
#include "tests/gp/random_cells.h"
#include "tests/harness/al_test.h"

enum { NTRAIN = 4, NATOM = 8 };

/* Random silicon cell (~5.4 Å, 8 atoms, no pair closer than 2.0 Å) with random labels. */
static void si_frame(al_frame *f, uint64_t seed, double scale)
{
    al_err err;
    al_rng r;
    al_rng_seed(&r, seed, 0);
    al_frame_alloc(f, NATOM, &err);
    const double base[3][3] = {{5.4 * scale, 0, 0}, {0.3, 5.4 * scale, 0}, {-0.2, 0.2, 5.4 * scale}};
    random_cell_atoms(f, base, 2.0 * scale, &r);
    for (size_t i = 0; i < NATOM; i++) f->z[i] = 14;
    f->labels = AL_LBL_ENERGY | AL_LBL_FORCES;
    f->energy = -4.0 * NATOM + 0.3 * al_rng_normal(&r);
    al_frame_alloc_forces(f, &err);
    for (size_t i = 0; i < NATOM; i++)
        for (int a = 0; a < 3; a++) f->forces[i][a] = 0.5 * al_rng_normal(&r);
}

static gp_gap_spec si_spec(size_t n_sparse)
{
    al_err err;
    gp_gap_spec s = gp_gap_spec_default();
    gp_gap_spec_add_2b(&s, 14, 14, 4.0, 0.5, 0.5, 1.0, 8, &err);
    gp_gap_spec_add_soap(&s, 14, 3.5, 1.0, 4, 3, 0.5, 4, 0.2, n_sparse, &err);
    s.sigma_energy = 0.01, s.sigma_force = 0.1, s.sparse_jitter = 1e-8;
    return s;
}

/* Descriptor instances of a frame for every descriptor of the model, with full Jacobians. */
typedef struct frame_desc {
    size_t n_desc;
    desc_values v[2];
} frame_desc;

static void describe(const gp_model *m, const al_frame *f, frame_desc *fd)
{
    al_err err;
    const gp_gap_spec *s = gp_model_spec(m);
    al_nlist nl;
    al_nlist_init(&nl);
    al_nlist_build(&nl, f, 4.0, 0.0, &err);
    fd->n_desc = s->n_desc;
    for (size_t d = 0; d < s->n_desc; d++) {
        desc_values_init(&fd->v[d]);
        if (s->desc[d].kind == GP_KIND_2B) {
            desc_2b_compute(&s->desc[d].b2, f, &nl, &fd->v[d], &err);
        } else {
            desc_soap *so = NULL;
            desc_soap_create(&s->desc[d].soap, &so, &err);
            desc_soap_compute(so, f, &nl, &fd->v[d], &err);
            desc_soap_destroy(so);
        }
    }
    al_nlist_fini(&nl);
}

static void describe_free(frame_desc *fd)
{
    for (size_t d = 0; d < fd->n_desc; d++) desc_values_fini(&fd->v[d]);
}

static double kernel(const gp_desc_hyper *h, size_t dim, const double *x, const double *y)
{
    if (h->kind == GP_KIND_2B) {
        double u = (x[0] - y[0]) / h->theta;
        return h->delta * h->delta * exp(-0.5 * u * u);
    }
    double dot = 0;
    for (size_t k = 0; k < dim; k++) dot += x[k] * y[k];
    return h->delta * h->delta * pow(dot, h->zeta);
}

/* k_E(a)[s] − k_E(b)[s] for the frame's energy covariance with every sparse point, summed term by
 * term like prior_mixed: the sparse covariance is close to singular (jitter 1e-8), so round-off
 * left by instances that do not move would be amplified in ‖L⁻¹k‖². */
static void kernel_row_diff(const gp_model *m, const frame_desc *a, const frame_desc *b, double *k)
{
    memset(k, 0, m->m * sizeof *k);
    for (size_t d = 0; d < a->n_desc; d++) {
        const desc_values *va = &a->v[d], *vb = &b->v[d];
        const gp_desc_model *dm = &m->d[d];
        const gp_desc_hyper *h = &m->spec.desc[d];
        size_t dim = va->dim;
        for (size_t q = 0; q < va->n; q++)
            for (size_t s = 0; s < dm->ns; s++) {
                const double *xs = dm->xs + s * dim;
                double w = h->kind == GP_KIND_2B ? dm->ws[s] : 1.0;   /* SOAP rows carry no sparse weight */
                k[dm->first + s] += (va->c[q] * kernel(h, dim, va->x + q * dim, xs) - vb->c[q] * kernel(h, dim, vb->x + q * dim, xs)) * w;
            }
    }
}

/* Mixed second difference of the prior energy covariance between copies a (atom displaced by +h)
 * and b (by −h): Σ_d Σ_{q,q'} [k(a_q, a_q') − k(a_q, b_q') − k(b_q, a_q') + k(b_q, b_q')], summed
 * term by term so that instances which do not move cancel exactly instead of leaving the
 * round-off of the whole frame's covariance (the instance lists of a and b are in the same order). */
static double prior_mixed(const gp_model *m, const frame_desc *a, const frame_desc *b)
{
    double sum = 0;
    for (size_t d = 0; d < a->n_desc; d++) {
        const desc_values *va = &a->v[d], *vb = &b->v[d];
        const gp_desc_hyper *h = &m->spec.desc[d];
        size_t dim = va->dim;
        for (size_t q = 0; q < va->n; q++)
            for (size_t p = 0; p < va->n; p++) {
                const double *aq = va->x + q * dim, *ap = va->x + p * dim, *bq = vb->x + q * dim, *bp = vb->x + p * dim;
                sum += (va->c[q] * va->c[p] * kernel(h, dim, aq, ap) - va->c[q] * vb->c[p] * kernel(h, dim, aq, bp)) -
                       (vb->c[q] * va->c[p] * kernel(h, dim, bq, ap) - vb->c[q] * vb->c[p] * kernel(h, dim, bq, bp));
            }
    }
    return sum;
}

static gp_model *fit_model(al_test *t, al_frame *train, size_t n_sparse)
{
    al_err err;
    gp_gap_spec s = si_spec(n_sparse);
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, train, NTRAIN, &m, &err), &err);
    return m;
}

static al_frame *train_set(void)
{
    al_frame *f = calloc(NTRAIN, sizeof *f);
    for (size_t k = 0; k < NTRAIN; k++) {
        al_frame_init(&f[k]);
        si_frame(&f[k], 300 + k, 1.0);
    }
    return f;
}

static void free_frames(al_frame *f, size_t n)
{
    for (size_t k = 0; k < n; k++) al_frame_fini(&f[k]);
    free(f);
}

/* Central differences with step h of the force row (−∂k_E/∂r_ia, into kf) and of the prior. */
static double differences(gp_model *m, const al_frame *f, size_t i, int a, double h, double *kf)
{
    al_err err;
    size_t mm = m->m;
    al_frame g[2];
    frame_desc fd[2];
    for (int s = 0; s < 2; s++) {
        al_frame_init(&g[s]);
        al_frame_copy(&g[s], f, &err);
        g[s].pos[i][a] += s ? -h : h;
        describe(m, &g[s], &fd[s]);
    }
    kernel_row_diff(m, &fd[0], &fd[1], kf);
    for (size_t s = 0; s < mm; s++) kf[s] /= -2 * h;
    double prior = prior_mixed(m, &fd[0], &fd[1]) / (4 * h * h);
    for (int s = 0; s < 2; s++) {
        describe_free(&fd[s]);
        al_frame_fini(&g[s]);
    }
    return prior;
}

/* Brute force: the DTC variance of force component (i, a), and its prior variance in *prior.
 * Richardson extrapolation of the steps h and 2h (h = 1e-3 Å) removes the O(h²) error of the
 * central differences, leaving O(h⁴) ~ 1e-12 and the round-off of the moving terms. */
static double brute_force_var(gp_model *m, const al_frame *f, size_t i, int a, double *prior)
{
    al_err err;
    const double h = 2e-4;
    size_t mm = m->m;
    double *k1 = malloc(mm * sizeof *k1), *k2 = malloc(mm * sizeof *k2), var = 0;
    double p1 = differences(m, f, i, a, h, k1), p2 = differences(m, f, i, a, 2 * h, k2);
    for (size_t s = 0; s < mm; s++) k1[s] = (4 * k1[s] - k2[s]) / 3;
    *prior = (4 * p1 - p2) / 3;
    gp_dtc_variance(m->dtc, 1, k1, prior, &var, &err);
    free(k1);
    free(k2);
    return var;
}

/* The analytic component variances of every atom (3·NATOM, atom outer). */
static void analytic_var(al_test *t, gp_model *m, const al_frame *f, double *var)
{
    al_err err;
    size_t atoms[NATOM];
    for (size_t i = 0; i < NATOM; i++) atoms[i] = i;
    AL_CHECK_OK(t, al_nlist_update(&m->nl, f, gp__max_cutoff(&m->spec), 0.5, &err), &err);
    AL_CHECK_OK(t, gp__force_var(m, f, atoms, NATOM, var, &err), &err);
}

static void predict_sigmas(al_test *t, gp_model *m, const al_frame *f, size_t k, double *asig, double *fsig,
                           al_pot_result *r)
{
    al_err err;
    *r = (al_pot_result){.want_uncertainty = true, .atom_sigma = asig, .force_sigma_atoms = k, .force_sigma = fsig};
    AL_CHECK_OK(t, gp_model_predict(m, f, r, &err), &err);
    AL_CHECK(t, r->has_uncertainty);
}

/* Every component of every atom, near the data (frames like the training ones): the analytic
 * variance equals the brute-force one. */
static void test_matches_brute_force(al_test *t)
{
    al_frame *train = train_set();
    gp_model *m = fit_model(t, train, 12);
    double worst = 0, lo = 1e300, hi = 0;
    for (size_t k = 0; k < 2; k++) {
        al_frame g;
        al_frame_init(&g);
        si_frame(&g, 500 + k, 1.0);
        double var[3 * NATOM];
        analytic_var(t, m, &g, var);
        for (size_t i = 0; i < NATOM; i++)
            for (int a = 0; a < 3; a++) {
                double prior, bf = brute_force_var(m, &g, i, a, &prior), an = var[3 * i + a];
                AL_CHECK_REL(t, an, bf, 2e-5, 1e-9);
                worst = fmax(worst, fabs(an - bf) / fabs(bf));
                lo = fmin(lo, bf / prior), hi = fmax(hi, bf / prior);
            }
        al_frame_fini(&g);
    }
    printf("analytic vs brute-force force variances: largest relative difference %.2e "
           "(posterior/prior %.3f .. %.3f)\n", worst, lo, hi);
    gp_model_destroy(m);
    free_frames(train, NTRAIN);
}

/* The result reports the K atoms of largest atom_sigma: the square root of the mean component
 * variance there, NaN elsewhere, and the largest with its atom. */
static void test_examined_atoms(al_test *t)
{
    al_frame *train = train_set();
    gp_model *m = fit_model(t, train, 12);
    al_frame g;
    al_frame_init(&g);
    si_frame(&g, 610, 1.0);
    enum { K = 3 };
    double asig[NATOM], fsig[NATOM], var[3 * NATOM];
    al_pot_result r;
    predict_sigmas(t, m, &g, K, asig, fsig, &r);
    analytic_var(t, m, &g, var);
    double best = 0;
    long at = -1;
    for (size_t i = 0; i < NATOM; i++) {
        size_t above = 0;   /* atoms with a larger local-energy sigma */
        for (size_t j = 0; j < NATOM; j++) above += asig[j] > asig[i];
        double want = sqrt((var[3 * i] + var[3 * i + 1] + var[3 * i + 2]) / 3);
        if (above >= K) {
            AL_CHECK_MSG(t, isnan(fsig[i]), "atom %zu (rank %zu) not examined, got %g", i, above, fsig[i]);
            continue;
        }
        AL_CHECK_REL(t, fsig[i], want, 1e-10, 1e-14);
        if (want > best) best = want, at = (long)i;
    }
    AL_CHECK_REL(t, r.force_sigma_max, best, 1e-10, 1e-14);
    AL_CHECK(t, r.force_sigma_atom == at);
    /* More atoms than the frame has: all of them. */
    predict_sigmas(t, m, &g, 100, asig, fsig, &r);
    for (size_t i = 0; i < NATOM; i++) AL_CHECK(t, !isnan(fsig[i]));
    al_frame_fini(&g);
    gp_model_destroy(m);
    free_frames(train, NTRAIN);
}

/* Prior standard deviation of atom i's force, sqrt of the mean component prior (brute force). */
static double prior_sigma(gp_model *m, const al_frame *f, size_t i)
{
    double sum = 0, p;
    for (int a = 0; a < 3; a++) {
        brute_force_var(m, f, i, a, &p);
        sum += p;
    }
    return sqrt(sum / 3);
}

/* At a training frame fitted with tight force labels the force sigma is far below the prior
 * (measured: 1 % of it); far from the data (a cell expanded 1.5×, SOAP environments unlike the
 * training ones) it approaches it (measured: at least 70 % of it). */
static void test_limits(al_test *t)
{
    al_err err;
    al_frame *train = train_set();
    gp_gap_spec s = si_spec(1000);
    s.sigma_force = 1e-3, s.sigma_energy = 1e-4;
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, train, NTRAIN, &m, &err), &err);
    double asig[NATOM], fsig[NATOM];
    al_pot_result r;
    predict_sigmas(t, m, &train[1], NATOM, asig, fsig, &r);
    double pmin = 1e300, worst = 0;
    for (size_t i = 0; i < NATOM; i++) {
        double p = prior_sigma(m, &train[1], i);
        pmin = fmin(pmin, p), worst = fmax(worst, fsig[i] / p);
    }
    printf("training frame, force noise 1e-3 eV/A: sigma_max %.3g eV/A, prior >= %.3g eV/A, "
           "largest ratio %.2e\n", r.force_sigma_max, pmin, worst);
    AL_CHECK_MSG(t, worst < 2e-2, "force sigma / prior %.3g at a tightly fitted frame", worst);
    gp_model_destroy(m);
    /* SOAP alone: the 2-body term is a function of one distance whose whole range (up to its
     * cutoff) the training frames cover, so no cell is far from its data. */
    s = gp_gap_spec_default();
    gp_gap_spec_add_soap(&s, 14, 3.5, 1.0, 4, 3, 0.5, 4, 0.2, 12, &err);
    s.sigma_energy = 0.01, s.sigma_force = 0.1, s.sparse_jitter = 1e-8;
    AL_CHECK_OK(t, gp_gap_fit(&s, train, NTRAIN, &m, &err), &err);
    al_frame g;
    al_frame_init(&g);
    si_frame(&g, 777, 1.5);
    predict_sigmas(t, m, &g, NATOM, asig, fsig, &r);
    double lo = 1e300;
    for (size_t i = 0; i < NATOM; i++) lo = fmin(lo, fsig[i] / prior_sigma(m, &g, i));
    printf("expanded cell: smallest force sigma / prior %.4f\n", lo);
    AL_CHECK_MSG(t, lo > 0.6 && lo <= 1.0 + 1e-9, "far from the data force sigma / prior %.4f", lo);
    al_frame_fini(&g);
    gp_model_destroy(m);
    free_frames(train, NTRAIN);
}

/* Rotating or translating the frame leaves every atom's force sigma unchanged; without a request
 * nothing is computed or written. */
static void test_invariance_and_request(al_test *t)
{
    al_err err;
    al_frame *train = train_set();
    gp_model *m = fit_model(t, train, 12);
    al_frame g, h;
    al_frame_init(&g);
    al_frame_init(&h);
    si_frame(&g, 901, 1.0);
    double e0[NATOM], e1[NATOM], asig[NATOM];
    al_pot_result r;
    predict_sigmas(t, m, &g, NATOM, asig, e0, &r);
    double c = cos(0.4), sn = sin(0.4), rot[3][3] = {{c, -sn, 0}, {sn, c, 0}, {0, 0, 1}};
    for (int kind = 0; kind < 2; kind++) {
        al_frame_copy(&h, &g, &err);
        for (size_t i = 0; i < NATOM; i++)
            for (int a = 0; a < 3; a++)
                h.pos[i][a] = kind == 0 ? g.pos[i][a] + 0.37 * (a + 1)
                                        : g.pos[i][0] * rot[0][a] + g.pos[i][1] * rot[1][a] + g.pos[i][2] * rot[2][a];
        if (kind == 1) al_mat3_mul(g.cell, rot, h.cell);
        predict_sigmas(t, m, &h, NATOM, asig, e1, &r);
        for (size_t i = 0; i < NATOM; i++) AL_CHECK_REL(t, e1[i], e0[i], 1e-9, 1e-12);
    }
    double fs[NATOM];
    for (size_t i = 0; i < NATOM; i++) fs[i] = -1.0;
    for (int ask = 0; ask < 2; ask++) {   /* no uncertainty at all; uncertainty without force atoms */
        r = (al_pot_result){.want_uncertainty = ask, .force_sigma_atoms = ask ? 0 : 4, .force_sigma = fs,
                            .force_sigma_max = 5.0};
        AL_CHECK_OK(t, gp_model_predict(m, &g, &r, &err), &err);
        AL_CHECK(t, r.has_uncertainty == (ask == 1) && r.force_sigma_max == 0.0 && r.force_sigma_atom == -1);
        for (size_t i = 0; i < NATOM; i++) AL_CHECK(t, fs[i] == -1.0);
    }
    al_frame_fini(&g);
    al_frame_fini(&h);
    gp_model_destroy(m);
    free_frames(train, NTRAIN);
}

static const al_test_case cases[] = {
    {"matches_brute_force", test_matches_brute_force, AL_TEST_FAST},
    {"examined_atoms", test_examined_atoms, AL_TEST_FAST},
    {"limits", test_limits, AL_TEST_FAST},
    {"invariance_and_request", test_invariance_and_request, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
