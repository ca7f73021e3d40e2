/*
 * `galore md POTENTIAL START.xyz [options]`: molecular dynamics with the engines/md driver.
 * POTENTIAL is sw (Stillinger–Weber silicon), lj (Lennard-Jones argon) or a GAP model file
 * (galore HDF5 with uncertainty, or QUIP XML without). The schedule comes
 * from --schedule or from a campaign file's explore section (--campaign, which also gives the
 * uncertainty window of its select section); options given on the command line override it.
 * Replicas run one after another here (the campaign farms them over MPI).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/extxyz.h"
#include "core/log.h"
#include "engines/md/analytic.h"
#include "engines/md/md.h"
#include "gp/gap.h"
#include "orchestrator/campaign.h"
#include "orchestrator/cli.h"

const char orc_usage_md[] =
    "usage: galore md POTENTIAL START.xyz [options]\n"
    "\n"
    "Runs molecular dynamics from the first frame of START.xyz with POTENTIAL: sw\n"
    "(Stillinger-Weber silicon), lj (Lennard-Jones argon), or a GAP model file (galore .h5,\n"
    "whose uncertainty drives the watch, or QUIP XML). Units: fs, K, GPa, eV, Å.\n"
    "\n"
    "schedule (one of):\n"
    "  --schedule SPEC      comma-separated segments, each hold:T:DUR[:P[:EVERY]] or\n"
    "                       ramp:T1:T2:DUR[:P[:EVERY]] (K, fs, GPa, steps between checks)\n"
    "  --campaign FILE      explore section of a campaign file (and select's window)\n"
    "dynamics:\n"
    "  --ensemble E         nve, nvt (default) or npt\n"
    "  --thermostat T       nose-hoover (default) or langevin\n"
    "  --cell C             iso (default) or flex (npt)\n"
    "  --dt FS              time step (default 1)\n"
    "  --tdamp FS           thermostat period (default 100)\n"
    "  --pdamp FS           barostat period (default 1000)\n"
    "  --chain N            Nose-Hoover chain length (default 3)\n"
    "  --seed N             random seed (default 1)\n"
    "  --replicas N         independent replicas 0..N-1, run in turn (default 1)\n"
    "watch:\n"
    "  --check-every N      steps between checks (default 10)\n"
    "  --window LO:HI       candidate uncertainty window in eV; above HI stops the run\n"
    "  --min-distance A     stop when two atoms are closer (Å; default 0: off)\n"
    "  --max-energy-jump E  stop when E_pot/N changes more between checks (eV; default 0: off)\n"
    "output:\n"
    "  --traj FILE          extxyz trajectory  (--traj-stride N, default 100)\n"
    "  --log FILE           CSV thermodynamic log  (--log-stride N, default 10)\n"
    "  --candidates FILE    candidate frames with provenance (extxyz)\n"
    "  --final FILE         last frame of each replica (extxyz)\n"
    "  --quiet              no progress line\n"
    "With several replicas, trajectory and log names get _r<i> before the extension.\n";

typedef struct md_cli {
    const char *pot, *start, *campaign, *traj, *log, *cand, *final;
    md_opts o;
    md_segment seg[64];
    size_t n_seg;
    long replicas;
    int quiet;
} md_cli;

/* One segment "hold:T:DUR[:P[:EVERY]]" or "ramp:T1:T2:DUR[:P[:EVERY]]". */
static int parse_segment(const char *s, md_segment *g)
{
    double v[6];
    int n = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    char *save = NULL, *tok = strtok_r(buf, ":", &save);
    int ramp = tok && strcmp(tok, "ramp") == 0;
    if (!tok || (!ramp && strcmp(tok, "hold") != 0)) return -1;
    while ((tok = strtok_r(NULL, ":", &save)) && n < 6) {
        char *end;
        v[n++] = strtod(tok, &end);
        if (*end) return -1;
    }
    int need = ramp ? 3 : 2;
    if (n < need || n > need + 2) return -1;
    *g = (md_segment){.t_start = v[0], .t_end = ramp ? v[1] : v[0], .duration = v[need - 1]};
    if (n > need) g->pressure = v[need];
    if (n > need + 1) g->sample_every = (long)v[need + 1];
    return 0;
}

