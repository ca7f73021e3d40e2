/*
 * `galore convert IN OUT`: extxyz → HDF5 dataset (appending, with a role and iteration) or
 * HDF5 dataset → extxyz (optionally filtered). The dataset's role and iteration travel in the
 * extxyz info as galore_role / galore_iteration, so a round trip keeps them.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/dataset.h"
#include "core/extxyz.h"
#include "core/log.h"
#include "orchestrator/cli.h"
#include "orchestrator/file_kind.h"

const char orc_usage_convert[] =
    "usage: galore convert IN OUT [options]\n"
    "\n"
    "Converts between extxyz files (.xyz, .extxyz) and galore HDF5 datasets (.h5, .hdf5).\n"
    "\n"
    "extxyz -> dataset: every frame is appended to OUT (created when missing). An existing\n"
    "dataset is only added to with --append, never replaced.\n"
    "  --role ROLE        pool, train, validation or test (default: the frame's galore_role\n"
    "                     info field if present, else pool)\n"
    "  --iteration N      iteration to record (default: galore_iteration field, else 0)\n"
    "  --append           add to an existing dataset\n"
    "\n"
    "dataset -> extxyz: OUT is written atomically (replaced only when complete).\n"
    "  --role ROLE        only frames with this role\n"
    "  --labeled          only frames with at least one label\n"
    "  --iteration N      only frames of iteration N\n";

typedef struct convert_opts {
    const char *in, *out;
    int role;        /* -1: not given */
    long iteration;  /* -1: not given */
    int append, labeled_only;
} convert_opts;

static int parse_role(const char *s)
{
    for (int r = 0; r < AL_ROLE_COUNT; r++)
        if (strcmp(s, al_role_name((al_role)r)) == 0) return r;
    return -1;
}

static int parse_args(int argc, char **argv, convert_opts *o)
{
    *o = (convert_opts){NULL, NULL, -1, -1, 0, 0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--role") == 0 && i + 1 < argc) {
            if ((o->role = parse_role(argv[++i])) < 0)
                return orc_cli_usage_error("convert", "unknown role '%s' (pool, train, validation, test)", argv[i]);
        } else if (strcmp(a, "--iteration") == 0 && i + 1 < argc) {
            char *end;
            o->iteration = strtol(argv[++i], &end, 10);
            if (*end || o->iteration < 0)
                return orc_cli_usage_error("convert", "--iteration needs an integer >= 0, got '%s'", argv[i]);
        } else if (strcmp(a, "--append") == 0) {
            o->append = 1;
        } else if (strcmp(a, "--labeled") == 0) {
            o->labeled_only = 1;
        } else if (a[0] == '-' && a[1]) {
            return orc_cli_usage_error("convert", "unknown option '%s'", a);
        } else if (!o->in) {
            o->in = a;
        } else if (!o->out) {
            o->out = a;
        } else {
            return orc_cli_usage_error("convert", "too many arguments ('%s')", a);
        }
    }
    if (!o->in || !o->out) return orc_cli_usage_error("convert", "needs IN and OUT files");
    return 0;
}

static void meta_from_info(const al_frame *f, const convert_opts *o, al_store_meta *m)
{
    const char *role = al_info_get_str(&f->info, "galore_role");
    long it = 0;
    m->role = AL_ROLE_POOL;
    if (o->role >= 0) m->role = (al_role)o->role;
    else if (role && parse_role(role) >= 0) m->role = (al_role)parse_role(role);
    m->iteration = 0;
    if (o->iteration >= 0) m->iteration = (int)o->iteration;
    else if (al_info_get_int(&f->info, "galore_iteration", &it)) m->iteration = (int)it;
}

