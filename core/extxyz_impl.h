/* Internal pieces shared by the extxyz reader and writer (core/extxyz*.c). */
#ifndef AL_EXTXYZ_IMPL_H
#define AL_EXTXYZ_IMPL_H

#include <stddef.h>

#include "core/frame.h"
#include "core/status.h"

typedef struct xyz_kv {
    char *key, *value;
    size_t key_cap, value_cap;
} xyz_kv;

typedef struct xyz_kv_list {
    size_t n, cap;
    xyz_kv *items;
} xyz_kv_list;

/* Splits the comment line into key/value tokens (quotes, braces and escapes removed). */
al_status xyz__parse_comment(const char *line, xyz_kv_list *kv, const char *where, al_err *err);
void xyz__kv_free(xyz_kv_list *kv);
/* Whole-string parsers: return 1 and set *out on success, 0 otherwise. */
int xyz__parse_bool(const char *s, long *out);
int xyz__parse_long(const char *s, long *out);
int xyz__parse_real(const char *s, double *out);
/* Parses `want` numbers (or at most want when got != NULL) from a value. */
al_status xyz__parse_reals(const char *value, double *out, size_t want, size_t *got,
                           const char *where, const char *key, al_err *err);
/* Stores a key galore does not interpret in the info map with its natural type. */
al_status xyz__store_info(al_info *info, const char *key, const char *value, al_err *err);

#endif
