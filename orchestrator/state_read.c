/* Reading the campaign state file (format in state.h); every error names file and line. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orchestrator/state.h"

typedef struct reader {
    const char *path;
    int line;
    const char *key, *rest;
} reader;

static al_status bad(const reader *r, al_err *err, const char *what)
{
    return al_fail(err, AL_EFORMAT, "%s:%d: %s: %s", r->path, r->line, r->key, what);
}

/* True when sscanf converted `want` items and consumed the whole rest of the line. */
#define SCAN_ALL(r, want, fmt, ...) \
    (sscanf((r)->rest, fmt "%n", __VA_ARGS__, &used) == (want) && (r)->rest[used] == '\0')

static al_status read_stage(reader *r, orc_state *s, al_err *err)
{
    for (int k = 0; k < ORC_STAGE_COUNT; k++)
        if (strcmp(r->rest, orc_stage_name((orc_stage)k)) == 0) {
            s->stage = (orc_stage)k;
            return AL_OK;
        }
    return bad(r, err, "unknown stage (expected init, label, fit, eval, explore, select, validate or done)");
}

static al_status read_metrics(reader *r, orc_state *s, al_err *err)
{
    orc_iter_metrics m;
    int used = 0;
    if (!SCAN_ALL(r, 7, "%d %ld %ld %lf %lf %lf %lf", &m.iteration, &m.n_train, &m.n_labels,
                  &m.energy_mae, &m.force_mae, &m.virial_rmse, &m.fit_seconds))
        return bad(r, err, "expected iteration, n_train, n_labels and four numbers");
    return orc_state_add_metrics(s, &m, err);
}

/* One "key value" line. *done is set by the "end" line. */
static al_status read_line(reader *r, orc_state *s, int *done, al_err *err)
{
    int used = 0;
    if (!strcmp(r->key, "iteration")) {
        if (!SCAN_ALL(r, 1, "%d", &s->iteration) || s->iteration < 0) return bad(r, err, "expected an integer >= 0");
    } else if (!strcmp(r->key, "stage")) {
        return read_stage(r, s, err);
    } else if (!strcmp(r->key, "stage_first_frame")) {
        if (!SCAN_ALL(r, 1, "%zu", &s->stage_first_frame)) return bad(r, err, "expected a frame count");
    } else if (!strcmp(r->key, "rng")) {
        if (!SCAN_ALL(r, 6, "%" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64 " %d %la", &s->rng.s[0],
                      &s->rng.s[1], &s->rng.s[2], &s->rng.s[3], &s->rng.has_spare, &s->rng.spare))
            return bad(r, err, "expected four hexadecimal words, a flag and a number");
    } else if (!strcmp(r->key, "elapsed")) {
        if (!SCAN_ALL(r, 1, "%lf", &s->elapsed) || !(s->elapsed >= 0)) return bad(r, err, "expected seconds >= 0");
    } else if (!strcmp(r->key, "n_labels")) {
        if (!SCAN_ALL(r, 1, "%ld", &s->n_labels) || s->n_labels < 0) return bad(r, err, "expected an integer >= 0");
    } else if (!strcmp(r->key, "failed")) {
        size_t frame;
        if (!SCAN_ALL(r, 1, "%zu", &frame)) return bad(r, err, "expected a frame index");
        return orc_state_add_failed(s, frame, err);
    } else if (!strcmp(r->key, "metrics")) {
        return read_metrics(r, s, err);
    } else if (!strcmp(r->key, "stop_reason")) {
        snprintf(s->stop_reason, sizeof s->stop_reason, "%s", r->rest);
    } else if (!strcmp(r->key, "end")) {
        *done = 1;
    } else {
        return al_fail(err, AL_EFORMAT, "%s:%d: unknown key '%s'", r->path, r->line, r->key);
    }
    return AL_OK;
}

static al_status read_header(FILE *fp, reader *r, al_err *err)
{
    char buf[128];
    int format = 0, used = 0;
    r->line = 1;
    if (!fgets(buf, sizeof buf, fp) || sscanf(buf, "galore-campaign-state %d%n", &format, &used) != 1)
        return al_fail(err, AL_EFORMAT, "%s:1: not a galore campaign state file", r->path);
    if (format != ORC_STATE_FORMAT)
        return al_fail(err, AL_EVERSION,
                       "%s: campaign state format %d; this galore reads format %d", r->path,
                       format, ORC_STATE_FORMAT);
    return AL_OK;
}

al_status orc_state_load(orc_state *s, const char *path, al_err *err)
{
    orc_state_init(s, 0);
    FILE *fp = fopen(path, "r");
    if (!fp) return al_fail(err, AL_ENOTFOUND, "%s: no campaign state (is this a campaign directory?)", path);
    reader r = {path, 0, NULL, NULL};
    al_status st = read_header(fp, &r, err);
    int done = 0;
    char buf[1024];
    while (!st && !done && fgets(buf, sizeof buf, fp)) {
        r.line++;
        buf[strcspn(buf, "\n")] = '\0';
        char *sp = strchr(buf, ' ');
        r.key = buf;
        r.rest = sp ? sp + 1 : "";
        if (sp) *sp = '\0';
        st = read_line(&r, s, &done, err);
    }
    fclose(fp);
    if (!st && !done)
        st = al_fail(err, AL_EFORMAT, "%s: ends before its 'end' line (the file is truncated)", path);
    if (st) orc_state_fini(s);
    return st;
}
