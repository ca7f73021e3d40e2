/* Communicator wrapper: MPI when built with it, a one-rank stand-in otherwise (see comm.h). */
#include "core/comm.h"

#include <limits.h>
#include <stdlib.h>
#include <time.h>

#include "core/alloc.h"
#include "core/version.h"

#if GALORE_HAVE_MPI
#include <mpi.h>
struct al_comm {
    MPI_Comm mpi;
};
static struct al_comm world_comm = {MPI_COMM_NULL};
static struct al_comm self_comm = {MPI_COMM_NULL};
static int we_initialised = 0;

al_status al_comm_init(int *argc, char ***argv, al_err *err)
{
    int initialised = 0, finalised = 0;
    MPI_Initialized(&initialised);
    MPI_Finalized(&finalised);
    if (finalised) return al_fail(err, AL_EMPI, "MPI was already finalised in this process");
    if (!initialised) {
        if (MPI_Init(argc, argv) != MPI_SUCCESS) return al_fail(err, AL_EMPI, "MPI_Init failed");
        we_initialised = 1;
        /* Finalise at exit even when a caller forgets, so mpirun sees a clean end. */
        atexit(al_comm_finalize);
    }
    world_comm.mpi = MPI_COMM_WORLD;
    self_comm.mpi = MPI_COMM_SELF;
    return AL_OK;
}

void al_comm_finalize(void)
{
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (we_initialised && !finalised) MPI_Finalize();
    we_initialised = 0;
}

/* Without al_comm_init (library use, tests), fall back to one-rank behaviour. */
static int active(const al_comm *c) { return c && c->mpi != MPI_COMM_NULL; }

al_comm *al_comm_world(void) { return &world_comm; }
al_comm *al_comm_self(void) { return &self_comm; }

al_status al_comm_split(const al_comm *comm, int colour, int key, al_comm **out, al_err *err)
{
    *out = NULL;
    al_comm *c = al_calloc(1, sizeof *c);
    if (!c) return al_fail(err, AL_ENOMEM, "out of memory creating a communicator");
    if (!active(comm)) {
        c->mpi = MPI_COMM_NULL;
    } else if (MPI_Comm_split(comm->mpi, colour, key, &c->mpi) != MPI_SUCCESS) {
        al_free(c);
        return al_fail(err, AL_EMPI, "MPI_Comm_split failed (colour %d)", colour);
    }
    *out = c;
    return AL_OK;
}

void al_comm_destroy(al_comm *comm)
{
    if (!comm || comm == &world_comm || comm == &self_comm) return;
    if (active(comm)) MPI_Comm_free(&comm->mpi);
    al_free(comm);
}

int al_comm_rank(const al_comm *comm)
{
    int r = 0;
    if (active(comm)) MPI_Comm_rank(comm->mpi, &r);
    return r;
}

int al_comm_size(const al_comm *comm)
{
    int s = 1;
    if (active(comm)) MPI_Comm_size(comm->mpi, &s);
    return s;
}

static al_status reduce(const al_comm *comm, double *x, size_t n, MPI_Op op, al_err *err)
{
    if (!active(comm) || n == 0) return AL_OK;
    while (n > 0) {
        int chunk = n > INT_MAX ? INT_MAX : (int)n;
        if (MPI_Allreduce(MPI_IN_PLACE, x, chunk, MPI_DOUBLE, op, comm->mpi) != MPI_SUCCESS)
            return al_fail(err, AL_EMPI, "MPI_Allreduce of %d values failed", chunk);
        x += chunk;
        n -= (size_t)chunk;
    }
    return AL_OK;
}

al_status al_comm_sum(const al_comm *comm, double *x, size_t n, al_err *err)
{
    return reduce(comm, x, n, MPI_SUM, err);
}

al_status al_comm_max(const al_comm *comm, double *x, size_t n, al_err *err)
{
    return reduce(comm, x, n, MPI_MAX, err);
}

al_status al_comm_bcast(const al_comm *comm, void *buf, size_t nbytes, int root, al_err *err)
{
    if (!active(comm)) return AL_OK;
    char *p = buf;
    while (nbytes > 0) {
        int chunk = nbytes > INT_MAX ? INT_MAX : (int)nbytes;
        if (MPI_Bcast(p, chunk, MPI_BYTE, root, comm->mpi) != MPI_SUCCESS)
            return al_fail(err, AL_EMPI, "MPI_Bcast of %d bytes failed", chunk);
        p += chunk;
        nbytes -= (size_t)chunk;
    }
    return AL_OK;
}

al_status al_comm_agree(const al_comm *comm, al_status st)
{
    if (!active(comm)) return st;
    int mine = (int)st, worst = mine;
    if (MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, comm->mpi) != MPI_SUCCESS) return AL_EMPI;
    return (al_status)worst;
}

