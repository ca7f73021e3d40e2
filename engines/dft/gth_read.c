/*
 * Reader for pseudopotential files in CP2K's GTH_POTENTIALS format (layout documented in
 * gth.h and at the top of /usr/share/cp2k/GTH_POTENTIALS; parameters of Goedecker, Teter and
 * Hutter, PRB 54, 1703 (1996), Hartwigsen, Goedecker and Hutter, PRB 58, 3641 (1998), and
 * Krack, Theor. Chem. Acc. 114, 145 (2005)).
 *
 * The reader is line based, as the files are written: the local coefficients sit on the r_loc
 * line, and row i of each h^l matrix sits on its own line (row 1 after r_l and n_proj). Every
 * error names the file and the line, what was expected and what was found.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/elements.h"
#include "engines/dft/gth.h"

enum { MAX_TOK = 16, LINE_LEN = 1024 };

typedef struct reader {
    FILE *f;
    const char *path;
    int line;             /* number of the line held in buf */
    char buf[LINE_LEN];
    char *tok[MAX_TOK];
    int ntok;
    int peeked;           /* buf holds a line not yet consumed */
    int eof;
} reader;

/* Splits buf into tokens; '#' starts a comment. */
static void split(reader *r)
{
    char *p = r->buf;
    r->ntok = 0;
    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p || *p == '#') break;
        if (r->ntok < MAX_TOK) r->tok[r->ntok++] = p;
        while (*p && !isspace((unsigned char)*p)) p++;
        if (*p) *p++ = '\0';
    }
}

/* Next line with at least one token (peek leaves it in place). Returns 0 at end of file. */
static int next_line(reader *r, int peek)
{
    if (r->peeked) {
        r->peeked = peek;
        return 1;
    }
    while (!r->eof) {
        if (!fgets(r->buf, sizeof r->buf, r->f)) {
            r->eof = 1;
            break;
        }
        r->line++;
        split(r);
        if (r->ntok > 0) {
            r->peeked = peek;
            return 1;
        }
    }
    r->ntok = 0;
    return 0;
}

static int parse_int(const char *s, int *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (end == s || *end || errno || x < -1000000 || x > 1000000) return 0;
    *v = (int)x;
    return 1;
}

/* Reals may use a Fortran D exponent. */
static int parse_real(const char *s, double *v)
{
    char tmp[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof tmp) return 0;
    for (size_t i = 0; i <= n; i++) tmp[i] = (s[i] == 'd' || s[i] == 'D') ? 'e' : s[i];
    char *end;
    errno = 0;
    *v = strtod(tmp, &end);
    return end != tmp && !*end && !errno;
}

static al_status expected(reader *r, al_err *err, const char *what)
{
    if (r->ntok == 0)
        return al_fail(err, AL_EFORMAT, "%s:%d: expected %s, found end of file", r->path,
                       r->line, what);
    return al_fail(err, AL_EFORMAT, "%s:%d: expected %s", r->path, r->line, what);
}

static al_status bad_value(reader *r, al_err *err, const char *what, const char *tok)
{
    return al_fail(err, AL_EFORMAT, "%s:%d: expected %s, found '%s'", r->path, r->line, what,
                   tok);
}

/* Reads `count` reals from tokens first.. of the current line. */
static al_status read_reals(reader *r, int first, int count, double *v, const char *what,
                            al_err *err)
{
    if (r->ntok != first + count)
        return al_fail(err, AL_EFORMAT, "%s:%d: expected %d value%s of %s, found %d", r->path,
                       r->line, count, count == 1 ? "" : "s", what, r->ntok - first);
    for (int i = 0; i < count; i++)
        if (!parse_real(r->tok[first + i], &v[i])) return bad_value(r, err, what, r->tok[first + i]);
    return AL_OK;
}

static int is_header(const reader *r)
{
    return r->ntok >= 1 && isalpha((unsigned char)r->tok[0][0]);
}

