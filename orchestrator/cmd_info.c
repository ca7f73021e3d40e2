#include <stdio.h>
#include "orchestrator/cli.h"
const char orc_usage_info[] = "usage: galore info\n";
int orc_cmd_info(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "not built yet\n"); return 1; }
