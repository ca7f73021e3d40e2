/* Test runner for the case tables of al_test.h. */
#include "tests/harness/al_test.h"

#include <sys/wait.h>

#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "core/blas_threads.h"
#include "core/log.h"

#ifndef GALORE_TEST_DATA_DIR
#error "GALORE_TEST_DATA_DIR must be defined by the build"
#endif
#ifndef GALORE_TEST_TMP_DIR
#error "GALORE_TEST_TMP_DIR must be defined by the build"
#endif

static const char *const kind_labels[] = {"fast", "slow", "mpi", "mpi"};

void al_test_fail(al_test *t, const char *file, int line, const char *fmt, ...)
{
    const char *base = strrchr(file, '/');
    va_list ap;
    t->failures++;
    fprintf(stderr, "  FAIL %s (%s:%d): ", t->name, base ? base + 1 : file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

const char *al_test_data_dir(void) { return GALORE_TEST_DATA_DIR "/"; }

const char *al_test_path(const char *dir, const char *name)
{
    static char buf[8][1024];
    static int next = 0;
    char *b = buf[next++ % 8];
    snprintf(b, sizeof buf[0], "%s%s", dir, name);
    return b;
}

const char *al_test_tmp_dir(al_test *t)
{
    static char dir[1024];
    mkdir(GALORE_TEST_TMP_DIR, 0755);
    snprintf(dir, sizeof dir, "%s/%s", GALORE_TEST_TMP_DIR, t->name);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) fprintf(stderr, "cannot create %s\n", dir);
    strncat(dir, "/", sizeof dir - strlen(dir) - 1);
    return dir;
}

/* Writes ctest registration lines for every case (used by the build, see tests/CMakeLists.txt). */
static int write_ctest_file(const char *path, const char *exe, const al_test_case *cases)
{
    FILE *fp = fopen(path, "w");
    if (!fp) return 1;
    /* Test names are "<program>.<case>" (program without its "test_" part) to stay unique. */
    const char *base = strrchr(exe, '/');
    base = base ? base + 1 : exe;
    char prog[256];
    snprintf(prog, sizeof prog, "%s", base);
    char *cut = strstr(prog, "_test_");
    if (cut) memmove(cut + 1, cut + 6, strlen(cut + 6) + 1);
    for (const al_test_case *c = cases; c->name; c++) {
        if (c->kind == AL_TEST_MPI || c->kind == AL_TEST_MPI3) {
#ifdef GALORE_MPIEXEC
            /* Two or three ranks, as root in CI containers (Open MPI refuses root without these). */
            fprintf(fp, "add_test(%s.%s \"%s\" -n %d --oversubscribe \"%s\" %s)\n", prog, c->name,
                    GALORE_MPIEXEC, c->kind == AL_TEST_MPI3 ? 3 : 2, exe, c->name);
            /* Open MPI keeps internal allocations to exit, so leak checks are off there. */
            fprintf(fp, "set_tests_properties(%s.%s PROPERTIES LABELS mpi TIMEOUT 900 ENVIRONMENT "
                        "\"OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;"
                        "OMPI_MCA_rmaps_base_oversubscribe=1;ASAN_OPTIONS=detect_leaks=0\")\n",
                    prog, c->name);
#else
            /* Without MPI the case runs on one rank and must still pass. */
            fprintf(fp, "add_test(%s.%s \"%s\" %s)\n", prog, c->name, exe, c->name);
            fprintf(fp, "set_tests_properties(%s.%s PROPERTIES LABELS mpi TIMEOUT 900)\n", prog,
                    c->name);
#endif
            continue;
        }
        fprintf(fp, "add_test(%s.%s \"%s\" %s)\n", prog, c->name, exe, c->name);
        fprintf(fp, "set_tests_properties(%s.%s PROPERTIES LABELS %s TIMEOUT %d)\n", prog, c->name,
                kind_labels[c->kind], c->kind == AL_TEST_FAST ? 120 : 900);
    }
    return fclose(fp) != 0;
}

static int run_case(const al_test_case *c)
{
    al_test t = {c->name, 0, 0};
    double t0 = al_wtime();
    c->fn(&t);
    double dt = al_wtime() - t0;
    if (t.checks == 0) {
        fprintf(stderr, "  FAIL %s: made no checks\n", c->name);
        t.failures++;
    }
    printf("%-4s %s (%d checks, %.2f s)\n", t.failures ? "FAIL" : "ok", c->name, t.checks, dt);
    fflush(stdout);
    return t.failures == 0;
}

int al_test_main(int argc, char **argv, const al_test_case *cases)
{
    al_blas_default_threads();   /* as the galore program does: deterministic, no spinning */
    if (argc == 4 && strcmp(argv[1], "--ctest") == 0) return write_ctest_file(argv[2], argv[3], cases);
    if (!getenv("GALORE_TEST_VERBOSE")) al_log_set_level(AL_LOG_WARN);
    int passed = 0, failed = 0;
    for (const al_test_case *c = cases; c->name; c++) {
        int selected = argc < 2;
        for (int a = 1; a < argc; a++) selected |= strcmp(argv[a], c->name) == 0;
        if (!selected) continue;
        if (run_case(c)) passed++;
        else failed++;
    }
    if (passed + failed == 0) {
        fprintf(stderr, "no test case matches the arguments\n");
        return 2;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

int al_test_run(const char *cmd, char *out, size_t cap)
{
    size_t len = strlen(cmd) + 8;
    char *full = malloc(len);
    if (!full) return -1;
    snprintf(full, len, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    free(full);
    if (!p) return -1;
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    char sink[4096];
    while (fread(sink, 1, sizeof sink, p) > 0) {   /* let the command finish writing */
    }
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
