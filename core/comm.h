/*
 * A thin communicator wrapper so that engines can be written once for serial and MPI builds.
 * Code takes an explicit al_comm, never MPI_COMM_WORLD. In a build without MPI every
 * communicator has one rank and the collectives are copies.
 *
 * Collectives must be called by every rank of the communicator. al_comm_agree lets ranks agree
 * on the worst status before a collective, so an error on one rank never leaves the others
 * waiting in a collective (DESIGN.md).
 */
#ifndef AL_COMM_H
#define AL_COMM_H

#include <stddef.h>

#include "core/status.h"

typedef struct al_comm al_comm;

/* Initialises MPI if it is built in and not yet initialised (safe to call without mpirun, and
 * more than once); MPI is then finalised at exit. */
al_status al_comm_init(int *argc, char ***argv, al_err *err);
/* Finalises MPI now if al_comm_init initialised it (idempotent; also runs at exit). */
void al_comm_finalize(void);
/* The world communicator (a one-rank communicator in serial builds). Not to be destroyed. */
al_comm *al_comm_world(void);
/* A one-rank communicator of the calling process alone. Not to be destroyed. */
al_comm *al_comm_self(void);
/* Splits comm by colour (ranks with the same colour share a new communicator, ordered by key). */
al_status al_comm_split(const al_comm *comm, int colour, int key, al_comm **out, al_err *err);
/* Frees a communicator from al_comm_split (NULL, world and self are ignored). */
void al_comm_destroy(al_comm *comm);

int al_comm_rank(const al_comm *comm);
int al_comm_size(const al_comm *comm);

/* In-place sum of n doubles over all ranks. */
al_status al_comm_sum(const al_comm *comm, double *x, size_t n, al_err *err);
/* In-place maximum of n doubles over all ranks. */
al_status al_comm_max(const al_comm *comm, double *x, size_t n, al_err *err);
/* Broadcast of nbytes from root. */
al_status al_comm_bcast(const al_comm *comm, void *buf, size_t nbytes, int root, al_err *err);
/* Returns the worst (largest) status over all ranks; every rank gets the same value. */
al_status al_comm_agree(const al_comm *comm, al_status st);
void al_comm_barrier(const al_comm *comm);

/* Point-to-point messages of bytes with a tag (task farms). al_comm_send blocks until buf can
 * be reused. al_comm_recv waits for the next message from src (any source when src < 0) with
 * tag (any tag when tag < 0) and returns it in a new buffer (*buf, al_free it), with its size,
 * source and tag (from and tag_out may be NULL); it waits with short sleeps, not a busy poll,
 * so a waiting rank leaves its core to others. AL_EMPI in a build without MPI. */
al_status al_comm_send(const al_comm *comm, int dest, int tag, const void *buf, size_t nbytes, al_err *err);
al_status al_comm_recv(const al_comm *comm, int src, int tag, void **buf, size_t *nbytes, int *from,
                       int *tag_out, al_err *err);

#endif