static int parse_schedule(const char *spec, md_cli *c)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", spec);
    c->n_seg = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ') tok++;
        if (c->n_seg == sizeof c->seg / sizeof c->seg[0] || parse_segment(tok, &c->seg[c->n_seg]))
            return orc_cli_usage_error("md", "bad schedule segment '%s' (hold:T:DUR[:P[:EVERY]] or "
                                       "ramp:T1:T2:DUR[:P[:EVERY]])", tok);
        c->n_seg++;
    }
    return 0;
}

static int from_campaign(const char *path, md_cli *c)
{
    static orc_campaign k;
    al_err err;
    al_err_clear(&err);
    if (orc_campaign_load(path, &k, &err)) {
        fprintf(stderr, "galore md: %s\n", err.msg);
        return 2;
    }
    const orc_explore *x = &k.explore;
    c->o.ensemble = (md_ensemble)x->ensemble;
    c->o.thermostat = (md_thermostat)x->thermostat;
    c->o.cell_mode = (md_cell_mode)x->cell_mode;
    c->o.nh_chain = (int)x->chain_length;
    c->o.dt = x->timestep;
    c->o.thermostat_period = x->thermostat_period;
    c->o.barostat_period = x->barostat_period;
    c->o.check_every = x->check_every;
    c->o.min_distance = x->min_distance;
    c->o.max_energy_jump = x->max_energy_jump;
    c->o.sigma_lo = k.select.uncertainty_min;
    c->o.sigma_hi = k.select.uncertainty_max;
    c->o.seed = (uint64_t)k.loop.seed;
    c->replicas = x->replicas;
    if (x->trajectory_stride > 0) c->o.traj_stride = x->trajectory_stride;
    c->n_seg = 0;
    for (int i = 0; i < x->schedule.n && i < 64; i++) {
        const orc_segment *s = &x->schedule.seg[i];
        bool hold = s->kind == ORC_SEG_HOLD;
        c->seg[c->n_seg++] = (md_segment){.t_start = hold ? s->temperature : s->t_start,
                                          .t_end = hold ? s->temperature : s->t_end,
                                          .duration = s->duration, .pressure = s->pressure,
                                          .sample_every = s->sample_every};
    }
    return 0;
}

static int num(const char *opt, const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    if (*end || end == s) return orc_cli_usage_error("md", "%s needs a number, got '%s'", opt, s);
    return 0;
}

static int named(al_status st, const al_err *err)
{
    return st ? orc_cli_usage_error("md", "%s", err->msg + 4) : 0;   /* drop "md: " */
}

static int parse_option(md_cli *c, const char *a, const char *v)
{
    al_err err;
    double x = 0;
    if (!strcmp(a, "--schedule")) return parse_schedule(v, c);
    if (!strcmp(a, "--ensemble")) return named(md_ensemble_parse(v, &c->o.ensemble, &err), &err);
    if (!strcmp(a, "--thermostat")) return named(md_thermostat_parse(v, &c->o.thermostat, &err), &err);
    if (!strcmp(a, "--cell")) return named(md_cell_mode_parse(v, &c->o.cell_mode, &err), &err);
    if (!strcmp(a, "--traj")) return c->traj = v, 0;
    if (!strcmp(a, "--log")) return c->log = v, 0;
    if (!strcmp(a, "--candidates")) return c->cand = v, 0;
    if (!strcmp(a, "--final")) return c->final = v, 0;
    if (!strcmp(a, "--window")) {
        if (sscanf(v, "%lf:%lf", &c->o.sigma_lo, &c->o.sigma_hi) != 2)
            return orc_cli_usage_error("md", "--window needs LO:HI in eV, got '%s'", v);
        return 0;
    }
    if (num(a, v, &x)) return 2;
    if (!strcmp(a, "--dt")) c->o.dt = x;
    else if (!strcmp(a, "--tdamp")) c->o.thermostat_period = x;
    else if (!strcmp(a, "--pdamp")) c->o.barostat_period = x;
    else if (!strcmp(a, "--chain")) c->o.nh_chain = (int)x;
    else if (!strcmp(a, "--seed")) c->o.seed = (uint64_t)x;
    else if (!strcmp(a, "--replicas")) c->replicas = (long)x;
    else if (!strcmp(a, "--check-every")) c->o.check_every = (long)x;
    else if (!strcmp(a, "--min-distance")) c->o.min_distance = x;
    else if (!strcmp(a, "--max-energy-jump")) c->o.max_energy_jump = x;
    else if (!strcmp(a, "--traj-stride")) c->o.traj_stride = (long)x;
    else if (!strcmp(a, "--log-stride")) c->o.log_stride = (long)x;
    else return orc_cli_usage_error("md", "unknown option '%s'", a);
    return 0;
}

