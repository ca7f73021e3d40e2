/* Webhook notifications through libcurl (see notify.h). */
#include "orchestrator/notify.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/log.h"

struct orc_notifier {
    char url[1024];
    double timeout;           /* s, for all attempts of one notification */
    long retries;
    orc_str_list events;
};

al_status orc_notifier_create(const orc_notify *n, orc_notifier **out, al_err *err)
{
    *out = NULL;
    const char *url = n->webhook_url;
    if (n->webhook_url_env[0]) {
        url = getenv(n->webhook_url_env);
        if (!url || !*url)
            return al_fail(err, AL_EINVAL, "notify.webhook_url_env: the environment variable %s is not set",
                           n->webhook_url_env);
    }
    if (!url[0]) return AL_OK;
    if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7))
        return al_fail(err, AL_EINVAL, "notify: the webhook URL must start with https:// or http://");
    orc_notifier *p = al_calloc(1, sizeof *p);
    if (!p) return al_fail(err, AL_ENOMEM, "notify: out of memory");
    snprintf(p->url, sizeof p->url, "%s", url);
    p->timeout = n->timeout;
    p->retries = n->retries;
    p->events = n->events;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    *out = p;
    return AL_OK;
}

void orc_notifier_destroy(orc_notifier *n)
{
    if (!n) return;
    curl_global_cleanup();
    al_free(n);
}

bool orc_notifier_wants(const orc_notifier *n, const char *kind)
{
    if (!n) return false;
    for (int i = 0; i < n->events.n; i++)
        if (!strcmp(n->events.v[i], kind)) return true;
    return false;
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *user)
{
    (void)ptr, (void)user;
    return size * nmemb;
}

/* One POST within `budget` seconds; the HTTP status, or 0 when there was no answer. */
static long post(const orc_notifier *n, const char *body, double budget, char *why, size_t why_len)
{
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(why, why_len, "cannot start a transfer");
        return 0;
    }
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    long ms = (long)(budget * 1e3);
    curl_easy_setopt(h, CURLOPT_URL, n->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms > 1 ? ms : 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms > 1 ? ms : 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(why, why_len, "%s", curl_easy_strerror(rc));
    if (rc == CURLE_OK && (status < 200 || status > 299)) snprintf(why, why_len, "HTTP %ld", status);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return rc == CURLE_OK ? status : 0;
}

static void pause_for(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

bool orc_notify_send(orc_notifier *n, const char *kind, const char *text, const char *event_json)
{
    if (!n) return false;
    orc_json j;
    orc_json_init(&j);
    orc_json_str(&j, "text", text);
    orc_json_str(&j, "kind", kind);
    const char *head = orc_json_finish(&j);
    /* The structured event goes in verbatim: splice it in before the closing brace. */
    size_t len = head ? strlen(head) : 0, ev = event_json ? strlen(event_json) : 0;
    char *body = head ? al_malloc(len + ev + 16) : NULL;
    if (!body) {
        orc_json_fini(&j);
        return false;
    }
    memcpy(body, head, len - 1);
    if (event_json)
        sprintf(body + len - 1, ",\"event\":%s}", event_json);
    else
        strcpy(body + len - 1, "}");
    orc_json_fini(&j);
    double start = al_wtime(), wait = 0.5;
    char why[256] = "";
    bool ok = false;
    for (long attempt = 0; attempt <= n->retries && !ok; attempt++) {
        double left = n->timeout - (al_wtime() - start);
        if (left <= 0.01) break;
        long status = post(n, body, left, why, sizeof why);
        ok = status >= 200 && status <= 299;
        left = n->timeout - (al_wtime() - start);
        if (!ok && attempt < n->retries && wait < left) pause_for(wait), wait *= 2;
    }
    if (!ok) al_warn("webhook notification '%s' not delivered within %g s (%s); the campaign goes on",
                     kind, n->timeout, why[0] ? why : "no time left");
    al_free(body);
    return ok;
}
