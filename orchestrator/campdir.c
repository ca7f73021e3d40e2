/* Campaign directory layout and lock (see campdir.h). */
#include "orchestrator/campdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const subdirs[] = {"models", "explore"};

const char *orc_campdir_path(const orc_campdir *d, const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", d->dir, name);
    return buf;
}

static al_status make_dir(const char *path, al_err *err)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) return AL_OK;
    return al_fail(err, AL_EIO, "%s: cannot create the directory: %s", path, strerror(errno));
}

static al_status take_lock(orc_campdir *d, al_err *err)
{
    char path[1100];
    orc_campdir_path(d, "lock", path, sizeof path);
    d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (d->lock_fd < 0)
        return al_fail(err, AL_EIO, "%s: cannot open the campaign lock: %s", path, strerror(errno));
    if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        close(d->lock_fd);
        d->lock_fd = -1;
        return al_fail(err, AL_EIO,
                       "%s: another galore process is running this campaign (the directory is "
                       "locked); wait for it to end or stop it first", d->dir);
    }
    return AL_OK;
}

static int has_state(const orc_campdir *d)
{
    char path[1100];
    return access(orc_campdir_path(d, "state", path, sizeof path), F_OK) == 0;
}

al_status orc_campdir_create(const char *dir, orc_campdir *out, al_err *err)
{
    memset(out, 0, sizeof *out);
    out->lock_fd = -1;
    snprintf(out->dir, sizeof out->dir, "%s", dir);
    AL_TRY(err, make_dir(dir, err));
    if (has_state(out))
        return al_fail(err, AL_EINVAL,
                       "%s already holds a campaign; continue it with 'galore resume %s', or "
                       "choose another output.directory", dir, dir);
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        char path[1100];
        AL_TRY(err, make_dir(orc_campdir_path(out, subdirs[i], path, sizeof path), err));
    }
    return take_lock(out, err);
}

al_status orc_campdir_open(const char *dir, orc_campdir *out, al_err *err)
{
    memset(out, 0, sizeof *out);
    out->lock_fd = -1;
    snprintf(out->dir, sizeof out->dir, "%s", dir);
    if (!has_state(out))
        return al_fail(err, AL_ENOTFOUND, "%s: not a campaign directory (it has no state file)", dir);
    return take_lock(out, err);
}

void orc_campdir_close(orc_campdir *d)
{
    if (d && d->lock_fd >= 0) close(d->lock_fd);
    if (d) d->lock_fd = -1;
}
