/*
 * The search box of Bayesian optimisation: named parameters with bounds, linear or log scale,
 * integer or continuous, and the map to and from the unit cube the surrogate works in
 * (see bo.h). Integers are rounded inside the map, so the objective never sees a fraction.
 */
#include "gp/bo/bo.h"

#include <math.h>
#include <string.h>

void bo_space_init(bo_space *s) { memset(s, 0, sizeof *s); }

int bo_space_find(const bo_space *s, const char *name)
{
    for (size_t i = 0; i < s->d; i++)
        if (strcmp(s->p[i].name, name) == 0) return (int)i;
    return -1;
}

al_status bo_space_add(bo_space *s, const char *name, double lo, double hi, int log_scale,
                       int integer, al_err *err)
{
    if (!name || !name[0] || strlen(name) >= BO_NAME_LEN)
        return al_fail(err, AL_EINVAL, "search space: parameter name must have 1 to %d characters",
                       BO_NAME_LEN - 1);
    if (strchr(name, ',') || strchr(name, '\n'))
        return al_fail(err, AL_EINVAL, "search space: parameter name '%s' contains ',' or a newline",
                       name);
    if (bo_space_find(s, name) >= 0)
        return al_fail(err, AL_EINVAL, "search space: parameter '%s' given twice", name);
    if (s->d >= BO_MAX_DIM)
        return al_fail(err, AL_EINVAL, "search space: more than %d parameters ('%s')", BO_MAX_DIM,
                       name);
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
        return al_fail(err, AL_EINVAL, "search space: '%s' needs finite bounds min < max (got %g, %g)",
                       name, lo, hi);
    if (log_scale && lo <= 0)
        return al_fail(err, AL_EINVAL, "search space: '%s' on a log scale needs min > 0 (got %g)",
                       name, lo);
    if (integer && ceil(lo) > floor(hi))
        return al_fail(err, AL_EINVAL, "search space: integer '%s' has no integer in [%g, %g]", name,
                       lo, hi);
    bo_param *p = &s->p[s->d++];
    memset(p, 0, sizeof *p);
    strcpy(p->name, name);
    p->lo = lo;
    p->hi = hi;
    p->log_scale = log_scale != 0;
    p->integer = integer != 0;
    return AL_OK;
}

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

void bo_space_from_unit(const bo_space *s, const double *u, double *x)
{
    for (size_t i = 0; i < s->d; i++) {
        const bo_param *p = &s->p[i];
        double t = clamp(u[i], 0.0, 1.0), v;
        if (t == 0.0 || t == 1.0)   /* the bounds exactly, not exp(log(lo)) */
            v = t == 0.0 ? p->lo : p->hi;
        else if (p->log_scale)
            v = exp(log(p->lo) + t * (log(p->hi) - log(p->lo)));
        else
            v = p->lo + t * (p->hi - p->lo);
        if (p->integer) v = clamp(round(v), ceil(p->lo), floor(p->hi));
        x[i] = clamp(v, p->lo, p->hi);
    }
}

void bo_space_to_unit(const bo_space *s, const double *x, double *u)
{
    for (size_t i = 0; i < s->d; i++) {
        const bo_param *p = &s->p[i];
        double t;
        if (p->log_scale)
            t = (log(x[i]) - log(p->lo)) / (log(p->hi) - log(p->lo));
        else
            t = (x[i] - p->lo) / (p->hi - p->lo);
        u[i] = clamp(t, 0.0, 1.0);
    }
}
