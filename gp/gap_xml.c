/*
 * QUIP GAP XML interchange (libxml2). The layout written by QUIP's gap_fit (GAP 6c3375f,
 * gap_version 1686220958), as described in docs/gap.md:
 *   <GAP_label> <Potential init_args="IP GAP label=…"/>
 *     <GAP_params label gap_version> <GAP_data> <e0 Z value/>… </GAP_data>
 *       <gpSparse n_coordinate> <gpCoordinates dimensions signal_variance(=δ) signal_mean
 *           covariance_type(1 ard_se, 2 dot_product) zeta n_sparseX>
 *         <theta>…</theta> <descriptor>init string</descriptor> <permutation i="1">1</permutation>
 *         <sparseX i alpha sparseCutoff [sliced="T"]> vector | <sparseX_slice start end>… </sparseX>
 * Only what prediction needs is read: descriptor strings (distance_2b; soap with its n_species,
 * species_Z, one centre species Z and central_reference_all_species),
 * δ, θ, ζ, sparse vectors (inline, sliced, or in the side file named by sparseX_filename; its
 * md5 sum is not checked), α, sparseCutoff and e0. The l-weighting of SOAP that galore
 * implements is QUIP's for gap_version >= 1423143769; older files are refused.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "gp/gap_model.h"

#define XC (const xmlChar *)
/* QUIP's versions: the SOAP l-weighting, and the change of central_reference_all_species' default
 * from T to F (descriptors.f95, soap_initialise). */
enum { QUIP_SOAP_L_WEIGHT_VERSION = 1423143769, QUIP_SOAP_CENTRAL_VERSION = 1426512068, GALORE_GAP_VERSION = 1686220958 };

static xmlNode *child(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name)) return c;
    return NULL;
}

static xmlNode *next_named(xmlNode *c, const char *name)
{
    for (; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name)) return c;
    return NULL;
}

/* Reads attribute `name` of n as a number. */
static al_status attr_num(xmlNode *n, const char *name, const char *path, double *v, al_err *err)
{
    xmlChar *s = xmlGetProp(n, XC name);
    char *end = NULL;
    *v = 0.0;   /* defined on every path, also for the optimiser's view of the callers */
    if (s) *v = strtod((const char *)s, &end);
    int ok = s && end != (char *)s;
    xmlFree(s);
    if (!ok)
        return al_fail(err, AL_EFORMAT, "%s line %d: <%s> has no numeric attribute %s", path, (int)xmlGetLineNo(n),
                       (const char *)n->name, name);
    return AL_OK;
}

/* Value of key in a QUIP init string ("soap cutoff=5.0 species_Z={14 }"); NULL when absent. */
static const char *init_value(const char *s, const char *key, char *buf, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *p = s; (p = strstr(p, key)); p += kl) {
        if ((p != s && p[-1] != ' ' && p[-1] != '\t') || p[kl] != '=') continue;
        const char *v = p + kl + 1, *e = v;
        if (*v == '{') {
            v++;
            for (e = v; *e && *e != '}'; e++) {}
        } else {
            for (; *e && *e != ' ' && *e != '\t' && *e != '\n'; e++) {}
        }
        size_t n = (size_t)(e - v) < cap - 1 ? (size_t)(e - v) : cap - 1;
        memcpy(buf, v, n);
        buf[n] = 0;
        return buf;
    }
    return NULL;
}

static double init_num(const char *s, const char *key, double dflt)
{
    char buf[64];
    return init_value(s, key, buf, sizeof buf) ? strtod(buf, NULL) : dflt;
}

/* A QUIP logical (T, F, true, false); dflt when absent. */
static int init_bool(const char *s, const char *key, int dflt)
{
    char buf[16];
    if (!init_value(s, key, buf, sizeof buf)) return dflt;
    return buf[0] == 'T' || buf[0] == 't';
}

/* The neighbour species of a soap init string: n_species and the list species_Z (default: the
 * centre species when there is one), and where the centre's Gaussian goes. QUIP's default for
 * central_reference_all_species is T for one species or files older than its change, else F. */