static int xyz_to_dataset(const convert_opts *o)
{
    al_err err;
    al_err_clear(&err);
    if (orc_file_kind_of(o->out) != ORC_FILE_MISSING && !o->append) {
        fprintf(stderr, "galore convert: %s exists; use --append to add frames to it\n", o->out);
        return 2;
    }
    al_xyz_reader *r = NULL;
    al_store *s = NULL;
    al_frame f;
    al_frame_init(&f);
    size_t n = 0;
    int done = 0;
    al_status st = al_xyz_open(o->in, &r, &err);
    if (!st) st = al_store_open(o->out, AL_STORE_APPEND, &s, &err);
    while (!st && !(st = al_xyz_read_next(r, &f, &done, &err)) && !done) {
        al_store_meta m;
        meta_from_info(&f, o, &m);
        al_info_remove(&f.info, "galore_role");
        al_info_remove(&f.info, "galore_iteration");
        if (!(st = al_store_append(s, &f, &m, NULL, &err))) n++;
    }
    al_frame_fini(&f);
    al_xyz_close(r);
    al_store_close(s);
    if (st) {
        fprintf(stderr, "galore convert: %s\n", err.msg);
        if (n) fprintf(stderr, "galore convert: the %zu frames before the error are in %s\n", n, o->out);
        return st == AL_EFORMAT || st == AL_ENOTFOUND ? 2 : 1;
    }
    al_info("converted %zu frames from %s into %s", n, o->in, o->out);
    return 0;
}

static al_status write_selected(al_store *s, const convert_opts *o, FILE *fp, size_t *n, al_err *err)
{
    al_store_filter flt = al_store_filter_all();
    if (o->role >= 0) flt.roles = 1u << o->role;
    if (o->iteration >= 0) flt.iter_min = flt.iter_max = o->iteration;
    if (o->labeled_only) flt.labeled = 1;
    size_t *idx = NULL, count = 0;
    al_frame f;
    al_frame_init(&f);
    al_status st = al_store_select(s, &flt, &idx, &count, err);
    for (size_t k = 0; !st && k < count; k++) {
        al_store_meta m;
        if ((st = al_store_read(s, idx[k], &f, &m, err))) break;
        if ((st = al_info_set_str(&f.info, "galore_role", al_role_name(m.role), err))) break;
        if ((st = al_info_set_int(&f.info, "galore_iteration", m.iteration, err))) break;
        st = al_xyz_write(fp, &f, err);
    }
    al_frame_fini(&f);
    al_free(idx);
    *n = count;
    return st;
}

static int dataset_to_xyz(const convert_opts *o)
{
    al_err err;
    al_err_clear(&err);
    al_store *s = NULL;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", o->out);
    size_t n = 0;
    al_status st = al_store_open(o->in, AL_STORE_READ, &s, &err);
    FILE *fp = NULL;
    if (!st && !(fp = fopen(tmp, "w"))) st = al_fail(&err, AL_EIO, "cannot write %s", tmp);
    if (!st) st = write_selected(s, o, fp, &n, &err);
    if (fp && fclose(fp) != 0 && !st) st = al_fail(&err, AL_EIO, "cannot finish writing %s", tmp);
    if (!st && rename(tmp, o->out) != 0) st = al_fail(&err, AL_EIO, "cannot rename %s to %s", tmp, o->out);
    if (st && fp) remove(tmp);
    al_store_close(s);
    if (st) {
        fprintf(stderr, "galore convert: %s\n", err.msg);
        return st == AL_EFORMAT || st == AL_ENOTFOUND || st == AL_EVERSION ? 2 : 1;
    }
    al_info("wrote %zu frames from %s to %s", n, o->in, o->out);
    return 0;
}

int orc_cmd_convert(int argc, char **argv)
{
    convert_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc) return rc;
    orc_file_kind in = orc_file_kind_of(o.in);
    orc_file_kind out = orc_file_kind_from_name(o.out);
    if (in == ORC_FILE_MISSING) {
        fprintf(stderr, "galore convert: %s: no such file\n", o.in);
        return 2;
    }
    if (in == ORC_FILE_EXTXYZ && out == ORC_FILE_HDF5) return xyz_to_dataset(&o);
    if (in == ORC_FILE_HDF5 && out == ORC_FILE_EXTXYZ) return dataset_to_xyz(&o);
    return orc_cli_usage_error("convert",
                               "cannot convert %s to %s: one side must be extxyz (.xyz, .extxyz) "
                               "and the other an HDF5 dataset (.h5, .hdf5)", o.in, o.out);
}