void al_comm_barrier(const al_comm *comm)
{
    if (active(comm)) MPI_Barrier(comm->mpi);
}

al_status al_comm_send(const al_comm *comm, int dest, int tag, const void *buf, size_t nbytes, al_err *err)
{
    if (!active(comm)) return al_fail(err, AL_EMPI, "send to rank %d: MPI is not initialised", dest);
    if (nbytes > (size_t)INT_MAX) return al_fail(err, AL_EMPI, "send to rank %d: %zu bytes is too large", dest, nbytes);
    if (MPI_Send(buf, (int)nbytes, MPI_BYTE, dest, tag, comm->mpi) != MPI_SUCCESS)
        return al_fail(err, AL_EMPI, "MPI_Send of %zu bytes to rank %d failed", nbytes, dest);
    return AL_OK;
}

/* Waits for a matching message without spinning: MPI_Probe busy-polls in Open MPI, which
 * would take a core from the work of the rank that waits (a campaign's rank 0 waits for hours
 * while its workers compute, often on the same node). Polling with sleeps that grow to 2 ms
 * costs nothing next to the seconds a task takes. */
static al_status wait_for_message(const al_comm *comm, int src, int tag, MPI_Status *status, al_err *err)
{
    long pause_ns = 20000;
    for (;;) {
        int found = 0;
        if (MPI_Iprobe(src < 0 ? MPI_ANY_SOURCE : src, tag < 0 ? MPI_ANY_TAG : tag, comm->mpi, &found,
                       status) != MPI_SUCCESS)
            return al_fail(err, AL_EMPI, "MPI_Iprobe failed");
        if (found) return AL_OK;
        struct timespec pause = {0, pause_ns};
        nanosleep(&pause, NULL);
        if (pause_ns < 2000000) pause_ns *= 2;
    }
}

al_status al_comm_recv(const al_comm *comm, int src, int tag, void **buf, size_t *nbytes, int *from,
                       int *tag_out, al_err *err)
{
    *buf = NULL;
    if (!active(comm)) return al_fail(err, AL_EMPI, "receive: MPI is not initialised");
    MPI_Status status;
    int count = 0;
    AL_TRY(err, wait_for_message(comm, src, tag, &status, err));
    MPI_Get_count(&status, MPI_BYTE, &count);
    *buf = al_malloc(count > 0 ? (size_t)count : 1);
    if (!*buf) return al_fail(err, AL_ENOMEM, "receive: out of memory for %d bytes", count);
    if (MPI_Recv(*buf, count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, comm->mpi, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
        al_free(*buf);
        *buf = NULL;
        return al_fail(err, AL_EMPI, "MPI_Recv of %d bytes from rank %d failed", count, status.MPI_SOURCE);
    }
    *nbytes = (size_t)count;
    if (from) *from = status.MPI_SOURCE;
    if (tag_out) *tag_out = status.MPI_TAG;
    return AL_OK;
}

#else /* serial build */

struct al_comm {
    int dummy;
};
static struct al_comm world_comm, self_comm;

al_status al_comm_init(int *argc, char ***argv, al_err *err) { return AL_OK; }
void al_comm_finalize(void) {}
al_comm *al_comm_world(void) { return &world_comm; }
al_comm *al_comm_self(void) { return &self_comm; }

al_status al_comm_split(const al_comm *comm, int colour, int key, al_comm **out, al_err *err)
{
    *out = al_calloc(1, sizeof **out);
    return *out ? AL_OK : al_fail(err, AL_ENOMEM, "out of memory creating a communicator");
}

void al_comm_destroy(al_comm *comm)
{
    if (comm && comm != &world_comm && comm != &self_comm) al_free(comm);
}

int al_comm_rank(const al_comm *comm) { return 0; }
int al_comm_size(const al_comm *comm) { return 1; }
al_status al_comm_sum(const al_comm *comm, double *x, size_t n, al_err *err) { return AL_OK; }
al_status al_comm_max(const al_comm *comm, double *x, size_t n, al_err *err) { return AL_OK; }
al_status al_comm_bcast(const al_comm *comm, void *buf, size_t n, int root, al_err *err)
{
    return AL_OK;
}
al_status al_comm_agree(const al_comm *comm, al_status st) { return st; }
void al_comm_barrier(const al_comm *comm) {}
al_status al_comm_send(const al_comm *comm, int dest, int tag, const void *buf, size_t nbytes, al_err *err)
{
    return al_fail(err, AL_EMPI, "send to rank %d: this galore is built without MPI", dest);
}
al_status al_comm_recv(const al_comm *comm, int src, int tag, void **buf, size_t *nbytes, int *from,
                       int *tag_out, al_err *err)
{
    *buf = NULL;
    return al_fail(err, AL_EMPI, "receive: this galore is built without MPI");
}
#endif
