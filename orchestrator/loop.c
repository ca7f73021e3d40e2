#define _XOPEN_SOURCE 700   /* realpath */
/* The campaign driver: stages in order, state after each, budgets, events (see loop.h). */
#include "orchestrator/loop.h"

#include <libgen.h>
#include <stdarg.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/log.h"
#include "orchestrator/loop_impl.h"
#include "orchestrator/progress.h"
#include "orchestrator/signals.h"
#include "orchestrator/validate.h"

static const orc_stage_fn stage_fns[ORC_STAGE_COUNT] = {
    orc_stage_init, orc_stage_label, orc_stage_fit, orc_stage_eval, orc_stage_explore,
    orc_stage_select, orc_stage_validate, NULL};

static double now_seconds(void) { return al_wtime(); }

/* The human log: every log line goes to stderr (clearing a progress bar first) and to
 * <campaign>/campaign.log. */
static void campaign_sink(al_log_level level, const char *line, void *user)
{
    orc_progress_clear();
    fprintf(stderr, "%s\n", line);
    FILE *fp = user;
    if (fp) {
        fprintf(fp, "%s\n", line);
        fflush(fp);
    }
}

static FILE *open_human_log(const orc_run *run)
{
    char path[1100];
    FILE *fp = fopen(orc_campdir_path(&run->dir, "campaign.log", path, sizeof path), "a");
    if (!fp) al_warn("%s: cannot write the campaign log; logging to stderr only", path);
    al_log_set_sink(campaign_sink, fp);
    orc_progress_set_mode(run->c->output.progress);
    return fp;
}

static void close_human_log(FILE *fp)
{
    al_log_set_sink(NULL, NULL);
    if (fp) fclose(fp);
}

