/* Default BLAS threading (see blas_threads.h). */
#include "core/blas_threads.h"

#include <stdlib.h>

/* OpenBLAS's own control (the BLAS galore links, see cmake/dependencies.cmake). */
void openblas_set_num_threads(int num_threads);

void al_blas_default_threads(void)
{
    if (!getenv("OPENBLAS_NUM_THREADS") && !getenv("OMP_NUM_THREADS")) openblas_set_num_threads(1);
}
