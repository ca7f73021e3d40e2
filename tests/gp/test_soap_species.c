/*
 * Multi-species SOAP (QUIP's n_species/species_Z, gp/desc/soap.h): agreement with an
 * independent NumPy implementation of QUIP's definition (tests/data/gp/make_soap_fixtures.py),
 * gradients against finite differences in atom positions and cell strain for random triclinic
 * 2- and 3-species cells, the fast contracted gradients and the Jacobian columns of chosen atoms
 * against the full Jacobian (and the columns against finite differences), invariances
 * (rotation, translation, permutation of same-species atoms, periodic images and supercells),
 * and the reduction of a two-species descriptor on a one-species frame to the single-species one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cell.h"
#include "core/extxyz.h"
#include "core/neighbors.h"
#include "core/rng.h"
#include "gp/desc/soap.h"
#include "tests/gp/random_cells.h"
#include "tests/harness/al_test.h"

/* A random triclinic cell (~6.5 Å) with atoms of species z[i % nz], no pair (or periodic image)
 * closer than 1.7 Å. */
static void random_frame(al_frame *f, size_t n, const int *z, int nz, uint64_t seed)
{
    al_err err;
    al_rng r;
    al_rng_seed(&r, seed, 0);
    al_frame_init(f);
    al_frame_alloc(f, n, &err);
    double cell[3][3] = {{6.6, 0, 0}, {0.8, 6.3, 0}, {-0.6, 0.5, 6.5}};
    for (size_t i = 0; i < n; i++) f->z[i] = z[i % (size_t)nz];
    random_cell_atoms(f, cell, 1.7, &r);
}

/* Descriptor values of all centres of every species in zc (one descriptor per centre species). */
typedef struct multi {
    int n;
    desc_soap *s[DESC_SOAP_MAX_SPECIES];
    desc_values v[DESC_SOAP_MAX_SPECIES];
    al_nlist nl;
    double rc;
} multi;

static void multi_init(al_test *t, multi *m, const int *zc, int n, const desc_soap_species *sp, double rc, int n_max,
                       int l_max)
{
    al_err err;
    memset(m, 0, sizeof *m);
    m->n = n;
    m->rc = rc;
    al_nlist_init(&m->nl);
    for (int k = 0; k < n; k++) {
        desc_soap_spec spec = {zc[k], rc, 1.0, 0.5, n_max, l_max};
        AL_CHECK_OK(t, desc_soap_create_species(&spec, sp, &m->s[k], &err), &err);
        desc_values_init(&m->v[k]);
    }
}

static void multi_fini(multi *m)
{
    for (int k = 0; k < m->n; k++) {
        desc_soap_destroy(m->s[k]);
        desc_values_fini(&m->v[k]);
    }
    al_nlist_fini(&m->nl);
}

static void multi_compute(multi *m, const al_frame *f)
{
    al_err err;
    al_nlist_build(&m->nl, f, m->rc, 0.0, &err);
    for (int k = 0; k < m->n; k++) desc_soap_compute(m->s[k], f, &m->nl, &m->v[k], &err);
}

/* A fixed random linear functional S = Σ w·x of all descriptor values. */
static double functional(const multi *m)
{
    double e = 0;
    for (int k = 0; k < m->n; k++)
        for (size_t q = 0; q < m->v[k].n; q++)
            for (size_t c = 0; c < m->v[k].dim; c++) e += sin(0.37 * (double)c + 1.3 * (double)q + k) * m->v[k].x[q * m->v[k].dim + c];
    return e;
}

/* Analytic ∂S/∂r (forces-like, n × 3) and ∂S/∂ε (3 × 3, ε_ab acting as r_a → r_a + ε_ab r_b). */
static void functional_gradient(const multi *m, size_t n_atoms, double (*g)[3], double ge[3][3])
{
    memset(g, 0, n_atoms * sizeof *g);
    memset(ge, 0, 9 * sizeof(double));
    for (int k = 0; k < m->n; k++) {
        const desc_values *v = &m->v[k];
        for (size_t q = 0; q < v->n; q++)
            for (size_t e = v->goff[q]; e < v->goff[q + 1]; e++)
                for (int a = 0; a < 3; a++) {
                    double s = 0;
                    for (size_t c = 0; c < v->dim; c++) s += sin(0.37 * (double)c + 1.3 * (double)q + k) * v->g_dx[(e * v->dim + c) * 3 + a];
                    g[v->g_atom[e]][a] += s;
                    g[v->centre[q]][a] -= s;
                    for (int b = 0; b < 3; b++) ge[a][b] += s * v->g_d[e][b];
                }
    }
}

