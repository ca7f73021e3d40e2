/*
 * Occupations and smearing (formulas in occupation.h). The Fermi level is found by bisection
 * on the monotone electron count N(μ), to 1e-15 relative in the count.
 */
#include "engines/dft/occupation.h"

#include <math.h>

#include "core/units.h"

double pw_smear_occ(pw_smearing kind, double x)
{
    switch (kind) {
    case PW_SMEAR_FERMI_DIRAC:
        return x > 0 ? exp(-x) / (1.0 + exp(-x)) : 1.0 / (1.0 + exp(x));
    case PW_SMEAR_GAUSSIAN: return 0.5 * erfc(x);
    case PW_SMEAR_COLD: {
        double u = x + 1.0 / sqrt(2.0);
        return 0.5 * erfc(u) + exp(-u * u) / sqrt(2.0 * AL_PI);
    }
    default: return x <= 0 ? 1.0 : 0.0;
    }
}

double pw_smear_entropy(pw_smearing kind, double x)
{
    switch (kind) {
    case PW_SMEAR_FERMI_DIRAC: {
        double f = pw_smear_occ(kind, x), g = pw_smear_occ(kind, -x);
        double s = 0.0;
        if (f > 0.0) s += f * log(f);
        if (g > 0.0) s += g * log(g);
        return s;
    }
    case PW_SMEAR_GAUSSIAN: return -exp(-x * x) / (2.0 * sqrt(AL_PI));
    case PW_SMEAR_COLD: {
        double u = x + 1.0 / sqrt(2.0);
        return -u * exp(-u * u) / sqrt(2.0 * AL_PI);
    }
    default: return 0.0;
    }
}

double pw_smear_zero_width(pw_smearing kind, double e, double f)
{
    switch (kind) {
    case PW_SMEAR_FERMI_DIRAC:
    case PW_SMEAR_GAUSSIAN: return 0.5 * (e + f);
    case PW_SMEAR_COLD: return f;
    default: return e;
    }
}

/* Electrons at Fermi level mu; each band holds fmax = 2/nspin. */
static double count(pw_smearing kind, double sigma, double mu, int nspin, size_t nk,
                    const double *w, size_t nb, const double *eig)
{
    double n = 0.0, fmax = 2.0 / nspin;
    for (size_t k = 0; k < (size_t)nspin * nk; k++)
        for (size_t b = 0; b < nb; b++)
            n += fmax * w[k % nk] * pw_smear_occ(kind, (eig[k * nb + b] - mu) / sigma);
    return n;
}

static al_status fixed(double n_el, size_t nk, size_t nb, const double *eig, double *occ,
                       double *fermi, al_err *err)
{
    size_t nfull = (size_t)floor(n_el / 2.0 + 1e-9);
    double rest = n_el - 2.0 * (double)nfull;
    if (nfull + (rest > 1e-9) > nb)
        return al_fail(err, AL_EINVAL, "%g electrons need %zu bands, only %zu given", n_el,
                       nfull + (rest > 1e-9), nb);
    double homo = -HUGE_VAL;
    for (size_t k = 0; k < nk; k++)
        for (size_t b = 0; b < nb; b++) {
            double f = b < nfull ? 2.0 : (b == nfull ? rest : 0.0);
            occ[k * nb + b] = f;
            if (f > 0 && eig[k * nb + b] > homo) homo = eig[k * nb + b];
        }
    *fermi = homo;
    return AL_OK;
}

/* Σ_k w_k Σ_{n<nocc} ε_nk of one spin channel (eig: nk × nb). */
static double band_sum(size_t nk, const double *w, size_t nb, const double *eig, size_t nocc)
{
    double e = 0.0;
    for (size_t k = 0; k < nk; k++)
        for (size_t b = 0; b < nocc; b++) e += w[k] * eig[k * nb + b];
    return e;
}

/*
 * Fixed occupations with two spin channels: n↑ + n↓ = N_el bands filled at every k-point, with
 * the split that minimises the band energy Σ_k w_k (Σ_{n<n↑} ε↑ + Σ_{n<n↓} ε↓); the moment
 * n↑ − n↓ follows from the eigenvalues. Ties go to the smallest moment (n↑ ≥ n↓).
 */
