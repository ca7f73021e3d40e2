/*
 * Exchange–correlation through libxc (Lehtola et al., SoftwareX 7, 1 (2018)):
 *   "lda"/"pade": XC_LDA_XC_TETER93, the Goedecker–Teter–Hutter Padé form that the GTH-PADE
 *                 pseudopotentials were fitted with (GTH, PRB 54, 1703 (1996), appendix);
 *   "pz":         XC_LDA_X + XC_LDA_C_PZ (Perdew and Zunger, PRB 23, 5048 (1981));
 *   "pbe":        XC_GGA_X_PBE + XC_GGA_C_PBE (Perdew, Burke, Ernzerhof, PRL 77, 3865 (1996)).
 * E_xc = ∫ ρ ε_xc and v_xc = ∂f/∂ρ − ∇·(2 ∂f/∂σ ∇ρ), σ = |∇ρ|². The gradient and divergence
 * are spectral (multiply by iG on the whole FFT box, Nyquist components dropped), as in
 * ABINIT; White and Bird, PRB 50, 4954 (1994) show this is the consistent discretisation.
 * Collinear spin uses libxc's XC_POLARIZED forms of the same functionals (the local spin
 * density approximation of von Barth and Hedin, J. Phys. C 5, 1629 (1972); the spin scaling of
 * PBE is in the PBE paper): E_xc = ∫ ρ ε_xc(ρ↑, ρ↓, σ↑↑, σ↑↓, σ↓↓), σ_στ = ∇ρ_σ·∇ρ_τ, and
 *   v_↑ = ∂f/∂ρ↑ − ∇·(2 ∂f/∂σ↑↑ ∇ρ↑ + ∂f/∂σ↑↓ ∇ρ↓),  v_↓ likewise with ↑ and ↓ exchanged.
 */
#include <math.h>
#include <string.h>
#include <xc.h>

#include "core/alloc.h"
#include "engines/dft/terms/term.h"

/* Work arrays in libxc's layouts (with spin interleaved: ρ as (↑,↓), σ as (↑↑,↑↓,↓↓)), kept
 * from one evaluation to the next so that the SCF loop allocates nothing. */
typedef struct xc_buf {
    size_t nf;  /* grid size they are made for (0: none yet) */
    double *r, *zk, *vr, *etot, *grad, *sigma, *vs, *vstot;
    double complex *work; /* 2 nf, for the spin gradients */
} xc_buf;

struct pw_xc {
    pw_xc_kind kind;
    int nspin;
    int n;
    xc_func_type f[2];
    bool gga;
    xc_buf *buf; /* made with the object; its arrays on first use */
};

static void buf_free_arrays(xc_buf *w)
{
    al_free(w->r); al_free(w->zk); al_free(w->vr); al_free(w->etot);
    al_free(w->grad); al_free(w->sigma); al_free(w->vs); al_free(w->vstot);
    pw_fft_free(w->work);
    memset(w, 0, sizeof *w);
}

/* The work arrays for a grid of nf points (made again only when nf changes), with etot and
 * vstot zeroed. */
static bool buf_ready(const pw_xc *xc, size_t nf)
{
    xc_buf *w = xc->buf;
    size_t ns = (size_t)xc->nspin, nsig = 2 * ns - 1;
    if (w->nf != nf) {
        buf_free_arrays(w);
        w->r = al_malloc(ns * nf * sizeof *w->r);
        w->zk = al_malloc(nf * sizeof *w->zk);
        w->vr = al_malloc(ns * nf * sizeof *w->vr);
        w->etot = al_malloc(nf * sizeof *w->etot);
        bool ok = w->r && w->zk && w->vr && w->etot;
        if (xc->gga) {
            w->grad = al_malloc(3 * ns * nf * sizeof *w->grad);   /* ∇ρ_σ: 3 × nf, interleaved */
            w->sigma = al_malloc(nsig * nf * sizeof *w->sigma);
            w->vs = al_malloc(nsig * nf * sizeof *w->vs);
            w->vstot = al_malloc(nsig * nf * sizeof *w->vstot);
            ok = ok && w->grad && w->sigma && w->vs && w->vstot;
        }
        if (ns == 2) ok = ok && (w->work = pw_fft_alloc(2 * nf));
        if (!ok) {
            buf_free_arrays(w);
            return false;
        }
        w->nf = nf;
    }
    memset(w->etot, 0, nf * sizeof *w->etot);
    if (xc->gga) memset(w->vstot, 0, nsig * nf * sizeof *w->vstot);
    return true;
}

