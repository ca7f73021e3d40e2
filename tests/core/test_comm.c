/* Communicator wrapper: without MPI initialised (library use) one rank with identity
 * collectives; under mpiexec, real collectives. */
#include "core/comm.h"
#include "tests/harness/al_test.h"

static void test_comm_single_rank(al_test *t)
{
    al_err err;
    al_comm *w = al_comm_world();
    AL_CHECK(t, al_comm_rank(w) == 0 && al_comm_size(w) == 1);
    double x[3] = {1.5, -2.0, 3.25};
    AL_CHECK_OK(t, al_comm_sum(w, x, 3, &err), &err);
    AL_CHECK(t, x[0] == 1.5 && x[1] == -2.0 && x[2] == 3.25);
    AL_CHECK_OK(t, al_comm_max(w, x, 3, &err), &err);
    AL_CHECK(t, x[2] == 3.25);
    AL_CHECK(t, al_comm_agree(w, AL_EIO) == AL_EIO);
    al_comm *sub = NULL;
    AL_CHECK_OK(t, al_comm_split(w, 0, 0, &sub, &err), &err);
    AL_CHECK(t, sub && al_comm_size(sub) == 1 && al_comm_rank(sub) == 0);
    al_comm_destroy(sub);
}

/* Under mpiexec -n 2 (label mpi): collectives across real ranks; on one rank, identities. */
static void test_comm_collectives(al_test *t)
{
    al_err err;
    int argc = 0;
    char **argv = NULL;
    AL_CHECK_OK(t, al_comm_init(&argc, &argv, &err), &err);
    al_comm *w = al_comm_world();
    int rank = al_comm_rank(w), size = al_comm_size(w);
    double x[2] = {rank + 1.0, -(double)rank};
    AL_CHECK_OK(t, al_comm_sum(w, x, 2, &err), &err);
    AL_CHECK_CLOSE(t, x[0], size * (size + 1) / 2.0, 0);
    double m = rank;
    AL_CHECK_OK(t, al_comm_max(w, &m, 1, &err), &err);
    AL_CHECK_CLOSE(t, m, size - 1, 0);
    char word[8] = "";
    if (rank == 0) snprintf(word, sizeof word, "galore");
    AL_CHECK_OK(t, al_comm_bcast(w, word, sizeof word, 0, &err), &err);
    AL_CHECK_STR(t, word, "galore");
    /* One failing rank makes every rank see the failure. */
    AL_CHECK(t, al_comm_agree(w, rank == size - 1 ? AL_EIO : AL_OK) == AL_EIO);
    al_comm *sub = NULL;
    AL_CHECK_OK(t, al_comm_split(w, rank, 0, &sub, &err), &err);
    AL_CHECK(t, al_comm_size(sub) == 1 && al_comm_rank(sub) == 0);
    al_comm_destroy(sub);
}

static const al_test_case cases[] = {
    {"comm_single_rank", test_comm_single_rank, AL_TEST_FAST},
    {"comm_collectives", test_comm_collectives, AL_TEST_MPI},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
