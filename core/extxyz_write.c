/*
 * Extended XYZ writer (see extxyz.h). Reals are printed with 17 significant digits so that
 * reading the file back gives the same doubles bit for bit.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/elements.h"
#include "core/extxyz.h"

static int needs_quotes(const char *s)
{
    if (!*s) return 1;
    for (; *s; s++)
        if (isspace((unsigned char)*s) || strchr("=\"'{}\\,", *s)) return 1;
    return 0;
}

static void put_string(FILE *fp, const char *s)
{
    if (!needs_quotes(s)) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

/* A real that reads back as a real: "5" would come back as an integer, so it becomes "5.0". */
static void put_real(FILE *fp, double x)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", x);
    fputs(buf, fp);
    if (!strpbrk(buf, ".eEni")) fputs(".0", fp);
}

static void put_reals(FILE *fp, const double *v, size_t n)
{
    if (n != 1) fputc('"', fp);
    for (size_t k = 0; k < n; k++) {
        if (k) fputc(' ', fp);
        put_real(fp, v[k]);
    }
    if (n != 1) fputc('"', fp);
}

static void put_info(FILE *fp, const al_kv *kv)
{
    fputc(' ', fp);
    put_string(fp, kv->key);
    fputc('=', fp);
    if (kv->type == AL_VAL_STR) {
        put_string(fp, kv->str);
        return;
    }
    if (kv->type == AL_VAL_REAL) {
        put_reals(fp, kv->reals, kv->n);
        return;
    }
    if (kv->n != 1) fputc('"', fp);
    for (size_t k = 0; k < kv->n; k++) {
        if (k) fputc(' ', fp);
        if (kv->type == AL_VAL_BOOL) fputc(kv->ints[k] ? 'T' : 'F', fp);
        else fprintf(fp, "%ld", kv->ints[k]);
    }
    if (kv->n != 1) fputc('"', fp);
}

static const char prop_type_letter[] = {'S', 'I', 'R', 'L'}; /* indexed by al_val_type */

static void put_header(FILE *fp, const al_frame *f)
{
    fprintf(fp, "%zu\n", f->n_atoms);
    int has_cell = f->pbc[0] || f->pbc[1] || f->pbc[2];
    for (int k = 0; k < 9; k++) has_cell |= (&f->cell[0][0])[k] != 0.0;
    if (has_cell) {
        fputs("Lattice=", fp);
        put_reals(fp, &f->cell[0][0], 9);
        fputc(' ', fp);
    }
    fputs("Properties=species:S:1:pos:R:3", fp);
    if (f->forces && (f->labels & AL_LBL_FORCES)) fputs(":forces:R:3", fp);
    if (f->vel) fputs(":velo:R:3", fp);
    for (size_t p = 0; p < f->n_props; p++)
        fprintf(fp, ":%s:%c:%d", f->props[p].name, prop_type_letter[f->props[p].type], f->props[p].ncols);
    if (f->labels & AL_LBL_ENERGY) {
        fputs(" energy=", fp);
        put_reals(fp, &f->energy, 1);
    }
    if (f->labels & AL_LBL_VIRIAL) {
        fputs(" virial=", fp);
        put_reals(fp, &f->virial[0][0], 9);
    }
    fprintf(fp, " pbc=\"%c %c %c\"", f->pbc[0] ? 'T' : 'F', f->pbc[1] ? 'T' : 'F', f->pbc[2] ? 'T' : 'F');
    for (size_t k = 0; k < f->info.n; k++) put_info(fp, &f->info.items[k]);
    fputc('\n', fp);
}

static void put_prop_values(FILE *fp, const al_atom_prop *p, size_t i)
{
    for (int c = 0; c < p->ncols; c++) {
        size_t at = i * (size_t)p->ncols + (size_t)c;
        if (p->type == AL_VAL_REAL) fprintf(fp, " %.17g", p->reals[at]);
        else if (p->type == AL_VAL_INT) fprintf(fp, " %ld", p->ints[at]);
        else if (p->type == AL_VAL_BOOL) fprintf(fp, " %c", p->ints[at] ? 'T' : 'F');
        else fprintf(fp, " %s", p->strs[at] && p->strs[at][0] ? p->strs[at] : "_");
    }
}

al_status al_xyz_write(FILE *fp, const al_frame *f, al_err *err)
{
    for (size_t p = 0; p < f->n_props; p++)
        if (f->props[p].type == AL_VAL_STR)
            for (size_t k = 0; k < f->n_atoms * (size_t)f->props[p].ncols; k++)
                if (f->props[p].strs[k] && strpbrk(f->props[p].strs[k], " \t\n"))
                    return al_fail(err, AL_EINVAL, "per-atom string '%s' of property '%s' contains "
                                   "white space, which extxyz cannot hold", f->props[p].strs[k],
                                   f->props[p].name);
    put_header(fp, f);
    for (size_t i = 0; i < f->n_atoms; i++) {
        const double *r = f->pos[i];
        fprintf(fp, "%-2s %.17g %.17g %.17g", al_element_symbol(f->z[i]), r[0], r[1], r[2]);
        if (f->forces && (f->labels & AL_LBL_FORCES))
            fprintf(fp, " %.17g %.17g %.17g", f->forces[i][0], f->forces[i][1], f->forces[i][2]);
        if (f->vel) fprintf(fp, " %.17g %.17g %.17g", f->vel[i][0], f->vel[i][1], f->vel[i][2]);
        for (size_t p = 0; p < f->n_props; p++) put_prop_values(fp, &f->props[p], i);
        fputc('\n', fp);
    }
    if (ferror(fp)) return al_fail(err, AL_EIO, "write error (disk full?)");
    return AL_OK;
}

al_status al_xyz_write_file(const char *path, const al_frame *frames, size_t n, al_err *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp) return al_fail(err, AL_EIO, "cannot write %s", tmp);
    al_status st = AL_OK;
    for (size_t k = 0; !st && k < n; k++) st = al_xyz_write(fp, &frames[k], err);
    if (fclose(fp) != 0 && !st) st = al_fail(err, AL_EIO, "cannot finish writing %s (disk full?)", tmp);
    if (!st && rename(tmp, path) != 0) st = al_fail(err, AL_EIO, "cannot rename %s to %s", tmp, path);
    if (st) remove(tmp);
    return st;
}

al_status al_xyz_write_buffer(const al_frame *frames, size_t n, char **text, size_t *len, al_err *err)
{
    char *mem = NULL;
    size_t size = 0;
    *text = NULL;
    *len = 0;
    FILE *fp = open_memstream(&mem, &size);
    if (!fp) return al_fail(err, AL_ENOMEM, "cannot write frames to memory: %s", strerror(errno));
    al_status st = AL_OK;
    for (size_t k = 0; !st && k < n; k++) st = al_xyz_write(fp, &frames[k], err);
    if (fclose(fp) != 0 && !st) st = al_fail(err, AL_ENOMEM, "cannot write frames to memory");
    if (!st && !(*text = al_malloc(size + 1))) st = al_fail(err, AL_ENOMEM, "out of memory for %zu bytes of frames", size);
    if (!st) {
        memcpy(*text, mem, size);
        (*text)[size] = '\0';
        *len = size;
    }
    free(mem);   /* open_memstream's buffer comes from malloc */
    return st;
}
