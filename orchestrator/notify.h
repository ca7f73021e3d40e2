/*
 * Webhook notifications of a campaign (notify section): a JSON POST to an incoming-webhook URL
 * (Slack, Mattermost and compatible services) for the campaign's start, each iteration's test
 * errors, failures and the end. The body carries "text" (the human message those services
 * show) and "event" (the structured event, as in events.jsonl).
 *
 * A dead, slow or failing endpoint never stalls or stops the campaign: one notification takes
 * at most notify.timeout seconds in all, its attempts (at most 1 + notify.retries, with
 * back-off of 0.5 s, 1 s, 2 s, ... between them) sharing that budget; a notification that
 * cannot be delivered is logged as a warning and dropped. The URL may come from an
 * environment variable (notify.webhook_url_env), and is never written to logs or events.
 */
#ifndef ORC_NOTIFY_H
#define ORC_NOTIFY_H

#include <stdbool.h>

#include "core/status.h"
#include "orchestrator/campaign.h"
#include "orchestrator/json.h"

typedef struct orc_notifier orc_notifier;

/* A notifier for the notify section, or *out NULL when no URL is configured (an empty
 * webhook_url and no webhook_url_env). AL_EINVAL when webhook_url_env names a variable that
 * is not set, or the URL is not http(s). */
al_status orc_notifier_create(const orc_notify *n, orc_notifier **out, al_err *err);
void orc_notifier_destroy(orc_notifier *n);

/* Whether notifications of this kind ("start", "iteration", "failure", "end") are wanted. */
bool orc_notifier_wants(const orc_notifier *n, const char *kind);

/* Sends text and the structured event (may be NULL). Returns true when delivered (an HTTP 2xx
 * answer); never fails the caller. */
bool orc_notify_send(orc_notifier *n, const char *kind, const char *text, const char *event_json);

#endif
