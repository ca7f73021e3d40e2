/* Option parsing of `galore analyze` (see analyze_opts.h). */
#include "orchestrator/analyze_opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/elements.h"
#include "orchestrator/cli.h"

/* "A-B[-C][:r1[:r2]]" into species and cutoffs; returns the number of species, or -1. */
static int parse_spec(const char *s, orc_pair_spec *p)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    memset(p, 0, sizeof *p);
    char *cut = strchr(buf, ':');
    if (cut) {
        *cut++ = '\0';
        char *end;
        p->r[0] = strtod(cut, &end);
        if (end == cut || !(p->r[0] > 0)) return -1;
        if (*end == ':') {
            p->r[1] = strtod(end + 1, &end);
            if (!(p->r[1] > 0)) return -1;
        }
        if (*end) return -1;
    }
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, "-", &save); tok; tok = strtok_r(NULL, "-", &save)) {
        if (n == 3 || !(p->z[n] = al_element_z(tok))) return -1;
        n++;
    }
    return n;
}

static int number(const char *cmd, const char *opt, const char *v, double *out, double min)
{
    char *end;
    *out = strtod(v, &end);
    if (end == v || *end || !(*out >= min))
        return orc_cli_usage_error(cmd, "%s needs a number >= %g, got '%s'", opt, min, v);
    return 0;
}

static int add_spec(orc_pair_spec *list, int *n, const char *opt, const char *v, int want)
{
    if (*n == ORC_MAX_ANALYSES) return orc_cli_usage_error("analyze", "too many %s options", opt);
    if (parse_spec(v, &list[*n]) != want)
        return orc_cli_usage_error("analyze", "%s needs %s, got '%s'", opt,
                                   want == 3 ? "A-B-C:R1:R2 (elements and cutoffs in Å)"
                                             : "A-B or A-B:R (elements, cutoff in Å)", v);
    if (want == 3 && !(list[*n].r[0] > 0 && list[*n].r[1] > 0))
        return orc_cli_usage_error("analyze", "%s needs both cutoffs, e.g. Si-O-Si:2.0:2.0", opt);
    (*n)++;
    return 0;
}

static int option(int argc, char **argv, int *i, orc_analyze_opts *o)
{
    const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    double x;
    int rc = 0;
    if (!strcmp(a, "--lorch")) return o->lorch = true, 0;
    if (!v) return orc_cli_usage_error("analyze", "%s needs a value", a);
    (*i)++;
    if (!strcmp(a, "-o")) o->out_dir = v;
    else if (!strcmp(a, "--rmax")) rc = number("analyze", a, v, &o->rmax, 1e-3);
    else if (!strcmp(a, "--kmax")) rc = number("analyze", a, v, &o->kmax, 1e-3);
    else if (!strcmp(a, "--dt")) rc = number("analyze", a, v, &o->dt, 1e-6);
    else if (!strcmp(a, "--bins")) rc = number("analyze", a, v, &x, 1), o->bins = (int)x;
    else if (!strcmp(a, "--nk")) rc = number("analyze", a, v, &x, 1), o->nk = (int)x;
    else if (!strcmp(a, "--skip")) rc = number("analyze", a, v, &x, 0), o->skip = (int)x;
    else if (!strcmp(a, "--every")) rc = number("analyze", a, v, &x, 1), o->every = (int)x;
    else if (!strcmp(a, "--coord")) rc = add_spec(o->coord, &o->n_coord, a, v, 2);
    else if (!strcmp(a, "--qn")) rc = add_spec(o->qn, &o->n_qn, a, v, 2);
    else if (!strcmp(a, "--angles")) rc = add_spec(o->angles, &o->n_angles, a, v, 3);
    else if (!strcmp(a, "--reference")) o->reference = v;
    else if (!strcmp(a, "--compare")) o->compare = v;
    else rc = orc_cli_usage_error("analyze", "unknown option '%s'", a);
    return rc;
}

int orc_analyze_parse(int argc, char **argv, orc_analyze_opts *o)
{
    memset(o, 0, sizeof *o);
    o->out_dir = "analysis";
    o->rmax = 10.0, o->kmax = 20.0, o->bins = 200, o->nk = 400, o->every = 1;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) {
            int rc = option(argc, argv, &i, o);
            if (rc) return rc;
        } else if (!o->traj) {
            o->traj = argv[i];
        } else {
            return orc_cli_usage_error("analyze", "too many arguments ('%s')", argv[i]);
        }
    }
    if (!o->traj) return orc_cli_usage_error("analyze", "needs a trajectory file");
    if (o->reference && !o->compare)
        return orc_cli_usage_error("analyze", "--reference needs --compare gr, sk-neutron or sk-xray");
    if (o->compare && strcmp(o->compare, "gr") && strcmp(o->compare, "sk-neutron") && strcmp(o->compare, "sk-xray"))
        return orc_cli_usage_error("analyze", "--compare takes gr, sk-neutron or sk-xray, got '%s'", o->compare);
    for (int k = 0; k < o->n_qn; k++)
        if (!(o->qn[k].r[0] > 0)) return orc_cli_usage_error("analyze", "--qn needs a cutoff, e.g. P-O:1.9");
    return 0;
}
