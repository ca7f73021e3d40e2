/*
 * `galore dft IN.xyz -o OUT.xyz [options]`: labels every frame of IN.xyz with the built-in
 * plane-wave DFT (engines/dft) and writes the frames with their energy, forces and virial to
 * OUT.xyz (extxyz).
 * Settings come from the dft section of a YAML file (--settings; the same keys as a
 * campaign's dft section, so a campaign file works too), then from command-line options.
 * A progress line is printed per SCF step and per frame; a frame whose SCF does not converge
 * is written with dft_converged=F and makes the exit code 1.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/extxyz.h"
#include "core/log.h"
#include "core/units.h"
#include "engines/dft/dft.h"
#include "orchestrator/campaign.h"
#include "orchestrator/cli.h"
#include "orchestrator/dft_settings.h"
#include "orchestrator/quantity.h"

const char orc_usage_dft[] =
    "usage: galore dft IN.xyz -o OUT.xyz [options]\n"
    "\n"
    "Computes the DFT ground state of every frame of IN.xyz (Kohn-Sham, plane waves, GTH\n"
    "pseudopotentials) and writes the frames with energy (eV), forces (eV/Å) and virial (eV)\n"
    "to OUT.xyz. Units: eV, Å.\n"
    "\n"
    "options (command-line values override the settings file):\n"
    "  --settings FILE      YAML file with a dft: section (the campaign's keys: ecut, xc, kpts,\n"
    "                       kpts_shift, smearing, smearing_width, pseudopotential_file,\n"
    "                       pseudopotentials, scf_energy_tol, scf_density_tol,\n"
    "                       max_scf_iterations, mixing_beta, extra_bands, fft_grid, spin,\n"
    "                       magnetic_moments)\n"
    "  --ecut Q             wavefunction cutoff with unit, e.g. 30Ry, 15Ha, 400eV (required\n"
    "                       unless the settings file gives it)\n"
    "  --xc NAME            lda (Goedecker-Teter-Hutter Pade), lda-pz or pbe (default pbe)\n"
    "  --kpts AxBxC         Monkhorst-Pack grid (default 1x1x1, the Gamma point)\n"
    "  --kshift X,Y,Z       grid shift in grid steps, 0 or 0.5 (default 0,0,0)\n"
    "  --smearing K[:W]     none, fd, gaussian or mv, width with unit (e.g. fd:0.01Ha)\n"
    "  --psp-file FILE      GTH parameter file (default /usr/share/cp2k/GTH_POTENTIALS)\n"
    "  --psp EL=ENTRY       pseudopotential entry for an element (repeatable), e.g. Si=GTH-PBE-q4\n"
    "  --max-iter N         SCF iteration limit (default 100)\n"
    "  --fft AxBxC          FFT grid (default: automatic)\n"
    "  --spin               collinear spin polarisation (reports the magnetisation in μB)\n"
    "  --magmom EL=M        starting moment of every atom of an element, in μB (repeatable;\n"
    "                       implies --spin), e.g. Fe=3\n"
    "  --no-forces          energy only (no forces, no virial)\n"
    "  --quiet              no progress lines\n";

typedef struct dft_cli {
    const char *in, *out, *settings;
    pw_settings s;
    int quiet;
    size_t frame;
} dft_cli;

static int parse_triple_int(const char *v, int out[3])
{
    char tail;
    return sscanf(v, "%dx%dx%d%c", &out[0], &out[1], &out[2], &tail) == 3 ? 0 : -1;
}

/*
 * Loads a settings file with the campaign parser. A file with only a dft section is not a
 * complete campaign (the system section is required), so such a file is parsed from a
 * temporary copy with a placeholder system section appended at the end: line numbers in
 * messages stay those of the user's file, and its path replaces the temporary one.
 */
