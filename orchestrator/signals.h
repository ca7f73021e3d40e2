/*
 * Stopping a campaign cleanly on SIGTERM (what Slurm sends before the wall-time kill) and
 * SIGINT (Ctrl-C): the handler only records the signal; the loop checks it between units of
 * work (stages, labels, MD replicas, tuning trials), leaves everything finished on disk, and
 * returns AL_EINTERRUPT, so the campaign can be resumed. A second signal of the same kind
 * while stopping restores the default action (it kills at once; the campaign stays resumable).
 */
#ifndef ORC_SIGNALS_H
#define ORC_SIGNALS_H

/* Installs the handlers for SIGTERM and SIGINT. */
void orc_signals_install(void);
/* Restores the default handlers and forgets a recorded signal. */
void orc_signals_restore(void);
/* The signal received since installation, or 0. */
int orc_interrupted(void);

#endif