static void strain(al_frame *f, const al_frame *f0, int a, int b, double h)
{
    for (size_t i = 0; i < f->n_atoms; i++) f->pos[i][a] = f0->pos[i][a] + h * f0->pos[i][b];
    for (int r = 0; r < 3; r++) f->cell[r][a] = f0->cell[r][a] + h * f0->cell[r][b];
}

/* Central differences of S in positions and strain against the analytic gradient. */
static void check_fd(al_test *t, const int *species, int ns, size_t n_atoms, uint64_t seed, int n_max, int l_max)
{
    al_err err;
    al_frame f, f0;
    random_frame(&f, n_atoms, species, ns, seed);
    al_frame_init(&f0);
    al_frame_copy(&f0, &f, &err);
    desc_soap_species sp = {ns, {0}, DESC_SOAP_CENTRAL_DEFAULT};
    memcpy(sp.z, species, (size_t)ns * sizeof *species);
    multi m;
    multi_init(t, &m, species, ns, &sp, 3.8, n_max, l_max);
    multi_compute(&m, &f);
    double (*g)[3] = calloc(n_atoms, sizeof *g), ge[3][3];
    functional_gradient(&m, n_atoms, g, ge);
    const double h = 1e-5;
    double worst = 0, worst_e = 0, scale = 0;
    for (size_t i = 0; i < n_atoms; i++)
        for (int c = 0; c < 3; c++) {
            double x0 = f.pos[i][c];
            f.pos[i][c] = x0 + h;
            multi_compute(&m, &f);
            double ep = functional(&m);
            f.pos[i][c] = x0 - h;
            multi_compute(&m, &f);
            double em = functional(&m);
            f.pos[i][c] = x0;
            worst = fmax(worst, fabs(g[i][c] - (ep - em) / (2 * h)));
            scale = fmax(scale, fabs(g[i][c]));
        }
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            strain(&f, &f0, a, b, h);
            multi_compute(&m, &f);
            double ep = functional(&m);
            strain(&f, &f0, a, b, -h);
            multi_compute(&m, &f);
            double em = functional(&m);
            strain(&f, &f0, a, b, 0.0);
            worst_e = fmax(worst_e, fabs(ge[a][b] - (ep - em) / (2 * h)));
        }
    printf("  %d species, %zu atoms: max |dS/dr| %.3g, FD error positions %.3g, strain %.3g\n", ns, n_atoms, scale, worst,
           worst_e);
    AL_CHECK(t, scale > 1e-3);
    AL_CHECK_MSG(t, worst < 1e-7 * fmax(1.0, scale), "position gradient off by %.3g", worst);
    AL_CHECK_MSG(t, worst_e < 1e-7 * fmax(1.0, scale), "strain gradient off by %.3g", worst_e);
    free(g);
    multi_fini(&m);
    al_frame_fini(&f);
    al_frame_fini(&f0);
}

static void test_gradients_fd(al_test *t)
{
    int two[] = {32, 34}, three[] = {8, 11, 15};
    check_fd(t, two, 2, 10, 11, 4, 3);
    check_fd(t, three, 3, 11, 12, 3, 2);
}

/* The fast contraction used by prediction equals u·J with the full Jacobian J. */
static void contract_u(void *user, size_t q, int centre, const double *v, double *u)
{
    size_t dim = *(const size_t *)user;
    (void)v;
    for (size_t c = 0; c < dim; c++) u[c] = cos(0.21 * (double)c + 0.9 * (double)q + centre);
}

