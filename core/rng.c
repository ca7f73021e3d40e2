/*
 * xoshiro256** with SplitMix64 seeding and jump-ahead streams (see rng.h). Algorithms and jump
 * polynomial from Blackman and Vigna, "Scrambled linear pseudorandom number generators",
 * ACM TOMS 47, 36 (2021).
 */
#include "core/rng.h"

#include <math.h>

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t al_rng_u64(al_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Advances the state by 2^128 steps. */
static void jump(al_rng *rng)
{
    static const uint64_t poly[4] = {0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL,
                                     0xa9582618e03fc9aaULL, 0x39abdc4529b1661cULL};
    uint64_t t[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 64; b++) {
            if (poly[i] & (1ULL << b))
                for (int k = 0; k < 4; k++) t[k] ^= rng->s[k];
            al_rng_u64(rng);
        }
    for (int k = 0; k < 4; k++) rng->s[k] = t[k];
}

void al_rng_seed(al_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed;
    for (int k = 0; k < 4; k++) rng->s[k] = splitmix64(&x);
    for (uint64_t i = 0; i < stream; i++) jump(rng);
    rng->has_spare = 0;
    rng->spare = 0.0;
}

double al_rng_uniform(al_rng *rng) { return (double)(al_rng_u64(rng) >> 11) * 0x1.0p-53; }

uint64_t al_rng_below(al_rng *rng, uint64_t n)
{
    /* Rejection of the incomplete top range (Lemire's threshold) keeps every value equally likely. */
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t r = al_rng_u64(rng);
        if (r >= threshold) return r % n;
    }
}

double al_rng_normal(al_rng *rng)
{
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    /* Box–Muller; 1 - u keeps the logarithm finite. */
    double u1 = 1.0 - al_rng_uniform(rng);
    double u2 = al_rng_uniform(rng);
    double r = sqrt(-2.0 * log(u1));
    double phi = 2.0 * 3.14159265358979323846 * u2;
    rng->spare = r * sin(phi);
    rng->has_spare = 1;
    return r * cos(phi);
}

void al_rng_shuffle(al_rng *rng, size_t *idx, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)al_rng_below(rng, i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}
