/* Campaign state and its crash-safe file (see state.h). */
#include "orchestrator/state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"

static const char *const stage_names[ORC_STAGE_COUNT] = {
    "init", "label", "fit", "eval", "explore", "select", "validate", "done"};

const char *orc_stage_name(orc_stage stage)
{
    return (unsigned)stage < ORC_STAGE_COUNT ? stage_names[stage] : "?";
}

void orc_state_init(orc_state *s, long seed)
{
    memset(s, 0, sizeof *s);
    s->stage = ORC_STAGE_INIT;
    al_rng_seed(&s->rng, (uint64_t)seed, 0);
}

void orc_state_fini(orc_state *s)
{
    al_free(s->failed);
    al_free(s->history);
    memset(s, 0, sizeof *s);
}

/* Grows *arr (elements of size `size`) to hold n + 1. */
static al_status grow(void **arr, size_t n, size_t size, al_err *err)
{
    if (n & (n - 1)) return AL_OK;   /* capacity is the next power of two above n */
    void *p = al_realloc(*arr, (n ? 2 * n : 1) * size);
    if (!p) return al_fail(err, AL_ENOMEM, "campaign state: out of memory");
    *arr = p;
    return AL_OK;
}

al_status orc_state_add_failed(orc_state *s, size_t frame, al_err *err)
{
    if (orc_state_is_failed(s, frame)) return AL_OK;
    AL_TRY(err, grow((void **)&s->failed, s->n_failed, sizeof *s->failed, err));
    s->failed[s->n_failed++] = frame;
    return AL_OK;
}

int orc_state_is_failed(const orc_state *s, size_t frame)
{
    for (size_t i = 0; i < s->n_failed; i++)
        if (s->failed[i] == frame) return 1;
    return 0;
}

al_status orc_state_add_metrics(orc_state *s, const orc_iter_metrics *m, al_err *err)
{
    AL_TRY(err, grow((void **)&s->history, s->n_history, sizeof *s->history, err));
    s->history[s->n_history++] = *m;
    return AL_OK;
}

static void write_body(const orc_state *s, FILE *fp)
{
    fprintf(fp, "galore-campaign-state %d\n", ORC_STATE_FORMAT);
    fprintf(fp, "iteration %d\nstage %s\nstage_first_frame %zu\n", s->iteration,
            orc_stage_name(s->stage), s->stage_first_frame);
    fprintf(fp, "rng %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %d %a\n",
            s->rng.s[0], s->rng.s[1], s->rng.s[2], s->rng.s[3], s->rng.has_spare, s->rng.spare);
    fprintf(fp, "elapsed %.17g\nn_labels %ld\n", s->elapsed, s->n_labels);
    for (size_t i = 0; i < s->n_failed; i++) fprintf(fp, "failed %zu\n", s->failed[i]);
    for (size_t i = 0; i < s->n_history; i++) {
        const orc_iter_metrics *m = &s->history[i];
        fprintf(fp, "metrics %d %ld %ld %.17g %.17g %.17g %.17g\n", m->iteration, m->n_train,
                m->n_labels, m->energy_mae, m->force_mae, m->virial_rmse, m->fit_seconds);
    }
    if (s->stop_reason[0]) fprintf(fp, "stop_reason %s\n", s->stop_reason);
    fprintf(fp, "end\n");
}

/* Syncs the directory holding path, so a rename in it is durable. */
static al_status sync_dir(const char *path, al_err *err)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return al_fail(err, AL_EIO, "%s: cannot open its directory: %s", path, strerror(errno));
    int rc = fsync(fd);
    close(fd);
    if (rc != 0) return al_fail(err, AL_EIO, "%s: cannot sync its directory: %s", path, strerror(errno));
    return AL_OK;
}

al_status orc_state_save(const orc_state *s, const char *path, al_err *err)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp) return al_fail(err, AL_EIO, "%s: cannot write the campaign state: %s", tmp, strerror(errno));
    write_body(s, fp);
    int bad = fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0;
    bad |= fclose(fp) != 0;
    if (bad) {
        al_status st = al_fail(err, AL_EIO, "%s: cannot write the campaign state: %s", tmp, strerror(errno));
        remove(tmp);
        return st;
    }
    if (rename(tmp, path) != 0)
        return al_fail(err, AL_EIO, "%s: cannot replace the campaign state: %s", path, strerror(errno));
    return sync_dir(path, err);
}
