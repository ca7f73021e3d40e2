/*
 * Seeded, reproducible random numbers with independent streams.
 *
 * Generator: xoshiro256** (Blackman and Vigna, ACM TOMS 47, 36 (2021)), seeded through
 * SplitMix64. Stream k of a seed starts k "jumps" (2^128 steps each) after stream 0, so streams
 * never overlap: one stream per MPI rank, MD replica or task. The state is a plain struct;
 * copying it saves and restores the generator exactly (campaign checkpoints rely on this).
 */
#ifndef AL_RNG_H
#define AL_RNG_H

#include <stdint.h>
#include <stddef.h>

typedef struct al_rng {
    uint64_t s[4];
    int has_spare;     /* a second normal deviate from the last Box–Muller pair is pending */
    double spare;
} al_rng;

/* Seeds stream `stream` of `seed`. Any seed is valid, including 0. */
void al_rng_seed(al_rng *rng, uint64_t seed, uint64_t stream);
/* Next 64 random bits. */
uint64_t al_rng_u64(al_rng *rng);
/* Uniform double in [0, 1) with 53 random bits. */
double al_rng_uniform(al_rng *rng);
/* Uniform integer in [0, n) without modulo bias; n > 0. */
uint64_t al_rng_below(al_rng *rng, uint64_t n);
/* Standard normal deviate (mean 0, variance 1). */
double al_rng_normal(al_rng *rng);
/* Fisher–Yates shuffle of idx[0..n). */
void al_rng_shuffle(al_rng *rng, size_t *idx, size_t n);

#endif