static al_status load_settings(const char *path, orc_campaign *c, al_err *err)
{
    FILE *in = fopen(path, "rb");
    if (!in) return orc_campaign_load(path, c, err);
    char tmp[] = "/tmp/galore-dft-XXXXXX";
    int fd = mkstemp(tmp);
    FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!out) {
        fclose(in);
        return al_fail(err, AL_EIO, "cannot create a temporary file for %s", path);
    }
    char buf[4096];
    bool has_system = false, nl = true;
    while (fgets(buf, sizeof buf, in)) {
        if (nl && !strncmp(buf, "system:", 7)) has_system = true;
        nl = strchr(buf, '\n') != NULL;
        fputs(buf, out);
    }
    if (!has_system) fputs("\nsystem:\n  initial: random\n  composition: {H: 1}\n", out);
    fclose(in);
    fclose(out);
    al_status st = orc_campaign_load(tmp, c, err);
    remove(tmp);
    snprintf(c->path, sizeof c->path, "%s", path);
    if (st && err) {
        char msg[AL_ERR_MSG_LEN];
        const char *at = strstr(err->msg, tmp);
        if (at) {
            snprintf(msg, sizeof msg, "%.*s%s%s", (int)(at - err->msg), err->msg, path,
                     at + strlen(tmp));
            snprintf(err->msg, sizeof err->msg, "%s", msg);
        }
    }
    return st;
}

/* The campaign's dft section → engine settings. */
static int from_settings(const char *path, pw_settings *s)
{
    static orc_campaign c;
    al_err err;
    al_err_clear(&err);
    if (load_settings(path, &c, &err)) {
        fprintf(stderr, "galore dft: %s\n", err.msg);
        return 2;
    }
    if (orc_dft_settings(&c.dft, s, &err)) return orc_cli_usage_error("dft", "%s: %s", path, err.msg);
    return 0;
}

/* Defaults of the campaign's dft section (PBE, Γ, no smearing, 1e-6 Ha, β 0.5) with no ecut. */
static void campaign_defaults(pw_settings *s)
{
    static orc_campaign c;
    orc_campaign_defaults(&c);
    al_err ignored;
    orc_dft_settings(&c.dft, s, &ignored);
    s->ecut_ha = 0.0;
}

static int parse_smearing(const char *v, pw_settings *s)
{
    char kind[32];
    const char *colon = strchr(v, ':');
    size_t n = colon ? (size_t)(colon - v) : strlen(v);
    if (n >= sizeof kind) return -1;
    memcpy(kind, v, n);
    kind[n] = '\0';
    int k = pw_smearing_parse(kind);
    if (k < 0) return -1;
    s->smearing = (pw_smearing)k;
    if (colon) {
        double w;
        if (orc_quantity_parse(colon + 1, ORC_DIM_ENERGY, NULL, 1, &w) || !(w > 0)) return -2;
        s->smear_width_ha = w * AL_EV_HARTREE;
    }
    return 0;
}

/* --magmom EL=M: sets (or replaces) the element's starting moment and turns spin on. */
static int parse_magmom(const char *v, pw_settings *s)
{
    const char *eq = strchr(v, '=');
    char sym[8], *end;
    if (!eq || (size_t)(eq - v) >= sizeof sym || !eq[1])
        return orc_cli_usage_error("dft", "--magmom '%s': expected ELEMENT=MOMENT in μB, e.g. Fe=3", v);
    memcpy(sym, v, (size_t)(eq - v));
    sym[eq - v] = '\0';
    int z = al_element_z(sym);
    if (z < 1) return orc_cli_usage_error("dft", "--magmom '%s': unknown element '%s'", v, sym);
    double m = strtod(eq + 1, &end);
    if (*end || !isfinite(m))
        return orc_cli_usage_error("dft", "--magmom '%s': the moment must be a number (μB)", v);
    size_t i = 0;
    while (i < s->n_magmom && s->magmom[i].z != z) i++;
    if (i == PW_MAX_SPECIES) return orc_cli_usage_error("dft", "--magmom: too many elements");
    s->magmom[i].z = z;
    s->magmom[i].moment = m;
    if (i == s->n_magmom) s->n_magmom++;
    s->nspin = 2;
    return 0;
}