al_status pw_xc_create(pw_xc_kind kind, pw_xc **out, al_err *err)
{
    return pw_xc_create_spin(kind, 1, out, err);
}

al_status pw_xc_create_spin(pw_xc_kind kind, int nspin, pw_xc **out, al_err *err)
{
    *out = NULL;
    if (nspin != 1 && nspin != 2)
        return al_fail(err, AL_EINVAL, "xc: nspin = %d must be 1 or 2", nspin);
    int ids[2] = {0, 0}, n = 0;
    bool gga = false;
    switch (kind) {
    case PW_XC_LDA_PADE: ids[n++] = XC_LDA_XC_TETER93; break;
    case PW_XC_LDA_PZ: ids[n++] = XC_LDA_X; ids[n++] = XC_LDA_C_PZ; break;
    case PW_XC_PBE: ids[n++] = XC_GGA_X_PBE; ids[n++] = XC_GGA_C_PBE; gga = true; break;
    default: return al_fail(err, AL_EINVAL, "unknown exchange-correlation kind %d", (int)kind);
    }
    pw_xc *xc = al_calloc(1, sizeof *xc);
    xc_buf *buf = al_calloc(1, sizeof *buf);
    if (!xc || !buf) {
        al_free(xc);
        al_free(buf);
        return al_fail(err, AL_ENOMEM, "xc: out of memory");
    }
    xc->buf = buf;
    xc->kind = kind;
    xc->gga = gga;
    xc->nspin = nspin;
    for (int i = 0; i < n; i++) {
        if (xc_func_init(&xc->f[i], ids[i], nspin == 2 ? XC_POLARIZED : XC_UNPOLARIZED) != 0) {
            for (int j = 0; j < i; j++) xc_func_end(&xc->f[j]);
            al_free(xc->buf);
            al_free(xc);
            return al_fail(err, AL_ENOTFOUND, "libxc %s lacks functional id %d", xc_version_string(),
                           ids[i]);
        }
        xc->n = i + 1;
    }
    *out = xc;
    return AL_OK;
}

void pw_xc_destroy(pw_xc *xc)
{
    if (!xc) return;
    for (int i = 0; i < xc->n; i++) xc_func_end(&xc->f[i]);
    buf_free_arrays(xc->buf);
    al_free(xc->buf);
    al_free(xc);
}

bool pw_xc_is_gga(const pw_xc *xc) { return xc->gga; }

int pw_xc_nspin(const pw_xc *xc) { return xc->nspin; }

static bool nyquist(const pw_basis *b, size_t idx)
{
    size_t i2 = idx % (size_t)b->ngrid[2];
    size_t i1 = (idx / (size_t)b->ngrid[2]) % (size_t)b->ngrid[1];
    size_t i0 = idx / ((size_t)b->ngrid[2] * (size_t)b->ngrid[1]);
    size_t ii[3] = {i0, i1, i2};
    for (int d = 0; d < 3; d++)
        if (b->ngrid[d] % 2 == 0 && ii[d] == (size_t)b->ngrid[d] / 2) return true;
    return false;
}

/* grad[d][r] = ∂_d f(r) for the real field whose coefficients are fg. */
static void gradient(const pw_basis *b, const double complex *fg, double complex *w, double *out)
{
    for (int d = 0; d < 3; d++) {
        for (size_t i = 0; i < b->nfft; i++)
            w[i] = nyquist(b, i) ? 0.0 : I * b->gvec[i][d] * fg[i];
        pw_fft_backward(b->fft, w);
        for (size_t i = 0; i < b->nfft; i++) out[3 * i + d] = creal(w[i]);
    }
}