static al_status soap_species(const char *s, double gap_version, desc_soap_species *sp, char *why, size_t cap)
{
    char buf[256];
    int n = (int)init_num(s, "n_species", 1), z = (int)init_num(s, "Z", 0);
    if (init_num(s, "n_Z", 1) != 1 || z < 1) {
        snprintf(why, cap, "soap needs one centre species (n_Z=1, Z >= 1)");
        return AL_EFORMAT;
    }
    if (n < 1 || n > DESC_SOAP_MAX_SPECIES) {
        snprintf(why, cap, "soap n_species=%d is outside 1..%d", n, DESC_SOAP_MAX_SPECIES);
        return AL_EFORMAT;
    }
    const char *list = init_value(s, "species_Z", buf, sizeof buf);
    const char *p = list ? list : "";
    int k = 0;
    for (char *end; k < n; k++, p = end) {
        long v = strtol(p, &end, 10);
        if (end == p) break;
        sp->z[k] = (int)v;
    }
    /* One species and none named (QUIP's wildcard 0): galore reads it as the centre's species,
     * which is the same descriptor in a one-element system. */
    if (n == 1 && (k == 0 || sp->z[0] == 0)) sp->z[0] = z, k = 1;
    if (k != n) {
        snprintf(why, cap, "soap n_species=%d but species_Z lists %d atomic numbers", n, k);
        return AL_EFORMAT;
    }
    sp->n = n;
    int dflt = n == 1 || gap_version < QUIP_SOAP_CENTRAL_VERSION;
    sp->central = init_bool(s, "central_reference_all_species", dflt) ? DESC_SOAP_CENTRAL_ALL : DESC_SOAP_CENTRAL_OWN;
    return AL_OK;
}

/* One <gpCoordinates>: the descriptor and kernel hyperparameters into the spec. */
static al_status read_hyper(xmlNode *c, const char *path, double gap_version, gp_gap_spec *spec, al_err *err)
{
    double dim, delta, cov, mean, ns, zeta = 0;
    AL_TRY(err, attr_num(c, "dimensions", path, &dim, err));
    AL_TRY(err, attr_num(c, "signal_variance", path, &delta, err));
    AL_TRY(err, attr_num(c, "covariance_type", path, &cov, err));
    AL_TRY(err, attr_num(c, "n_sparseX", path, &ns, err));
    if (attr_num(c, "signal_mean", path, &mean, NULL) == AL_OK && mean != 0.0)
        return al_fail(err, AL_EFORMAT, "%s line %d: signal_mean %g is not supported (only 0)", path, (int)xmlGetLineNo(c), mean);
    xmlNode *dn = child(c, "descriptor");
    xmlChar *ds = dn ? xmlNodeGetContent(dn) : NULL;
    if (!ds) return al_fail(err, AL_EFORMAT, "%s line %d: <gpCoordinates> has no <descriptor>", path, (int)xmlGetLineNo(c));
    const char *s = (const char *)ds;
    while (*s == ' ' || *s == '\n' || *s == '\t') s++;
    int line = (int)xmlGetLineNo(dn);
    al_status st = AL_OK;
    char buf[128], why[128];
    desc_soap_species sps = {0};
    if (!strncmp(s, "distance_2b ", 12)) {
        xmlNode *tn = child(c, "theta");
        xmlChar *ts = tn ? xmlNodeGetContent(tn) : NULL;
        double theta = ts ? strtod((const char *)ts, NULL) : 0.0;
        xmlFree(ts);
        if (cov != 1) st = al_fail(err, AL_EFORMAT, "%s line %d: distance_2b needs covariance_type 1 (ard_se), got %g", path, line, cov);
        if (!st)
            st = gp_gap_spec_add_2b(spec, (int)init_num(s, "Z1", 0), (int)init_num(s, "Z2", 0), init_num(s, "cutoff", 0),
                                    init_num(s, "cutoff_transition_width", 0.5), delta, theta, (size_t)ns, err);
    } else if (!strncmp(s, "soap ", 5)) {
        if (attr_num(c, "zeta", path, &zeta, err)) st = AL_EFORMAT;
        else if (cov != 2 || zeta != floor(zeta))
            st = al_fail(err, AL_EFORMAT, "%s line %d: soap needs covariance_type 2 (dot_product) and an integer zeta, got %g, %g",
                         path, line, cov, zeta);
        else if (soap_species(s, gap_version, &sps, why, sizeof why))
            st = al_fail(err, AL_EFORMAT, "%s line %d: %s", path, line, why);
        else if ((init_value(s, "radial_basis", buf, sizeof buf) && strcmp(buf, "EQUISPACED_GAUSS")) ||
                 init_num(s, "central_weight", 1) != 1 || init_num(s, "covariance_sigma0", 0) != 0)
            st = al_fail(err, AL_EFORMAT, "%s line %d: soap options other than radial_basis=EQUISPACED_GAUSS, central_weight=1 "
                         "and covariance_sigma0=0 are not supported", path, line);
        else
            st = gp_gap_spec_add_soap(spec, (int)init_num(s, "Z", 0), init_num(s, "cutoff", 0),
                                      init_num(s, "cutoff_transition_width", 0.5), (int)init_num(s, "n_max", 0),
                                      (int)init_num(s, "l_max", 0), init_num(s, "atom_sigma", 0), (int)zeta, delta,
                                      (size_t)ns, err);
        if (!st) spec->desc[spec->n_desc - 1].soap_species = sps;
    } else {
        st = al_fail(err, AL_EFORMAT, "%s line %d: descriptor \"%.40s\" is not supported (distance_2b and soap are)", path,
                     line, s);
    }
    xmlFree(ds);
    if (st && err && strncmp(err->msg, path, strlen(path))) al_fail_wrap(err, "%s line %d: ", path, line);
    if (!st) spec->desc[spec->n_desc - 1].n_sparse = (size_t)ns;
    (void)dim;
    return st;
}

