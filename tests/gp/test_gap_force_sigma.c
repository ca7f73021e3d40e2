/*
 * The GAP force-uncertainty estimate (gp/gap_predict.c, docs/gap.md) against quantities the test
 * computes itself, for a silicon model with 2-body and SOAP descriptors:
 *  - the exact DTC predictive variance of every force component, by brute force: the force's
 *    covariance with the sparse points is −∂k_E/∂r_iα with k_E the frame's summed kernel row
 *    (central differences), its prior variance the mixed second difference of the prior energy
 *    covariance between the frame and a displaced copy, and the posterior from the model's
 *    factors (gp_dtc_variance);
 *  - the estimate's own definition, rebuilt from the full descriptor Jacobians
 *    (desc_soap_compute) and the local-energy sigmas, which checks the contracted norms;
 *  - its limits: small where forces were fitted tightly, the prior far from the data;
 *  - invariance under rotation, translation and permutation; reported only on request.
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
/* Bands of estimate/exact, around what this model gives (near the data 0.063–0.211, far from it
 * 1.17–77; docs/gap.md). Near the data the estimate is low because it scales derivative
 * variances by the energy's posterior ratio, which the energy labels shrink more than the
 * force labels shrink the force variance; far from the data it is high where the neglected
 * prior covariances between units cancel much of the exact variance. */
#define NEAR_LO 0.03
#define NEAR_HI 0.5
#define FAR_LO 0.5
#define FAR_HI 150.0

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

/* k_E[s]: covariance of the frame's energy with every sparse point. */
static void kernel_row(const gp_model *m, const frame_desc *fd, double *k)
{
    memset(k, 0, m->m * sizeof *k);
    for (size_t d = 0; d < fd->n_desc; d++) {
        const desc_values *v = &fd->v[d];
        const gp_desc_model *dm = &m->d[d];
        for (size_t q = 0; q < v->n; q++)
            for (size_t s = 0; s < dm->ns; s++)
                k[dm->first + s] += v->c[q] * kernel(&m->spec.desc[d], v->dim, v->x + q * v->dim, dm->xs + s * dm->dim) * dm->ws[s];
    }
}

/* Prior covariance of the energies of two frames. */
static double prior_cov(const gp_model *m, const frame_desc *a, const frame_desc *b)
{
    double sum = 0;
    for (size_t d = 0; d < a->n_desc; d++) {
        const desc_values *va = &a->v[d], *vb = &b->v[d];
        for (size_t q = 0; q < va->n; q++)
            for (size_t p = 0; p < vb->n; p++)
                sum += va->c[q] * vb->c[p] * kernel(&m->spec.desc[d], va->dim, va->x + q * va->dim, vb->x + p * va->dim);
    }
    return sum;
}

/* Exact DTC standard deviation of each atom's force, RMS over components (eV/Å). */
static void exact_force_sigma(gp_model *m, const al_frame *f, double *out)
{
    al_err err;
    const double h = 1e-3;
    size_t mm = m->m;
    double *kp = malloc(mm * sizeof *kp), *km = malloc(mm * sizeof *km);
    al_frame g[2];
    frame_desc fd[2];
    for (int s = 0; s < 2; s++) {
        al_frame_init(&g[s]);
        al_frame_copy(&g[s], f, &err);
    }
    for (size_t i = 0; i < f->n_atoms; i++) {
        double var_sum = 0;
        for (int a = 0; a < 3; a++) {
            g[0].pos[i][a] = f->pos[i][a] + h;
            g[1].pos[i][a] = f->pos[i][a] - h;
            for (int s = 0; s < 2; s++) describe(m, &g[s], &fd[s]);
            kernel_row(m, &fd[0], kp);
            kernel_row(m, &fd[1], km);
            for (size_t s = 0; s < mm; s++) kp[s] = -(kp[s] - km[s]) / (2 * h);
            double kff = (prior_cov(m, &fd[0], &fd[0]) - 2 * prior_cov(m, &fd[0], &fd[1]) + prior_cov(m, &fd[1], &fd[1])) /
                         (4 * h * h);
            double var = 0;
            gp_dtc_variance(m->dtc, 1, kp, &kff, &var, &err);
            var_sum += var;
            for (int s = 0; s < 2; s++) describe_free(&fd[s]);
            g[0].pos[i][a] = g[1].pos[i][a] = f->pos[i][a];
        }
        out[i] = sqrt(var_sum / 3);
    }
    for (int s = 0; s < 2; s++) al_frame_fini(&g[s]);
    free(kp);
    free(km);
}