/* Valence charge from the electron configuration line. */
static al_status read_config(reader *r, pw_gth *p, al_err *err)
{
    if (!next_line(r, 0) || is_header(r)) return expected(r, err, "the electron configuration (n_elec per l)");
    p->zion = 0;
    for (int i = 0; i < r->ntok; i++) {
        int n;
        if (!parse_int(r->tok[i], &n) || n < 0)
            return bad_value(r, err, "an electron count (non-negative integer)", r->tok[i]);
        p->zion += n;
    }
    if (p->zion <= 0) return al_fail(err, AL_EFORMAT, "%s:%d: valence charge is 0", r->path, r->line);
    return AL_OK;
}

static al_status read_local(reader *r, pw_gth *p, al_err *err)
{
    if (!next_line(r, 0) || is_header(r)) return expected(r, err, "'r_loc n_c C1 ... C_n_c'");
    if (r->ntok < 2) return expected(r, err, "'r_loc n_c C1 ... C_n_c'");
    if (!parse_real(r->tok[0], &p->rloc) || !(p->rloc > 0))
        return bad_value(r, err, "r_loc (a positive number)", r->tok[0]);
    if (!parse_int(r->tok[1], &p->n_c) || p->n_c < 0 || p->n_c > 4)
        return bad_value(r, err, "n_c (an integer 0..4)", r->tok[1]);
    AL_TRY(err, read_reals(r, 2, p->n_c, p->c, "the local coefficients C_i", err));
    if (next_line(r, 1) && (!strcasecmp(r->tok[0], "NLCC") || !strcasecmp(r->tok[0], "LPOT")))
        return al_fail(err, AL_EFORMAT,
                       "%s:%d: %s entries (%s) are not supported; choose an entry without it",
                       r->path, r->line, r->tok[0],
                       strcasecmp(r->tok[0], "NLCC") ? "extended local part"
                                                     : "non-linear core correction");
    return AL_OK;
}

/* Rows of an upper-triangular n×n matrix, row 0 starting at token `first` of the current line. */
static al_status read_triangle(reader *r, int n, int first, double m[3][3], const char *what,
                               al_err *err)
{
    for (int i = 0; i < n; i++) {
        if (i > 0 && (!next_line(r, 0) || is_header(r))) {
            char w[96];
            snprintf(w, sizeof w, "row %d of %s", i + 1, what);
            return expected(r, err, w);
        }
        double v[3];
        char w[96];
        snprintf(w, sizeof w, "%s (row %d)", what, i + 1);
        AL_TRY(err, read_reals(r, i > 0 ? 0 : first, n - i, v, w, err));
        for (int j = i; j < n; j++) m[i][j] = m[j][i] = v[j - i];
    }
    return AL_OK;
}

/* A following line that is not a channel header "r_l n_proj ..." holds spin-orbit k_ij. */
static int soc_follows(reader *r)
{
    int n;
    if (!next_line(r, 1) || is_header(r)) return 0;
    return !(r->ntok >= 2 && parse_int(r->tok[1], &n));
}

static al_status read_nonlocal(reader *r, pw_gth *p, al_err *err)
{
    if (!next_line(r, 0) || is_header(r)) return expected(r, err, "the number of projector channels");
    if (r->ntok != 1 || !parse_int(r->tok[0], &p->n_l) || p->n_l < 0 || p->n_l > 4)
        return bad_value(r, err, "the number of projector channels (one integer 0..4)", r->tok[0]);
    for (int l = 0; l < p->n_l; l++) {
        char what[64];
        snprintf(what, sizeof what, "'r_l n_proj h_1j...' for l=%d", l);
        if (!next_line(r, 0) || is_header(r)) return expected(r, err, what);
        if (r->ntok < 2) return expected(r, err, what);
        if (!parse_real(r->tok[0], &p->r[l]) || !(p->r[l] > 0))
            return bad_value(r, err, "r_l (a positive number)", r->tok[0]);
        if (!parse_int(r->tok[1], &p->n_proj[l]) || p->n_proj[l] < 0 || p->n_proj[l] > 3)
            return bad_value(r, err, "n_proj (an integer 0..3)", r->tok[1]);
        snprintf(what, sizeof what, "h_ij for l=%d", l);
        AL_TRY(err, read_triangle(r, p->n_proj[l], 2, p->h[l], what, err));
        if (l > 0 && p->n_proj[l] > 0 && soc_follows(r)) {
            double k[3][3];
            next_line(r, 0);
            snprintf(what, sizeof what, "spin-orbit k_ij for l=%d", l);
            AL_TRY(err, read_triangle(r, p->n_proj[l], 0, k, what, err));
        }
    }
    return AL_OK;
}