/* Parses count numbers from text into out; AL_EFORMAT when fewer are found. */
static al_status parse_numbers(const char *text, double *out, size_t count, const char *path, int line, al_err *err)
{
    const char *p = text;
    for (size_t k = 0; k < count; k++) {
        char *end;
        out[k] = strtod(p, &end);
        if (end == p) return al_fail(err, AL_EFORMAT, "%s line %d: expected %zu numbers, found %zu", path, line, count, k);
        p = end;
    }
    return AL_OK;
}

/* Sparse vectors kept in a side file (gap_fit's default sparse_separate_file=T): the
 * gpCoordinates attribute sparseX_filename names a text file, relative to the XML's directory,
 * holding n_sparseX × dimensions numbers, point after point. */
static al_status read_side_file(gp_desc_model *dm, const char *path, const char *name, al_err *err)
{
    char full[4096];
    const char *slash = strrchr(path, '/');
    if (name[0] != '/' && slash) snprintf(full, sizeof full, "%.*s/%s", (int)(slash - path), path, name);
    else snprintf(full, sizeof full, "%s", name);
    FILE *fp = fopen(full, "r");
    if (!fp) return al_fail(err, AL_EIO, "%s: cannot open the sparse-vector file %s", path, full);
    size_t count = dm->ns * dm->dim, k = 0;
    while (k < count && fscanf(fp, "%lf", &dm->xs[k]) == 1) k++;
    fclose(fp);
    if (k != count) return al_fail(err, AL_EFORMAT, "%s: %zu numbers, expected %zu (%zu sparse points × %zu)", full, k, count, dm->ns, dm->dim);
    return AL_OK;
}