al_status pw_xc_eval(const pw_xc *xc, const pw_system *sys, const pw_basis *b, const double *rho,
                     double *vxc, double *vsigma, double *energy, double complex *work,
                     al_err *err)
{
    size_t nf = b->nfft;
    if (xc->nspin != 1)
        return al_fail(err, AL_EINVAL, "xc: spin-polarised functional given one density");
    if (!buf_ready(xc, nf)) return al_fail(err, AL_ENOMEM, "xc: out of memory");
    const xc_buf *w = xc->buf;
    double *r = w->r, *zk = w->zk, *vr = w->vr, *etot = w->etot;
    double *grad = w->grad, *sigma = w->sigma, *vs = w->vs, *vstot = w->vstot;
    /* Rounding and mixing can leave tiny negative densities; libxc needs ρ ≥ 0. */
    for (size_t i = 0; i < nf; i++) r[i] = rho[i] > 0.0 ? rho[i] : 0.0;
    memset(vxc, 0, nf * sizeof *vxc);
    if (xc->gga) {
        for (size_t i = 0; i < nf; i++) work[i] = rho[i];
        pw_fft_forward(b->fft, work);
        double complex *w2 = work + nf;
        gradient(b, work, w2, grad);
        for (size_t i = 0; i < nf; i++)
            sigma[i] = grad[3 * i] * grad[3 * i] + grad[3 * i + 1] * grad[3 * i + 1] +
                       grad[3 * i + 2] * grad[3 * i + 2];
    }
    for (int f = 0; f < xc->n; f++) {
        if (xc->gga) {
            xc_gga_exc_vxc(&xc->f[f], nf, r, sigma, zk, vr, vs);
            for (size_t i = 0; i < nf; i++) vstot[i] += vs[i];
        } else {
            xc_lda_exc_vxc(&xc->f[f], nf, r, zk, vr);
        }
        for (size_t i = 0; i < nf; i++) {
            etot[i] += zk[i];
            vxc[i] += vr[i];
        }
    }
    if (vsigma) {
        if (xc->gga) memcpy(vsigma, vstot, nf * sizeof *vsigma);
        else memset(vsigma, 0, nf * sizeof *vsigma);
    }
    double e = 0.0;
    for (size_t i = 0; i < nf; i++) e += r[i] * etot[i];
    *energy = e * sys->omega / (double)nf;
    if (xc->gga) {
        /* v −= ∇·(2 vσ ∇ρ), spectrally: accumulate Σ_d iG_d h_d(G) then one backward FFT. */
        double complex *acc = work + nf, *h = work + 2 * nf;
        memset(acc, 0, nf * sizeof *acc);
        for (int d = 0; d < 3; d++) {
            for (size_t i = 0; i < nf; i++) h[i] = 2.0 * vstot[i] * grad[3 * i + d];
            pw_fft_forward(b->fft, h);
            for (size_t i = 0; i < nf; i++)
                if (!nyquist(b, i)) acc[i] += I * b->gvec[i][d] * h[i];
        }
        pw_fft_backward(b->fft, acc);
        for (size_t i = 0; i < nf; i++) vxc[i] -= creal(acc[i]);
    }
    return AL_OK;
}

/* ∇ρ_σ of the unclamped spin densities (ρ ± m)/2 and the three σ products. */
static void spin_gradients(const pw_basis *b, const double *rho, const double *mag, xc_buf *w,
                           double complex *work)
{
    size_t nf = b->nfft;
    for (int sp = 0; sp < 2; sp++) {
        double sg = sp == 0 ? 0.5 : -0.5;
        for (size_t i = 0; i < nf; i++) work[i] = 0.5 * rho[i] + sg * mag[i];
        pw_fft_forward(b->fft, work);
        gradient(b, work, work + nf, w->grad + (size_t)sp * 3 * nf);
    }
    const double *gu = w->grad, *gd = w->grad + 3 * nf;
    for (size_t i = 0; i < nf; i++) {
        const double *u = gu + 3 * i, *d = gd + 3 * i;
        w->sigma[3 * i] = u[0] * u[0] + u[1] * u[1] + u[2] * u[2];
        w->sigma[3 * i + 1] = u[0] * d[0] + u[1] * d[1] + u[2] * d[2];
        w->sigma[3 * i + 2] = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    }
}

