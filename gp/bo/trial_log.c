/*
 * The trial log of Bayesian optimisation: every evaluated parameter vector with its objective
 * value, validation errors and fit time, kept in memory and saved to / restored from a CSV
 * file (format in bo.h), so a resumed search neither repeats nor forgets a trial.
 */
#include "gp/bo/bo.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

static const char log_magic[] = "# galore bayesopt trial log, version 1";

void bo_log_init(bo_log *log, const bo_space *s)
{
    memset(log, 0, sizeof *log);
    log->space = *s;
}

void bo_log_fini(bo_log *log)
{
    if (!log) return;
    al_free(log->t);
    log->t = NULL;
    log->n = log->cap = 0;
}

al_status bo_log_add(bo_log *log, const bo_trial *t, al_err *err)
{
    if (log->n == log->cap) {
        size_t cap = log->cap ? 2 * log->cap : 32;
        bo_trial *nt = al_realloc(log->t, cap * sizeof *nt);
        if (!nt) return al_fail(err, AL_ENOMEM, "trial log: out of memory for %zu trials", cap);
        log->t = nt;
        log->cap = cap;
    }
    log->t[log->n++] = *t;
    return AL_OK;
}

long bo_log_best(const bo_log *log)
{
    long best = -1;
    for (size_t i = 0; i < log->n; i++)
        if (log->t[i].ok && (best < 0 || log->t[i].value < log->t[best].value)) best = (long)i;
    return best;
}

int bo_log_contains(const bo_log *log, const double *x)
{
    for (size_t i = 0; i < log->n; i++) {
        size_t j = 0;
        for (; j < log->space.d; j++) {
            double a = log->t[i].x[j], b = x[j];
            if (fabs(a - b) > 1e-9 * fmax(fabs(a), fabs(b))) break;
        }
        if (j == log->space.d) return 1;
    }
    return 0;
}

al_status bo_log_save(const bo_log *log, const char *path, al_err *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return al_fail(err, AL_EIO, "%s: cannot write (%s)", tmp, strerror(errno));
    fprintf(f, "%s\ntrial", log_magic);
    for (size_t j = 0; j < log->space.d; j++) fprintf(f, ",%s", log->space.p[j].name);
    fprintf(f, ",value,energy_mae,force_mae,fit_time_s,status\n");
    for (size_t i = 0; i < log->n; i++) {
        const bo_trial *t = &log->t[i];
        fprintf(f, "%zu", i);
        for (size_t j = 0; j < log->space.d; j++) fprintf(f, ",%.17g", t->x[j]);
        fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%s\n", t->value, t->energy_mae, t->force_mae,
                t->fit_time, t->ok ? "ok" : "failed");
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        remove(tmp);
        return al_fail(err, AL_EIO, "%s: write failed", tmp);
    }
    /* Written whole, then renamed: a crash leaves the old log or the new one, never half. */
    if (rename(tmp, path) != 0)
        return al_fail(err, AL_EIO, "%s: cannot rename to %s (%s)", tmp, path, strerror(errno));
    return AL_OK;
}

/* Next comma-separated field of *p (NUL-terminated in place). */
static char *next_field(char **p)
{
    char *s = *p;
    if (!s) return NULL;
    char *c = strchr(s, ',');
    if (c) *c = '\0', *p = c + 1;
    else *p = NULL;
    s[strcspn(s, "\r\n")] = '\0';
    return s;
}

static al_status check_header(const bo_log *log, char *line, const char *path, al_err *err)
{
    static const char *tail[] = {"value", "energy_mae", "force_mae", "fit_time_s", "status"};
    char *p = line, *f = next_field(&p);
    if (!f || strcmp(f, "trial") != 0)
        return al_fail(err, AL_EFORMAT, "%s:2: expected the header line starting with 'trial'", path);
    for (size_t j = 0; j < log->space.d; j++) {
        f = next_field(&p);
        if (!f || strcmp(f, log->space.p[j].name) != 0)
            return al_fail(err, AL_EFORMAT,
                           "%s:2: column %zu is '%s' but the search space's parameter %zu is '%s'",
                           path, j + 2, f ? f : "", j + 1, log->space.p[j].name);
    }
    for (size_t j = 0; j < 5; j++) {
        f = next_field(&p);
        if (!f || strcmp(f, tail[j]) != 0)
            return al_fail(err, AL_EFORMAT, "%s:2: expected column '%s', found '%s'", path, tail[j],
                           f ? f : "(end of line)");
    }
    if (p) return al_fail(err, AL_EFORMAT, "%s:2: extra columns after 'status'", path);
    return AL_OK;
}

static al_status parse_row(const bo_log *log, char *line, size_t lineno, const char *path,
                           bo_trial *t, al_err *err)
{
    char *p = line, *f, *end;
    double vals[BO_MAX_DIM + 5];
    size_t nv = log->space.d + 4;
    memset(t, 0, sizeof *t);
    f = next_field(&p);   /* trial number: informative only */
    for (size_t j = 0; j < nv; j++) {
        f = next_field(&p);
        if (!f || !*f)
            return al_fail(err, AL_EFORMAT, "%s:%zu: %zu values expected, row is short", path,
                           lineno, nv + 2);
        vals[j] = strtod(f, &end);
        if (*end)
            return al_fail(err, AL_EFORMAT, "%s:%zu: '%s' is not a number", path, lineno, f);
    }
    f = next_field(&p);
    if (!f || (strcmp(f, "ok") != 0 && strcmp(f, "failed") != 0) || p)
        return al_fail(err, AL_EFORMAT, "%s:%zu: status must be 'ok' or 'failed' and the last column",
                       path, lineno);
    for (size_t j = 0; j < log->space.d; j++) {
        const bo_param *q = &log->space.p[j];
        if (!(vals[j] >= q->lo && vals[j] <= q->hi))
            return al_fail(err, AL_EFORMAT, "%s:%zu: %s = %g is outside [%g, %g]", path, lineno,
                           q->name, vals[j], q->lo, q->hi);
        t->x[j] = vals[j];
    }
    t->value = vals[log->space.d];
    t->energy_mae = vals[log->space.d + 1];
    t->force_mae = vals[log->space.d + 2];
    t->fit_time = vals[log->space.d + 3];
    t->ok = strcmp(f, "ok") == 0;
    if (t->ok && !isfinite(t->value))
        return al_fail(err, AL_EFORMAT, "%s:%zu: a trial marked ok has value %g", path, lineno,
                       t->value);
    return AL_OK;
}

al_status bo_log_load(bo_log *log, const char *path, al_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f) return al_fail(err, AL_EIO, "%s: cannot read (%s)", path, strerror(errno));
    char line[8192];
    size_t lineno = 0;
    al_status st = AL_OK;
    if (!fgets(line, sizeof line, f) || strncmp(line, log_magic, strlen(log_magic)) != 0) {
        st = al_fail(err, AL_EFORMAT, "%s:1: not a galore trial log (expected '%s')", path,
                     log_magic);
        goto done;
    }
    lineno = 1;
    if (!fgets(line, sizeof line, f)) {
        st = al_fail(err, AL_EFORMAT, "%s:2: header line missing", path);
        goto done;
    }
    lineno = 2;
    if ((st = check_header(log, line, path, err))) goto done;
    while (fgets(line, sizeof line, f)) {
        bo_trial t;
        lineno++;
        if (line[0] == '\n' || line[0] == '#') continue;
        if ((st = parse_row(log, line, lineno, path, &t, err))) goto done;
        if ((st = bo_log_add(log, &t, err))) goto done;
    }
done:
    fclose(f);
    return st;
}