static void test_contraction(al_test *t)
{
    al_err err;
    int z[] = {8, 11, 15};
    al_frame f;
    random_frame(&f, 12, z, 3, 21);
    desc_soap_species sp = {3, {8, 11, 15}, DESC_SOAP_CENTRAL_DEFAULT};
    desc_soap_spec spec = {11, 3.8, 1.0, 0.5, 3, 3};
    desc_soap *s = NULL;
    AL_CHECK_OK(t, desc_soap_create_species(&spec, &sp, &s, &err), &err);
    size_t dim = desc_soap_dim(s);
    AL_CHECK(t, dim == 4 * 9 * 10 / 2 + 1);
    al_nlist nl;
    desc_values a, b;
    al_nlist_init(&nl);
    desc_values_init(&a);
    desc_values_init(&b);
    al_nlist_build(&nl, &f, 3.8, 0.0, &err);
    AL_CHECK_OK(t, desc_soap_compute(s, &f, &nl, &a, &err), &err);
    AL_CHECK_OK(t, desc_soap_contract(s, &f, &nl, contract_u, &dim, NULL, &b, &err), &err);
    AL_CHECK(t, a.n == 4 && a.n_grad == b.n_grad && a.n_grad > 0);
    double worst = 0;
    for (size_t q = 0; q < a.n; q++)
        for (size_t e = a.goff[q]; e < a.goff[q + 1]; e++)
            for (int c = 0; c < 3; c++) {
                double s1 = 0;
                for (size_t k = 0; k < dim; k++) s1 += cos(0.21 * (double)k + 0.9 * (double)q + a.centre[q]) * a.g_dx[(e * dim + k) * 3 + c];
                worst = fmax(worst, fabs(s1 - b.g_dx[3 * e + c]));
            }
    AL_CHECK_MSG(t, worst < 1e-12, "contracted gradient differs from u·J by %.3g", worst);
    desc_values_fini(&a);
    desc_values_fini(&b);
    al_nlist_fini(&nl);
    desc_soap_destroy(s);
    al_frame_fini(&f);
}

/* ∂x_q/∂r_a (dim × 3) from the full Jacobian: Σ_e ([atom_e = a] − [centre = a]) ∂x_q/∂d_e;
 * false when no vector of q moves with a. */
static bool column_from_jacobian(const desc_values *v, size_t q, int a, double *col)
{
    bool moves = false;
    memset(col, 0, v->dim * 3 * sizeof *col);
    for (size_t e = v->goff[q]; e < v->goff[q + 1]; e++) {
        int sign = (v->g_atom[e] == a) - (v->centre[q] == a);
        if (!sign) continue;
        moves = true;
        for (size_t k = 0; k < v->dim * 3; k++) col[k] += sign * v->g_dx[e * v->dim * 3 + k];
    }
    return moves;
}

/* The gradient entry of atom a in the instance centred on `centre`, or NULL. */
static const double *column_entry(const desc_values *v, int centre, int a)
{
    for (size_t q = 0; q < v->n; q++)
        for (size_t e = v->goff[q]; v->centre[q] == centre && e < v->goff[q + 1]; e++)
            if (v->g_atom[e] == a) return v->g_dx + e * v->dim * 3;
    return NULL;
}

/* One frame: the chosen atoms' columns of the descriptor centred on zc against the full Jacobian
 * (every moving instance present, nothing else) and against central differences of x in r_a,
 * and the same from the coefficients desc_soap_contract keeps. */
