/*
 * From a frame (Å) to the engine's system (bohr, pseudopotentials), with input validation:
 * known elements, a pseudopotential entry for each, a non-degenerate cell and no two atoms
 * closer than the minimum distance (minimum image over the 27 neighbouring cells).
 */
#include "engines/dft/system.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/units.h"
#include "engines/dft/basis.h"

void pw_system_fini(pw_system *s)
{
    if (!s) return;
    al_free(s->pos);
    al_free(s->species);
    al_free(s->psp);
    al_free(s->magmom);
    memset(s, 0, sizeof *s);
}

/*
 * Default entry for an element: GTH-<XC>-q<n> with the smallest valence n in the file (the
 * cheapest; e.g. Na q1 rather than the semicore q9 that CP2K's plain "GTH-PBE" alias names),
 * where <XC> is PBE, or PADE for both LDAs (GTH-PADE was fitted with the Padé form; QE also
 * pairs these files with PZ).
 */
static al_status load_default(const char *path, int z, pw_xc_kind xc, pw_gth *out, al_err *err)
{
    const char *fam = xc == PW_XC_PBE ? "GTH-PBE" : "GTH-PADE";
    char name[64];
    for (int q = 1; q <= 40; q++) {
        snprintf(name, sizeof name, "%s-q%d", fam, q);
        al_status st = pw_gth_load(path, z, name, out, err);
        if (st != AL_ENOTFOUND) return st;
    }
    /* No q-suffixed entry: the family alias itself (its error names the file and element). */
    return pw_gth_load(path, z, fam, out, err);
}

static al_status check_distances(const pw_system *s, double dmin_bohr, al_err *err)
{
    double inv[3][3]; /* fractional = cart · inv, inv = recipᵀ/2π */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) inv[i][j] = s->recip[j][i] / (2.0 * AL_PI);
    for (size_t a = 0; a < s->n_atoms; a++)
        for (size_t b = a + 1; b < s->n_atoms; b++) {
            double d[3], fr[3];
            for (int x = 0; x < 3; x++) d[x] = s->pos[b][x] - s->pos[a][x];
            for (int j = 0; j < 3; j++) {
                fr[j] = d[0] * inv[0][j] + d[1] * inv[1][j] + d[2] * inv[2][j];
                fr[j] -= round(fr[j]);
            }
            double best = HUGE_VAL;
            for (int i0 = -1; i0 <= 1; i0++)
                for (int i1 = -1; i1 <= 1; i1++)
                    for (int i2 = -1; i2 <= 1; i2++) {
                        double c[3], r2 = 0;
                        for (int x = 0; x < 3; x++) {
                            c[x] = (fr[0] + i0) * s->cell[0][x] + (fr[1] + i1) * s->cell[1][x] +
                                   (fr[2] + i2) * s->cell[2][x];
                            r2 += c[x] * c[x];
                        }
                        if (r2 < best) best = r2;
                    }
            if (sqrt(best) < dmin_bohr)
                return al_fail(err, AL_EINVAL,
                               "atoms %zu and %zu overlap: %.4f Å apart (minimum %.4f Å)", a + 1,
                               b + 1, sqrt(best) * AL_BOHR_ANGSTROM, dmin_bohr * AL_BOHR_ANGSTROM);
        }
    return AL_OK;
}

/*
 * Per-atom starting moments: the frame's initial_magmoms column when it has one (so that
 * atoms of one element can start with opposite moments), else the per-element settings.
 * None may exceed the atom's valence.
 */
static al_status starting_moments(const al_frame *f, const pw_settings *set, pw_system *s,
                                  al_err *err)
{
    const al_atom_prop *p = al_frame_find_prop(f, "initial_magmoms"); /* ASE's column name */
    if (p && (p->type != AL_VAL_REAL || p->ncols != 1))
        return al_fail(err, AL_EINVAL, "initial_magmoms: expected one real number per atom "
                       "(collinear moments in μB), got %d column%s", p->ncols,
                       p->ncols == 1 ? " of another type" : "s");
    s->magmom = al_calloc(s->n_atoms, sizeof *s->magmom);
    if (!s->magmom) return al_fail(err, AL_ENOMEM, "DFT system: out of memory");
    for (size_t a = 0; a < s->n_atoms; a++) {
        for (size_t i = 0; i < set->n_magmom && !p; i++)
            if (set->magmom[i].z == f->z[a]) s->magmom[a] = set->magmom[i].moment;
        if (p) s->magmom[a] = p->reals[a];
        double zion = s->psp[s->species[a]].zion;
        if (fabs(s->magmom[a]) > zion + 1e-12)
            return al_fail(err, AL_EINVAL, "atom %zu (%s): starting magnetic moment %g μB exceeds "
                           "its %g valence electrons", a + 1, al_element_symbol(f->z[a]),
                           s->magmom[a], zion);
    }
    return AL_OK;
}

al_status pw_system_from_frame(const al_frame *f, const pw_settings *set, pw_system *s,
                               al_err *err)
{
    memset(s, 0, sizeof *s);
    if (f->n_atoms == 0) return al_fail(err, AL_EINVAL, "frame has no atoms");
    for (size_t a = 0; a < f->n_atoms; a++)
        if (f->z[a] < 1 || f->z[a] > AL_MAX_Z)
            return al_fail(err, AL_EINVAL, "atom %zu: unknown element (atomic number %d)", a + 1,
                           f->z[a]);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) s->cell[i][j] = f->cell[i][j] * AL_ANGSTROM_BOHR;
    AL_TRY(err, pw_cell_reciprocal(s->cell, s->recip, &s->omega, err));
    s->n_atoms = f->n_atoms;
    s->pos = al_malloc(f->n_atoms * sizeof *s->pos);
    s->species = al_malloc(f->n_atoms * sizeof *s->species);
    s->psp = al_calloc(PW_MAX_SPECIES, sizeof *s->psp);
    if (!s->pos || !s->species || !s->psp) {
        pw_system_fini(s);
        return al_fail(err, AL_ENOMEM, "DFT system: out of memory");
    }
    for (size_t a = 0; a < f->n_atoms; a++) {
        for (int x = 0; x < 3; x++) s->pos[a][x] = f->pos[a][x] * AL_ANGSTROM_BOHR;
        size_t sp = 0;
        while (sp < s->n_species && s->psp[sp].z != f->z[a]) sp++;
        if (sp == s->n_species) {
            if (sp == PW_MAX_SPECIES) {
                pw_system_fini(s);
                return al_fail(err, AL_EINVAL, "more than %d elements in one frame",
                               PW_MAX_SPECIES);
            }
            const char *entry = NULL;
            for (size_t i = 0; i < set->n_psp; i++)
                if (set->psp[i].z == f->z[a]) entry = set->psp[i].entry;
            al_status st = entry ? pw_gth_load(set->psp_file, f->z[a], entry, &s->psp[sp], err)
                                 : load_default(set->psp_file, f->z[a], set->xc, &s->psp[sp], err);
            if (st) {
                pw_system_fini(s);
                return al_fail_wrap(err, "pseudopotential for %s (atom %zu): ",
                                    al_element_symbol(f->z[a]), a + 1);
            }
            s->n_species++;
        }
        s->species[a] = (int)sp;
        s->n_electrons += s->psp[sp].zion;
    }
    al_status st = check_distances(s, set->min_distance_ang * AL_ANGSTROM_BOHR, err);
    if (!st && set->nspin == 2) st = starting_moments(f, set, s, err);
    if (st) pw_system_fini(s);
    return st;
}
