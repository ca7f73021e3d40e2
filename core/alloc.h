/*
 * Heap allocation for all of galore. Every module allocates through these so that tests can
 * replace the allocator and inject out-of-memory failures (libuv's uv_replace_allocator).
 * al_free(NULL) is allowed.
 */
#ifndef AL_ALLOC_H
#define AL_ALLOC_H

#include <stddef.h>

void *al_malloc(size_t size);
void *al_calloc(size_t count, size_t size);
void *al_realloc(void *ptr, size_t size);
void al_free(void *ptr);

/* Duplicates a NUL-terminated string (NULL in, NULL out). */
char *al_strdup(const char *s);

typedef struct al_allocator {
    void *(*malloc_fn)(size_t);
    void *(*calloc_fn)(size_t, size_t);
    void *(*realloc_fn)(void *, size_t);
    void (*free_fn)(void *);
} al_allocator;

/* Replaces the allocator (tests only; not thread-safe). NULL restores the C library's. */
void al_set_allocator(const al_allocator *a);

/* Overflow-checked n*size; returns 0 and sets *out on success, -1 on overflow. */
int al_mul_size(size_t n, size_t size, size_t *out);

#endif