static void check_columns(al_test *t, al_frame *f, int zc, const unsigned char *chosen)
{
    al_err err;
    desc_soap_species sp = {2, {32, 34}, DESC_SOAP_CENTRAL_DEFAULT};
    desc_soap_spec spec = {zc, 3.8, 1.0, 0.5, 4, 3};
    desc_soap *s = NULL;
    AL_CHECK_OK(t, desc_soap_create_species(&spec, &sp, &s, &err), &err);
    size_t dim = desc_soap_dim(s), n = f->n_atoms;
    al_nlist nl;
    desc_values full, col, kept, cv;
    al_nlist_init(&nl);
    desc_values_init(&full), desc_values_init(&col), desc_values_init(&kept), desc_values_init(&cv);
    double *coef = malloc(n * desc_soap_coef_len(s) * sizeof *coef), *ref = malloc(dim * 3 * sizeof *ref);
    al_nlist_build(&nl, f, 3.8, 0.0, &err);
    AL_CHECK_OK(t, desc_soap_compute(s, f, &nl, &full, &err), &err);
    AL_CHECK_OK(t, desc_soap_columns(s, f, &nl, chosen, NULL, &col, &err), &err);
    AL_CHECK_OK(t, desc_soap_contract(s, f, &nl, contract_u, &dim, coef, &cv, &err), &err);
    AL_CHECK_OK(t, desc_soap_columns(s, f, &nl, chosen, coef, &kept, &err), &err);
    double worst = 0, worst_kept = 0, scale = 0;
    size_t pairs = 0;
    for (size_t q = 0; q < full.n; q++)
        for (size_t a = 0; a < n; a++) {
            if (!chosen[a] || !column_from_jacobian(&full, q, (int)a, ref)) continue;
            const double *c1 = column_entry(&col, full.centre[q], (int)a);
            const double *c2 = column_entry(&kept, full.centre[q], (int)a);
            AL_CHECK_MSG(t, c1 && c2, "no column of atom %zu in the environment of atom %d", a, full.centre[q]);
            pairs++;
            for (size_t k = 0; c1 && c2 && k < dim * 3; k++) {
                worst = fmax(worst, fabs(c1[k] - ref[k]));
                worst_kept = fmax(worst_kept, fabs(c2[k] - c1[k]));
                scale = fmax(scale, fabs(ref[k]));
            }
        }
    AL_CHECK(t, pairs > 0 && col.n_grad == pairs && kept.n_grad == pairs && col.n == kept.n);
    /* Central differences of every instance's x in each chosen atom's position. */
    const double h = 1e-5;
    double worst_fd = 0;
    for (size_t a = 0; a < n; a++)
        for (int c = 0; chosen[a] && c < 3; c++) {
            double x0 = f->pos[a][c], *xp = malloc(full.n * dim * sizeof *xp);
            f->pos[a][c] = x0 + h;
            al_nlist_build(&nl, f, 3.8, 0.0, &err);
            desc_soap_compute(s, f, &nl, &cv, &err);
            memcpy(xp, cv.x, full.n * dim * sizeof *xp);
            f->pos[a][c] = x0 - h;
            al_nlist_build(&nl, f, 3.8, 0.0, &err);
            desc_soap_compute(s, f, &nl, &cv, &err);
            f->pos[a][c] = x0;
            for (size_t q = 0; q < full.n; q++) {
                const double *c1 = column_entry(&col, full.centre[q], (int)a);
                for (size_t k = 0; k < dim; k++) {
                    double fd = (xp[q * dim + k] - cv.x[q * dim + k]) / (2 * h);
                    worst_fd = fmax(worst_fd, fabs((c1 ? c1[3 * k + c] : 0.0) - fd));
                }
            }
            free(xp);
        }
    printf("  centres Z=%d, %zu atoms: %zu columns, max |dx/dr| %.3g; vs Jacobian %.3g, kept X %.3g, FD %.3g\n", zc,
           n, pairs, scale, worst, worst_kept, worst_fd);
    AL_CHECK(t, scale > 1e-3);
    AL_CHECK_MSG(t, worst < 1e-13 * fmax(1.0, scale), "columns differ from the Jacobian by %.3g", worst);
    AL_CHECK_MSG(t, worst_kept < 1e-13 * fmax(1.0, scale), "columns from kept X differ by %.3g", worst_kept);
    AL_CHECK_MSG(t, worst_fd < 1e-7 * fmax(1.0, scale), "columns differ from finite differences by %.3g", worst_fd);
    free(coef);
    free(ref);
    desc_values_fini(&full), desc_values_fini(&col), desc_values_fini(&kept), desc_values_fini(&cv);
    al_nlist_fini(&nl);
    desc_soap_destroy(s);
}

/* desc_soap_columns for Ge and Se centres: in a 6.5 Å cell (only some environments move), and in a
 * 3.5 Å cell whose 3.8 Å cutoff puts several images of one atom, and of the centre itself, in an
 * environment. */
static void test_columns(al_test *t)
{
    int z[] = {32, 34};
    al_frame f;
    random_frame(&f, 12, z, 2, 61);
    unsigned char big[12] = {1, 0, 0, 1, 0, 0, 0, 0, 1};   /* Ge 0, Se 3, Ge 8 */
    check_columns(t, &f, 32, big);
    check_columns(t, &f, 34, big);
    al_frame_fini(&f);
    al_err err;
    al_rng r;
    al_rng_seed(&r, 62, 0);
    al_frame_init(&f);
    al_frame_alloc(&f, 5, &err);
    const double small_cell[3][3] = {{3.5, 0, 0}, {0.4, 3.5, 0}, {-0.3, 0.2, 3.6}};
    for (size_t i = 0; i < 5; i++) f.z[i] = z[i % 2];
    random_cell_atoms(&f, small_cell, 1.7, &r);
    unsigned char small[5] = {0, 1, 1, 0, 0};   /* Se 1, Ge 2 */
    check_columns(t, &f, 32, small);
    check_columns(t, &f, 34, small);
    al_frame_fini(&f);
}

