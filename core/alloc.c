/* Replaceable allocator (see alloc.h). */
#include "core/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static al_allocator current = {malloc, calloc, realloc, free};

void al_set_allocator(const al_allocator *a)
{
    if (a)
        current = *a;
    else
        current = (al_allocator){malloc, calloc, realloc, free};
}

void *al_malloc(size_t size) { return current.malloc_fn(size ? size : 1); }
void *al_calloc(size_t count, size_t size)
{
    return current.calloc_fn(count ? count : 1, size ? size : 1);
}
void *al_realloc(void *ptr, size_t size) { return current.realloc_fn(ptr, size ? size : 1); }
void al_free(void *ptr)
{
    if (ptr) current.free_fn(ptr);
}

char *al_strdup(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = al_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

int al_mul_size(size_t n, size_t size, size_t *out)
{
    if (size && n > SIZE_MAX / size) return -1;
    *out = n * size;
    return 0;
}
