/*
 * Campaign file parser: libyaml builds the document tree (with line/column marks), and each
 * node is checked against the schema table and stored in orc_campaign. Defaults are YAML text
 * in the table and go through the same code as the user's values.
 */
#include "orchestrator/campaign.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/elements.h"
#include "orchestrator/campaign_schema.h"

typedef struct parse_ctx {
    const char *file;
    yaml_document_t *doc;
    al_err *err;
    bool whole;          /* a whole campaign: required keys checked */
    bool given[512];     /* schema rows set by the file */
} parse_ctx;

static const char *const dim_examples[ORC_DIM_COUNT] = {
    "1.0", "30 Ry", "5.0 Å", "1 ps", "12 h", "300 K", "1 GPa", "0.1 eV/Å", "2.33 g/cm3"};

/* "<file>:<line>:<col>: <path>: <message>" */
static al_status fail_at(parse_ctx *p, const yaml_node_t *node, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static al_status fail_at(parse_ctx *p, const yaml_node_t *node, const char *path, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    unsigned long line = node ? node->start_mark.line + 1 : 1, col = node ? node->start_mark.column + 1 : 1;
    if (path && *path)
        return al_fail(p->err, AL_EFORMAT, "%s:%lu:%lu: %s: %s", p->file, line, col, path, msg);
    return al_fail(p->err, AL_EFORMAT, "%s:%lu:%lu: %s", p->file, line, col, msg);
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b), d[64][64];
    if (la > 63 || lb > 63) return 99;
    for (int i = 0; i <= la; i++) d[i][0] = i;
    for (int j = 0; j <= lb; j++) d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

/* ---- scalar values ---- */

static al_status check_range(parse_ctx *p, const yaml_node_t *n, const char *path, const orc_key *k,
                             double v, const char *shown)
{
    if (((k->flags & ORC_MIN) && !(v >= k->min)) || ((k->flags & ORC_MIN_EXCL) && !(v > k->min)) ||
        ((k->flags & ORC_MAX) && !(v <= k->max)) || ((k->flags & ORC_MAX_EXCL) && !(v < k->max))) {
        char range[128] = "";
        size_t u = 0;
        if (k->flags & (ORC_MIN | ORC_MIN_EXCL))
            u += snprintf(range + u, sizeof range - u, "%s %g", (k->flags & ORC_MIN) ? ">=" : ">", k->min);
        if (k->flags & (ORC_MAX | ORC_MAX_EXCL))
            snprintf(range + u, sizeof range - u, "%s%s %g", u ? " and " : "",
                     (k->flags & ORC_MAX) ? "<=" : "<", k->max);
        const char *unit = orc_dim_unit(k->dim);
        return fail_at(p, n, path, "must be %s%s%s, got %s", range, *unit ? " " : "", unit, shown);
    }
    return AL_OK;
}

static al_status parse_int(parse_ctx *p, const yaml_node_t *n, const char *path, const orc_key *k, long *out)
{
    const char *s = scalar(n);
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || end == s || *end || errno)
        return fail_at(p, n, path, "expected an integer, got %s%s%s", s ? "\"" : "a ", s ? s : "list or mapping", s ? "\"" : "");
    AL_TRY(p->err, check_range(p, n, path, k, (double)v, s));
    *out = v;
    return AL_OK;
}

