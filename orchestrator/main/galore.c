/* The galore program: hands the command line to the command table (orchestrator/cli.h). */
#include "orchestrator/cli.h"

int main(int argc, char **argv) { return orc_cli_main(argc, argv); }
