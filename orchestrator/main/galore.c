/* The galore program: hands the command line to the command table (orchestrator/cli.h). */
#include "core/blas_threads.h"
#include "orchestrator/cli.h"

int main(int argc, char **argv)
{
    al_blas_default_threads();
    return orc_cli_main(argc, argv);
}
