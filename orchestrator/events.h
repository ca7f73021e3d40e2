/*
 * The campaign's JSON Lines event log (<campaign>/events.jsonl): one JSON object per line, one
 * line per stage start and end, with timings and the numbers the stage produced, for
 * dashboards, notifications and `galore report`.
 *
 * Every event carries "time" (UTC, ISO 8601), "unix" (seconds), "event" and "iteration";
 * the caller adds its own fields with the orc_json writer:
 *
 *   orc_json j;
 *   orc_event_begin(&j, "fit_end", 3);
 *   orc_json_num(&j, "seconds", 12.5);
 *   orc_event_write(ev, &j, err);          // appends the line, syncs it, frees j
 *
 * Crash safety: a line is written with one write(2) on a file opened with O_APPEND and synced
 * before orc_event_write returns. A process killed during the write can leave a torn last
 * line; reopening ends it with a newline, so later events stay on lines of their own, and
 * readers skip any line that is not a complete object.
 */
#ifndef ORC_EVENTS_H
#define ORC_EVENTS_H

#include "core/status.h"
#include "orchestrator/json.h"

typedef struct orc_events orc_events;

/* Opens path for appending, creating it when missing. */
al_status orc_events_open(const char *path, orc_events **out, al_err *err);
/* Closes; NULL is allowed. */
void orc_events_close(orc_events *ev);

/* Starts the object of an event (j is initialised here). */
void orc_event_begin(orc_json *j, const char *event, int iteration);
/* Finishes j, appends it as one line, syncs, and releases j (also on failure). */
al_status orc_event_write(orc_events *ev, orc_json *j, al_err *err);

#endif
