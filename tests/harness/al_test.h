/*
 * A small test harness: each test program holds a static table of cases; each case is
 * registered with ctest as its own test (the program writes the registration lines itself,
 * see tests/CMakeLists.txt), with labels fast/slow/mpi.
 *
 *   static void test_rng_streams(al_test *t) { AL_CHECK(t, a != b); }
 *   static const al_test_case cases[] = {{"rng_streams", test_rng_streams, AL_TEST_FAST}, {0}};
 *   AL_TEST_MAIN(cases)
 *
 * Run a program with no arguments for all cases, or with case names. Every program ends with
 * the line "N passed, N failed".
 */
#ifndef AL_TEST_H
#define AL_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"

typedef struct al_test {
    const char *name;
    int failures;
    int checks;
} al_test;

/* MPI cases run under mpiexec with 2 (AL_TEST_MPI) or 3 ranks (AL_TEST_MPI3), or on one rank in
 * a build without MPI. */
typedef enum { AL_TEST_FAST = 0, AL_TEST_SLOW = 1, AL_TEST_MPI = 2, AL_TEST_MPI3 = 3 } al_test_kind;

typedef struct al_test_case {
    const char *name;
    void (*fn)(al_test *t);
    al_test_kind kind;
} al_test_case;

int al_test_main(int argc, char **argv, const al_test_case *cases);
void al_test_fail(al_test *t, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Directory of committed test data (tests/data), with a trailing slash. */
const char *al_test_data_dir(void);
/* Writable scratch directory for this test case (created on demand), with a trailing slash. */
const char *al_test_tmp_dir(al_test *t);
/* Runs a shell command; returns its exit code (−1 when it did not exit normally) and its
 * combined stdout and stderr in out (cap bytes, NUL-terminated, cut when longer). */
int al_test_run(const char *cmd, char *out, size_t cap);
/* Builds path = dir + name into a static rotating buffer. */
const char *al_test_path(const char *dir, const char *name);

#define AL_TEST_MAIN(cases) \
    int main(int argc, char **argv) { return al_test_main(argc, argv, cases); }

#define AL_CHECK(t, cond)                                                      \
    do {                                                                       \
        (t)->checks++;                                                         \
        if (!(cond)) al_test_fail((t), __FILE__, __LINE__, "check failed: %s", #cond); \
    } while (0)

#define AL_CHECK_MSG(t, cond, ...)                                             \
    do {                                                                       \
        (t)->checks++;                                                         \
        if (!(cond)) al_test_fail((t), __FILE__, __LINE__, __VA_ARGS__);       \
    } while (0)

/* |a − b| <= tol (absolute). NaN fails. */
#define AL_CHECK_CLOSE(t, a, b, tol)                                                       \
    do {                                                                                   \
        double al_a_ = (double)(a), al_b_ = (double)(b), al_tol_ = (double)(tol);          \
        (t)->checks++;                                                                     \
        if (!(fabs(al_a_ - al_b_) <= al_tol_))                                             \
            al_test_fail((t), __FILE__, __LINE__, "%s = %.12g, expected %s = %.12g (|diff| %.3g > %.3g)", \
                         #a, al_a_, #b, al_b_, fabs(al_a_ - al_b_), al_tol_);              \
    } while (0)

/* |a − b| <= rtol·|b| + atol. */
#define AL_CHECK_REL(t, a, b, rtol, atol)                                                  \
    do {                                                                                   \
        double al_a_ = (double)(a), al_b_ = (double)(b);                                   \
        double al_tol_ = (double)(rtol) * fabs(al_b_) + (double)(atol);                    \
        (t)->checks++;                                                                     \
        if (!(fabs(al_a_ - al_b_) <= al_tol_))                                             \
            al_test_fail((t), __FILE__, __LINE__, "%s = %.12g, expected %s = %.12g (|diff| %.3g > %.3g)", \
                         #a, al_a_, #b, al_b_, fabs(al_a_ - al_b_), al_tol_);              \
    } while (0)

/* A call that must succeed; on failure prints the error message (err must not be NULL). */
#define AL_CHECK_OK(t, expr, err)                                                          \
    do {                                                                                   \
        al_status al_st_ = (expr);                                                         \
        (t)->checks++;                                                                     \
        if (al_st_ != AL_OK)                                                               \
            al_test_fail((t), __FILE__, __LINE__, "%s failed: %s: %s", #expr,              \
                         al_status_str(al_st_), (err)->msg);                  \
    } while (0)

/* A string must equal the expected text exactly. */
#define AL_CHECK_STR(t, got, want)                                                         \
    do {                                                                                   \
        const char *al_g_ = (got), *al_w_ = (want);                                        \
        (t)->checks++;                                                                     \
        if (!al_g_ || strcmp(al_g_, al_w_) != 0)                                           \
            al_test_fail((t), __FILE__, __LINE__, "%s:\n  got:  \"%s\"\n  want: \"%s\"", #got, \
                         al_g_ ? al_g_ : "(null)", al_w_);                                 \
    } while (0)

/* A string must contain the expected text. */
#define AL_CHECK_CONTAINS(t, got, want)                                                    \
    do {                                                                                   \
        const char *al_g_ = (got), *al_w_ = (want);                                        \
        (t)->checks++;                                                                     \
        if (!al_g_ || !strstr(al_g_, al_w_))                                               \
            al_test_fail((t), __FILE__, __LINE__, "%s:\n  got:  \"%s\"\n  does not contain: \"%s\"", \
                         #got, al_g_ ? al_g_ : "(null)", al_w_);                           \
    } while (0)

#endif
