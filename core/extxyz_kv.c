/*
 * The key=value comment line of extended XYZ: tokenising (quotes, braces, escapes, bare keys)
 * and typing of values (int, real, bool, string, arrays), as written by ASE and QUIP.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/extxyz_impl.h"

/* Copies the next key or value token starting at *p into out (unquoted, unescaped); returns
 * 0 on success, -1 on an unterminated quote or brace. */
static int next_token(const char **p, char *out, size_t cap, int stop_at_eq)
{
    const char *s = *p;
    size_t n = 0;
    while (*s && !isspace((unsigned char)*s) && !(stop_at_eq && *s == '=')) {
        char close = 0;
        if (*s == '"' || *s == '\'') close = *s;
        else if (*s == '{') close = '}';
        if (close) {
            s++;
            while (*s && *s != close) {
                if (*s == '\\' && s[1]) s++;
                if (n + 1 < cap) out[n++] = *s;
                s++;
            }
            if (*s != close) return -1;
            s++;
            continue;
        }
        if (*s == '\\' && s[1]) s++;
        if (n + 1 < cap) out[n++] = *s;
        s++;
    }
    out[n] = '\0';
    *p = s;
    return 0;
}

al_status xyz__parse_comment(const char *line, xyz_kv_list *kv, const char *where, al_err *err)
{
    const char *p = line;
    kv->n = 0;
    while (1) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (!*p) break;
        if (kv->n == kv->cap) {
            size_t cap = kv->cap ? 2 * kv->cap : 16;
            xyz_kv *items = al_realloc(kv->items, cap * sizeof *items);
            if (!items) return al_fail(err, AL_ENOMEM, "%s: out of memory", where);
            for (size_t k = kv->cap; k < cap; k++) items[k] = (xyz_kv){NULL, NULL, 0, 0};
            kv->items = items;
            kv->cap = cap;
        }
        xyz_kv *it = &kv->items[kv->n];
        size_t len = strlen(p) + 1;
        if (it->key_cap < len) {
            char *k = al_realloc(it->key, len);
            if (!k) return al_fail(err, AL_ENOMEM, "%s: out of memory", where);
            it->key = k;
            it->key_cap = len;
        }
        if (it->value_cap < len) {
            char *v = al_realloc(it->value, len);
            if (!v) return al_fail(err, AL_ENOMEM, "%s: out of memory", where);
            it->value = v;
            it->value_cap = len;
        }
        if (next_token(&p, it->key, len, 1))
            return al_fail(err, AL_EFORMAT, "%s: unterminated quote or brace in a key", where);
        if (*p == '=') {
            p++;
            while (*p && isspace((unsigned char)*p)) p++;
            if (next_token(&p, it->value, len, 0))
                return al_fail(err, AL_EFORMAT, "%s: unterminated quote or brace in the value of '%s'",
                               where, it->key);
        } else {
            /* A bare key means true, as ASE reads it. */
            strcpy(it->value, "T");
        }
        if (!it->key[0]) return al_fail(err, AL_EFORMAT, "%s: a value without a key", where);
        kv->n++;
    }
    return AL_OK;
}

void xyz__kv_free(xyz_kv_list *kv)
{
    for (size_t k = 0; k < kv->cap; k++) {
        al_free(kv->items[k].key);
        al_free(kv->items[k].value);
    }
    al_free(kv->items);
    memset(kv, 0, sizeof *kv);
}

int xyz__parse_bool(const char *s, long *out)
{
    if (!strcmp(s, "T") || !strcmp(s, "True") || !strcmp(s, "true") || !strcmp(s, "TRUE")) {
        *out = 1;
        return 1;
    }
    if (!strcmp(s, "F") || !strcmp(s, "False") || !strcmp(s, "false") || !strcmp(s, "FALSE")) {
        *out = 0;
        return 1;
    }
    return 0;
}

int xyz__parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno) return 0;
    *out = v;
    return 1;
}

int xyz__parse_real(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end) return 0;
    *out = v;
    return 1;
}

/* Splits a value on whitespace into at most max words; returns the count (max + 1 if more). */
static size_t split_words(char *v, char **words, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *w = strtok_r(v, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
        if (n == max) return max + 1;
        words[n++] = w;
    }
    return n;
}

al_status xyz__parse_reals(const char *value, double *out, size_t want, size_t *got,
                           const char *where, const char *key, al_err *err)
{
    char buf[1024];
    char *words[64];
    snprintf(buf, sizeof buf, "%s", value);
    size_t n = split_words(buf, words, 64);
    if (got) *got = n;
    if (n != want && !(got && n <= want))
        return al_fail(err, AL_EFORMAT, "%s: '%s' needs %zu numbers, got %zu", where, key, want, n);
    for (size_t k = 0; k < n; k++)
        if (!xyz__parse_real(words[k], &out[k]))
            return al_fail(err, AL_EFORMAT, "%s: '%s' value %zu ('%s') is not a number", where, key,
                           k + 1, words[k]);
    return AL_OK;
}

/* Stores an uninterpreted key with the narrowest type its words fit: ints, reals, bools or a string. */
al_status xyz__store_info(al_info *info, const char *key, const char *value, al_err *err)
{
    size_t len = strlen(value) + 1;
    char *buf = al_malloc(len);
    char **words = al_malloc(len * sizeof *words);
    long *ints = al_malloc(len * sizeof *ints);
    double *reals = al_malloc(len * sizeof *reals);
    al_status st = AL_OK;
    if (!buf || !words || !ints || !reals) {
        st = al_fail(err, AL_ENOMEM, "out of memory reading '%s'", key);
        goto done;
    }
    memcpy(buf, value, len);
    size_t n = split_words(buf, words, len);
    int all_int = n > 0, all_real = n > 0, all_bool = n > 0;
    for (size_t k = 0; k < n; k++) {
        all_int = all_int && xyz__parse_long(words[k], &ints[k]);
        all_real = all_real && xyz__parse_real(words[k], &reals[k]);
    }
    for (size_t k = 0; !all_int && k < n; k++) all_bool = all_bool && xyz__parse_bool(words[k], &ints[k]);
    if (all_int) st = al_info_set_ints(info, key, ints, n, AL_VAL_INT, err);
    else if (all_real) st = al_info_set_reals(info, key, reals, n, err);
    else if (all_bool) st = al_info_set_ints(info, key, ints, n, AL_VAL_BOOL, err);
    else st = al_info_set_str(info, key, value, err);
done:
    al_free(buf);
    al_free(words);
    al_free(ints);
    al_free(reals);
    return st;
}