static int parse_option(dft_cli *c, const char *a, const char *v)
{
    pw_settings *s = &c->s;
    if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
        c->out = v;
    } else if (!strcmp(a, "--ecut")) {
        double e;
        int rc = orc_quantity_parse(v, ORC_DIM_ENERGY, NULL, 1, &e);
        if (rc || !(e > 0))
            return orc_cli_usage_error("dft", "--ecut '%s': expected a positive energy with its "
                                              "unit (%s), e.g. 30Ry", v, orc_dim_units_list(ORC_DIM_ENERGY));
        s->ecut_ha = e * AL_EV_HARTREE;
    } else if (!strcmp(a, "--xc")) {
        int x = pw_xc_parse(v);
        if (x < 0) return orc_cli_usage_error("dft", "--xc '%s': expected lda, lda-pz or pbe", v);
        s->xc = (pw_xc_kind)x;
    } else if (!strcmp(a, "--kpts")) {
        if (parse_triple_int(v, s->kgrid) || s->kgrid[0] < 1 || s->kgrid[1] < 1 || s->kgrid[2] < 1)
            return orc_cli_usage_error("dft", "--kpts '%s': expected AxBxC with sizes >= 1, e.g. 2x2x2", v);
    } else if (!strcmp(a, "--kshift")) {
        char tail;
        double *k = s->kshift;
        if (sscanf(v, "%lf,%lf,%lf%c", &k[0], &k[1], &k[2], &tail) != 3)
            return orc_cli_usage_error("dft", "--kshift '%s': expected X,Y,Z, e.g. 0.5,0.5,0.5", v);
    } else if (!strcmp(a, "--smearing")) {
        int rc = parse_smearing(v, s);
        if (rc == -1)
            return orc_cli_usage_error("dft", "--smearing '%s': expected none, fd, gaussian or mv, "
                                              "optionally :WIDTH, e.g. fd:0.01Ha", v);
        if (rc == -2)
            return orc_cli_usage_error("dft", "--smearing '%s': the width needs a positive value "
                                              "with unit, e.g. fd:0.01Ha", v);
    } else if (!strcmp(a, "--psp-file")) {
        snprintf(s->psp_file, sizeof s->psp_file, "%s", v);
    } else if (!strcmp(a, "--psp")) {
        const char *eq = strchr(v, '=');
        char sym[8];
        if (!eq || (size_t)(eq - v) >= sizeof sym || !eq[1])
            return orc_cli_usage_error("dft", "--psp '%s': expected ELEMENT=ENTRY, e.g. Si=GTH-PBE-q4", v);
        memcpy(sym, v, (size_t)(eq - v));
        sym[eq - v] = '\0';
        int z = al_element_z(sym);
        if (z < 1) return orc_cli_usage_error("dft", "--psp '%s': unknown element '%s'", v, sym);
        size_t i = 0;
        while (i < s->n_psp && s->psp[i].z != z) i++;
        if (i == PW_MAX_SPECIES) return orc_cli_usage_error("dft", "--psp: too many elements");
        s->psp[i].z = z;
        snprintf(s->psp[i].entry, sizeof s->psp[i].entry, "%s", eq + 1);
        if (i == s->n_psp) s->n_psp++;
    } else if (!strcmp(a, "--magmom")) {
        return parse_magmom(v, s);
    } else if (!strcmp(a, "--max-iter")) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 1) return orc_cli_usage_error("dft", "--max-iter '%s': expected an integer >= 1", v);
        s->max_iter = (int)n;
    } else if (!strcmp(a, "--fft")) {
        if (parse_triple_int(v, s->fft_grid) || s->fft_grid[0] < 1 || s->fft_grid[1] < 1 ||
            s->fft_grid[2] < 1)
            return orc_cli_usage_error("dft", "--fft '%s': expected AxBxC, e.g. 36x36x36", v);
    } else {
        return orc_cli_usage_error("dft", "unknown option '%s'", a);
    }
    return 0;
}