static al_status parse_real(parse_ctx *p, const yaml_node_t *n, const char *path, const orc_key *k, double *out)
{
    const char *s = scalar(n);
    if (!s)
        return fail_at(p, n, path, "expected %s, got a list or mapping", orc_dim_noun(k->dim));
    double v = 0;
    int rc = orc_quantity_parse(s, k->dim, k->unit, (k->flags & ORC_UNIT_REQUIRED) != 0, &v);
    if (rc == 1 && k->dim == ORC_DIM_NONE) return fail_at(p, n, path, "expected a number, got \"%s\"", s);
    if (rc == 1)
        return fail_at(p, n, path, "expected %s%s (e.g. \"%s\"), got \"%s\"", orc_dim_noun(k->dim),
                       (k->flags & ORC_UNIT_REQUIRED) ? " with a unit" : "", dim_examples[k->dim], s);
    if (rc == 2)
        return fail_at(p, n, path, "unknown unit in \"%s\" for %s (use %s)", s, orc_dim_noun(k->dim),
                       orc_dim_units_list(k->dim));
    if (rc == 3)
        return fail_at(p, n, path, "\"%s\" needs a unit here, e.g. \"%s\" (a bare number is ambiguous)",
                       s, dim_examples[k->dim]);
    AL_TRY(p->err, check_range(p, n, path, k, v, s));
    *out = v;
    return AL_OK;
}

static al_status parse_enum(parse_ctx *p, const yaml_node_t *n, const char *path, const char *choices, int *out)
{
    const char *s = scalar(n);
    int idx = 0;
    for (const char *c = choices; s && *c; idx++) {
        size_t len = strcspn(c, "|");
        if (strlen(s) == len && strncmp(c, s, len) == 0) {
            *out = idx;
            return AL_OK;
        }
        c += len + (c[len] == '|');
    }
    char list[256];
    snprintf(list, sizeof list, "%s", choices);
    for (char *q = list; *q; q++)
        if (*q == '|') *q = ',';
    /* "a,b,c" reads better with spaces. */
    char pretty[300] = "";
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
        snprintf(pretty + strlen(pretty), sizeof pretty - strlen(pretty), "%s%s", pretty[0] ? ", " : "", tok);
    return fail_at(p, n, path, "expected one of %s; got \"%s\"", pretty, s ? s : "a list or mapping");
}

static al_status parse_bool(parse_ctx *p, const yaml_node_t *n, const char *path, bool *out)
{
    const char *s = scalar(n);
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", NULL};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "off", NULL};
    for (int i = 0; s && yes[i]; i++)
        if (!strcmp(s, yes[i])) return *out = true, AL_OK;
    for (int i = 0; s && no[i]; i++)
        if (!strcmp(s, no[i])) return *out = false, AL_OK;
    return fail_at(p, n, path, "expected true or false, got \"%s\"", s ? s : "a list or mapping");
}

/* ---- lists, maps and records ---- */

static al_status parse_list(parse_ctx *p, const yaml_node_t *n, const char *path, const orc_key *k, void *dst)
{
    const char *what = k->type == ORC_T_INTS ? "integers" : k->type == ORC_T_REALS ? "numbers" : "names";
    if (n->type != YAML_SEQUENCE_NODE) {
        if (k->count) return fail_at(p, n, path, "expected a list of %d %s, e.g. [1, 1, 1]", k->count, what);
        return fail_at(p, n, path, "expected a list of %s", what);
    }
    int len = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
    if ((k->count && len != k->count) || len > ORC_MAX_LIST)
        return fail_at(p, n, path, "expected a list of %d %s, got %d value%s", k->count ? k->count : ORC_MAX_LIST,
                       what, len, len == 1 ? "" : "s");
    for (int i = 0; i < len; i++) {
        yaml_node_t *item = yaml_document_get_node(p->doc, n->data.sequence.items.start[i]);
        if (k->type == ORC_T_INTS) {
            orc_int_list *l = dst;
            AL_TRY(p->err, parse_int(p, item, path, k, &l->v[i]));
            l->n = i + 1;
        } else if (k->type == ORC_T_REALS) {
            orc_real_list *l = dst;
            AL_TRY(p->err, parse_real(p, item, path, k, &l->v[i]));
            l->n = i + 1;
        } else {
            orc_str_list *l = dst;
            const char *s = scalar(item);
            int idx;
            if (k->choices) AL_TRY(p->err, parse_enum(p, item, path, k->choices, &idx));
            if (!s || strlen(s) >= sizeof l->v[0]) return fail_at(p, item, path, "expected a short name");
            strcpy(l->v[i], s);
            l->n = i + 1;
        }
    }
    if (len == 0) ((orc_int_list *)dst)->n = 0;  /* every list type starts with int n */
    return AL_OK;
}