/* The estimate's definition from full Jacobians: Σ_units ρ_centre · prior derivative variance,
 * with ρ_j = σ_j²/k_jj from the predicted local sigmas and k_jj computed here. */
static void defined_force_sigma(const gp_model *m, const al_frame *f, const double *atom_sigma, double *out)
{
    size_t n = f->n_atoms;
    frame_desc fd;
    describe(m, f, &fd);
    double *kjj = calloc(n, sizeof *kjj), *rho = calloc(n, sizeof *rho), *fs2 = calloc(n, sizeof *fs2);
    for (size_t d = 0; d < fd.n_desc; d++) {
        const desc_values *v = &fd.v[d];
        for (size_t q = 0; q < v->n; q++)
            for (size_t p = 0; p < v->n; p++)
                if (v->centre[p] == v->centre[q])
                    kjj[v->centre[q]] += v->c[q] * v->c[p] * kernel(&m->spec.desc[d], v->dim, v->x + q * v->dim, v->x + p * v->dim);
    }
    for (size_t j = 0; j < n; j++) rho[j] = fmin(1.0, atom_sigma[j] * atom_sigma[j] / kjj[j]);
    for (size_t d = 0; d < fd.n_desc; d++) {
        const gp_desc_hyper *h = &m->spec.desc[d];
        const desc_values *v = &fd.v[d];
        double d2 = h->delta * h->delta;
        for (size_t q = 0; q < v->n; q++) {
            int j = v->centre[q];
            if (h->kind == GP_KIND_2B) {   /* pair terms: 4δ²(c'² + c²/θ²), half per instance */
                size_t g = v->goff[q];
                if (v->g_atom[g] == j) continue;
                double dc = sqrt(v->g_dc[g][0] * v->g_dc[g][0] + v->g_dc[g][1] * v->g_dc[g][1] + v->g_dc[g][2] * v->g_dc[g][2]);
                double w = 2 * d2 * (dc * dc + v->c[q] * v->c[q] / (h->theta * h->theta));
                fs2[j] += rho[j] * w;
                fs2[v->g_atom[g]] += rho[j] * w;
                continue;
            }
            /* SOAP: ∂v_j/∂r_i for every atom i, summed over the vectors that end on i (minus
             * all vectors for the centre), then δ²ζ‖·‖². */
            size_t dim = v->dim;
            double *t = calloc(n * dim * 3, sizeof *t);
            for (size_t g = v->goff[q]; g < v->goff[q + 1]; g++)
                for (size_t k = 0; k < dim * 3; k++) {
                    t[(size_t)v->g_atom[g] * dim * 3 + k] += v->g_dx[g * dim * 3 + k];
                    t[(size_t)j * dim * 3 + k] -= v->g_dx[g * dim * 3 + k];
                }
            for (size_t i = 0; i < n; i++) {
                double n2 = 0;
                for (size_t k = 0; k < dim * 3; k++) n2 += t[i * dim * 3 + k] * t[i * dim * 3 + k];
                fs2[i] += rho[j] * d2 * h->zeta * n2;
            }
            free(t);
        }
    }
    for (size_t i = 0; i < n; i++) out[i] = sqrt(fs2[i] / 3);
    describe_free(&fd);
    free(kjj);
    free(rho);
    free(fs2);
}

static gp_model *fit_model(al_test *t, al_frame *train, size_t n_sparse)
{
    al_err err;
    gp_gap_spec s = si_spec(n_sparse);
    gp_model *m = NULL;
    AL_CHECK_OK(t, gp_gap_fit(&s, train, NTRAIN, &m, &err), &err);
    return m;
}

