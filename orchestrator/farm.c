/* MPI task farm for labels (see farm.h). */
#include "orchestrator/farm.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "orchestrator/loop_impl.h"

enum { TAG_SETUP = 101, TAG_LABEL = 102, TAG_RESULT = 103, TAG_STOP = 104 };

typedef struct task_head {
    int32_t id, safe, n_atoms, pbc[3];
    double cell[9];
} task_head;   /* followed by n_atoms int32 species and 3·n_atoms double positions */

typedef struct result_head {
    int32_t id, status, n_atoms, pad;
    double energy, virial[9];
    char msg[256];
} result_head; /* followed by 3·n_atoms double forces */

void orc_farm_init(orc_farm *f, const al_comm *comm)
{
    f->comm = comm;
    f->n_workers = al_comm_size(comm) - 1;
    f->set_up = false;
}

al_status orc_farm_setup(orc_farm *f, const char *campaign_yaml, al_err *err)
{
    if (f->set_up) return AL_OK;
    for (int w = 1; w <= f->n_workers; w++)
        AL_TRY(err, al_comm_send(f->comm, w, TAG_SETUP, campaign_yaml, strlen(campaign_yaml) + 1, err));
    f->set_up = true;
    return AL_OK;
}

void orc_farm_stop(orc_farm *f)
{
    al_err ignored;
    for (int w = 1; f && w <= f->n_workers; w++) al_comm_send(f->comm, w, TAG_STOP, "", 1, &ignored);
    if (f) f->n_workers = 0;
}

static al_status send_task(orc_farm *f, int worker, int id, int safe, const al_frame *fr, al_err *err)
{
    size_t n = fr->n_atoms, bytes = sizeof(task_head) + n * (sizeof(int32_t) + 3 * sizeof(double));
    char *buf = al_malloc(bytes);
    if (!buf) return al_fail(err, AL_ENOMEM, "farm: out of memory for a task of %zu atoms", n);
    task_head h = {id, safe, (int32_t)n, {fr->pbc[0], fr->pbc[1], fr->pbc[2]}, {0}};
    memcpy(h.cell, fr->cell, sizeof h.cell);
    memcpy(buf, &h, sizeof h);
    int32_t *z = (int32_t *)(buf + sizeof h);
    for (size_t i = 0; i < n; i++) z[i] = fr->z[i];
    memcpy(z + n, fr->pos, n * 3 * sizeof(double));
    al_status st = al_comm_send(f->comm, worker, TAG_LABEL, buf, bytes, err);
    al_free(buf);
    return st;
}

/* Copies a result's labels into fr (its frame); returns the result's status. */
static al_status take_result(const result_head *h, const double *forces, al_frame *fr, al_err *err)
{
    if (h->status) return (al_status)h->status;
    if ((size_t)h->n_atoms != fr->n_atoms || al_frame_alloc_forces(fr, err))
        return al_fail(err, AL_EMPI, "farm: a result for %d atoms does not fit its frame", h->n_atoms);
    fr->energy = h->energy;
    memcpy(fr->virial, h->virial, sizeof fr->virial);
    memcpy(fr->forces, forces, fr->n_atoms * sizeof *fr->forces);
    fr->labels = AL_LBL_ENERGY | AL_LBL_FORCES | AL_LBL_VIRIAL;
    return AL_OK;
}

al_status orc_farm_label(orc_farm *f, al_frame *frames, size_t n, orc_farm_done done,
                         orc_farm_stop_check stop, void *user, al_err *err)
{
    unsigned char *tries = al_calloc(n ? n : 1, 1);
    if (!tries) return al_fail(err, AL_ENOMEM, "farm: out of memory");
    size_t next = 0, finished = 0;
    int busy = 0;
    bool stopping = false;
    al_status st = AL_OK;
    for (int w = 1; w <= f->n_workers && next < n && !st; w++, busy++)
        st = send_task(f, w, (int)next, 0, &frames[next], err), tries[next++] = 1;
    while (!st && busy > 0) {
        void *msg = NULL;
        size_t bytes = 0;
        int from = 0;
        if ((st = al_comm_recv(f->comm, -1, TAG_RESULT, &msg, &bytes, &from, NULL, err))) break;
        result_head h;
        memcpy(&h, msg, sizeof h);
        busy--;
        size_t i = (size_t)h.id;
        al_status rs = take_result(&h, (const double *)((char *)msg + sizeof h), &frames[i], err);
        al_free(msg);
        if (rs && tries[i] == 1) {   /* the one retry, with the safer settings, on the same rank */
            al_warn("label of batch frame %zu failed on rank %d (%s); retrying once with safer settings",
                    i, from, h.msg);
            tries[i] = 2;
            st = send_task(f, from, (int)i, 1, &frames[i], err);
            busy++;
            continue;
        }
        st = done(i, &frames[i], rs, h.msg, user, err);
        finished++;
        stopping = stopping || (stop && stop());
        if (!st && !stopping && next < n) {
            st = send_task(f, from, (int)next, 0, &frames[next], err);
            tries[next++] = 1;
            busy++;
        }
    }
    al_free(tries);
    if (!st && finished < n) st = al_fail(err, AL_EINTERRUPT, "stopped by a signal; the finished work is saved");
    return st;
}