static al_status parse_elem_map(parse_ctx *p, const yaml_node_t *n, const char *path, const orc_key *k,
                                orc_elem_map *m)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(p, n, path, "expected a mapping of element to %s, e.g. {Si: %s}",
                       k->type == ORC_T_ELEM_TEXT ? "name" : "value", k->type == ORC_T_ELEM_TEXT ? "GTH-PBE-q4" : "1.0");
    memset(m, 0, sizeof *m);
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        yaml_node_t *kn = yaml_document_get_node(p->doc, pr->key), *vn = yaml_document_get_node(p->doc, pr->value);
        const char *sym = scalar(kn);
        int z = sym ? al_element_z(sym) : 0;
        if (!z) return fail_at(p, kn, path, "unknown element '%s'", sym ? sym : "?");
        for (int i = 0; i < m->n; i++)
            if (m->z[i] == z) return fail_at(p, kn, path, "element %s is given twice", sym);
        if (m->n == ORC_MAX_ELEMENTS) return fail_at(p, kn, path, "more than %d elements", ORC_MAX_ELEMENTS);
        int i = m->n++;
        m->z[i] = z;
        if (k->type == ORC_T_ELEM_REAL) {
            AL_TRY(p->err, parse_real(p, vn, path, k, &m->value[i]));
        } else {
            const char *s = scalar(vn);
            if (!s || strlen(s) >= sizeof m->text[0]) return fail_at(p, vn, path, "expected a name for %s", sym);
            strcpy(m->text[i], s);
        }
    }
    return AL_OK;
}

static al_status set_value(parse_ctx *p, const yaml_node_t *n, const char *path, const orc_key *k, void *base);

static const orc_key *find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < orc_campaign_n_keys; i++)
        if (!strcmp(orc_campaign_keys[i].section, section) && !strcmp(orc_campaign_keys[i].name, name))
            return &orc_campaign_keys[i];
    return NULL;
}

static al_status unknown_key(parse_ctx *p, const yaml_node_t *kn, const char *section, const char *name)
{
    const char *best = NULL;
    int best_d = 3;
    for (size_t i = 0; i < orc_campaign_n_keys; i++) {
        if (strcmp(orc_campaign_keys[i].section, section)) continue;
        int d = edit_distance(name, orc_campaign_keys[i].name);
        if (d < best_d) best_d = d, best = orc_campaign_keys[i].name;
    }
    char path[160];
    snprintf(path, sizeof path, "%s.%s", section, name);
    if (best) return fail_at(p, kn, path, "unknown key (did you mean '%s'?)", best);
    return fail_at(p, kn, path, "unknown key");
}

/* Applies defaults of every row of `section` to base. */
static al_status apply_defaults(parse_ctx *p, const char *section, void *base);

static al_status parse_segments(parse_ctx *p, const yaml_node_t *n, const char *path, orc_segments *s)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return fail_at(p, n, path, "expected a list of segments, e.g. [{kind: hold, temperature: 300 K, duration: 1 ps}]");
    int len = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (len < 1 || len > ORC_MAX_SEGMENTS)
        return fail_at(p, n, path, "expected 1 to %d segments, got %d", ORC_MAX_SEGMENTS, len);
    s->n = 0;
    for (int i = 0; i < len; i++) {
        yaml_node_t *item = yaml_document_get_node(p->doc, n->data.sequence.items.start[i]);
        char ipath[160];
        snprintf(ipath, sizeof ipath, "%s[%d]", path, i);
        if (item->type != YAML_MAPPING_NODE) return fail_at(p, item, ipath, "expected a mapping (a segment)");
        orc_segment *seg = &s->seg[i];
        AL_TRY(p->err, apply_defaults(p, "segment", seg));
        bool has_duration = false;
        for (yaml_node_pair_t *pr = item->data.mapping.pairs.start; pr < item->data.mapping.pairs.top; pr++) {
            yaml_node_t *kn = yaml_document_get_node(p->doc, pr->key), *vn = yaml_document_get_node(p->doc, pr->value);
            const char *name = scalar(kn);
            const orc_key *k = name ? find_key("segment", name) : NULL;
            if (!k) return unknown_key(p, kn, "segment", name ? name : "?");
            char kpath[200];
            snprintf(kpath, sizeof kpath, "%s.%s", ipath, name);
            AL_TRY(p->err, set_value(p, vn, kpath, k, seg));
            has_duration |= !strcmp(name, "duration");
        }
        if (!has_duration) return fail_at(p, item, ipath, "required key 'duration' is missing");
        s->n = i + 1;
    }
    return AL_OK;
}

