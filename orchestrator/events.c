/* JSON Lines event log (see events.h). */
#include "orchestrator/events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"

struct orc_events {
    int fd;
    char path[1024];
};

/* True when the file is non-empty and its last byte is not a newline (a torn line). */
static int ends_torn(int fd)
{
    off_t end = lseek(fd, 0, SEEK_END);
    if (end <= 0) return 0;
    char last = '\n';
    if (pread(fd, &last, 1, end - 1) != 1) return 0;
    return last != '\n';
}

static al_status write_all(orc_events *ev, const char *buf, size_t n, al_err *err)
{
    while (n > 0) {
        ssize_t w = write(ev->fd, buf, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return al_fail(err, AL_EIO, "%s: cannot write: %s", ev->path, strerror(errno));
        buf += w;
        n -= (size_t)w;
    }
    return AL_OK;
}

al_status orc_events_open(const char *path, orc_events **out, al_err *err)
{
    *out = NULL;
    orc_events *ev = al_calloc(1, sizeof *ev);
    if (!ev) return al_fail(err, AL_ENOMEM, "%s: out of memory", path);
    snprintf(ev->path, sizeof ev->path, "%s", path);
    ev->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (ev->fd < 0) {
        al_status st = al_fail(err, AL_EIO, "%s: cannot open the event log: %s", path, strerror(errno));
        al_free(ev);
        return st;
    }
    if (ends_torn(ev->fd)) {
        al_status st = write_all(ev, "\n", 1, err);
        if (st) {
            orc_events_close(ev);
            return st;
        }
    }
    *out = ev;
    return AL_OK;
}

void orc_events_close(orc_events *ev)
{
    if (!ev) return;
    if (ev->fd >= 0) close(ev->fd);
    al_free(ev);
}

void orc_event_begin(orc_json *j, const char *event, int iteration)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char stamp[40];
    snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
    orc_json_init(j);
    orc_json_str(j, "time", stamp);
    orc_json_num(j, "unix", (double)tv.tv_sec + 1e-6 * (double)tv.tv_usec);
    orc_json_str(j, "event", event);
    orc_json_int(j, "iteration", iteration);
}

al_status orc_event_write(orc_events *ev, orc_json *j, al_err *err)
{
    al_status st = AL_OK;
    const char *text = orc_json_finish(j);
    if (!text) {
        st = al_fail(err, AL_ENOMEM, "%s: out of memory for an event", ev->path);
        goto done;
    }
    /* One write of the whole line, newline included, so concurrent readers see whole lines. */
    size_t n = strlen(text);
    char *line = al_malloc(n + 2);
    if (!line) {
        st = al_fail(err, AL_ENOMEM, "%s: out of memory for an event", ev->path);
        goto done;
    }
    memcpy(line, text, n);
    line[n] = '\n';
    st = write_all(ev, line, n + 1, err);
    al_free(line);
    if (!st && fsync(ev->fd) != 0)
        st = al_fail(err, AL_EIO, "%s: cannot sync the event log: %s", ev->path, strerror(errno));
done:
    orc_json_fini(j);
    return st;
}
