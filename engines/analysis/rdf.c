/* Partial radial distribution functions over a trajectory (see rdf.h). */
#include "engines/analysis/rdf.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/neighbors.h"

struct an_rdf {
    double r_max, dr;
    int nbins, ns;
    int z[AN_MAX_SPECIES];
    size_t count[AN_MAX_SPECIES];     /* atoms per species in every frame */
    size_t n_atoms, frames;
    double *g;        /* ns × ns × nbins: Σ_frames V/(N_a N_b) · pair counts (both orders) */
    double *cum;      /* ns × ns × nbins: Σ_frames pair counts per bin / N_a, for coordination */
    double inv_volume_sum;
    al_nlist nl;
};

al_status an_rdf_create(double r_max, int nbins, an_rdf **out, al_err *err)
{
    *out = NULL;
    if (!(r_max > 0) || nbins < 1)
        return al_fail(err, AL_EINVAL, "g(r): r_max must be > 0 Å and bins >= 1 (got %g Å, %d)", r_max, nbins);
    an_rdf *g = al_calloc(1, sizeof *g);
    if (!g) return al_fail(err, AL_ENOMEM, "g(r): out of memory");
    g->r_max = r_max;
    g->nbins = nbins;
    g->dr = r_max / nbins;
    al_nlist_init(&g->nl);
    *out = g;
    return AL_OK;
}

void an_rdf_destroy(an_rdf *g)
{
    if (!g) return;
    al_nlist_fini(&g->nl);
    al_free(g->g);
    al_free(g->cum);
    al_free(g);
}

static int species_index(const an_rdf *g, int z)
{
    for (int s = 0; s < g->ns; s++)
        if (g->z[s] == z) return s;
    return -1;
}

/* The first frame fixes the species; later frames must match it. */
static al_status check_species(an_rdf *g, const al_frame *f, al_err *err)
{
    size_t counts[AL_MAX_Z + 1];
    al_frame_count_species(f, counts);
    if (g->frames == 0) {
        for (int z = 1; z <= AL_MAX_Z; z++) {
            if (!counts[z]) continue;
            if (g->ns == AN_MAX_SPECIES)
                return al_fail(err, AL_EINVAL, "g(r): more than %d species", AN_MAX_SPECIES);
            g->z[g->ns] = z;
            g->count[g->ns++] = counts[z];
        }
        g->n_atoms = f->n_atoms;
        size_t n = (size_t)g->ns * g->ns * g->nbins;
        g->g = al_calloc(n, sizeof *g->g);
        g->cum = al_calloc(n, sizeof *g->cum);
        if (!g->g || !g->cum) return al_fail(err, AL_ENOMEM, "g(r): out of memory");
        return AL_OK;
    }
    for (int s = 0; s < g->ns; s++)
        if (counts[g->z[s]] != g->count[s] || f->n_atoms != g->n_atoms)
            return al_fail(err, AL_EINVAL, "g(r): frame %zu has a different composition from frame 0",
                           g->frames);
    return AL_OK;
}

al_status an_rdf_add_frame(an_rdf *g, const al_frame *f, al_err *err)
{
    AL_TRY(err, check_species(g, f, err));
    double vol = al_frame_volume(f);
    if (!(vol > 0)) return al_fail(err, AL_EINVAL, "g(r): frame %zu has no cell volume", g->frames);
    AL_TRY(err, al_nlist_build(&g->nl, f, g->r_max, 0.0, err));
    int ns = g->ns, nb = g->nbins;
    int *sp = al_malloc(f->n_atoms * sizeof *sp);
    if (!sp) return al_fail(err, AL_ENOMEM, "g(r): out of memory");
    for (size_t i = 0; i < f->n_atoms; i++) sp[i] = species_index(g, f->z[i]);
    for (size_t i = 0; i < f->n_atoms; i++) {
        int a = sp[i];
        for (size_t p = g->nl.offset[i]; p < g->nl.offset[i + 1]; p++) {
            int bin = (int)(g->nl.r[p] / g->dr);
            if (bin >= nb) continue;
            int b = sp[g->nl.j[p]];
            g->g[((size_t)a * ns + b) * nb + bin] += vol / ((double)g->count[a] * (double)g->count[b]);
            g->cum[((size_t)a * ns + b) * nb + bin] += 1.0 / (double)g->count[a];
        }
    }
    al_free(sp);
    g->inv_volume_sum += 1.0 / vol;
    g->frames++;
    return AL_OK;
}