static al_status fixed_spin(double n_el, size_t nk, const double *w, size_t nb,
                            const double *eig, double *occ, double *fermi, al_err *err)
{
    long n = lround(n_el);
    if (fabs(n_el - (double)n) > 1e-9)
        return al_fail(err, AL_EINVAL, "fixed occupations with spin need a whole number of "
                       "electrons, not %g; use smearing", n_el);
    if ((size_t)n > 2 * nb)
        return al_fail(err, AL_EINVAL, "%g electrons need %ld bands per spin, only %zu given",
                       n_el, (n + 1) / 2, nb);
    long best = -1;
    double ebest = HUGE_VAL;
    for (long d = 0; d <= n; d++) { /* n↑ = ⌈n/2⌉, ⌈n/2⌉ + 1, ... then below */
        long up = (n + 1) / 2 + (d % 2 ? (d + 1) / 2 : -(d / 2));
        if (up < 0 || up > n || (size_t)up > nb || (size_t)(n - up) > nb) continue;
        double e = band_sum(nk, w, nb, eig, (size_t)up) +
                   band_sum(nk, w, nb, eig + nk * nb, (size_t)(n - up));
        if (e < ebest - 1e-12 * (1.0 + fabs(e))) {
            ebest = e;
            best = up;
        }
    }
    double homo = -HUGE_VAL;
    for (size_t j = 0; j < 2 * nk; j++) {
        size_t nocc = (size_t)(j < nk ? best : n - best);
        for (size_t b = 0; b < nb; b++) {
            occ[j * nb + b] = b < nocc ? 1.0 : 0.0;
            if (b < nocc && eig[j * nb + b] > homo) homo = eig[j * nb + b];
        }
    }
    *fermi = homo;
    return AL_OK;
}

al_status pw_occupations(pw_smearing kind, double sigma, double n_el, size_t nk, const double *w,
                         size_t nb, const double *eig, double *occ, double *fermi,
                         double *entropy, al_err *err)
{
    return pw_occupations_spin(kind, sigma, n_el, 1, nk, w, nb, eig, occ, fermi, entropy, err);
}

al_status pw_occupations_spin(pw_smearing kind, double sigma, double n_el, int nspin, size_t nk,
                              const double *w, size_t nb, const double *eig, double *occ,
                              double *fermi, double *entropy, al_err *err)
{
    *entropy = 0.0;
    if (nspin != 1 && nspin != 2)
        return al_fail(err, AL_EINVAL, "nspin = %d: must be 1 or 2", nspin);
    if (kind == PW_SMEAR_NONE)
        return nspin == 1 ? fixed(n_el, nk, nb, eig, occ, fermi, err)
                          : fixed_spin(n_el, nk, w, nb, eig, occ, fermi, err);
    if (!(sigma > 0.0))
        return al_fail(err, AL_EINVAL, "smearing width %g Ha: must be > 0", sigma);
    if (2.0 * (double)nb < n_el * (1.0 + 1e-12))
        return al_fail(err, AL_EINVAL, "%zu bands cannot hold %g electrons with smearing; "
                       "use more bands", nb, n_el);
    size_t nall = (size_t)nspin * nk * nb;
    double lo = HUGE_VAL, hi = -HUGE_VAL, fmax = 2.0 / nspin;
    for (size_t i = 0; i < nall; i++) {
        if (eig[i] < lo) lo = eig[i];
        if (eig[i] > hi) hi = eig[i];
    }
    lo -= 50.0 * sigma + 1.0;
    hi += 50.0 * sigma + 1.0;
    for (int it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi);
        if (count(kind, sigma, mid, nspin, nk, w, nb, eig) < n_el) lo = mid; else hi = mid;
        if (hi - lo < 1e-15 * (1.0 + fabs(mid))) break;
    }
    double mu = 0.5 * (lo + hi), ts = 0.0;
    for (size_t k = 0; k < (size_t)nspin * nk; k++)
        for (size_t b = 0; b < nb; b++) {
            double x = (eig[k * nb + b] - mu) / sigma;
            occ[k * nb + b] = fmax * pw_smear_occ(kind, x);
            ts += fmax * w[k % nk] * pw_smear_entropy(kind, x);
        }
    *fermi = mu;
    *entropy = sigma * ts;
    return AL_OK;
}