static int parse_args(int argc, char **argv, dft_cli *c)
{
    memset(c, 0, sizeof *c);
    campaign_defaults(&c->s);
    /* The settings file first, so that command-line options override it. */
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--settings")) {
            c->settings = argv[i + 1];
            int rc = from_settings(c->settings, &c->s);
            if (rc) return rc;
        }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--quiet")) {
            c->quiet = 1;
        } else if (!strcmp(a, "--spin")) {
            c->s.nspin = 2;
        } else if (!strcmp(a, "--no-forces")) {
            c->s.forces = c->s.stress = false;
        } else if (!strcmp(a, "--settings")) {
            i++;
        } else if (a[0] == '-' && a[1]) {
            if (i + 1 >= argc) return orc_cli_usage_error("dft", "option '%s' needs a value", a);
            int rc = parse_option(c, a, argv[++i]);
            if (rc) return rc;
        } else if (!c->in) {
            c->in = a;
        } else {
            return orc_cli_usage_error("dft", "too many arguments ('%s')", a);
        }
    }
    if (!c->in) return orc_cli_usage_error("dft", "needs an input file IN.xyz");
    if (!c->out) return orc_cli_usage_error("dft", "needs an output file (-o OUT.xyz)");
    if (!(c->s.ecut_ha > 0))
        return orc_cli_usage_error("dft", "needs a cutoff: --ecut (e.g. 30Ry) or ecut in the "
                                          "settings file");
    return 0;
}

/* The moment for a %+.4f field, without a "-0.0000" for rounding noise around zero. */
static double shown_moment(double m) { return fabs(m) < 5e-5 ? 0.0 : m; }

static void scf_line(void *user, const pw_scf_step *st)
{
    const dft_cli *c = user;
    char de[32] = "";
    if (st->iteration > 1) snprintf(de, sizeof de, "  dE %+.2e eV", st->delta_energy * AL_HARTREE_EV);
    char mag[32] = "";
    if (c->s.nspin == 2)
        snprintf(mag, sizeof mag, "  M %+.4f μB", shown_moment(st->magnetization));
    fprintf(stderr, "dft: frame %zu scf %3d  E %.8f eV%s  residual %.2e%s  %.2f s\n", c->frame,
            st->iteration, st->energy * AL_HARTREE_EV, de, st->residual, mag, st->seconds);
}

/* Energy label and provenance of one frame. */
static al_status label(al_frame *f, const pw_result *r, const pw_settings *s, al_err *err)
{
    f->energy = r->energy_ev;
    f->labels |= AL_LBL_ENERGY;
    if (r->has_forces) {
        AL_TRY(err, al_frame_alloc_forces(f, err));
        for (size_t a = 0; a < f->n_atoms; a++)
            for (int d = 0; d < 3; d++) f->forces[a][d] = r->forces[a][d];
        f->labels |= AL_LBL_FORCES;
    }
    if (r->has_stress) {
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) f->virial[i][j] = r->virial[i][j];
        f->labels |= AL_LBL_VIRIAL;
    }
    al_info *m = &f->info;
    AL_TRY(err, al_info_set_ints(m, "dft_converged", (long[]){r->converged}, 1, AL_VAL_BOOL, err));
    AL_TRY(err, al_info_set_int(m, "dft_scf_iterations", r->iterations, err));
    AL_TRY(err, al_info_set_real(m, "dft_energy_internal", r->energy_internal_ev, err));
    AL_TRY(err, al_info_set_real(m, "dft_energy_zero_width", r->energy_zero_width_ev, err));
    AL_TRY(err, al_info_set_real(m, "dft_fermi", r->fermi_ev, err));
    if (r->nspin == 2) {
        AL_TRY(err, al_info_set_real(m, "dft_magnetization", r->magnetization, err));
        AL_TRY(err, al_info_set_real(m, "dft_abs_magnetization", r->abs_magnetization, err));
    }
    char desc[256];
    snprintf(desc, sizeof desc, "galore-pw xc=%s ecut=%.6gHa kpts=%dx%dx%d smearing=%s:%.6gHa%s",
             pw_xc_name(s->xc), s->ecut_ha, s->kgrid[0], s->kgrid[1], s->kgrid[2],
             pw_smearing_name(s->smearing), s->smear_width_ha, s->nspin == 2 ? " spin" : "");
    AL_TRY(err, al_info_set_str(m, "dft_settings", desc, err));
    return AL_OK;
}

