/* JSON object writer (see json.h). */
#include "orchestrator/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

static void append(orc_json *j, const char *s, size_t n)
{
    if (j->failed) return;
    if (j->len + n + 1 > j->cap) {
        size_t cap = j->cap ? j->cap : 256;
        while (j->len + n + 1 > cap) cap *= 2;
        char *b = al_realloc(j->buf, cap);
        if (!b) {
            j->failed = true;
            return;
        }
        j->buf = b;
        j->cap = cap;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

static void appendf(orc_json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void appendf(orc_json *j, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) append(j, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void quoted(orc_json *j, const char *s)
{
    append(j, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            append(j, e, 2);
        } else if (*p < 0x20) {
            appendf(j, "\\u%04x", *p);
        } else {
            append(j, (const char *)p, 1);
        }
    }
    append(j, "\"", 1);
}

/* Separator and key of the next member. */
static void member(orc_json *j, const char *key)
{
    if (!j->first[j->depth]) append(j, ",", 1);
    j->first[j->depth] = false;
    quoted(j, key);
    append(j, ":", 1);
}

void orc_json_init(orc_json *j)
{
    memset(j, 0, sizeof *j);
    j->first[0] = true;
    append(j, "{", 1);
}

void orc_json_fini(orc_json *j)
{
    al_free(j->buf);
    memset(j, 0, sizeof *j);
}

void orc_json_str(orc_json *j, const char *key, const char *value)
{
    member(j, key);
    if (value)
        quoted(j, value);
    else
        append(j, "null", 4);
}

void orc_json_num(orc_json *j, const char *key, double value)
{
    member(j, key);
    if (isfinite(value)) {
        /* The shortest of 15, 16 or 17 digits that reads back as the same double. */
        char tmp[32];
        for (int digits = 15; digits <= 17; digits++) {
            snprintf(tmp, sizeof tmp, "%.*g", digits, value);
            if (strtod(tmp, NULL) == value) break;
        }
        append(j, tmp, strlen(tmp));
    }
    else
        append(j, "null", 4);
}

void orc_json_int(orc_json *j, const char *key, long value)
{
    member(j, key);
    appendf(j, "%ld", value);
}

void orc_json_bool(orc_json *j, const char *key, bool value)
{
    member(j, key);
    append(j, value ? "true" : "false", value ? 4 : 5);
}

void orc_json_open(orc_json *j, const char *key)
{
    if (j->depth + 1 >= ORC_JSON_MAX_DEPTH) {
        j->failed = true;
        return;
    }
    member(j, key);
    append(j, "{", 1);
    j->first[++j->depth] = true;
}

void orc_json_close(orc_json *j)
{
    if (j->depth == 0) return;
    append(j, "}", 1);
    j->depth--;
}

const char *orc_json_finish(orc_json *j)
{
    if (!j->finished) {
        while (j->depth > 0) orc_json_close(j);
        append(j, "}", 1);
        j->finished = true;
    }
    return j->failed ? NULL : j->buf;
}