static al_status set_value(parse_ctx *p, const yaml_node_t *n, const char *path, const orc_key *k, void *base)
{
    void *dst = (char *)base + k->offset;
    switch (k->type) {
    case ORC_T_BOOL: return parse_bool(p, n, path, dst);
    case ORC_T_INT: return parse_int(p, n, path, k, dst);
    case ORC_T_REAL: return parse_real(p, n, path, k, dst);
    case ORC_T_ENUM: return parse_enum(p, n, path, k->choices, dst);
    case ORC_T_STRING: {
        const char *s = scalar(n);
        if (!s) return fail_at(p, n, path, "expected a text, got a list or mapping");
        if (strlen(s) >= k->size) return fail_at(p, n, path, "longer than %zu characters", k->size - 1);
        strcpy(dst, s);
        return AL_OK;
    }
    case ORC_T_INTS:
    case ORC_T_REALS:
    case ORC_T_STRINGS: return parse_list(p, n, path, k, dst);
    case ORC_T_ELEM_TEXT:
    case ORC_T_ELEM_REAL: return parse_elem_map(p, n, path, k, dst);
    case ORC_T_SEGMENTS: return parse_segments(p, n, path, dst);
    }
    return AL_OK;
}

/* Parses a default written as YAML text in the schema into base. */
static al_status parse_default(const orc_key *k, void *base, al_err *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    al_status st = AL_OK;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)k->def, strlen(k->def));
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_parser_delete(&parser);
        return al_fail(err, AL_EINVAL, "schema default of %s.%s is not YAML: %s", k->section, k->name, k->def);
    }
    parse_ctx q = {"(schema default)", &doc, err, true, {0}};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) st = al_fail(err, AL_EINVAL, "schema default of %s.%s is empty", k->section, k->name);
    else st = set_value(&q, root, k->name, k, base);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return st;
}

static al_status apply_defaults(parse_ctx *p, const char *section, void *base)
{
    for (size_t i = 0; i < orc_campaign_n_keys; i++) {
        const orc_key *k = &orc_campaign_keys[i];
        if (k->def && !strcmp(k->section, section)) AL_TRY(p->err, parse_default(k, base, p->err));
    }
    return AL_OK;
}

void orc_campaign_defaults(orc_campaign *c)
{
    al_err err;
    parse_ctx p = {"(defaults)", NULL, &err, true, {0}};
    memset(c, 0, sizeof *c);
    for (int s = 0; orc_campaign_sections[s]; s++) apply_defaults(&p, orc_campaign_sections[s], c);
}

static bool is_section(const char *name)
{
    for (int s = 0; orc_campaign_sections[s]; s++)
        if (!strcmp(orc_campaign_sections[s], name)) return true;
    return false;
}