int orc_cmd_dft(int argc, char **argv)
{
    if (orc_cli_wants_help(argc, argv)) {
        fputs(orc_usage_dft, stdout);
        return 0;
    }
    static dft_cli c;
    int rc = parse_args(argc, argv, &c);
    if (rc) return rc;
    if (!c.quiet) {
        c.s.progress = scf_line;
        c.s.progress_user = &c;
    }
    al_err err;
    al_err_clear(&err);
    pw_dft *calc = NULL;
    if (pw_dft_create(&c.s, &calc, &err)) return orc_cli_usage_error("dft", "%s", err.msg);
    al_xyz_reader *rd = NULL;
    FILE *out = NULL;
    al_frame f;
    al_frame_init(&f);
    int failed = 0;
    if (al_xyz_open(c.in, &rd, &err)) {
        fprintf(stderr, "galore dft: %s\n", err.msg);
        rc = 2;
        goto done;
    }
    if (!(out = fopen(c.out, "w"))) {
        fprintf(stderr, "galore dft: cannot write '%s'\n", c.out);
        rc = 1;
        goto done;
    }
    for (;;) {
        int end = 0;
        if (al_xyz_read_next(rd, &f, &end, &err)) {
            fprintf(stderr, "galore dft: %s\n", err.msg);
            rc = 2;
            break;
        }
        if (end) break;
        c.frame++;
        pw_result r;
        al_status st = pw_dft_run(calc, &f, &r, &err);
        if (st != AL_OK && st != AL_ENOCONV) {
            fprintf(stderr, "galore dft: %s: frame %zu: %s\n", c.in, c.frame, err.msg);
            rc = st == AL_EINVAL || st == AL_ENOTFOUND || st == AL_EFORMAT || st == AL_EIO ? 2 : 1;
            break;
        }
        if (!r.converged) failed++;
        char mag[80] = "";
        if (r.nspin == 2)
            snprintf(mag, sizeof mag, "  M %+.4f μB |M| %.4f μB", shown_moment(r.magnetization),
                     r.abs_magnetization);
        fprintf(stderr, "dft: frame %zu: %zu atoms  E %.8f eV (%.8f eV/atom)%s  %s in %d steps"
                        "  %.1f s  [grid %dx%dx%d, %zu k-points, %zu bands]\n",
                c.frame, f.n_atoms, r.energy_ev, r.energy_ev / (double)f.n_atoms, mag,
                r.converged ? "converged" : "NOT CONVERGED", r.iterations, r.t_total,
                r.fft_grid[0], r.fft_grid[1], r.fft_grid[2], r.n_kpoints, r.n_bands);
        st = label(&f, &r, &c.s, &err);
        pw_result_fini(&r);
        if (st || al_xyz_write(out, &f, &err)) {
            fprintf(stderr, "galore dft: %s: %s\n", c.out, err.msg);
            rc = 1;
            break;
        }
    }
    if (!rc && failed) {
        fprintf(stderr, "galore dft: %d frame%s did not converge (written with dft_converged=F)\n",
                failed, failed == 1 ? "" : "s");
        rc = 1;
    }
done:
    if (out && fclose(out) && !rc) rc = 1;
    al_xyz_close(rd);
    al_frame_fini(&f);
    pw_dft_destroy(calc);
    return rc;
}
