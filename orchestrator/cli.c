/* Command table and dispatch for the galore program (see cli.h). */
#include "orchestrator/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/version.h"

static const orc_command commands[] = {
    {"convert", "convert between extxyz files and HDF5 datasets", orc_usage_convert, orc_cmd_convert},
    {"info", "describe a dataset, model or structure file", orc_usage_info, orc_cmd_info},
    {"check", "validate a campaign file and print it with defaults", orc_usage_check, orc_cmd_check},
    {"analyze", "g(r), S(k), coordination, angles, Q^n, diffusion of a trajectory", orc_usage_analyze,
     orc_cmd_analyze},
    {"run", "run an active-learning campaign", orc_usage_run, orc_cmd_run},
    {"resume", "continue a stopped campaign", orc_usage_resume, orc_cmd_resume},
    {"status", "where a campaign stands and its test errors", orc_usage_status, orc_cmd_status},
    {"report", "HTML and Markdown report of a campaign, with figures", orc_usage_report, orc_cmd_report},
    {"tune", "tune GAP hyperparameters by Bayesian optimisation", orc_usage_tune, orc_cmd_tune},
    {"select", "choose candidate frames to label (uncertainty window, CUR, FPS)", orc_usage_select,
     orc_cmd_select},
    {"md", "molecular dynamics with a schedule and an uncertainty watch", orc_usage_md, orc_cmd_md},
    {"fit", "fit a GAP model to labeled frames", orc_usage_fit, orc_cmd_fit},
    {"predict", "predict energy, forces, virial and uncertainty with a GAP model", orc_usage_predict,
     orc_cmd_predict},
    {"eval", "errors of a GAP model on labeled frames (MAE, RMSE, parity CSV)", orc_usage_eval, orc_cmd_eval},
    {"dft", "label frames with the built-in plane-wave DFT (energy, forces, virial)", orc_usage_dft, orc_cmd_dft},
};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

static void print_main_help(FILE *out)
{
    fprintf(out,
            "galore %s: active learning of Gaussian Approximation Potentials\n\n"
            "usage: galore <command> [options]\n"
            "       galore <command> --help\n"
            "       galore --version\n\n"
            "commands:\n",
            GALORE_VERSION);
    for (int i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\nglobal options (before the command):\n"
            "  --log-level LEVEL   debug, info (default), warn, error or quiet\n"
            "\nUnits everywhere: eV, Å, fs, K, GPa; virial in eV.\n");
}

int orc_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) return 1;
    return 0;
}

int orc_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "galore %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'galore %s --help')\n", cmd);
    return 2;
}

int orc_cli_main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            printf("galore %s (MPI %s)\n", GALORE_VERSION, GALORE_HAVE_MPI ? "on" : "off");
            return 0;
        }
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            print_main_help(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) {
            int level = al_log_level_parse(argv[++i]);
            if (level < 0) {
                fprintf(stderr, "galore: unknown log level '%s' (debug, info, warn, error, quiet)\n",
                        argv[i]);
                return 2;
            }
            al_log_set_level((al_log_level)level);
            continue;
        }
        fprintf(stderr, "galore: unknown option '%s'\n\n", argv[i]);
        print_main_help(stderr);
        return 2;
    }
    if (i >= argc) {
        print_main_help(stderr);
        return 2;
    }
    for (int c = 0; c < N_COMMANDS; c++) {
        if (strcmp(argv[i], commands[c].name) != 0) continue;
        if (orc_cli_wants_help(argc - i, argv + i)) {
            fputs(commands[c].usage, stdout);
            return 0;
        }
        return commands[c].run(argc - i, argv + i);
    }
    fprintf(stderr, "galore: unknown command '%s'\n\n", argv[i]);
    print_main_help(stderr);
    return 2;
}
