/* Status code table and error-message formatting (see status.h). */
#include "core/status.h"

#include <stdio.h>
#include <string.h>

static const char *const status_text[] = {
#define AL_STATUS_TEXT(name, text) text,
    AL_STATUS_MAP(AL_STATUS_TEXT)
#undef AL_STATUS_TEXT
};

static const char *const status_names[] = {
#define AL_STATUS_NAME(name, text) #name,
    AL_STATUS_MAP(AL_STATUS_NAME)
#undef AL_STATUS_NAME
};

const char *al_status_str(al_status code)
{
    if ((int)code < 0 || code >= AL_STATUS_COUNT) return "unknown status";
    return status_text[code];
}

const char *al_status_name(al_status code)
{
    if ((int)code < 0 || code >= AL_STATUS_COUNT) return "EUNKNOWN";
    return status_names[code];
}

void al_err_clear(al_err *err)
{
    if (!err) return;
    err->code = AL_OK;
    err->msg[0] = '\0';
    err->trace[0] = '\0';
}

al_status al_failv(al_err *err, al_status code, const char *fmt, va_list ap)
{
    if (!err) return code;
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    err->trace[0] = '\0';
    return code;
}

al_status al_fail(al_err *err, al_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    al_failv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

al_status al_fail_wrap(al_err *err, const char *fmt, ...)
{
    if (!err) return AL_EINVAL;
    char prefix[AL_ERR_MSG_LEN];
    char old[AL_ERR_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    size_t np = strlen(prefix), no = strlen(old);
    if (np > sizeof err->msg - 1) np = sizeof err->msg - 1;
    if (no > sizeof err->msg - 1 - np) no = sizeof err->msg - 1 - np;
    memcpy(err->msg, prefix, np);
    memcpy(err->msg + np, old, no);
    err->msg[np + no] = '\0';
    return err->code;
}

al_status al_err_trace(al_err *err, const char *file, int line)
{
    if (!err) return AL_EINVAL;
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t used = strlen(err->trace);
    if (used + 2 < sizeof err->trace)
        snprintf(err->trace + used, sizeof err->trace - used, "%s%s:%d", used ? " < " : "", base,
                 line);
    return err->code;
}