/* One sparse vector from the text of <sparseX> or its <sparseX_slice> children. */
static al_status read_vector(xmlNode *x, double *out, size_t dim, const char *path, al_err *err)
{
    xmlNode *sl = child(x, "sparseX_slice");
    if (!sl) {
        xmlChar *t = xmlNodeGetContent(x);
        al_status st = parse_numbers((const char *)t, out, dim, path, (int)xmlGetLineNo(x), err);
        xmlFree(t);
        return st;
    }
    for (; sl; sl = next_named(sl->next, "sparseX_slice")) {
        double a, b;
        AL_TRY(err, attr_num(sl, "start", path, &a, err));
        AL_TRY(err, attr_num(sl, "end", path, &b, err));
        if (a < 1 || b < a || b > dim)
            return al_fail(err, AL_EFORMAT, "%s line %d: slice %g..%g outside 1..%zu", path, (int)xmlGetLineNo(sl), a, b, dim);
        xmlChar *t = xmlNodeGetContent(sl);
        al_status st = parse_numbers((const char *)t, out + (size_t)a - 1, (size_t)(b - a + 1), path, (int)xmlGetLineNo(sl), err);
        xmlFree(t);
        AL_TRY(err, st);
    }
    return AL_OK;
}

/* The sparse points of descriptor d from its <gpCoordinates>. */
static al_status read_sparse(gp_model *m, size_t d, xmlNode *c, const char *path, al_err *err)
{
    gp_desc_model *dm = &m->d[d];
    double dim;
    AL_TRY(err, attr_num(c, "dimensions", path, &dim, err));
    if ((size_t)dim != dm->dim)
        return al_fail(err, AL_EFORMAT, "%s line %d: dimensions=%g but the descriptor has %zu", path, (int)xmlGetLineNo(c), dim,
                       dm->dim);
    xmlChar *side = xmlGetProp(c, XC "sparseX_filename");
    al_status st = side ? read_side_file(dm, path, (const char *)side, err) : AL_OK;
    xmlFree(side);
    AL_TRY(err, st);
    size_t seen = 0;
    for (xmlNode *x = next_named(c->children, "sparseX"); x; x = next_named(x->next, "sparseX"), seen++) {
        double i, alpha, cut;
        AL_TRY(err, attr_num(x, "i", path, &i, err));
        AL_TRY(err, attr_num(x, "alpha", path, &alpha, err));
        AL_TRY(err, attr_num(x, "sparseCutoff", path, &cut, err));
        size_t s = (size_t)i - 1;
        if (i < 1 || s >= dm->ns)
            return al_fail(err, AL_EFORMAT, "%s line %d: sparseX i=%g out of 1..%zu", path, (int)xmlGetLineNo(x), i, dm->ns);
        m->alpha[dm->first + s] = alpha;
        dm->ws[s] = cut;
        if (!side) AL_TRY(err, read_vector(x, dm->xs + s * dm->dim, dm->dim, path, err));
    }
    if (seen != dm->ns)
        return al_fail(err, AL_EFORMAT, "%s line %d: n_sparseX=%zu but %zu <sparseX> elements", path, (int)xmlGetLineNo(c),
                       dm->ns, seen);
    return AL_OK;
}

static al_status read_params(xmlNode *params, const char *path, gp_model **out, al_err *err)
{
    double ver;
    AL_TRY(err, attr_num(params, "gap_version", path, &ver, err));
    if (ver < QUIP_SOAP_L_WEIGHT_VERSION)
        return al_fail(err, AL_EFORMAT, "%s: gap_version %.0f predates the SOAP l-weighting galore implements (>= %d)", path,
                       ver, QUIP_SOAP_L_WEIGHT_VERSION);
    gp_gap_spec spec = gp_gap_spec_default();
    for (xmlNode *e = next_named(child(child(params, "GAP_data"), "e0"), "e0"); e; e = next_named(e->next, "e0")) {
        double z, v;
        AL_TRY(err, attr_num(e, "Z", path, &z, err));
        AL_TRY(err, attr_num(e, "value", path, &v, err));
        if (z >= 1 && z <= AL_MAX_Z) spec.e0[(int)z] = v;
    }
    xmlNode *sp = child(params, "gpSparse");
    if (!sp) return al_fail(err, AL_EFORMAT, "%s: <GAP_params> has no <gpSparse>", path);
    for (xmlNode *c = next_named(sp->children, "gpCoordinates"); c; c = next_named(c->next, "gpCoordinates"))
        AL_TRY(err, read_hyper(c, path, ver, &spec, err));
    gp_model *m = NULL;
    AL_TRY(err, gp__model_new(&spec, &m, err));
    al_status st = AL_OK;
    for (size_t d = 0; !st && d < spec.n_desc; d++) st = gp__sparse_alloc(m, d, spec.desc[d].n_sparse, err);
    if (!st) st = gp__alpha_alloc(m, err);
    size_t d = 0;
    for (xmlNode *c = next_named(sp->children, "gpCoordinates"); !st && c; c = next_named(c->next, "gpCoordinates"), d++)
        st = read_sparse(m, d, c, path, err);
    if (st) {
        gp_model_destroy(m);
        return st;
    }
    *out = m;
    return AL_OK;
}

