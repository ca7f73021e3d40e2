/*
 * The `galore` command line: `galore <command> [options]`. Commands live in one table
 * (orchestrator/cli.c); each has a one-line summary, a usage text shown by
 * `galore <command> --help`, and a run function returning the process exit code.
 * Exit codes: 0 success, 1 failure of the work, 2 bad usage or bad input.
 */
#ifndef ORC_CLI_H
#define ORC_CLI_H

typedef struct orc_command {
    const char *name;
    const char *summary;
    const char *usage;   /* full help text, starting with the usage line */
    int (*run)(int argc, char **argv);  /* argv[0] is the command name */
} orc_command;

int orc_cli_main(int argc, char **argv);

/* True when argv holds -h or --help (commands call this first). */
int orc_cli_wants_help(int argc, char **argv);
/* Prints "galore <cmd>: <message>" to stderr and returns 2 (bad usage). */
int orc_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Commands (one file each: orchestrator/cmd_<name>.c). */
int orc_cmd_convert(int argc, char **argv);
int orc_cmd_info(int argc, char **argv);
int orc_cmd_check(int argc, char **argv);
int orc_cmd_analyze(int argc, char **argv);
int orc_cmd_md(int argc, char **argv);
extern const char orc_usage_convert[];
extern const char orc_usage_info[];
extern const char orc_usage_check[];
extern const char orc_usage_analyze[];
extern const char orc_usage_md[];
int orc_cmd_tune(int argc, char **argv);
extern const char orc_usage_tune[];
int orc_cmd_select(int argc, char **argv);
extern const char orc_usage_select[];
int orc_cmd_run(int argc, char **argv);
int orc_cmd_resume(int argc, char **argv);
int orc_cmd_status(int argc, char **argv);
int orc_cmd_report(int argc, char **argv);
extern const char orc_usage_report[];
extern const char orc_usage_run[];
extern const char orc_usage_resume[];
extern const char orc_usage_status[];
int orc_cmd_fit(int argc, char **argv);
int orc_cmd_predict(int argc, char **argv);
int orc_cmd_eval(int argc, char **argv);
extern const char orc_usage_fit[];
extern const char orc_usage_predict[];
extern const char orc_usage_eval[];
int orc_cmd_dft(int argc, char **argv);
extern const char orc_usage_dft[];

#endif
