/*
 * Helpers shared by the selection stages (internal to selectors/).
 */
#ifndef SEL_SEL_IMPL_H
#define SEL_SEL_IMPL_H

#include "selectors/sel.h"

/* AL_EINVAL unless 1 ≤ k ≤ n ("stage: asked for k frames from n candidates"). */
al_status sel__check_k(const char *stage, size_t k, size_t n, al_err *err);

/* AL_EINVAL when the input has no descriptor rows (stage needs them). */
al_status sel__need_desc(const char *stage, const sel_input *in, al_err *err);

#endif