static int parse_args(int argc, char **argv, md_cli *c)
{
    memset(c, 0, sizeof *c);
    c->o = md_opts_default();
    c->o.traj_stride = 100;
    c->o.log_stride = 10;
    c->replicas = 1;
    /* The campaign first, so that command-line options override it. */
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--campaign")) {
            c->campaign = argv[i + 1];
            if (from_campaign(c->campaign, c)) return 2;
        }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--quiet")) {
            c->quiet = 1;
        } else if (!strcmp(a, "--campaign")) {
            i++;
        } else if (a[0] == '-' && a[1]) {
            if (i + 1 >= argc) return orc_cli_usage_error("md", "option '%s' needs a value", a);
            int st = parse_option(c, a, argv[++i]);
            if (st) return st;
        } else if (!c->pot) {
            c->pot = a;
        } else if (!c->start) {
            c->start = a;
        } else {
            return orc_cli_usage_error("md", "too many arguments ('%s')", a);
        }
    }
    if (!c->pot || !c->start) return orc_cli_usage_error("md", "needs POTENTIAL and START.xyz");
    if (c->n_seg == 0) return orc_cli_usage_error("md", "needs a schedule (--schedule or --campaign)");
    if (c->replicas < 1) return orc_cli_usage_error("md", "--replicas must be >= 1 (got %ld)", c->replicas);
    c->o.segments = c->seg;
    c->o.n_segments = c->n_seg;
    al_err err;
    if (md_opts_check(&c->o, &err)) return orc_cli_usage_error("md", "%s", err.msg + 4);
    return 0;
}

/* sw, lj, or a model file (*model is set and must be destroyed after the potential). */
static int make_potential(const char *name, al_potential *p, gp_model **model, al_err *err)
{
    *model = NULL;
    if (!strcmp(name, "sw")) {
        md_sw_opts o = md_sw_opts_default();
        return md_sw_create(&o, p, err) ? 1 : 0;
    }
    if (!strcmp(name, "lj")) {
        md_lj_opts o = md_lj_opts_default();
        return md_lj_create(&o, p, err) ? 1 : 0;
    }
    if (access(name, R_OK) != 0)
        return orc_cli_usage_error("md", "unknown potential '%s' (sw, lj or a GAP model file)", name);
    if (gp_model_open(name, model, err)) return 1;
    gp_model_as_potential(*model, p);
    return 0;
}

typedef struct progress {
    long total;
    double t0;
    int tty;
    long every;
} progress;

static void show_progress(const md_thermo *th, void *user)
{
    progress *p = user;
    double el = al_wtime() - p->t0;
    size_t n = th->frame->n_atoms;
    fprintf(stderr, "%smd: step %ld/%ld (%3.0f%%) t %.3f ps  T %.0f K (target %.0f)  E_pot %.4f eV/atom"
            "  P %.3f GPa  %.0f steps/s%s",
            p->tty ? "\r" : "", th->step, p->total, 100.0 * (double)th->step / (double)p->total,
            th->time / 1000, th->temperature, th->t_target, th->epot / (double)n, th->pressure,
            el > 0 ? (double)th->step / el : 0.0, p->tty ? "  " : "\n");
}

static FILE *open_out(const char *path, long replica, long n, al_err *err)
{
    char name[1200];
    const char *dot = strrchr(path, '.');
    if (n > 1 && dot && dot != path)
        snprintf(name, sizeof name, "%.*s_r%ld%s", (int)(dot - path), path, replica, dot);
    else if (n > 1)
        snprintf(name, sizeof name, "%s_r%ld", path, replica);
    else
        snprintf(name, sizeof name, "%s", path);
    FILE *fp = fopen(name, "w");
    if (!fp) al_fail(err, AL_EIO, "cannot write '%s'", name);
    return fp;
}

