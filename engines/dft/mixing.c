/*
 * Pulay/DIIS density mixing with a Kerker preconditioner (see mixing.h). The DIIS
 * coefficients come from the bordered system [A 1; 1ᵀ 0][α; λ] = [0; 1] with A_ij = ⟨R_i|R_j⟩,
 * solved by LAPACKE_dgelsd (least squares, so a nearly singular A is harmless).
 */
#include "engines/dft/mixing.h"

#include <lapacke.h>
#include <string.h>

#include "core/alloc.h"

struct pw_mixer {
    pw_mix_opts o;
    size_t nfft;
    size_t n;         /* nspin × nfft: ρ, then m with spin */
    int count;        /* steps stored (≤ history) */
    int head;         /* slot of the next step */
    double *rho;      /* history × n inputs */
    double *res;      /* history × n residuals */
    double complex *box;
    /* the Pulay system of up to history + 1 unknowns and dgelsd's workspace, made once */
    double *mat, *rhs, *sv, *work;
    lapack_int *iwork;
    lapack_int n_work;
};

/* The Pulay system's arrays for up to dim unknowns, with dgelsd's workspace from its query. */
static bool pulay_arrays(pw_mixer *m, int dim)
{
    m->mat = al_calloc((size_t)dim * dim, sizeof *m->mat);
    m->rhs = al_calloc((size_t)dim, sizeof *m->rhs);
    m->sv = al_malloc((size_t)dim * sizeof *m->sv);
    if (!m->mat || !m->rhs || !m->sv) return false;
    double wq = 0.0;
    lapack_int iq = 0, rank = 0;
    if (LAPACKE_dgelsd_work(LAPACK_COL_MAJOR, dim, dim, 1, m->mat, dim, m->rhs, dim, m->sv, 1e-12,
                            &rank, &wq, -1, &iq) != 0)
        return false;
    m->n_work = (lapack_int)wq + 64;
    m->work = al_malloc((size_t)m->n_work * sizeof *m->work);
    m->iwork = al_malloc(((size_t)iq + 64) * sizeof *m->iwork);
    return m->work && m->iwork;
}

pw_mix_opts pw_mix_opts_default(void)
{
    pw_mix_opts o = {0.7, 0.8, 8};
    return o;
}

al_status pw_mixer_create(const pw_mix_opts *o, size_t nfft, pw_mixer **out, al_err *err)
{
    return pw_mixer_create_spin(o, nfft, 1, out, err);
}

al_status pw_mixer_create_spin(const pw_mix_opts *o, size_t nfft, int nspin, pw_mixer **out,
                               al_err *err)
{
    *out = NULL;
    if (nspin != 1 && nspin != 2) return al_fail(err, AL_EINVAL, "mixing: nspin = %d", nspin);
    if (!(o->beta > 0.0 && o->beta <= 1.0) || o->history < 1 || o->q0 < 0.0)
        return al_fail(err, AL_EINVAL, "mixing: beta = %g must be in (0, 1], history = %d >= 1, "
                       "kerker q0 = %g >= 0", o->beta, o->history, o->q0);
    pw_mixer *m = al_calloc(1, sizeof *m);
    if (!m) return al_fail(err, AL_ENOMEM, "mixing: out of memory");
    m->o = *o;
    m->nfft = nfft;
    m->n = (size_t)nspin * nfft;
    m->rho = al_malloc((size_t)o->history * m->n * sizeof *m->rho);
    m->res = al_malloc((size_t)o->history * m->n * sizeof *m->res);
    m->box = pw_fft_alloc(nfft);
    if (!m->rho || !m->res || !m->box || !pulay_arrays(m, o->history + 1)) {
        pw_mixer_destroy(m);
        return al_fail(err, AL_ENOMEM, "mixing: out of memory");
    }
    *out = m;
    return AL_OK;
}

void pw_mixer_destroy(pw_mixer *m)
{
    if (!m) return;
    al_free(m->rho);
    al_free(m->res);
    pw_fft_free(m->box);
    al_free(m->mat); al_free(m->rhs); al_free(m->sv); al_free(m->work); al_free(m->iwork);
    al_free(m);
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

al_status pw_mixer_next(pw_mixer *m, const pw_basis *b, const double *rho_in,
                        const double *rho_out, double *rho_next, al_err *err)
{
    (void)err; /* every array is made with the mixer: nothing here can fail any more */
    size_t nf = m->n, ng = m->nfft;
    int h = m->o.history;
    double *ri = m->rho + (size_t)m->head * nf, *rr = m->res + (size_t)m->head * nf;
    for (size_t i = 0; i < nf; i++) {
        ri[i] = rho_in[i];
        rr[i] = rho_out[i] - rho_in[i];
    }
    m->head = (m->head + 1) % h;
    if (m->count < h) m->count++;
    int n = m->count, dim = n + 1;
    double *mat = m->mat, *rhs = m->rhs, *sv = m->sv;
    memset(mat, 0, (size_t)dim * dim * sizeof *mat);
    memset(rhs, 0, (size_t)dim * sizeof *rhs);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j <= i; j++) {
            double v = dot(m->res + (size_t)i * nf, m->res + (size_t)j * nf, nf);
            mat[i * dim + j] = mat[j * dim + i] = v;
        }
        mat[i * dim + n] = mat[n * dim + i] = 1.0;
    }
    /* Scale the residual block to O(1) so that dgelsd's rank cut is meaningful. */
    double scale = 0.0;
    for (int i = 0; i < n; i++) if (mat[i * dim + i] > scale) scale = mat[i * dim + i];
    if (scale > 0)
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) mat[i * dim + j] /= scale;
    rhs[n] = 1.0;
    lapack_int rank;
    /* the matrix is symmetric: row- or column-major alike */
    lapack_int info = LAPACKE_dgelsd_work(LAPACK_COL_MAJOR, dim, dim, 1, mat, dim, rhs, dim, sv,
                                          1e-12, &rank, m->work, m->n_work, m->iwork);
    if (info != 0) {
        /* Fall back to plain preconditioned mixing of the newest step. */
        memset(rhs, 0, (size_t)dim * sizeof *rhs);
        rhs[(m->head + h - 1) % h] = 1.0;
    }
    for (size_t i = 0; i < nf; i++) rho_next[i] = 0.0;
    for (size_t i = 0; i < ng; i++) m->box[i] = 0.0;
    for (int s = 0; s < n; s++) {
        const double *pr = m->rho + (size_t)s * nf, *pres = m->res + (size_t)s * nf;
        for (size_t i = 0; i < nf; i++) rho_next[i] += rhs[s] * pr[i];
        for (size_t i = 0; i < ng; i++) m->box[i] += rhs[s] * pres[i];
        /* The magnetisation carries no Coulomb energy, so no long-wavelength charge sloshing
         * to damp: its residual is mixed with plain β (as VASP's default BMIX_MAG ≈ 0). */
        for (size_t i = ng; i < nf; i++) rho_next[i] += rhs[s] * m->o.beta * pres[i];
    }
    /* Kerker on the total density: K(G) = β G²/(G²+q0²). */
    pw_fft_forward(b->fft, m->box);
    double q2 = m->o.q0 * m->o.q0;
    for (size_t i = 0; i < ng; i++) {
        double g2 = b->g2[i];
        double k = (i == 0 || q2 == 0.0) ? m->o.beta : m->o.beta * g2 / (g2 + q2);
        m->box[i] *= k;
    }
    pw_fft_backward(b->fft, m->box);
    for (size_t i = 0; i < ng; i++) rho_next[i] += creal(m->box[i]);
    return AL_OK;
}