static void predict_sigmas(al_test *t, gp_model *m, const al_frame *f, double *asig, double *fsig, al_pot_result *r)
{
    al_err err;
    *r = (al_pot_result){.want_uncertainty = true, .atom_sigma = asig, .force_sigma = fsig};
    AL_CHECK_OK(t, gp_model_predict(m, f, r, &err), &err);
    AL_CHECK(t, r->has_uncertainty);
}

/* Spearman rank correlation (no ties expected). */
static double rank_corr(const double *a, const double *b, size_t n)
{
    double ra[64], rb[64], s = 0;
    for (size_t i = 0; i < n; i++) {
        ra[i] = rb[i] = 0;
        for (size_t j = 0; j < n; j++) ra[i] += a[j] < a[i], rb[i] += b[j] < b[i];
    }
    for (size_t i = 0; i < n; i++) s += (ra[i] - rb[i]) * (ra[i] - rb[i]);
    return 1.0 - 6.0 * s / ((double)n * ((double)n * n - 1.0));
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

static void test_matches_definition_and_exact(al_test *t)
{
    al_frame *train = train_set();
    gp_model *m = fit_model(t, train, 12);
    enum { NT = 3 };
    double est[NT * NATOM], ex[NT * NATOM], def[NT * NATOM], asig[NATOM];
    double lo = 1e300, hi = 0;
    for (size_t k = 0; k < NT; k++) {
        al_frame g;
        al_frame_init(&g);
        si_frame(&g, 500 + k, 1.0);
        al_pot_result r;
        predict_sigmas(t, m, &g, asig, est + k * NATOM, &r);
        defined_force_sigma(m, &g, asig, def + k * NATOM);
        exact_force_sigma(m, &g, ex + k * NATOM);
        double mx = 0, mean = 0;
        for (size_t i = 0; i < NATOM; i++) mx = fmax(mx, est[k * NATOM + i]), mean += est[k * NATOM + i] / NATOM;
        AL_CHECK_CLOSE(t, r.force_sigma_max, mx, 1e-15);
        AL_CHECK_CLOSE(t, r.force_sigma_mean, mean, 1e-15);
        al_frame_fini(&g);
    }
    for (size_t i = 0; i < NT * NATOM; i++) {
        AL_CHECK_REL(t, est[i], def[i], 1e-9, 1e-12);
        double q = est[i] / ex[i];
        lo = fmin(lo, q), hi = fmax(hi, q);
        printf("atom %2zu: estimate %.4f exact %.4f eV/A ratio %.3f", i, est[i], ex[i], q); printf("\n");
    }
    double rc = rank_corr(est, ex, NT * NATOM);
    printf("ratio estimate/exact %.3f .. %.3f, rank correlation %.3f\n", lo, hi, rc);
    AL_CHECK_MSG(t, lo > NEAR_LO && hi < NEAR_HI, "ratio %.3f .. %.3f outside [%g, %g]", lo, hi, NEAR_LO, NEAR_HI);
    AL_CHECK_MSG(t, rc > 0.0, "rank correlation %.3f", rc);
    gp_model_destroy(m);
    free_frames(train, NTRAIN);
}

/* Far from the data (an expanded cell, bonds beyond the training distances) the posterior is
 * the prior: every ratio σ_j²/k_jj is near 1 and the estimate is the diagonal prior sum, which
 * neglects the prior covariances between units; near the data, forces fitted with a small
 * noise make both the estimate and the exact value small. */
static void test_limits(al_test *t)
{
    al_err err;
    al_frame *train = train_set();
    gp_model *m = fit_model(t, train, 12);
    double est[NATOM], ex[NATOM], asig[NATOM], lo = 1e300, hi = 0;
    al_frame g;
    al_frame_init(&g);
    si_frame(&g, 777, 1.6);
    al_pot_result r;
    predict_sigmas(t, m, &g, asig, est, &r);
    exact_force_sigma(m, &g, ex);
    for (size_t i = 0; i < NATOM; i++) lo = fmin(lo, est[i] / ex[i]), hi = fmax(hi, est[i] / ex[i]);
    printf("far from the data: ratio estimate/exact %.3f .. %.3f\n", lo, hi);
    AL_CHECK_MSG(t, lo > FAR_LO && hi < FAR_HI, "far-field ratio %.3f .. %.3f outside [%g, %g]", lo, hi, FAR_LO, FAR_HI);
    gp_model_destroy(m);
    /* Tight force labels on the training frames, all environments sparse: at a training frame
     * the force sigma collapses, in the estimate and exactly. */
    gp_gap_spec s = si_spec(1000);
    s.sigma_force = 1e-3, s.sigma_energy = 1e-4;
    AL_CHECK_OK(t, gp_gap_fit(&s, train, NTRAIN, &m, &err), &err);
    predict_sigmas(t, m, &train[1], asig, est, &r);
    exact_force_sigma(m, &train[1], ex);
    double emax = 0, xmax = 0;
    for (size_t i = 0; i < NATOM; i++) emax = fmax(emax, est[i]), xmax = fmax(xmax, ex[i]);
    printf("at a training frame: estimate max %.3g, exact max %.3g eV/A\n", emax, xmax);
    /* The prior level here is ~3 eV/Å; the exact value carries the finite-difference error. */
    AL_CHECK_MSG(t, emax < 1e-3 && xmax < 0.05, "training-frame force sigmas %.3g, %.3g eV/A", emax, xmax);
    al_frame_fini(&g);
    gp_model_destroy(m);
    free_frames(train, NTRAIN);
}

/* Rotating, translating or permuting the atoms moves the per-atom values with the atoms; without
 * a request nothing is written. */
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
    predict_sigmas(t, m, &g, asig, e0, &r);
    double c = cos(0.4), sn = sin(0.4), rot[3][3] = {{c, -sn, 0}, {sn, c, 0}, {0, 0, 1}};
    for (int kind = 0; kind < 3; kind++) {
        al_frame_copy(&h, &g, &err);
        for (size_t i = 0; i < NATOM; i++) {
            size_t src = kind == 2 ? NATOM - 1 - i : i;
            for (int a = 0; a < 3; a++) {
                if (kind == 0) h.pos[i][a] = g.pos[i][a] + 0.37 * (a + 1);
                if (kind == 1) h.pos[i][a] = g.pos[i][0] * rot[0][a] + g.pos[i][1] * rot[1][a] + g.pos[i][2] * rot[2][a];
                if (kind == 2) h.pos[i][a] = g.pos[src][a];
            }
        }
        if (kind == 1) al_mat3_mul(g.cell, rot, h.cell);
        predict_sigmas(t, m, &h, asig, e1, &r);
        for (size_t i = 0; i < NATOM; i++) AL_CHECK_REL(t, e1[i], e0[kind == 2 ? NATOM - 1 - i : i], 1e-9, 1e-12);
    }
    double fs[NATOM];
    for (size_t i = 0; i < NATOM; i++) fs[i] = -1.0;
    r = (al_pot_result){.force_sigma = fs, .force_sigma_max = 5.0};
    AL_CHECK_OK(t, gp_model_predict(m, &g, &r, &err), &err);
    AL_CHECK(t, !r.has_uncertainty && r.force_sigma_max == 0.0);
    for (size_t i = 0; i < NATOM; i++) AL_CHECK(t, fs[i] == -1.0);
    /* The summary alone, without the per-atom array. */
    r = (al_pot_result){.want_uncertainty = true};
    AL_CHECK_OK(t, gp_model_predict(m, &g, &r, &err), &err);
    double mx = 0;
    for (size_t i = 0; i < NATOM; i++) mx = fmax(mx, e0[i]);
    AL_CHECK_REL(t, r.force_sigma_max, mx, 1e-12, 0);
    al_frame_fini(&g);
    al_frame_fini(&h);
    gp_model_destroy(m);
    free_frames(train, NTRAIN);
}

static const al_test_case cases[] = {
    {"matches_definition_and_exact", test_matches_definition_and_exact, AL_TEST_FAST},
    {"limits", test_limits, AL_TEST_FAST},
    {"invariance_and_request", test_invariance_and_request, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
