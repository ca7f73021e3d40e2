/* Internal helpers shared by the descriptor implementations. */
#ifndef DESC_IMPL_H
#define DESC_IMPL_H

#include "gp/desc/desc.h"

/* Grows the storage of v to hold n instances and g gradient entries of dimension dim. */
al_status desc__reserve(desc_values *v, size_t n, size_t g, size_t dim, al_err *err);

#endif