al_status gp_model_read_quip_xml(const char *path, gp_model **out, al_err *err)
{
    *out = NULL;
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        return al_fail(err, AL_EIO, "%s: not a readable XML file%s%s", path, e && e->message ? ": " : "",
                       e && e->message ? e->message : "");
    }
    xmlNode *params = child(xmlDocGetRootElement(doc), "GAP_params");
    al_status st = params ? read_params(params, path, out, err)
                          : al_fail(err, AL_EFORMAT, "%s: no <GAP_params> under the root element; not a GAP potential", path);
    xmlFreeDoc(doc);
    return st;
}

/* ---- writing ---- */

static void set_num(xmlNode *n, const char *name, double v)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", v);
    xmlNewProp(n, XC name, XC buf);
}

static void add_text_numbers(xmlNode *n, const double *v, size_t count)
{
    char buf[40];
    for (size_t k = 0; k < count; k++) {
        snprintf(buf, sizeof buf, " %.17g", v[k]);
        xmlNodeAddContent(n, XC buf);
    }
    xmlNodeAddContent(n, XC " ");
}

static void write_coordinates(const gp_model *m, size_t d, const char *label, xmlNode *sp)
{
    const gp_desc_hyper *h = &m->spec.desc[d];
    const gp_desc_model *dm = &m->d[d];
    char buf[512];
    xmlNode *c = xmlNewChild(sp, NULL, XC "gpCoordinates", NULL);
    snprintf(buf, sizeof buf, "%s%zu", label, d + 1);
    xmlNewProp(c, XC "label", XC buf);
    set_num(c, "dimensions", (double)dm->dim);
    set_num(c, "signal_variance", h->delta);
    set_num(c, "signal_mean", 0.0);
    xmlNewProp(c, XC "sparsified", XC "T");
    xmlNewProp(c, XC "n_permutations", XC "1");
    set_num(c, "covariance_type", h->kind == GP_KIND_2B ? 1 : 2);
    if (h->kind == GP_KIND_SOAP) set_num(c, "zeta", h->zeta);
    set_num(c, "n_sparseX", (double)dm->ns);
    if (h->kind == GP_KIND_2B) {
        snprintf(buf, sizeof buf, " %.17g ", h->theta);
        xmlNewTextChild(c, NULL, XC "theta", XC buf);
        snprintf(buf, sizeof buf, "distance_2b cutoff=%.17g cutoff_transition_width=%.17g covariance_type=ard_se "
                 "theta_uniform=%.17g delta=%.17g n_sparse=%zu Z1=%d Z2=%d", h->b2.cutoff, h->b2.transition_width, h->theta,
                 h->delta, dm->ns, h->b2.z1, h->b2.z2);
    } else {
        const desc_soap_spec *so = &h->soap;
        const desc_soap_species *spc = &h->soap_species;   /* resolved when the model was built */
        int n = spc->n > 0 ? spc->n : 1, all = spc->central == DESC_SOAP_CENTRAL_ALL || (spc->central == DESC_SOAP_CENTRAL_DEFAULT && n == 1);
        char list[DESC_SOAP_MAX_SPECIES * 5 + 1] = "";
        for (int k = 0; k < n; k++) snprintf(list + strlen(list), sizeof list - strlen(list), "%d ", spc->n > 0 ? spc->z[k] : so->z);
        snprintf(buf, sizeof buf, "soap cutoff=%.17g cutoff_transition_width=%.17g n_max=%d l_max=%d atom_sigma=%.17g "
                 "zeta=%d delta=%.17g n_sparse=%zu covariance_type=dot_product n_species=%d Z=%d species_Z={%s} "
                 "central_reference_all_species=%c", so->cutoff, so->transition_width, so->n_max, so->l_max, so->atom_sigma,
                 h->zeta, h->delta, dm->ns, n, so->z, list, all ? 'T' : 'F');
    }
    xmlNewTextChild(c, NULL, XC "descriptor", XC buf);
    xmlNode *perm = xmlNewTextChild(c, NULL, XC "permutation", XC "1");
    xmlNewProp(perm, XC "i", XC "1");
    for (size_t s = 0; s < dm->ns; s++) {
        xmlNode *x = xmlNewChild(c, NULL, XC "sparseX", NULL);
        set_num(x, "i", (double)(s + 1));
        set_num(x, "alpha", m->alpha[dm->first + s]);
        set_num(x, "sparseCutoff", dm->ws[s]);
        if (dm->dim <= 50) {
            add_text_numbers(x, dm->xs + s * dm->dim, dm->dim);
            continue;
        }
        xmlNewProp(x, XC "sliced", XC "T");
        for (size_t a = 0; a < dm->dim; a += 50) {   /* QUIP's slices of 50 */
            size_t b = a + 50 < dm->dim ? a + 50 : dm->dim;
            xmlNode *sl = xmlNewChild(x, NULL, XC "sparseX_slice", NULL);
            set_num(sl, "start", (double)(a + 1));
            set_num(sl, "end", (double)b);
            add_text_numbers(sl, dm->xs + s * dm->dim + a, b - a);
        }
    }
}

