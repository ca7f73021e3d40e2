/*
 * The campaign report: DIR/report/report.md and report.html (self-contained: figures inlined)
 * with SVG figures of the test errors against labels, parity of the final model, uncertainty
 * calibration of each iteration's model, the candidates' uncertainty and where labels came
 * from (see report.c for the list).
 */
#ifndef ORC_REPORT_H
#define ORC_REPORT_H

#include "core/status.h"

al_status orc_report_write(const char *dir, al_err *err);

#endif
