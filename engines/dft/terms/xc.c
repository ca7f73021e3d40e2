/*
 * Exchange–correlation through libxc (Lehtola et al., SoftwareX 7, 1 (2018)), spin-unpolarised:
 *   "lda"/"pade": XC_LDA_XC_TETER93, the Goedecker–Teter–Hutter Padé form that the GTH-PADE
 *                 pseudopotentials were fitted with (GTH, PRB 54, 1703 (1996), appendix);
 *   "pz":         XC_LDA_X + XC_LDA_C_PZ (Perdew and Zunger, PRB 23, 5048 (1981));
 *   "pbe":        XC_GGA_X_PBE + XC_GGA_C_PBE (Perdew, Burke, Ernzerhof, PRL 77, 3865 (1996)).
 * E_xc = ∫ ρ ε_xc and v_xc = ∂f/∂ρ − ∇·(2 ∂f/∂σ ∇ρ), σ = |∇ρ|². The gradient and divergence
 * are spectral (multiply by iG on the whole FFT box, Nyquist components dropped), as in
 * ABINIT; White and Bird, PRB 50, 4954 (1994) show this is the consistent discretisation.
 */
#include <string.h>
#include <xc.h>

#include "core/alloc.h"
#include "engines/dft/terms/term.h"

struct pw_xc {
    pw_xc_kind kind;
    int n;
    xc_func_type f[2];
    bool gga;
};

al_status pw_xc_create(pw_xc_kind kind, pw_xc **out, al_err *err)
{
    *out = NULL;
    int ids[2] = {0, 0}, n = 0;
    bool gga = false;
    switch (kind) {
    case PW_XC_LDA_PADE: ids[n++] = XC_LDA_XC_TETER93; break;
    case PW_XC_LDA_PZ: ids[n++] = XC_LDA_X; ids[n++] = XC_LDA_C_PZ; break;
    case PW_XC_PBE: ids[n++] = XC_GGA_X_PBE; ids[n++] = XC_GGA_C_PBE; gga = true; break;
    default: return al_fail(err, AL_EINVAL, "unknown exchange-correlation kind %d", (int)kind);
    }
    pw_xc *xc = al_calloc(1, sizeof *xc);
    if (!xc) return al_fail(err, AL_ENOMEM, "xc: out of memory");
    xc->kind = kind;
    xc->gga = gga;
    for (int i = 0; i < n; i++) {
        if (xc_func_init(&xc->f[i], ids[i], XC_UNPOLARIZED) != 0) {
            for (int j = 0; j < i; j++) xc_func_end(&xc->f[j]);
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
    al_free(xc);
}

bool pw_xc_is_gga(const pw_xc *xc) { return xc->gga; }

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
    double *r = al_malloc(nf * sizeof *r), *zk = al_malloc(nf * sizeof *zk);
    double *vr = al_malloc(nf * sizeof *vr), *etot = al_calloc(nf, sizeof *etot);
    double *grad = NULL, *sigma = NULL, *vs = NULL, *vstot = NULL;
    al_status st = AL_OK;
    if (!r || !zk || !vr || !etot) { st = al_fail(err, AL_ENOMEM, "xc: out of memory"); goto done; }
    /* Rounding and mixing can leave tiny negative densities; libxc needs ρ ≥ 0. */
    for (size_t i = 0; i < nf; i++) r[i] = rho[i] > 0.0 ? rho[i] : 0.0;
    memset(vxc, 0, nf * sizeof *vxc);
    if (xc->gga) {
        grad = al_malloc(3 * nf * sizeof *grad);
        sigma = al_malloc(nf * sizeof *sigma);
        vs = al_malloc(nf * sizeof *vs);
        vstot = al_calloc(nf, sizeof *vstot);
        if (!grad || !sigma || !vs || !vstot) {
            st = al_fail(err, AL_ENOMEM, "xc: out of memory");
            goto done;
        }
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
done:
    al_free(r); al_free(zk); al_free(vr); al_free(etot);
    al_free(grad); al_free(sigma); al_free(vs); al_free(vstot);
    return st;
}