/* The reference lines: frame cutoff width n_max l_max sigma n_species species… atom dim values… */
static void test_matches_numpy(al_test *t)
{
    al_err err;
    al_frame *fr = NULL;
    size_t nf = 0;
    AL_CHECK_OK(t, al_xyz_read_all(al_test_path(al_test_data_dir(), "gp/soap_species.xyz"), &fr, &nf, &err), &err);
    FILE *fp = fopen(al_test_path(al_test_data_dir(), "gp/soap_species_reference.txt"), "r");
    AL_CHECK(t, fp != NULL && nf == 2);
    if (!fp || nf != 2) return;
    char *line = NULL;
    size_t cap = 0, lines = 0;
    double worst = 0;
    while (getline(&line, &cap, fp) > 0) {
        if (line[0] == '#') continue;
        char *p = line;
        int fi = (int)strtol(p, &p, 10);
        double rc = strtod(p, &p), w = strtod(p, &p);
        int nmax = (int)strtol(p, &p, 10), lmax = (int)strtol(p, &p, 10);
        double sig = strtod(p, &p);
        desc_soap_species sp = {(int)strtol(p, &p, 10), {0}, DESC_SOAP_CENTRAL_DEFAULT};
        for (int k = 0; k < sp.n; k++) sp.z[k] = (int)strtol(p, &p, 10);
        size_t atom = (size_t)strtol(p, &p, 10), dim = (size_t)strtol(p, &p, 10);
        const al_frame *f = &fr[fi];
        desc_soap_spec spec = {f->z[atom], rc, w, sig, nmax, lmax};
        desc_soap *s = NULL;
        AL_CHECK_OK(t, desc_soap_create_species(&spec, &sp, &s, &err), &err);
        AL_CHECK(t, desc_soap_dim(s) == dim);
        al_nlist nl;
        desc_values v;
        al_nlist_init(&nl);
        desc_values_init(&v);
        al_nlist_build(&nl, f, rc, 0.0, &err);
        AL_CHECK_OK(t, desc_soap_compute(s, f, &nl, &v, &err), &err);
        size_t q = 0;
        while (q < v.n && (size_t)v.centre[q] != atom) q++;
        AL_CHECK(t, q < v.n);
        for (size_t k = 0; q < v.n && k < dim; k++) worst = fmax(worst, fabs(v.x[q * dim + k] - strtod(p, &p)));
        lines++;
        desc_values_fini(&v);
        al_nlist_fini(&nl);
        desc_soap_destroy(s);
    }
    free(line);
    fclose(fp);
    printf("  %zu environments (GeSe, NaPO): max |galore − NumPy| = %.3g\n", lines, worst);
    AL_CHECK(t, lines == 17);
    AL_CHECK_MSG(t, worst < 1e-13, "multi-species SOAP differs from the NumPy reference by %.3g", worst);
    al_frames_free(fr, nf);
}

static double max_diff(const desc_values *a, const desc_values *b, const int *perm)
{
    double worst = a->n == b->n ? 0 : INFINITY;
    for (size_t q = 0; q < a->n && q < b->n; q++) {
        size_t r = 0;   /* b's instance whose centre is the image of a's */
        while (r < b->n && b->centre[r] != (perm ? perm[a->centre[q]] : a->centre[q])) r++;
        if (r == b->n) return INFINITY;
        for (size_t k = 0; k < a->dim; k++) worst = fmax(worst, fabs(a->x[q * a->dim + k] - b->x[r * a->dim + k]));
    }
    return worst;
}

/* Rotation, translation, permutation of same-species atoms, a lattice-vector shift of one atom
 * and a 2×1×1 supercell leave every centre's descriptor unchanged. */