static int run_one(md_cli *c, long r, const al_frame *start, const al_potential *pot, FILE *cand,
                   FILE *fin, al_err *err)
{
    md_replica_spec sp = {.base = c->o, .n_replicas = (size_t)c->replicas};
    progress pg = {.t0 = al_wtime(), .tty = isatty(2)};
    for (size_t k = 0; k < c->n_seg; k++) {
        long n = lround(c->seg[k].duration / c->o.dt);
        pg.total += n < 1 ? 1 : n;
    }
    pg.every = pg.tty ? (pg.total / 200 > 0 ? pg.total / 200 : 1) : (pg.total / 10 > 0 ? pg.total / 10 : 1);
    if (!c->quiet) {
        sp.base.observe = show_progress;
        sp.base.observe_user = &pg;
        sp.base.observe_every = pg.every;
    }
    if (c->traj && !(sp.base.traj = open_out(c->traj, r, c->replicas, err))) return 1;
    if (c->log && !(sp.base.log = open_out(c->log, r, c->replicas, err))) {
        if (sp.base.traj) fclose(sp.base.traj);
        return 1;
    }
    md_result res;
    md_result_init(&res);
    al_status st = md_run_replica(&sp, (size_t)r, start, pot, &res, err);
    if (sp.base.traj) fclose(sp.base.traj);
    if (sp.base.log) fclose(sp.base.log);
    if (!c->quiet && pg.tty) fputc('\n', stderr);
    for (size_t k = 0; !st && cand && k < res.n_candidates; k++) st = al_xyz_write(cand, &res.candidates[k], err);
    if (!st && fin) st = al_xyz_write(fin, &res.final, err);
    if (!st) {
        double frac = res.total_seconds > 0 ? 1.0 - res.force_seconds / res.total_seconds : 0.0;
        printf("replica %ld: %ld steps (%.3f ps), %s%s%s; %zu candidates; %.3g steps/s, %.1f%% of the "
               "time outside force evaluation\n",
               r, res.steps, res.time / 1000, md_stop_name(res.stop), res.stop ? ": " : "",
               res.stop_reason, res.n_candidates,
               res.total_seconds > 0 ? (double)res.steps / res.total_seconds : 0.0, 100 * frac);
    }
    md_result_fini(&res);
    return st == AL_EINVAL ? 2 : st ? 1 : 0;
}

int orc_cmd_md(int argc, char **argv)
{
    static md_cli c;
    int rc = parse_args(argc, argv, &c);
    if (rc) return rc;
    al_err err;
    al_err_clear(&err);
    al_potential pot = {0};
    gp_model *model = NULL;
    if ((rc = make_potential(c.pot, &pot, &model, &err))) {
        if (rc == 1) fprintf(stderr, "galore md: %s\n", err.msg);
        return 2;
    }
    al_xyz_reader *rd = NULL;
    al_frame start;
    al_frame_init(&start);
    int done = 0;
    FILE *cand = NULL, *fin = NULL;
    if (al_xyz_open(c.start, &rd, &err) || al_xyz_read_next(rd, &start, &done, &err) || done) {
        fprintf(stderr, "galore md: %s\n", done ? "the start file has no frame" : err.msg);
        rc = 2;
        goto out;
    }
    if ((c.cand && !(cand = fopen(c.cand, "w"))) || (c.final && !(fin = fopen(c.final, "w")))) {
        fprintf(stderr, "galore md: cannot write '%s'\n", cand || !c.cand ? c.final : c.cand);
        rc = 1;
        goto out;
    }
    for (long r = 0; r < c.replicas && !rc; r++) {
        if ((rc = run_one(&c, r, &start, &pot, cand, fin, &err)))
            fprintf(stderr, "galore md: replica %ld: %s\n", r, err.msg);
    }
out:
    if (cand) fclose(cand);
    if (fin) fclose(fin);
    al_xyz_close(rd);
    al_frame_fini(&start);
    al_potential_destroy(&pot);
    gp_model_destroy(model);
    return rc;
}