/* One label on a worker: the result message for task h. */
static void label_task(const al_comm *comm, const al_potential *normal, const al_potential *safe,
                       const char *setup_error, const char *msg)
{
    task_head h;
    memcpy(&h, msg, sizeof h);
    size_t n = (size_t)h.n_atoms;
    al_frame fr;
    al_frame_init(&fr);
    result_head r = {h.id, AL_OK, h.n_atoms, 0, 0.0, {0}, ""};
    double *forces = al_calloc(3 * n + 1, sizeof *forces), virial[9];
    al_err err;
    al_err_clear(&err);
    al_status st = forces ? al_frame_alloc(&fr, n, &err) : al_fail(&err, AL_ENOMEM, "out of memory");
    if (!st && setup_error) st = al_fail(&err, AL_EINVAL, "%s", setup_error);
    if (!st) {
        memcpy(fr.cell, h.cell, sizeof fr.cell);
        for (int k = 0; k < 3; k++) fr.pbc[k] = h.pbc[k] != 0;
        const int32_t *z = (const int32_t *)(msg + sizeof h);
        for (size_t i = 0; i < n; i++) fr.z[i] = z[i];
        memcpy(fr.pos, z + n, n * 3 * sizeof(double));
        al_pot_result res = {.forces = (double (*)[3])forces, .virial = virial};
        st = al_potential_compute(h.safe && safe->ops ? safe : normal, &fr, &res, &err);
        r.energy = res.energy;
        memcpy(r.virial, virial, sizeof r.virial);
    }
    r.status = st;
    if (st) snprintf(r.msg, sizeof r.msg, "rank %d: %s", al_comm_rank(comm), err.msg);
    size_t bytes = sizeof r + 3 * n * sizeof(double);
    char *out = al_malloc(bytes);
    if (out) {
        memcpy(out, &r, sizeof r);
        memcpy(out + sizeof r, forces ? forces : (double[1]){0}, forces ? 3 * n * sizeof(double) : 0);
        al_comm_send(comm, 0, TAG_RESULT, out, bytes, &err);
    }
    al_free(out);
    al_free(forces);
    al_frame_fini(&fr);
}

al_status orc_farm_serve(const al_comm *comm, al_err *err)
{
    static orc_campaign c;
    al_potential normal = {0}, safe = {0};
    char setup_error[256] = "";
    bool have = false;
    for (;;) {
        void *msg = NULL;
        size_t bytes = 0;
        int tag = 0;
        AL_TRY(err, al_comm_recv(comm, 0, -1, &msg, &bytes, NULL, &tag, err));
        if (tag == TAG_STOP) {
            al_free(msg);
            break;
        }
        if (tag == TAG_SETUP) {   /* (re)makes the labelers from this campaign file */
            al_err e;
            al_err_clear(&e);
            al_potential_destroy(&normal);
            al_potential_destroy(&safe);
            memset(&normal, 0, sizeof normal);
            memset(&safe, 0, sizeof safe);
            setup_error[0] = '\0';
            if (orc_campaign_load(msg, &c, &e) || orc_labeler_create(&c, &normal, &safe, &e))
                snprintf(setup_error, sizeof setup_error, "cannot make the labeler: %s", e.msg);
            have = true;
        } else if (tag == TAG_LABEL) {
            label_task(comm, &normal, &safe, have ? (setup_error[0] ? setup_error : NULL)
                                                  : "no campaign was set up", msg);
        }
        al_free(msg);
    }
    al_potential_destroy(&normal);
    al_potential_destroy(&safe);
    return AL_OK;
}
