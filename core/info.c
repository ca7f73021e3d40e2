/* The frame's ordered key–value info map (see frame.h). */
#include <string.h>

#include "core/alloc.h"
#include "core/frame.h"

static void kv_fini(al_kv *kv)
{
    al_free(kv->key);
    al_free(kv->str);
    al_free(kv->ints);
    al_free(kv->reals);
    memset(kv, 0, sizeof *kv);
}

void al_info_fini(al_info *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->n; i++) kv_fini(&m->items[i]);
    al_free(m->items);
    memset(m, 0, sizeof *m);
}

const al_kv *al_info_get(const al_info *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->items[i].key, key) == 0) return &m->items[i];
    return NULL;
}

void al_info_remove(al_info *m, const char *key)
{
    al_kv *kv = (al_kv *)al_info_get(m, key);
    if (!kv) return;
    size_t k = (size_t)(kv - m->items);
    kv_fini(kv);
    memmove(&m->items[k], &m->items[k + 1], (m->n - k - 1) * sizeof *m->items);
    m->n--;
}

/* Returns a cleared slot for key, at the old position when the key exists. */
static al_kv *slot(al_info *m, const char *key, al_err *err)
{
    al_kv *kv = (al_kv *)al_info_get(m, key);
    if (kv) {
        char *k = kv->key;
        kv->key = NULL;
        kv_fini(kv);
        kv->key = k;
        return kv;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 8;
        al_kv *items = al_realloc(m->items, cap * sizeof *items);
        if (!items) {
            al_fail(err, AL_ENOMEM, "out of memory growing info map");
            return NULL;
        }
        m->items = items;
        m->cap = cap;
    }
    kv = &m->items[m->n];
    memset(kv, 0, sizeof *kv);
    if (!(kv->key = al_strdup(key))) {
        al_fail(err, AL_ENOMEM, "out of memory storing info key");
        return NULL;
    }
    m->n++;
    return kv;
}

al_status al_info_set_str(al_info *m, const char *key, const char *value, al_err *err)
{
    al_kv *kv = slot(m, key, err);
    if (!kv) return AL_ENOMEM;
    kv->type = AL_VAL_STR;
    kv->n = 1;
    if (!(kv->str = al_strdup(value ? value : "")))
        return al_fail(err, AL_ENOMEM, "out of memory storing info '%s'", key);
    return AL_OK;
}

al_status al_info_set_reals(al_info *m, const char *key, const double *v, size_t n, al_err *err)
{
    al_kv *kv = slot(m, key, err);
    if (!kv) return AL_ENOMEM;
    kv->type = AL_VAL_REAL;
    kv->n = n;
    if (!(kv->reals = al_malloc(n * sizeof *v)))
        return al_fail(err, AL_ENOMEM, "out of memory storing info '%s'", key);
    memcpy(kv->reals, v, n * sizeof *v);
    return AL_OK;
}

al_status al_info_set_real(al_info *m, const char *key, double value, al_err *err)
{
    return al_info_set_reals(m, key, &value, 1, err);
}

al_status al_info_set_ints(al_info *m, const char *key, const long *v, size_t n,
                           al_val_type type, al_err *err)
{
    al_kv *kv = slot(m, key, err);
    if (!kv) return AL_ENOMEM;
    kv->type = type == AL_VAL_BOOL ? AL_VAL_BOOL : AL_VAL_INT;
    kv->n = n;
    if (!(kv->ints = al_malloc(n * sizeof *v)))
        return al_fail(err, AL_ENOMEM, "out of memory storing info '%s'", key);
    memcpy(kv->ints, v, n * sizeof *v);
    return AL_OK;
}

al_status al_info_set_int(al_info *m, const char *key, long value, al_err *err)
{
    return al_info_set_ints(m, key, &value, 1, AL_VAL_INT, err);
}

bool al_info_get_real(const al_info *m, const char *key, double *out)
{
    const al_kv *kv = al_info_get(m, key);
    if (!kv || kv->n != 1) return false;
    if (kv->type == AL_VAL_REAL) *out = kv->reals[0];
    else if (kv->type == AL_VAL_INT) *out = (double)kv->ints[0];
    else return false;
    return true;
}

bool al_info_get_int(const al_info *m, const char *key, long *out)
{
    const al_kv *kv = al_info_get(m, key);
    if (!kv || kv->n != 1 || (kv->type != AL_VAL_INT && kv->type != AL_VAL_BOOL)) return false;
    *out = kv->ints[0];
    return true;
}

const char *al_info_get_str(const al_info *m, const char *key)
{
    const al_kv *kv = al_info_get(m, key);
    return (kv && kv->type == AL_VAL_STR) ? kv->str : NULL;
}

al_status al_info_copy(al_info *dst, const al_info *src, al_err *err)
{
    al_info_fini(dst);
    for (size_t i = 0; i < src->n; i++) {
        const al_kv *kv = &src->items[i];
        al_status st;
        if (kv->type == AL_VAL_STR) st = al_info_set_str(dst, kv->key, kv->str, err);
        else if (kv->type == AL_VAL_REAL) st = al_info_set_reals(dst, kv->key, kv->reals, kv->n, err);
        else st = al_info_set_ints(dst, kv->key, kv->ints, kv->n, kv->type, err);
        if (st) {
            al_info_fini(dst);
            return st;
        }
    }
    return AL_OK;
}