al_status orc_interrupt_error(al_err *err)
{
    int sig = orc_interrupted();
    return al_fail(err, AL_EINTERRUPT, "stopped by %s; the finished work is saved",
                   sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal");
}

const char *orc_model_path(const orc_run *run, int iteration, char *buf, size_t n)
{
    char name[64];
    snprintf(name, sizeof name, "models/iter_%03d.h5", iteration);
    return orc_campdir_path(&run->dir, name, buf, n);
}

static al_status save_state(orc_run *run, double elapsed_base, al_err *err)
{
    char path[1100];
    run->st.elapsed = elapsed_base + (now_seconds() - run->run_start);
    return orc_state_save(&run->st, orc_campdir_path(&run->dir, "state", path, sizeof path), err);
}

void orc_run_notify(orc_run *run, const char *kind, orc_json *j, const char *fmt, ...)
{
    if (!orc_notifier_wants(run->notifier, kind)) return;
    char text[512];
    int n = snprintf(text, sizeof text, "galore %s: ", run->dir.dir);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
    va_end(ap);
    orc_notify_send(run->notifier, kind, text, j ? orc_json_finish(j) : NULL);
}

/* Runs one stage between its start and end events. */
static al_status run_stage(orc_run *run, orc_stage *next, al_err *err)
{
    orc_stage stage = run->st.stage;
    char name[64];
    orc_json j;
    snprintf(name, sizeof name, "%s_start", orc_stage_name(stage));
    orc_event_begin(&j, name, run->st.iteration);
    AL_TRY(err, orc_event_write(run->ev, &j, err));
    al_info("iteration %d: %s", run->st.iteration, orc_stage_name(stage));
    double t0 = now_seconds();
    snprintf(name, sizeof name, "%s_end", orc_stage_name(stage));
    orc_event_begin(&j, name, run->st.iteration);
    run->stage_event = &j;
    run->rng = run->st.rng;
    al_status st = stage_fns[stage](run, next, err);
    run->stage_event = NULL;
    if (st) {
        orc_json_fini(&j);
        orc_event_begin(&j, st == AL_EINTERRUPT ? "stage_interrupted" : "stage_failed", run->st.iteration);
        orc_json_str(&j, "stage", orc_stage_name(stage));
        orc_json_str(&j, "error", err ? err->msg : "");
        if (st != AL_EINTERRUPT)
            orc_run_notify(run, "failure", &j, "iteration %d, stage %s failed: %s", run->st.iteration,
                   orc_stage_name(stage), err ? err->msg : "");
        al_err ignored;
        orc_event_write(run->ev, &j, &ignored);
        return st;
    }
    orc_json_num(&j, "seconds", now_seconds() - t0);
    if (stage == ORC_STAGE_EVAL && run->st.n_history) {
        const orc_iter_metrics *m = &run->st.history[run->st.n_history - 1];
        orc_run_notify(run, "iteration", &j, "iteration %d: test energy MAE %.2f meV/atom, force MAE %.4f eV/Å "
               "(%ld labels)", m->iteration, 1e3 * m->energy_mae, m->force_mae, m->n_labels);
    }
    return orc_event_write(run->ev, &j, err);
}

static int out_of_time(const orc_run *run, double elapsed_base)
{
    double used = elapsed_base + (now_seconds() - run->run_start);
    return run->c->loop.wall_time > 0 && used >= run->c->loop.wall_time;
}

/* Free space on the campaign's file system, checked before every stage: below the minimum
 * (50 MB unless the options say otherwise) the campaign stops with a message, resumable,
 * rather than fail half-way through a write. */
static al_status check_disk(const orc_run *run, al_err *err)
{
    struct statvfs fs;
    if (statvfs(run->dir.dir, &fs) != 0) return AL_OK;   /* cannot tell: carry on */
    double free_mb = (double)fs.f_bavail * (double)fs.f_frsize / 1e6;
    double need = run->min_free_mb > 0 ? run->min_free_mb : 50.0;
    if (free_mb >= need) return AL_OK;
    return al_fail(err, AL_EIO,
                   "%s: only %.0f MB free on its file system (at least %g MB needed to go on); free "
                   "some space, then 'galore resume %s'", run->dir.dir, free_mb, need, run->dir.dir);
}

/* Where the campaign goes when its loop stops: the validation MD once, when the campaign asks
 * for one, then DONE. */
static orc_stage after_loop(const orc_run *run)
{
    return run->c->validate.enabled && run->st.stage != ORC_STAGE_VALIDATE ? ORC_STAGE_VALIDATE
                                                                           : ORC_STAGE_DONE;
}

/* Stages until DONE (or the test hook's limit). The wall-time budget is the loop's: the
 * validation after it still runs. */
static al_status drive(orc_run *run, al_err *err)
{
    double elapsed_base = run->st.elapsed;
    long stages = 0;
    while (run->st.stage != ORC_STAGE_DONE) {
        if (run->st.stage != ORC_STAGE_VALIDATE && out_of_time(run, elapsed_base)) {
            snprintf(run->st.stop_reason, sizeof run->st.stop_reason,
                     "the wall-time budget of %g s is used", run->c->loop.wall_time);
            run->st.stage = after_loop(run);
            if (run->st.stage == ORC_STAGE_DONE) break;
            AL_TRY(err, save_state(run, elapsed_base, err));
        }
        if (orc_interrupted()) {
            al_status st = orc_interrupt_error(err);
            orc_json j;
            orc_event_begin(&j, "campaign_interrupted", run->st.iteration);
            orc_json_str(&j, "stage", orc_stage_name(run->st.stage));
            orc_json_str(&j, "error", err ? err->msg : "");
            al_err ignored;
            orc_event_write(run->ev, &j, &ignored);
            return st;
        }
        orc_stage next = ORC_STAGE_DONE;
        AL_TRY(err, check_disk(run, err));
        AL_TRY(err, run_stage(run, &next, err));
        if (run->st.stage == ORC_STAGE_SELECT && next == ORC_STAGE_LABEL) run->st.iteration++;
        if (next == ORC_STAGE_DONE) next = after_loop(run);
        run->st.stage = next;
        run->st.rng = run->rng;
        run->st.stage_first_frame = al_store_count(run->store);
        AL_TRY(err, save_state(run, elapsed_base, err));
        if (run->stop_after_stages && ++stages >= run->stop_after_stages) return AL_OK;
    }
    AL_TRY(err, save_state(run, elapsed_base, err));
    orc_json j;
    orc_event_begin(&j, "campaign_end", run->st.iteration);
    orc_json_str(&j, "reason", run->st.stop_reason);
    orc_json_int(&j, "labels", run->st.n_labels);
    orc_run_notify(run, "end", &j, "campaign finished after %d iterations and %ld labels: %s", run->st.iteration,
           run->st.n_labels, run->st.stop_reason);
    AL_TRY(err, orc_event_write(run->ev, &j, err));
    al_info("campaign finished: %s", run->st.stop_reason);
    return AL_OK;
}

/* Opens the dataset, event log and labeler of a campaign whose directory and state are set. */
static al_status open_run(orc_run *run, al_err *err)
{
    char path[1100];
    AL_TRY(err, al_store_open(orc_campdir_path(&run->dir, "campaign.h5", path, sizeof path),
                              AL_STORE_APPEND, &run->store, err));
    AL_TRY(err, orc_events_open(orc_campdir_path(&run->dir, "events.jsonl", path, sizeof path),
                                &run->ev, err));
    AL_TRY(err, orc_labeler_create(run->c, NULL, &run->labeler, &run->labeler_safe, err));
    AL_TRY(err, orc_notifier_create(&run->c->notify, &run->notifier, err));
    orc_run_notify(run, "start", NULL, "campaign %s at iteration %d, stage %s",
           run->st.stage == ORC_STAGE_INIT ? "started" : "resumed", run->st.iteration,
           orc_stage_name(run->st.stage));
    if (run->st.stage == ORC_STAGE_EVAL || run->st.stage == ORC_STAGE_EXPLORE ||
        run->st.stage == ORC_STAGE_SELECT)
        AL_TRY(err, gp_model_load(orc_model_path(run, run->st.iteration, path, sizeof path),
                                  &run->model, err));
    return AL_OK;
}

static void close_run(orc_run *run)
{
    gp_model_destroy(run->model);
    al_potential_destroy(&run->labeler);
    al_potential_destroy(&run->labeler_safe);
    orc_notifier_destroy(run->notifier);
    orc_events_close(run->ev);
    al_store_close(run->store);
    orc_state_fini(&run->st);
    orc_campdir_close(&run->dir);
}

/* Copy of the campaign with its input paths made absolute (relative to the file's folder). */
static al_status resolve_paths(const orc_campaign *c, orc_campaign *out, al_err *err)
{
    *out = *c;
    char copy[ORC_PATH_LEN], base[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", c->path);
    if (!realpath(dirname(copy), base))
        return al_fail(err, AL_EIO, "%s: cannot resolve the campaign file's folder", c->path);
    char *paths[] = {out->system.structure, out->system.initial_file, out->dft.pseudopotential_file,
                     out->validate.structure, out->validate.reference_trajectory,
                     out->validate.reference_gr};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        if (!paths[i][0] || paths[i][0] == '/') continue;
        char joined[2 * PATH_MAX];
        snprintf(joined, sizeof joined, "%s/%s", base, paths[i]);
        snprintf(paths[i], ORC_PATH_LEN, "%s", joined);
    }
    return AL_OK;
}

static al_status write_effective(const orc_run *run, const orc_campaign *c, al_err *err)
{
    char path[1100], tmp[1200];
    orc_campdir_path(&run->dir, "campaign.yaml", path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp) return al_fail(err, AL_EIO, "%s: cannot write the effective campaign file", tmp);
    orc_campaign_write_yaml(c, fp);
    if (fclose(fp) != 0 || rename(tmp, path) != 0)
        return al_fail(err, AL_EIO, "%s: cannot write the effective campaign file", path);
    return AL_OK;
}

/* A run of campaign c (borrowed) with the options o (may be NULL). */
static void run_init(orc_run *run, const orc_campaign *c, const orc_run_opts *o)
{
    memset(run, 0, sizeof *run);
    run->c = c;
    run->run_start = now_seconds();
    run->stop_after_stages = o ? o->stop_after_stages : 0;
    run->farm = o ? o->farm : NULL;
    run->min_free_mb = o ? o->min_free_mb : 0;
}

/* Opens the rest of a run whose directory and state are set (st: how that went), drives it to
 * its end and releases it. */
static al_status run_to_end(orc_run *run, al_status st, al_err *err)
{
    FILE *human = st ? NULL : open_human_log(run);
    if (!st) st = open_run(run, err);
    if (!st) st = drive(run, err);
    close_human_log(human);
    close_run(run);
    return st;
}

/* A zeroed campaign on the heap (the struct is tens of kilobytes). */
static orc_campaign *campaign_new(al_err *err)
{
    orc_campaign *c = al_calloc(1, sizeof *c);
    if (!c) al_fail(err, AL_ENOMEM, "campaign: out of memory");
    return c;
}

al_status orc_campaign_start(const orc_campaign *c, const orc_run_opts *o, al_err *err)
{
    orc_campaign *resolved = campaign_new(err);
    if (!resolved) return AL_ENOMEM;
    al_status st = resolve_paths(c, resolved, err);
    if (!st) st = orc_validate_check_inputs(resolved, err);   /* now, not after the loop */
    orc_run run;
    run_init(&run, resolved, o);
    if (!st) st = orc_campdir_create(c->output.directory, &run.dir, err);
    if (!st) st = write_effective(&run, resolved, err);
    orc_state_init(&run.st, resolved->loop.seed);
    if (!st) st = save_state(&run, 0, err);
    st = run_to_end(&run, st, err);
    al_free(resolved);
    return st;
}

/* The effective YAML of c without its first line (which names the file it came from). */
static char *effective_text(const orc_campaign *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp) return NULL;
    orc_campaign_write_yaml(c, fp);
    fclose(fp);
    return buf;
}

