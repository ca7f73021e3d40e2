/*
 * Writing the effective campaign as YAML (`galore check`) and the key reference as Markdown
 * (docs/campaign.md), both from the schema table.
 */
#include <stdlib.h>
#include <string.h>

#include "core/elements.h"
#include "orchestrator/campaign.h"
#include "orchestrator/campaign_schema.h"

/* Quantities are written in interface units with the fewest digits (15, else 17) that read
 * back as the same double, so `galore check` output is both readable and exact. */
static void put_real(FILE *out, double v, orc_dim dim)
{
    const char *unit = orc_dim_unit(dim);
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", v);
    if (strtod(buf, NULL) != v) snprintf(buf, sizeof buf, "%.17g", v);
    fprintf(out, "%s%s%s", buf, *unit ? " " : "", unit);
}

static const char *choice(const char *choices, int index, char *buf, size_t cap)
{
    const char *c = choices;
    for (int i = 0; i < index && c; i++) {
        c = strchr(c, '|');
        if (c) c++;
    }
    if (!c) return "?";
    snprintf(buf, cap, "%.*s", (int)strcspn(c, "|"), c);
    return buf;
}

static void put_string(FILE *out, const char *s)
{
    /* Quoted when empty or when YAML could read it as something else. */
    if (!*s || strpbrk(s, ":#{}[],&*!|>'\"%@`") || s[0] == ' ' || s[0] == '-') {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"' || *s == '\\') fputc('\\', out);
            fputc(*s, out);
        }
        fputc('"', out);
    } else {
        fputs(s, out);
    }
}

static void put_value(FILE *out, const orc_key *k, const void *base, const char *indent);

static void put_segments(FILE *out, const orc_segments *s, const char *indent)
{
    for (int i = 0; i < s->n; i++) {
        const char *lead = "- ";
        for (size_t r = 0; r < orc_campaign_n_keys; r++) {
            const orc_key *k = &orc_campaign_keys[r];
            if (strcmp(k->section, "segment")) continue;
            fprintf(out, "\n%s  %s%s: ", indent, lead, k->name);
            put_value(out, k, &s->seg[i], indent);
            lead = "  ";
        }
    }
}

static void put_value(FILE *out, const orc_key *k, const void *base, const char *indent)
{
    const void *v = (const char *)base + k->offset;
    char buf[64];
    switch (k->type) {
    case ORC_T_BOOL: fputs(*(const bool *)v ? "true" : "false", out); break;
    case ORC_T_INT: fprintf(out, "%ld", *(const long *)v); break;
    case ORC_T_REAL: put_real(out, *(const double *)v, k->dim); break;
    case ORC_T_ENUM: fputs(choice(k->choices, *(const int *)v, buf, sizeof buf), out); break;
    case ORC_T_STRING: put_string(out, v); break;
    case ORC_T_INTS: {
        const orc_int_list *l = v;
        fputc('[', out);
        for (int i = 0; i < l->n; i++) fprintf(out, "%s%ld", i ? ", " : "", l->v[i]);
        fputc(']', out);
        break;
    }
    case ORC_T_REALS: {
        const orc_real_list *l = v;
        fputc('[', out);
        for (int i = 0; i < l->n; i++) {
            if (i) fputs(", ", out);
            put_real(out, l->v[i], k->dim);
        }
        fputc(']', out);
        break;
    }
    case ORC_T_STRINGS: {
        const orc_str_list *l = v;
        fputc('[', out);
        for (int i = 0; i < l->n; i++) fprintf(out, "%s%s", i ? ", " : "", l->v[i]);
        fputc(']', out);
        break;
    }
    case ORC_T_ELEM_TEXT:
    case ORC_T_ELEM_REAL: {
        const orc_elem_map *m = v;
        fputc('{', out);
        for (int i = 0; i < m->n; i++) {
            fprintf(out, "%s%s: ", i ? ", " : "", al_element_symbol(m->z[i]));
            if (k->type == ORC_T_ELEM_TEXT) put_string(out, m->text[i]);
            else put_real(out, m->value[i], k->dim);
        }
        fputc('}', out);
        break;
    }
    case ORC_T_SEGMENTS: put_segments(out, v, indent); break;
    }
}

