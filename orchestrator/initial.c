/* Initial campaign frames: rattled and strained supercells, or random structures (initial.h). */
#include "orchestrator/initial.h"

#include <math.h>
#include <string.h>

#include "core/elements.h"
#include "core/units.h"

enum { MAX_ATTEMPTS_PER_ATOM = 10000 };

double orc_cube_edge(double mass_amu, double density)
{
    /* mass in g = amu / N_A; volume in cm³ = 1e24 Å³. */
    double volume_a3 = mass_amu / AL_AVOGADRO / density * 1e24;
    return cbrt(volume_a3);
}

/* out = supercell of s (no labels, no velocities, empty info). */
static al_status make_supercell(const al_frame *s, const int rep[3], al_frame *out, al_err *err)
{
    size_t n = s->n_atoms * (size_t)rep[0] * (size_t)rep[1] * (size_t)rep[2];
    AL_TRY(err, al_frame_alloc(out, n, err));
    for (int a = 0; a < 3; a++) {
        out->pbc[a] = true;
        for (int k = 0; k < 3; k++) out->cell[a][k] = rep[a] * s->cell[a][k];
    }
    size_t p = 0;
    for (int i0 = 0; i0 < rep[0]; i0++)
        for (int i1 = 0; i1 < rep[1]; i1++)
            for (int i2 = 0; i2 < rep[2]; i2++)
                for (size_t i = 0; i < s->n_atoms; i++, p++) {
                    out->z[p] = s->z[i];
                    for (int k = 0; k < 3; k++)
                        out->pos[p][k] = s->pos[i][k] + i0 * s->cell[0][k] + i1 * s->cell[1][k] +
                                         i2 * s->cell[2][k];
                }
    return AL_OK;
}

/* r → r(1 + ε) for the cell rows and positions, ε symmetric with entries in [−amp, amp]. */
static void apply_random_strain(al_frame *f, double amp, al_rng *rng)
{
    double m[3][3];
    for (int a = 0; a < 3; a++)
        for (int b = a; b < 3; b++) {
            double e = amp * (2.0 * al_rng_uniform(rng) - 1.0);
            m[a][b] = m[b][a] = (a == b) + e;
        }
    double row[3];
    for (int a = 0; a < 3; a++) {
        for (int k = 0; k < 3; k++)
            row[k] = f->cell[a][0] * m[0][k] + f->cell[a][1] * m[1][k] + f->cell[a][2] * m[2][k];
        memcpy(f->cell[a], row, sizeof row);
    }
    for (size_t i = 0; i < f->n_atoms; i++) {
        for (int k = 0; k < 3; k++)
            row[k] = f->pos[i][0] * m[0][k] + f->pos[i][1] * m[1][k] + f->pos[i][2] * m[2][k];
        memcpy(f->pos[i], row, sizeof row);
    }
}

static al_status tag(al_frame *f, const char *kind, size_t index, al_err *err)
{
    AL_TRY(err, al_info_set_str(&f->info, "config_type", kind, err));
    return al_info_set_int(&f->info, "initial_index", (long)index, err);
}

al_status orc_initial_rattle(const al_frame *structure, const int supercell[3], size_t n,
                             double rattle, double strain, al_rng *rng, al_frame *out,
                             al_err *err)
{
    if (structure->n_atoms == 0)
        return al_fail(err, AL_EINVAL, "initial set: the start structure has no atoms");
    if (!structure->pbc[0] || !structure->pbc[1] || !structure->pbc[2] ||
        !(al_frame_volume(structure) > 0))
        return al_fail(err, AL_EINVAL,
                       "initial set: the start structure must be periodic in a, b and c with a "
                       "non-degenerate cell (pbc=\"T T T\" and a Lattice)");
    for (int k = 0; k < 3; k++)
        if (supercell[k] < 1)
            return al_fail(err, AL_EINVAL, "initial set: supercell[%d] = %d, must be >= 1", k,
                           supercell[k]);
    if (!(rattle >= 0) || !(strain >= 0) || !(strain < 1))
        return al_fail(err, AL_EINVAL,
                       "initial set: rattle amplitude %g Å must be >= 0 and strain %g in [0, 1)",
                       rattle, strain);
    for (size_t f = 0; f < n; f++) {
        AL_TRY(err, make_supercell(structure, supercell, &out[f], err));
        apply_random_strain(&out[f], strain, rng);
        for (size_t i = 0; i < out[f].n_atoms; i++)
            for (int k = 0; k < 3; k++) out[f].pos[i][k] += rattle * al_rng_normal(rng);
        AL_TRY(err, tag(&out[f], "initial_rattle", f, err));
    }
    return AL_OK;
}