static int same_campaign(const orc_campaign *a, const orc_campaign *b)
{
    char *ta = effective_text(a), *tb = effective_text(b);
    const char *ba = ta ? strchr(ta, '\n') : NULL, *bb = tb ? strchr(tb, '\n') : NULL;
    int same = ba && bb && strcmp(ba, bb) == 0;
    free(ta);
    free(tb);
    return same;
}

al_status orc_campaign_run(const orc_campaign *c, const orc_run_opts *o, int *resumed, al_err *err)
{
    char state[ORC_PATH_LEN + 16], stored_path[ORC_PATH_LEN + 32];
    snprintf(state, sizeof state, "%s/state", c->output.directory);
    *resumed = 0;
    if (access(state, F_OK) != 0) return orc_campaign_start(c, o, err);
    orc_campaign *resolved = campaign_new(err), *stored = campaign_new(err);
    snprintf(stored_path, sizeof stored_path, "%s/campaign.yaml", c->output.directory);
    al_status st = resolved && stored ? AL_OK : AL_ENOMEM;
    if (!st) st = resolve_paths(c, resolved, err);
    if (!st) st = orc_campaign_load(stored_path, stored, err);
    if (!st && !same_campaign(resolved, stored))
        st = al_fail(err, AL_EINVAL,
                     "%s holds a campaign whose settings differ from %s; continue it with "
                     "'galore resume %s', or choose another output.directory",
                     c->output.directory, c->path, c->output.directory);
    al_free(resolved);
    al_free(stored);
    if (st) return st;
    *resumed = 1;
    return orc_campaign_resume(c->output.directory, o, err);
}

al_status orc_campaign_resume(const char *dir, const orc_run_opts *o, al_err *err)
{
    orc_campaign *c = campaign_new(err);
    if (!c) return AL_ENOMEM;
    orc_run run;
    run_init(&run, c, o);
    char path[1100];
    al_status st = orc_campdir_open(dir, &run.dir, err);
    if (!st) st = orc_campaign_load(orc_campdir_path(&run.dir, "campaign.yaml", path, sizeof path), c, err);
    if (!st) st = orc_state_load(&run.st, orc_campdir_path(&run.dir, "state", path, sizeof path), err);
    if (!st && run.st.stage == ORC_STAGE_DONE) {
        al_info("%s: the campaign has already finished: %s", dir, run.st.stop_reason);
        close_run(&run);
    } else {
        if (!st)
            al_info("resuming %s at iteration %d, stage %s", dir, run.st.iteration,
                    orc_stage_name(run.st.stage));
        st = run_to_end(&run, st, err);
    }
    al_free(c);
    return st;
}