static void test_invariance(al_test *t)
{
    al_err err;
    int z[] = {32, 34, 34};
    al_frame f, g;
    random_frame(&f, 9, z, 3, 31);
    al_frame_init(&g);
    desc_soap_species sp = {2, {32, 34}, DESC_SOAP_CENTRAL_DEFAULT};
    multi m;
    multi_init(t, &m, sp.z, 2, &sp, 4.0, 4, 4);
    desc_values ref[2];
    multi_compute(&m, &f);
    for (int k = 0; k < 2; k++) {
        ref[k] = m.v[k];
        desc_values_init(&m.v[k]);   /* keep the reference, compute anew */
    }
    double u[3] = {1 / 3.0, 2 / 3.0, 2 / 3.0}, th = 0.9, R[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double e = (i == j) ? 0 : ((j == (i + 1) % 3) ? -u[3 - i - j] : u[3 - i - j]);
            R[i][j] = cos(th) * (i == j) + sin(th) * e + (1 - cos(th)) * u[i] * u[j];
        }
    for (int kind = 0; kind < 4; kind++) {
        al_frame_copy(&g, &f, &err);
        int perm[9] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        if (kind == 0) {   /* rotation of cell and atoms */
            for (int a = 0; a < 3; a++)
                for (int c = 0; c < 3; c++) g.cell[a][c] = R[c][0] * f.cell[a][0] + R[c][1] * f.cell[a][1] + R[c][2] * f.cell[a][2];
            for (size_t i = 0; i < g.n_atoms; i++)
                for (int c = 0; c < 3; c++) g.pos[i][c] = R[c][0] * f.pos[i][0] + R[c][1] * f.pos[i][1] + R[c][2] * f.pos[i][2];
        } else if (kind == 1) {   /* translation */
            for (size_t i = 0; i < g.n_atoms; i++)
                for (int c = 0; c < 3; c++) g.pos[i][c] += 0.37 + 0.61 * c;
        } else if (kind == 2) {   /* swap Se atoms 1 and 5, Ge atoms 0 and 6 */
            int sw[2][2] = {{1, 5}, {0, 6}};
            for (int k = 0; k < 2; k++) {
                int a = sw[k][0], b = sw[k][1];
                memcpy(g.pos[a], f.pos[b], sizeof g.pos[a]);
                memcpy(g.pos[b], f.pos[a], sizeof g.pos[b]);
                perm[a] = b, perm[b] = a;
            }
        } else {   /* atom 4 moved by a lattice vector */
            for (int c = 0; c < 3; c++) g.pos[4][c] += f.cell[1][c] - f.cell[2][c];
        }
        multi_compute(&m, &g);
        for (int k = 0; k < 2; k++) {
            double d = max_diff(&ref[k], &m.v[k], perm);
            AL_CHECK_MSG(t, d < 1e-12, "transformation %d changes the descriptor of species %d by %.3g", kind, z[k], d);
        }
    }
    /* Supercell: the images of each atom see the same environment. */
    al_frame_fini(&g);
    al_frame_init(&g);
    al_frame_alloc(&g, 18, &err);
    memcpy(g.cell, f.cell, sizeof g.cell);
    for (int c = 0; c < 3; c++) g.cell[0][c] *= 2, g.pbc[c] = true;
    for (size_t i = 0; i < 18; i++) {
        g.z[i] = f.z[i % 9];
        for (int c = 0; c < 3; c++) g.pos[i][c] = f.pos[i % 9][c] + (i >= 9 ? f.cell[0][c] : 0);
    }
    multi_compute(&m, &g);
    for (int k = 0; k < 2; k++) {
        double d = 0;
        AL_CHECK(t, m.v[k].n == 2 * ref[k].n);
        for (size_t q = 0; q < m.v[k].n; q++) {
            size_t r = 0;
            while (r < ref[k].n && ref[k].centre[r] != m.v[k].centre[q] % 9) r++;
            for (size_t c = 0; r < ref[k].n && c < ref[k].dim; c++)
                d = fmax(d, fabs(m.v[k].x[q * ref[k].dim + c] - ref[k].x[r * ref[k].dim + c]));
        }
        AL_CHECK_MSG(t, d < 1e-12, "supercell changes the descriptor of species %d by %.3g", z[k], d);
    }
    for (int k = 0; k < 2; k++) desc_values_fini(&ref[k]);
    multi_fini(&m);
    al_frame_fini(&f);
    al_frame_fini(&g);
}