void orc_campaign_write_yaml(const orc_campaign *c, FILE *out)
{
    fprintf(out, "# effective campaign%s%s: every key, in galore units (eV, Å, fs, K, GPa; wall time in s)\n",
            c->path[0] ? " of " : "", c->path);
    for (int s = 0; orc_campaign_sections[s]; s++) {
        const char *sec = orc_campaign_sections[s];
        const char *dot = strchr(sec, '.');
        fprintf(out, dot ? "  %s:\n" : "%s:\n", dot ? dot + 1 : sec);
        const char *indent = dot ? "    " : "  ";
        for (size_t r = 0; r < orc_campaign_n_keys; r++) {
            const orc_key *k = &orc_campaign_keys[r];
            if (strcmp(k->section, sec)) continue;
            /* A quantity without a default that the file left out (dft.ecut for an analytic
             * labeler) stays out, so the effective file reads back as the same campaign. */
            if (k->type == ORC_T_REAL && !k->def && *(const double *)((const char *)c + k->offset) == 0) {
                fprintf(out, "%s# %s: not set\n", indent, k->name);
                continue;
            }
            fprintf(out, "%s%s:%s", indent, k->name, k->type == ORC_T_SEGMENTS ? "" : " ");
            put_value(out, k, c, indent);
            fputc('\n', out);
        }
    }
}

static const char *type_text(const orc_key *k, char *buf, size_t cap)
{
    switch (k->type) {
    case ORC_T_BOOL: return "true/false";
    case ORC_T_INT: return "integer";
    case ORC_T_REAL:
        if (k->dim == ORC_DIM_NONE) return "number";
        snprintf(buf, cap, "%s; a bare number is in %s (units: %s)",
                 orc_dim_noun(k->dim) + (orc_dim_noun(k->dim)[1] == 'n' ? 3 : 2),
                 k->unit ? k->unit : orc_dim_unit(k->dim), orc_dim_units_list(k->dim));
        return buf;
    case ORC_T_STRING: return "text";
    case ORC_T_ENUM: snprintf(buf, cap, "one of: %s", k->choices); return buf;
    case ORC_T_INTS: snprintf(buf, cap, "list of %d integers", k->count); return buf;
    case ORC_T_REALS: snprintf(buf, cap, "list of %d numbers", k->count); return buf;
    case ORC_T_STRINGS: snprintf(buf, cap, "list, each one of: %s", k->choices ? k->choices : "names"); return buf;
    case ORC_T_ELEM_TEXT: return "element: name";
    case ORC_T_ELEM_REAL: return "element: number";
    case ORC_T_SEGMENTS: return "list of segments";
    }
    return "";
}

static void doc_table(FILE *out, const char *section)
{
    char buf[256];
    fprintf(out, "| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n");
    for (size_t r = 0; r < orc_campaign_n_keys; r++) {
        const orc_key *k = &orc_campaign_keys[r];
        if (strcmp(k->section, section)) continue;
        char range[128] = "";
        size_t u = 0;
        if (k->flags & (ORC_MIN | ORC_MIN_EXCL))
            u += snprintf(range + u, sizeof range - u, "%s %g", (k->flags & ORC_MIN) ? "≥" : ">", k->min);
        if (k->flags & (ORC_MAX | ORC_MAX_EXCL))
            snprintf(range + u, sizeof range - u, "%s%s %g", u ? ", " : "", (k->flags & ORC_MAX) ? "≤" : "<", k->max);
        const char *def = k->def ? k->def : ((k->flags & ORC_REQUIRED) ? "**required**" : "—");
        if (!strcmp(k->section, "dft") && !strcmp(k->name, "ecut")) def = "**required** (with labeler: dft)";
        char type[300];
        snprintf(type, sizeof type, "%s", type_text(k, buf, sizeof buf));
        for (char *q = type; *q; q++)
            if (*q == '|') *q = '/';
        fprintf(out, "| `%s` | %s | %s%s%s | %s | %s%s |\n", k->name, type, k->def ? "`" : "", def,
                k->def ? "`" : "", range[0] ? range : "", k->doc,
                (k->flags & ORC_UNIT_REQUIRED) ? " (unit required)" : "");
    }
    fputc('\n', out);
}

void orc_campaign_write_doc(FILE *out)
{
    fprintf(out,
            "# Campaign file reference\n\n"
            "<!-- Generated by `galore check --doc` from orchestrator/campaign_schema.c; a test keeps "
            "this file and the schema identical. -->\n\n"
            "A campaign is one YAML file with the sections below; every key is optional unless marked "
            "required. `galore check campaign.yaml` validates a file and prints it with every default "
            "filled in. Quantities may carry a unit (`30 Ry`, `1 ps`, `0.5 Å`);  Errors name the "
            "file, line, column and key.\n\n");
    for (int s = 0; orc_campaign_sections[s]; s++) {
        fprintf(out, "## `%s`\n\n%s\n\n", orc_campaign_sections[s], orc_campaign_section_docs[s]);
        doc_table(out, orc_campaign_sections[s]);
        if (!strcmp(orc_campaign_sections[s], "explore")) {
            fprintf(out, "### `explore.schedule` segments\n\n"
                         "Each segment is a mapping; the MD runs the segments in order.\n\n");
            doc_table(out, "segment");
        }
    }
}
