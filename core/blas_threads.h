/*
 * BLAS threads are off by default (DESIGN.md): galore's matrices are mostly small (bands ×
 * bands, sparse points), and OpenBLAS's thread pool spins on shared machines, costing factors
 * of several, and makes reductions depend on the thread count. OPENBLAS_NUM_THREADS or
 * OMP_NUM_THREADS in the environment still decide when set.
 */
#ifndef AL_BLAS_THREADS_H
#define AL_BLAS_THREADS_H

/* One OpenBLAS thread unless the environment asks for more; call once at program start. */
void al_blas_default_threads(void);

#endif