/* True when point r (Å) is at least dmin from atoms 0..n-1 of f, nearest images of a cube. */
static int far_enough(const al_frame *f, size_t n, const double r[3], double edge, double dmin)
{
    double d2min = dmin * dmin;
    for (size_t j = 0; j < n; j++) {
        double d2 = 0;
        for (int k = 0; k < 3; k++) {
            double d = r[k] - f->pos[j][k];
            d -= edge * nearbyint(d / edge);   /* the nearest image in an orthogonal cell */
            d2 += d * d;
        }
        if (d2 < d2min) return 0;
    }
    return 1;
}

/* Validates the composition; total atoms and mass out. */
static al_status check_composition(const int *z, const double *count, int n_species,
                                   size_t *atoms, double *mass, al_err *err)
{
    *atoms = 0;
    *mass = 0;
    for (int s = 0; s < n_species; s++) {
        if (!(count[s] >= 0) || count[s] != floor(count[s]))
            return al_fail(err, AL_EINVAL,
                           "initial set: composition of %s is %g; it must be a whole number of atoms",
                           al_element_symbol(z[s]), count[s]);
        *atoms += (size_t)count[s];
        *mass += count[s] * al_element_mass(z[s]);
    }
    if (*atoms == 0)
        return al_fail(err, AL_EINVAL,
                       "initial set: random structures need a composition with atoms "
                       "(system.composition, e.g. {Ge: 32, Se: 64})");
    return AL_OK;
}

static al_status place_atoms(al_frame *f, size_t index, double edge, double dmin, al_rng *rng,
                             al_err *err)
{
    for (size_t i = 0; i < f->n_atoms; i++) {
        int tries = 0;
        do {
            if (++tries > MAX_ATTEMPTS_PER_ATOM)
                return al_fail(err, AL_EINVAL,
                               "initial set: random structure %zu: could not place atom %zu (%s) "
                               "at least %g Å from the others in a %.3f Å cube after %d attempts; "
                               "lower system.min_distance or system.density",
                               index, i, al_element_symbol(f->z[i]), dmin, edge,
                               MAX_ATTEMPTS_PER_ATOM);
            for (int k = 0; k < 3; k++) f->pos[i][k] = edge * al_rng_uniform(rng);
        } while (!far_enough(f, i, f->pos[i], edge, dmin));
    }
    return AL_OK;
}

al_status orc_initial_random(const int *z, const double *count, int n_species,
                             double density, double min_distance, size_t n, al_rng *rng,
                             al_frame *out, al_err *err)
{
    size_t atoms;
    double mass;
    AL_TRY(err, check_composition(z, count, n_species, &atoms, &mass, err));
    if (!(density > 0) || !(min_distance >= 0))
        return al_fail(err, AL_EINVAL,
                       "initial set: density %g g/cm3 must be > 0 and min_distance %g Å >= 0",
                       density, min_distance);
    double edge = orc_cube_edge(mass, density);
    if (min_distance > edge)
        return al_fail(err, AL_EINVAL,
                       "initial set: min_distance %g Å exceeds the %.3f Å cell of %zu atoms at "
                       "%g g/cm3: an atom would overlap its own periodic image",
                       min_distance, edge, atoms, density);
    for (size_t f = 0; f < n; f++) {
        AL_TRY(err, al_frame_alloc(&out[f], atoms, err));
        for (int k = 0; k < 3; k++) {
            out[f].cell[k][k] = edge;
            out[f].pbc[k] = true;
        }
        size_t p = 0;
        for (int s = 0; s < n_species; s++)
            for (size_t c = 0; c < (size_t)count[s]; c++) out[f].z[p++] = z[s];
        AL_TRY(err, place_atoms(&out[f], f, edge, min_distance, rng, err));
        AL_TRY(err, tag(&out[f], "initial_random", f, err));
    }
    return AL_OK;
}
