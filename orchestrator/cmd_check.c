#include <stdio.h>
#include "orchestrator/cli.h"
const char orc_usage_check[] = "usage: galore check\n";
int orc_cmd_check(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "not built yet\n"); return 1; }