/* Reports a key given twice in one mapping. */
static al_status check_duplicates(parse_ctx *p, const yaml_node_t *map, const char *section)
{
    for (yaml_node_pair_t *a = map->data.mapping.pairs.start; a < map->data.mapping.pairs.top; a++)
        for (yaml_node_pair_t *b = map->data.mapping.pairs.start; b < a; b++) {
            yaml_node_t *ka = yaml_document_get_node(p->doc, a->key), *kb = yaml_document_get_node(p->doc, b->key);
            const char *sa = scalar(ka), *sb = scalar(kb);
            if (sa && sb && !strcmp(sa, sb)) {
                char path[160];
                snprintf(path, sizeof path, "%s%s%s", section, *section ? "." : "", sa);
                return fail_at(p, ka, path, "duplicate key (first given on line %lu)", kb->start_mark.line + 1);
            }
        }
    return AL_OK;
}

static al_status parse_section(parse_ctx *p, const yaml_node_t *map, const char *section, orc_campaign *c)
{
    if (map->type != YAML_MAPPING_NODE)
        return fail_at(p, map, section, "expected a mapping of keys (a section)");
    AL_TRY(p->err, check_duplicates(p, map, section));
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        yaml_node_t *kn = yaml_document_get_node(p->doc, pr->key), *vn = yaml_document_get_node(p->doc, pr->value);
        const char *name = scalar(kn);
        char path[160];
        snprintf(path, sizeof path, "%s.%s", section, name ? name : "?");
        if (name && is_section(path)) {
            AL_TRY(p->err, parse_section(p, vn, path, c));
            continue;
        }
        const orc_key *k = name ? find_key(section, name) : NULL;
        if (!k) return unknown_key(p, kn, section, name ? name : "?");
        AL_TRY(p->err, set_value(p, vn, path, k, c));
        p->given[k - orc_campaign_keys] = true;
    }
    return AL_OK;
}

static const yaml_node_t *section_node(parse_ctx *p, const yaml_node_t *root, const char *name)
{
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++)
        if (scalar(yaml_document_get_node(p->doc, pr->key)) &&
            !strcmp(scalar(yaml_document_get_node(p->doc, pr->key)), name))
            return yaml_document_get_node(p->doc, pr->key);
    return root;
}

static al_status check_required(parse_ctx *p, const yaml_node_t *root, const orc_campaign *c)
{
    for (size_t i = 0; i < orc_campaign_n_keys; i++) {
        const orc_key *k = &orc_campaign_keys[i];
        bool needed = (k->flags & ORC_REQUIRED) && strcmp(k->section, "segment");
        const char *why = "";
        if (!strcmp(k->section, "dft") && !strcmp(k->name, "ecut") && c->dft.labeler == ORC_LABELER_DFT)
            needed = true, why = " (needed with labeler: dft)";
        if (needed && !p->given[i]) {
            char path[160], top[64];
            snprintf(path, sizeof path, "%s.%s", k->section, k->name);
            snprintf(top, sizeof top, "%.*s", (int)strcspn(k->section, "."), k->section);
            return fail_at(p, section_node(p, root, top), path, "required key is missing%s", why);
        }
    }
    if (c->select.uncertainty_min >= c->select.uncertainty_max)
        return fail_at(p, section_node(p, root, "select"), "select",
                       "uncertainty_min (%g eV/atom) must be below uncertainty_max (%g eV/atom)",
                       c->select.uncertainty_min, c->select.uncertainty_max);
    if (c->system.initial == ORC_INIT_RATTLE && !c->system.structure[0])
        return fail_at(p, section_node(p, root, "system"), "system.structure",
                       "required key is missing (needed with initial: rattle)");
    if (c->system.initial == ORC_INIT_FILE && !c->system.initial_file[0])
        return fail_at(p, section_node(p, root, "system"), "system.initial_file",
                       "required key is missing (needed with initial: file)");
    if (c->system.initial == ORC_INIT_RANDOM && c->system.composition.n == 0)
        return fail_at(p, section_node(p, root, "system"), "system.composition",
                       "required key is missing (needed with initial: random)");
    return AL_OK;
}

