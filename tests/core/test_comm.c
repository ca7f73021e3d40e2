/* Communicator wrapper in a single process: one rank, collectives are identities. */
#include "core/comm.h"
#include "tests/harness/al_test.h"

static void test_comm_single_rank(al_test *t)
{
    al_err err;
    int argc = 0;
    char **argv = NULL;
    AL_CHECK_OK(t, al_comm_init(&argc, &argv, &err), &err);
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
    al_comm_finalize();
}

static const al_test_case cases[] = {
    {"comm_single_rank", test_comm_single_rank, AL_TEST_FAST},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
