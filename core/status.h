/*
 * Status codes and error messages shared by every galore module.
 *
 * A function that can fail returns al_status (AL_OK == 0) and takes an `al_err *err` as its
 * last argument, which may be NULL. On failure it fills err->msg with what went wrong, where
 * and which value (file:line of the input, not of the code), and err->trace collects the
 * source locations the error travelled through (AL_TRACE), as QUIP's PASS_ERROR does.
 * Nothing in the library prints, exits or aborts on a user error.
 */
#ifndef AL_STATUS_H
#define AL_STATUS_H

#include <stdarg.h>

#define AL_STATUS_MAP(X)                                 \
    X(OK, "success")                                     \
    X(EINVAL, "invalid argument")                        \
    X(ENOMEM, "out of memory")                           \
    X(EIO, "I/O error")                                  \
    X(EFORMAT, "malformed input")                        \
    X(ENOCONV, "not converged")                          \
    X(EMPI, "MPI error")                                 \
    X(ENOTFOUND, "not found")                            \
    X(EVERSION, "incompatible file version")             \
    X(EINTERRUPT, "interrupted")

typedef enum al_status {
#define AL_STATUS_ENUM(name, text) AL_##name,
    AL_STATUS_MAP(AL_STATUS_ENUM)
#undef AL_STATUS_ENUM
        AL_STATUS_COUNT
} al_status;

enum { AL_ERR_MSG_LEN = 512, AL_ERR_TRACE_LEN = 256 };

typedef struct al_err {
    al_status code;
    char msg[AL_ERR_MSG_LEN];
    char trace[AL_ERR_TRACE_LEN];
} al_err;

/* Short text for a status code ("invalid argument"); never NULL. */
const char *al_status_str(al_status code);

/* Short identifier for a status code ("EINVAL"); never NULL. */
const char *al_status_name(al_status code);

/* Resets an error record to AL_OK with empty message and trace. NULL is allowed. */
void al_err_clear(al_err *err);

/*
 * Records a failure: sets err->code and formats err->msg (truncated to fit), and returns
 * `code` so callers can write `return al_fail(err, AL_EINVAL, "...", ...)`.
 * A previous message is replaced; to add the caller's context to a lower layer's message,
 * use al_fail_wrap instead.
 */
al_status al_fail(al_err *err, al_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
al_status al_failv(al_err *err, al_status code, const char *fmt, va_list ap);

/*
 * Adds context in front of an existing message ("reading model.h5: " + old message) and
 * returns the existing code. Used where a lower layer's message lacks the caller's context.
 */
al_status al_fail_wrap(al_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends "file:line" to err->trace (internal; use AL_TRACE). Returns err->code. */
al_status al_err_trace(al_err *err, const char *file, int line);

#define AL_TRACE(err) al_err_trace((err), __FILE__, __LINE__)

/* Returns the status from `expr` to the caller when it is not AL_OK, recording the location. */
#define AL_TRY(err, expr)                                   \
    do {                                                    \
        al_status al_try_st_ = (expr);                      \
        if (al_try_st_ != AL_OK) {                          \
            al_err_trace((err), __FILE__, __LINE__);        \
            return al_try_st_;                              \
        }                                                   \
    } while (0)

#endif