/* The validation needs a reference, and samples after its equilibration. */
static al_status check_validate(parse_ctx *p, const yaml_node_t *root, const orc_validate *v)
{
    if (!v->enabled) return AL_OK;
    const yaml_node_t *at = section_node(p, root, "validate");
    if (!v->reference_trajectory[0] && !v->reference_gr[0])
        return fail_at(p, at, "validate", "needs a reference: reference_trajectory (extxyz), reference_gr "
                                          "(CSV) or both");
    double total = 0;
    for (int s = 0; s < v->schedule.n; s++) total += v->schedule.seg[s].duration;
    if (v->equilibration >= total)
        return fail_at(p, at, "validate.equilibration",
                       "%g fs leaves nothing to sample of the %g fs schedule; make it shorter", v->equilibration,
                       total);
    if (v->bin_width >= v->r_max)
        return fail_at(p, at, "validate.bin_width", "%g Å must be below r_max (%g Å)", v->bin_width, v->r_max);
    return AL_OK;
}

static al_status parse_root(parse_ctx *p, const yaml_node_t *root, orc_campaign *c)
{
    if (root->type != YAML_MAPPING_NODE)
        return fail_at(p, root, "", "the campaign file must be a mapping of sections (system, dft, gap, "
                                    "explore, select, bayesopt, loop, validate, output, notify)");
    AL_TRY(p->err, check_duplicates(p, root, ""));
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
        yaml_node_t *kn = yaml_document_get_node(p->doc, pr->key), *vn = yaml_document_get_node(p->doc, pr->value);
        const char *name = scalar(kn);
        if (!name || !is_section(name) || strchr(name, '.')) {
            const char *best = NULL;
            int best_d = 3;
            for (int s = 0; name && orc_campaign_sections[s]; s++) {
                int d = edit_distance(name, orc_campaign_sections[s]);
                if (d < best_d && !strchr(orc_campaign_sections[s], '.')) best_d = d, best = orc_campaign_sections[s];
            }
            if (best) return fail_at(p, kn, "", "unknown section '%s' (did you mean '%s'?)", name, best);
            return fail_at(p, kn, "", "unknown section '%s' (sections: system, dft, gap, explore, select, "
                                      "bayesopt, loop, validate, output, notify)", name ? name : "?");
        }
        /* Writing the validate section asks for the validation; "enabled: false" in it (as the
         * effective file of a campaign without one says) turns it off again. */
        if (!strcmp(name, "validate")) c->validate.enabled = true;
        AL_TRY(p->err, parse_section(p, vn, name, c));
    }
    AL_TRY(p->err, check_validate(p, root, &c->validate));
    return p->whole ? check_required(p, root, c) : AL_OK;
}

static al_status load(const char *path, orc_campaign *c, bool whole, al_err *err)
{
    orc_campaign_defaults(c);
    snprintf(c->path, sizeof c->path, "%s", path);
    FILE *fp = fopen(path, "rb");
    if (!fp) return al_fail(err, AL_ENOTFOUND, "%s: %s", path, strerror(errno));
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, fp);
    al_status st = AL_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        st = al_fail(err, AL_EFORMAT, "%s:%lu:%lu: YAML syntax error: %s%s%s", path,
                     (unsigned long)parser.problem_mark.line + 1, (unsigned long)parser.problem_mark.column + 1,
                     parser.problem ? parser.problem : "unknown problem", parser.context ? " " : "",
                     parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        fclose(fp);
        return st;
    }
    parse_ctx *p = calloc(1, sizeof *p);
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!p) st = al_fail(err, AL_ENOMEM, "out of memory reading %s", path);
    else if (!root || (root->type == YAML_SCALAR_NODE && !root->data.scalar.length))
        st = al_fail(err, AL_EFORMAT, "%s: the campaign file is empty", path);
    else {
        *p = (parse_ctx){path, &doc, err, whole, {0}};
        st = parse_root(p, root, c);
    }
    free(p);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(fp);
    return st;
}

al_status orc_campaign_load(const char *path, orc_campaign *c, al_err *err) { return load(path, c, true, err); }

al_status orc_campaign_load_part(const char *path, orc_campaign *c, al_err *err) { return load(path, c, false, err); }