/* Does the current (header) line name element `sym` and entry `entry`? */
static int header_matches(const reader *r, const char *sym, const char *entry)
{
    if (r->ntok < 2 || strcasecmp(r->tok[0], sym) != 0) return 0;
    for (int i = 1; i < r->ntok; i++)
        if (!strcasecmp(r->tok[i], entry)) return 1;
    return 0;
}

/* Positions the reader on the entry's header line; lists the element's entries if absent. */
static al_status find_entry(reader *r, const char *sym, const char *entry, al_err *err)
{
    char names[200] = "";
    while (next_line(r, 0)) {
        if (!is_header(r)) continue;
        if (header_matches(r, sym, entry)) return AL_OK;
        if (r->ntok >= 2 && !strcasecmp(r->tok[0], sym) && strlen(names) + strlen(r->tok[1]) + 8 < sizeof names) {
            if (names[0]) strcat(names, ", ");
            strcat(names, r->tok[1]);
        }
    }
    if (!names[0])
        return al_fail(err, AL_ENOTFOUND, "%s: no pseudopotential for element %s", r->path, sym);
    return al_fail(err, AL_ENOTFOUND, "%s: no entry '%s' for element %s (entries: %s)", r->path,
                   entry, sym, names);
}

al_status pw_gth_load(const char *path, int z, const char *entry, pw_gth *out, al_err *err)
{
    memset(out, 0, sizeof *out);
    if (z < 1 || z > AL_MAX_Z) return al_fail(err, AL_EINVAL, "pw_gth_load: bad atomic number %d", z);
    if (!entry || !entry[0] || strlen(entry) >= sizeof out->entry)
        return al_fail(err, AL_EINVAL, "pw_gth_load: bad entry name");
    reader r = {.path = path};
    r.f = fopen(path, "r");
    if (!r.f) return al_fail(err, AL_EIO, "cannot open pseudopotential file %s", path);
    pw_gth p = {.z = z};
    al_status st = find_entry(&r, al_element_symbol(z), entry, err);
    for (int i = 1; !st && i < r.ntok; i++)
        if (!strcasecmp(r.tok[i], "ALLELECTRON"))
            st = al_fail(err, AL_EFORMAT,
                         "%s:%d: %s %s is an all-electron entry, not a GTH pseudopotential", path,
                         r.line, r.tok[0], entry);
    if (!st) {
        snprintf(p.entry, sizeof p.entry, "%s", entry);
        snprintf(p.source, sizeof p.source, "%s:%d", path, r.line);
        st = read_config(&r, &p, err);
    }
    if (!st) st = read_local(&r, &p, err);
    if (!st) st = read_nonlocal(&r, &p, err);
    if (!st && next_line(&r, 1) && !is_header(&r))
        st = al_fail(err, AL_EFORMAT,
                     "%s:%d: expected the next entry or end of file after %d projector "
                     "channel%s, found '%s'",
                     path, r.line, p.n_l, p.n_l == 1 ? "" : "s", r.tok[0]);
    fclose(r.f);
    if (st) {
        AL_TRACE(err);
        return st;
    }
    *out = p;
    return AL_OK;
}