/* On a frame of Si only, the (O, Si) descriptor holds the single-species vector in the Si-Si
 * channel pairs and zeros elsewhere: channel A = s·n + a, pair index A(A+1)/2 + B. */
static void test_reduces_to_one_species(al_test *t)
{
    al_err err;
    int zsi = 14;
    al_frame f;
    random_frame(&f, 8, &zsi, 1, 41);
    const int n = 4, L = 3;
    desc_soap_spec spec = {14, 3.8, 1.0, 0.5, n, L};
    desc_soap_species two = {2, {8, 14}, DESC_SOAP_CENTRAL_DEFAULT};
    desc_soap *s1 = NULL, *s2 = NULL;
    AL_CHECK_OK(t, desc_soap_create(&spec, &s1, &err), &err);
    AL_CHECK_OK(t, desc_soap_create_species(&spec, &two, &s2, &err), &err);
    al_nlist nl;
    desc_values a, b;
    al_nlist_init(&nl);
    desc_values_init(&a);
    desc_values_init(&b);
    al_nlist_build(&nl, &f, 3.8, 0.0, &err);
    desc_soap_compute(s1, &f, &nl, &a, &err);
    desc_soap_compute(s2, &f, &nl, &b, &err);
    AL_CHECK(t, a.n == 8 && b.n == 8 && b.dim == (size_t)(L + 1) * 8 * 9 / 2 + 1);
    double worst = 0, others = 0;
    for (size_t q = 0; q < a.n; q++) {
        double *x1 = a.x + q * a.dim, *x2 = b.x + q * b.dim;
        char *hit = calloc(b.dim, 1);
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
                for (int l = 0; l <= L; l++) {
                    size_t A = (size_t)(n + i), B = (size_t)(n + j);
                    size_t k1 = ((size_t)(i * (i + 1) / 2 + j)) * (size_t)(L + 1) + (size_t)l;
                    size_t k2 = (A * (A + 1) / 2 + B) * (size_t)(L + 1) + (size_t)l;
                    worst = fmax(worst, fabs(x1[k1] - x2[k2]));
                    hit[k2] = 1;
                }
        for (size_t k = 0; k < b.dim; k++)
            if (!hit[k]) others = fmax(others, fabs(x2[k]));
        free(hit);
    }
    AL_CHECK_MSG(t, worst < 1e-15 && others == 0.0, "Si-Si entries differ by %.3g, others reach %.3g", worst, others);
    desc_values_fini(&a);
    desc_values_fini(&b);
    al_nlist_fini(&nl);
    desc_soap_destroy(s1);
    desc_soap_destroy(s2);
    al_frame_fini(&f);
}

static void test_bad_species(al_test *t)
{
    al_err err;
    desc_soap_spec spec = {14, 3.8, 1.0, 0.5, 3, 2};
    desc_soap_species dup = {2, {14, 14}, DESC_SOAP_CENTRAL_DEFAULT}, many = {9, {1, 2, 3, 4, 5, 6, 7, 8}, DESC_SOAP_CENTRAL_DEFAULT};
    desc_soap *s = NULL;
    AL_CHECK(t, desc_soap_create_species(&spec, &dup, &s, &err) == AL_EINVAL && s == NULL);
    AL_CHECK_CONTAINS(t, err.msg, "atomic number 14 appears twice");
    AL_CHECK(t, desc_soap_create_species(&spec, &many, &s, &err) == AL_EINVAL && s == NULL);
    AL_CHECK_CONTAINS(t, err.msg, "needs 1 to 8 neighbour species");
}

static const al_test_case cases[] = {
    {"matches_numpy", test_matches_numpy, AL_TEST_FAST},
    {"gradients_fd", test_gradients_fd, AL_TEST_FAST},
    {"contraction", test_contraction, AL_TEST_FAST},
    {"columns", test_columns, AL_TEST_FAST},
    {"invariance", test_invariance, AL_TEST_FAST},
    {"reduces_to_one_species", test_reduces_to_one_species, AL_TEST_FAST},
    {"bad_species", test_bad_species, AL_TEST_FAST},
    {0},
};
AL_TEST_MAIN(cases)
