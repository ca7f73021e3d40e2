/* Labels on the task farm (farm.h): a frame goes out as numbers, energy, virial and forces
 * come back; a failed label is retried once with the safer settings on the same rank. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "orchestrator/farm_impl.h"

typedef struct task_head {
    int32_t id, safe, n_atoms, pbc[3];
    double cell[9];
} task_head;   /* followed by n_atoms int32 species and 3·n_atoms double positions */

typedef struct label_result {
    double energy, virial[9];
} label_result; /* followed by 3·n_atoms double forces */

typedef struct label_job {
    al_frame *frames;
    unsigned char *retried;   /* per frame: its retry was sent */
    orc_farm_done done;
    void *user;
} label_job;

static al_status pack_label(void *user, size_t i, bool retry, char **msg, size_t *bytes, al_err *err)
{
    const al_frame *fr = &((label_job *)user)->frames[i];
    size_t n = fr->n_atoms;
    *bytes = sizeof(task_head) + n * (sizeof(int32_t) + 3 * sizeof(double));
    if (!(*msg = al_malloc(*bytes))) return al_fail(err, AL_ENOMEM, "farm: out of memory for a task of %zu atoms", n);
    task_head h = {(int32_t)i, retry, (int32_t)n, {fr->pbc[0], fr->pbc[1], fr->pbc[2]}, {0}};
    memcpy(h.cell, fr->cell, sizeof h.cell);
    memcpy(*msg, &h, sizeof h);
    int32_t *z = (int32_t *)(*msg + sizeof h);
    for (size_t k = 0; k < n; k++) z[k] = fr->z[k];
    memcpy(z + n, fr->pos, n * 3 * sizeof(double));
    return AL_OK;
}

/* Copies a reply's labels into fr. */
static al_status set_labels(const char *payload, size_t bytes, al_frame *fr, al_err *err)
{
    label_result res;
    if (bytes != sizeof res + 3 * fr->n_atoms * sizeof(double) || al_frame_alloc_forces(fr, err))
        return al_fail(err, AL_EMPI, "farm: a label of %zu bytes does not fit its frame of %zu atoms", bytes, fr->n_atoms);
    memcpy(&res, payload, sizeof res);
    fr->energy = res.energy;
    memcpy(fr->virial, res.virial, sizeof fr->virial);
    memcpy(fr->forces, payload + sizeof res, fr->n_atoms * sizeof *fr->forces);
    fr->labels = AL_LBL_ENERGY | AL_LBL_FORCES | AL_LBL_VIRIAL;
    return AL_OK;
}

static al_status take_label(void *user, size_t i, const farm_reply *r, const char *payload, size_t bytes,
                            int from, bool *retry, al_err *err)
{
    label_job *job = user;
    if (r->status && !job->retried[i]) {   /* the one retry, with the safer settings, on the same rank */
        al_warn("label of batch frame %zu failed on rank %d (%s); retrying once with safer settings", i, from, r->msg);
        job->retried[i] = 1;
        *retry = true;
        return AL_OK;
    }
    if (!r->status) AL_TRY(err, set_labels(payload, bytes, &job->frames[i], err));
    return job->done(i, &job->frames[i], (al_status)r->status, r->msg, job->user, err);
}

al_status orc_farm_label(orc_farm *f, al_frame *frames, size_t n, orc_farm_done done,
                         orc_farm_stop_check stop, void *user, al_err *err)
{
    label_job job = {frames, al_calloc(n + 1, 1), done, user};
    if (!job.retried) return al_fail(err, AL_ENOMEM, "farm: out of memory");
    farm_job fj = {FARM_TAG_LABEL, pack_label, take_label, stop, &job};
    al_status st = farm_run(f, n, &fj, err);
    al_free(job.retried);
    return st;
}
/* The label of one task on a worker, as the reply's payload. */
static al_status compute_label(farm_worker *w, const task_head *h, const char *body, label_result *res,
                               double *forces, al_err *err)
{
    if (w->setup_error[0]) return al_fail(err, AL_EINVAL, "%s", w->setup_error);
    if (w->labeler_error[0]) return al_fail(err, AL_EINVAL, "%s", w->labeler_error);
    size_t n = (size_t)h->n_atoms;
    al_frame fr;
    al_frame_init(&fr);
    AL_TRY(err, al_frame_alloc(&fr, n, err));
    memcpy(fr.cell, h->cell, sizeof fr.cell);
    for (int k = 0; k < 3; k++) fr.pbc[k] = h->pbc[k] != 0;
    const int32_t *z = (const int32_t *)body;
    for (size_t i = 0; i < n; i++) fr.z[i] = z[i];
    memcpy(fr.pos, z + n, n * 3 * sizeof(double));
    al_pot_result out = {.forces = (double (*)[3])forces, .virial = res->virial};
    al_status st = al_potential_compute(h->safe && w->safe.ops ? &w->safe : &w->normal, &fr, &out, err);
    res->energy = out.energy;
    al_frame_fini(&fr);
    return st;
}

void farm_worker_label(farm_worker *w, const char *msg, size_t bytes)
{
    task_head h;
    memcpy(&h, msg, sizeof h);
    size_t n = h.n_atoms > 0 ? (size_t)h.n_atoms : 0;
    farm_reply r = {h.id, AL_OK, ""};
    label_result res = {0};
    size_t out_bytes = sizeof res + 3 * n * sizeof(double);
    char *out = al_calloc(out_bytes, 1);
    al_err err;
    al_err_clear(&err);
    al_status st = !out ? al_fail(&err, AL_ENOMEM, "out of memory for a label of %zu atoms", n)
                 : bytes != sizeof h + n * (sizeof(int32_t) + 3 * sizeof(double))
                     ? al_fail(&err, AL_EMPI, "a task of %zu bytes for %zu atoms", bytes, n)
                     : compute_label(w, &h, msg + sizeof h, &res, (double *)(out + sizeof res), &err);
    if (st) {
        r.status = st;
        snprintf(r.msg, sizeof r.msg, "rank %d: %s", al_comm_rank(w->comm), err.msg);
        out_bytes = 0;
    } else {
        memcpy(out, &res, sizeof res);
    }
    if (w->leader) farm_send_reply(w->comm, &r, out, out_bytes);
    al_free(out);
}