al_status gp_model_write_quip_xml(const gp_model *m, const char *path, al_err *err)
{
    const char *label = "GAP_galore";
    char buf[128];
    xmlDoc *doc = xmlNewDoc(XC "1.0");
    xmlNode *root = xmlNewNode(NULL, XC label);
    xmlDocSetRootElement(doc, root);
    xmlNode *pot = xmlNewChild(root, NULL, XC "Potential", NULL);
    xmlNewProp(pot, XC "label", XC label);
    snprintf(buf, sizeof buf, "IP GAP label=%s", label);
    xmlNewProp(pot, XC "init_args", XC buf);
    xmlNode *params = xmlNewChild(root, NULL, XC "GAP_params", NULL);
    xmlNewProp(params, XC "label", XC label);
    set_num(params, "gap_version", GALORE_GAP_VERSION);
    xmlNode *data = xmlNewChild(params, NULL, XC "GAP_data", NULL);
    xmlNewProp(data, XC "do_core", XC "F");
    for (int z = 1; z <= AL_MAX_Z; z++) {
        xmlNode *e = xmlNewChild(data, NULL, XC "e0", NULL);
        set_num(e, "Z", z);
        set_num(e, "value", m->spec.e0[z]);
    }
    xmlNode *sp = xmlNewChild(params, NULL, XC "gpSparse", NULL);
    xmlNewProp(sp, XC "label", XC label);
    set_num(sp, "n_coordinate", (double)m->spec.n_desc);
    xmlNewProp(sp, XC "fitted", XC "T");
    for (size_t d = 0; d < m->spec.n_desc; d++) write_coordinates(m, d, label, sp);
    int rc = xmlSaveFormatFileEnc(path, doc, "UTF-8", 1);
    xmlFreeDoc(doc);
    if (rc < 0) return al_fail(err, AL_EIO, "%s: cannot write the XML file", path);
    return AL_OK;
}