int an_rdf_n_species(const an_rdf *g) { return g->ns; }
int an_rdf_nbins(const an_rdf *g) { return g->nbins; }
double an_rdf_dr(const an_rdf *g) { return g->dr; }
size_t an_rdf_frames(const an_rdf *g) { return g->frames; }
double an_rdf_r(const an_rdf *g, int bin) { return (bin + 0.5) * g->dr; }

int an_rdf_species(const an_rdf *g, int s, double *concentration)
{
    if (concentration) *concentration = (double)g->count[s] / (double)g->n_atoms;
    return g->z[s];
}

double an_rdf_density(const an_rdf *g)
{
    return g->frames ? (double)g->n_atoms * g->inv_volume_sum / (double)g->frames : 0.0;
}

void an_rdf_partial(const an_rdf *g, int a, int b, double *out)
{
    for (int k = 0; k < g->nbins; k++) {
        double lo = k * g->dr, hi = lo + g->dr;
        double shell = 4.0 * 3.14159265358979323846 / 3.0 * (hi * hi * hi - lo * lo * lo);
        out[k] = g->frames ? g->g[((size_t)a * g->ns + b) * g->nbins + k] / (shell * (double)g->frames) : 0.0;
    }
}

void an_rdf_total(const an_rdf *g, double *out)
{
    double *tmp = al_malloc((size_t)g->nbins * sizeof *tmp);
    memset(out, 0, (size_t)g->nbins * sizeof *out);
    for (int a = 0; a < g->ns && tmp; a++)
        for (int b = 0; b < g->ns; b++) {
            double ca = (double)g->count[a] / g->n_atoms, cb = (double)g->count[b] / g->n_atoms;
            an_rdf_partial(g, a, b, tmp);
            for (int k = 0; k < g->nbins; k++) out[k] += ca * cb * tmp[k];
        }
    al_free(tmp);
}

double an_rdf_coordination(const an_rdf *g, int a, int b, double R)
{
    double n = 0.0;
    const double *c = g->cum + ((size_t)a * g->ns + b) * g->nbins;
    for (int k = 0; k < g->nbins; k++) {
        double lo = k * g->dr;
        if (lo >= R) break;
        /* A bin cut by R contributes in proportion to the shell volume inside R. */
        double hi = lo + g->dr, w = 1.0;
        if (hi > R) w = (R * R * R - lo * lo * lo) / (hi * hi * hi - lo * lo * lo);
        n += w * c[k];
    }
    return g->frames ? n / (double)g->frames : 0.0;
}

double an_rdf_first_minimum(const an_rdf *g, int a, int b)
{
    int nb = g->nbins;
    double *v = al_malloc((size_t)nb * sizeof *v), *sm = al_malloc((size_t)nb * sizeof *sm);
    double r = g->r_max;
    if (!v || !sm) goto done;
    an_rdf_partial(g, a, b, v);
    /* A 3-bin running mean keeps noise from making spurious minima. */
    for (int k = 0; k < nb; k++)
        sm[k] = (v[k > 0 ? k - 1 : k] + v[k] + v[k + 1 < nb ? k + 1 : k]) / 3.0;
    int peak = 0;
    for (int k = 1; k < nb; k++)
        if (sm[k] > sm[peak]) peak = k;
    /* The first peak is the first local maximum above 1 (the highest may be a later shell). */
    for (int k = 1; k + 1 < nb; k++)
        if (sm[k] > 1.0 && sm[k] >= sm[k - 1] && sm[k] > sm[k + 1]) {
            peak = k;
            break;
        }
    /* The minimum lies before g climbs back above 1 after dropping below it. */
    int end = nb, below = 0;
    for (int k = peak + 1; k < nb; k++) {
        if (sm[k] < 1.0) below = 1;
        else if (below) {
            end = k;
            break;
        }
    }
    if (peak + 1 >= end) goto done;
    double lo = sm[peak + 1];
    for (int k = peak + 1; k < end; k++) lo = fmin(lo, sm[k]);
    /* The middle of the lowest stretch (crystals have an empty range between shells). */
    int first = -1, last = -1;
    for (int k = peak + 1; k < end; k++)
        if (sm[k] <= lo + 1e-12) {
            if (first < 0) first = k;
            last = k;
        }
    r = 0.5 * (an_rdf_r(g, first) + an_rdf_r(g, last));
done:
    al_free(v);
    al_free(sm);
    return r;
}
