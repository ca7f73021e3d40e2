/* Options of `galore analyze` and their parsing (orchestrator/cmd_analyze.c). */
#ifndef ORC_ANALYZE_OPTS_H
#define ORC_ANALYZE_OPTS_H

#include <stdbool.h>

enum { ORC_MAX_ANALYSES = 16 };

typedef struct orc_pair_spec {
    int z[3];       /* species: 2 for coord/qn, 3 for angles */
    double r[2];    /* cutoffs (Å); 0 = first minimum of g */
} orc_pair_spec;

typedef struct orc_analyze_opts {
    const char *traj, *out_dir, *reference, *compare;
    double rmax, kmax, dt;
    int bins, nk, skip, every;
    bool lorch;
    orc_pair_spec coord[ORC_MAX_ANALYSES], angles[ORC_MAX_ANALYSES], qn[ORC_MAX_ANALYSES];
    int n_coord, n_angles, n_qn;
} orc_analyze_opts;

/* Parses argv; returns 0, or 2 after printing a usage error. */
int orc_analyze_parse(int argc, char **argv, orc_analyze_opts *o);

#endif
