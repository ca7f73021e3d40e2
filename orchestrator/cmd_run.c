/* `galore run`, `galore resume` and `galore status`: the campaign from the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/comm.h"
#include "core/log.h"
#include "orchestrator/cli.h"
#include "orchestrator/farm.h"
#include "orchestrator/json.h"
#include "orchestrator/loop.h"
#include "orchestrator/report.h"
#include "orchestrator/signals.h"
#include "orchestrator/state.h"

const char orc_usage_run[] =
    "usage: galore run CAMPAIGN.yaml\n"
    "\n"
    "Runs an active-learning campaign: labels the initial frames, then fits, tests, explores\n"
    "with MD, selects and labels until the test errors reach the targets in `loop`, exploration\n"
    "finds nothing uncertain, or a budget ends. Everything goes to output.directory (state,\n"
    "campaign.h5 dataset, models/, events.jsonl, campaign.yaml). A campaign stopped at any\n"
    "moment continues with 'galore resume DIR'; started again on a directory that holds the\n"
    "same campaign (a requeued batch job), 'galore run' resumes it by itself.\n"
    "SIGTERM or SIGINT stop it cleanly after the unit of work in flight (exit code 3).\n";

const char orc_usage_resume[] =
    "usage: galore resume DIR\n"
    "\n"
    "Continues the campaign in DIR from where it stopped (killed, out of wall time, or ended by\n"
    "an error that has been fixed). Finished labels and fits are kept; the stage that was in\n"
    "flight is redone and gives what it would have given.\n";

const char orc_usage_status[] =
    "usage: galore status DIR [--json]\n"
    "\n"
    "Where the campaign in DIR stands: iteration, stage, labels, the test errors of each\n"
    "iteration, and why it ended. --json prints the same as one JSON object.\n";

const char orc_usage_report[] =
    "usage: galore report DIR\n"
    "\n"
    "Writes DIR/report/report.md and report.html (self-contained) with SVG figures: test errors\n"
    "against the number of labels, parity of the final model on the test set, uncertainty\n"
    "calibration of each iteration's model, the uncertainty of the explored configurations and\n"
    "the MD temperatures the labels came from.\n";

int orc_cmd_report(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') return orc_cli_usage_error("report", "needs exactly one campaign directory");
    al_err err;
    al_err_clear(&err);
    if (orc_report_write(argv[1], &err)) {
        fprintf(stderr, "galore report: %s\n", err.msg);
        return 1;
    }
    printf("%s/report/report.html\n%s/report/report.md\n", argv[1], argv[1]);
    return 0;
}

/* Exit code and message of a campaign run that returned st. */
static int finish(const char *cmd, const char *dir, al_status st, const al_err *err)
{
    if (st == AL_OK) return 0;
    if (st == AL_EINTERRUPT) {
        fprintf(stderr, "galore %s: %s; continue with 'galore resume %s'\n", cmd, err->msg, dir);
        return 3;
    }
    fprintf(stderr, "galore %s: %s\n", cmd, err->msg);
    if (access(dir, F_OK) == 0)
        fprintf(stderr, "(once this is fixed, 'galore resume %s' continues the campaign)\n", dir);
    return 1;
}

/* Under mpirun (or srun), rank 0 runs the campaign and the other ranks compute for it, in
 * groups of group_size ranks (dft.ranks_per_label; orchestrator/farm.h). Returns 1 on the
 * worker ranks once they are done serving; on rank 0 (and without MPI) 0, with *farm set up
 * when there are workers. */
static int serve_or_lead(const char *cmd, int group_size, orc_farm *farm, orc_run_opts *o)
{
    memset(o, 0, sizeof *o);
    /* Started by mpirun (Open MPI, or a PMI launcher such as srun)? Else no MPI start-up. */
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK")) return 0;
    al_err err;
    al_err_clear(&err);
    if (al_comm_init(NULL, NULL, &err)) {
        fprintf(stderr, "galore %s: %s\n", cmd, err.msg);
        return 0;
    }
    const al_comm *w = al_comm_world();
    int rank = al_comm_rank(w);
    al_comm *group = NULL;
    if (al_comm_split(w, rank == 0 ? 0 : 1 + (rank - 1) / group_size, rank, &group, &err)) {
        fprintf(stderr, "galore %s (rank %d): %s\n", cmd, rank, err.msg);
        return rank != 0;
    }
    if (rank != 0) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "rank %d", al_comm_rank(w));
        al_log_set_prefix(prefix);
        /* A batch system signals every rank; the workers keep serving until rank 0 has
         * stopped cleanly and sends STOP. */
        orc_signals_install();
        if (orc_farm_serve(w, group, &err)) fprintf(stderr, "galore %s (%s): %s\n", cmd, prefix, err.msg);
        al_comm_destroy(group);
        return 1;
    }
    al_comm_destroy(group);
    orc_farm_init(farm, w, group_size);
    if (farm->n_workers > 0) {
        o->farm = farm;
        int ranks = al_comm_size(w) - 1;
        int last = ranks - (farm->n_workers - 1) * group_size;
        if (group_size > 1)
            al_info("%d MPI ranks: rank 0 runs the campaign; %d groups of %d ranks (dft.ranks_per_label%s) "
                    "compute labels together; MD replicas and tuning trials run on each group's first rank",
                    ranks + 1, farm->n_workers, group_size, last < group_size ? ", the last smaller" : "");
        else
            al_info("%d MPI ranks: rank 0 runs the campaign; %d compute labels, MD replicas and tuning trials",
                    ranks + 1, ranks);
    }
    return 0;
}