/* v_σ −= ∇·(2 vσ_σσ ∇ρ_σ + vσ_↑↓ ∇ρ_σ'), spectrally, for both channels. */
static void spin_divergence(const pw_basis *b, const xc_buf *w, double *vxc,
                            double complex *work)
{
    size_t nf = b->nfft;
    double complex *acc = work, *h = work + nf;
    const double *gu = w->grad, *gd = w->grad + 3 * nf, *vs = w->vstot;
    for (int sp = 0; sp < 2; sp++) {
        const double *gs = sp == 0 ? gu : gd, *go = sp == 0 ? gd : gu;
        int cs = sp == 0 ? 0 : 2; /* σ↑↑ or σ↓↓ */
        memset(acc, 0, nf * sizeof *acc);
        for (int d = 0; d < 3; d++) {
            for (size_t i = 0; i < nf; i++)
                h[i] = 2.0 * vs[3 * i + cs] * gs[3 * i + d] + vs[3 * i + 1] * go[3 * i + d];
            pw_fft_forward(b->fft, h);
            for (size_t i = 0; i < nf; i++)
                if (!nyquist(b, i)) acc[i] += I * b->gvec[i][d] * h[i];
        }
        pw_fft_backward(b->fft, acc);
        for (size_t i = 0; i < nf; i++) vxc[(size_t)sp * nf + i] -= creal(acc[i]);
    }
}

al_status pw_xc_eval_spin(const pw_xc *xc, const pw_system *sys, const pw_basis *b,
                          const double *rho, const double *mag, double *vxc, double *vsigma,
                          double *energy, al_err *err)
{
    size_t nf = b->nfft;
    if (xc->nspin != 2)
        return al_fail(err, AL_EINVAL, "xc: spin densities given to an unpolarised functional");
    if (!buf_ready(xc, nf)) return al_fail(err, AL_ENOMEM, "xc: out of memory");
    xc_buf *wp = xc->buf;
    double complex *work = wp->work;
    /* Rounding and mixing can leave a channel slightly negative; libxc needs ρ_σ ≥ 0. */
    for (size_t i = 0; i < nf; i++) {
        wp->r[2 * i] = fmax(0.0, 0.5 * (rho[i] + mag[i]));
        wp->r[2 * i + 1] = fmax(0.0, 0.5 * (rho[i] - mag[i]));
    }
    memset(vxc, 0, 2 * nf * sizeof *vxc);
    if (xc->gga) spin_gradients(b, rho, mag, wp, work);
    for (int f = 0; f < xc->n; f++) {
        if (xc->gga) {
            xc_gga_exc_vxc(&xc->f[f], nf, wp->r, wp->sigma, wp->zk, wp->vr, wp->vs);
            for (size_t i = 0; i < 3 * nf; i++) wp->vstot[i] += wp->vs[i];
        } else {
            xc_lda_exc_vxc(&xc->f[f], nf, wp->r, wp->zk, wp->vr);
        }
        for (size_t i = 0; i < nf; i++) {
            wp->etot[i] += wp->zk[i];
            vxc[i] += wp->vr[2 * i];
            vxc[nf + i] += wp->vr[2 * i + 1];
        }
    }
    double e = 0.0;
    for (size_t i = 0; i < nf; i++) e += (wp->r[2 * i] + wp->r[2 * i + 1]) * wp->etot[i];
    *energy = e * sys->omega / (double)nf;
    if (vsigma) {
        for (int c = 0; c < 3; c++)
            for (size_t i = 0; i < nf; i++)
                vsigma[(size_t)c * nf + i] = xc->gga ? wp->vstot[3 * i + c] : 0.0;
    }
    if (xc->gga) spin_divergence(b, wp, vxc, work);
    return AL_OK;
}
