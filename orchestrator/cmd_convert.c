#include <stdio.h>
#include "orchestrator/cli.h"
const char orc_usage_convert[] = "usage: galore convert\n";
int orc_cmd_convert(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "not built yet\n"); return 1; }