int orc_cmd_run(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') return orc_cli_usage_error("run", "needs exactly one campaign file");
    static orc_campaign c;
    al_err err;
    al_err_clear(&err);
    if (orc_campaign_load(argv[1], &c, &err)) {
        fprintf(stderr, "galore run: %s\n", err.msg);
        return 2;
    }
    orc_farm farm;
    orc_run_opts o;
    if (serve_or_lead("run", (int)c.dft.ranks_per_label, &farm, &o)) return 0;
    int resumed = 0;
    orc_signals_install();
    al_status st = orc_campaign_run(&c, &o, &resumed, &err);
    orc_signals_restore();
    if (o.farm) orc_farm_stop(o.farm);
    if (st == AL_EINVAL && !resumed) {
        fprintf(stderr, "galore run: %s\n", err.msg);
        return 2;
    }
    return finish("run", c.output.directory, st, &err);
}

int orc_cmd_resume(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') return orc_cli_usage_error("resume", "needs exactly one campaign directory");
    al_err err;
    al_err_clear(&err);
    /* Every rank reads the group size from the campaign directory's effective file. */
    static orc_campaign c;
    char path[ORC_PATH_LEN + 32];
    snprintf(path, sizeof path, "%s/campaign.yaml", argv[1]);
    int group_size = orc_campaign_load(path, &c, &err) ? 1 : (int)c.dft.ranks_per_label;
    orc_farm farm;
    orc_run_opts o;
    if (serve_or_lead("resume", group_size, &farm, &o)) return 0;
    orc_signals_install();
    al_status st = orc_campaign_resume(argv[1], &o, &err);
    orc_signals_restore();
    if (o.farm) orc_farm_stop(o.farm);
    return finish("resume", argv[1], st, &err);
}

static void print_json(const char *dir, const orc_state *s)
{
    orc_json j;
    orc_json_init(&j);
    orc_json_str(&j, "directory", dir);
    orc_json_int(&j, "iteration", s->iteration);
    orc_json_str(&j, "stage", orc_stage_name(s->stage));
    orc_json_int(&j, "labels", s->n_labels);
    orc_json_int(&j, "failed_labels", (long)s->n_failed);
    orc_json_num(&j, "elapsed_seconds", s->elapsed);
    if (s->n_history) {
        const orc_iter_metrics *m = &s->history[s->n_history - 1];
        orc_json_open(&j, "latest");
        orc_json_int(&j, "iteration", m->iteration);
        orc_json_int(&j, "train_frames", m->n_train);
        orc_json_num(&j, "energy_mae", m->energy_mae);
        orc_json_num(&j, "force_mae", m->force_mae);
        orc_json_num(&j, "virial_rmse", m->virial_rmse);
        orc_json_close(&j);
    }
    if (s->stage == ORC_STAGE_DONE) orc_json_str(&j, "stop_reason", s->stop_reason);
    const char *text = orc_json_finish(&j);
    if (text) printf("%s\n", text);
    orc_json_fini(&j);
}

static void print_text(const char *dir, const orc_state *s)
{
    printf("campaign %s: iteration %d, stage %s, %ld labels (%zu failed), %.0f s of wall time\n",
           dir, s->iteration, orc_stage_name(s->stage), s->n_labels, s->n_failed, s->elapsed);
    if (s->n_history)
        printf("%9s %10s %8s %18s %16s %20s\n", "iteration", "train", "labels",
               "energy MAE meV/at", "force MAE eV/Å", "virial RMSE meV/at");
    for (size_t i = 0; i < s->n_history; i++) {
        const orc_iter_metrics *m = &s->history[i];
        printf("%9d %10ld %8ld %18.3f %16.4f %20.3f\n", m->iteration, m->n_train, m->n_labels,
               1e3 * m->energy_mae, m->force_mae, 1e3 * m->virial_rmse);
    }
    if (s->stage == ORC_STAGE_DONE) printf("finished: %s\n", s->stop_reason);
}

int orc_cmd_status(int argc, char **argv)
{
    int json = 0;
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else
            return orc_cli_usage_error("status", "unexpected argument '%s'", argv[i]);
    }
    if (!dir) return orc_cli_usage_error("status", "needs a campaign directory");
    char path[1100];
    snprintf(path, sizeof path, "%s/state", dir);
    orc_state s;
    al_err err;
    if (orc_state_load(&s, path, &err)) {
        fprintf(stderr, "galore status: %s\n", err.msg);
        return 2;
    }
    if (json)
        print_json(dir, &s);
    else
        print_text(dir, &s);
    orc_state_fini(&s);
    return 0;
}
