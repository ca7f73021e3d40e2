/*
 * Webhook notifications against a small HTTP server on 127.0.0.1 (a child process): delivery
 * of the Slack-style body with the structured event; an endpoint that answers 500 is retried
 * with back-off within the time limit; one that hangs, or a closed port, costs at most the
 * configured timeout; the URL can come from an environment variable.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "orchestrator/loop.h"
#include "orchestrator/notify.h"
#include "tests/harness/al_test.h"

typedef enum { SERVE_OK, SERVE_500, SERVE_HANG } serve_mode;

typedef struct server {
    pid_t pid;
    int port;
} server;

/* Reads one request; appends its body and a newline to log. */
static void read_request(int c, FILE *log)
{
    char buf[65536];
    size_t n = 0;
    ssize_t r;
    char *end = NULL;
    while (!end && n < sizeof buf - 1 && (r = read(c, buf + n, sizeof buf - 1 - n)) > 0) {
        n += (size_t)r;
        buf[n] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end) return;
    const char *cl = strstr(buf, "Content-Length:");
    size_t want = cl ? (size_t)atol(cl + 15) : 0, have = n - (size_t)(end + 4 - buf);
    while (have < want && n < sizeof buf - 1 && (r = read(c, buf + n, sizeof buf - 1 - n)) > 0)
        n += (size_t)r, have += (size_t)r;
    buf[n] = '\0';
    fprintf(log, "%s\n", end + 4);
    fflush(log);
}

static void serve(int s, serve_mode mode, const char *log_path)
{
    FILE *log = fopen(log_path, "w");
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0) continue;
        if (mode == SERVE_HANG) {
            sleep(60);
            continue;
        }
        read_request(c, log);
        const char *reply = mode == SERVE_OK
                                ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                                : "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        if (write(c, reply, strlen(reply)) < 0) break;
        close(c);
    }
    _exit(0);
}

static server start_server(serve_mode mode, const char *log_path)
{
    server sv = {-1, 0};
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 8) || getsockname(s, (struct sockaddr *)&a, &len))
        return sv;
    sv.port = ntohs(a.sin_port);
    sv.pid = fork();
    if (sv.pid == 0) serve(s, mode, log_path);
    close(s);
    return sv;
}

static void stop_server(server *sv)
{
    if (sv->pid > 0) kill(sv->pid, SIGKILL), waitpid(sv->pid, NULL, 0);
}

static orc_notify settings(int port, double timeout, long retries)
{
    orc_notify n;
    memset(&n, 0, sizeof n);
    snprintf(n.webhook_url, sizeof n.webhook_url, "http://127.0.0.1:%d/hooks/abc", port);
    n.timeout = timeout;
    n.retries = retries;
    n.events.n = 2;
    strcpy(n.events.v[0], "iteration");
    strcpy(n.events.v[1], "end");
    return n;
}

static int count_lines(const char *path)
{
    FILE *fp = fopen(path, "r");
    int n = 0;
    char line[65536];
    while (fp && fgets(line, sizeof line, fp)) n++;
    if (fp) fclose(fp);
    return n;
}

static void test_delivered(al_test *t)
{
    al_err err;
    char log[1024];
    snprintf(log, sizeof log, "%srequests.txt", al_test_tmp_dir(t));
    server sv = start_server(SERVE_OK, log);
    orc_notify cfg = settings(sv.port, 5, 3);
    orc_notifier *n = NULL;
    AL_CHECK_OK(t, orc_notifier_create(&cfg, &n, &err), &err);
    AL_CHECK(t, orc_notifier_wants(n, "end") && !orc_notifier_wants(n, "start"));
    AL_CHECK(t, orc_notify_send(n, "iteration", "galore: iteration 3, force MAE 0.1 eV/Å",
                                "{\"event\":\"eval_end\",\"iteration\":3,\"force_mae\":0.1}"));
    orc_notifier_destroy(n);
    stop_server(&sv);
    FILE *fp = fopen(log, "r");
    char body[4096] = "";
    if (fp) body[fread(body, 1, sizeof body - 1, fp)] = '\0', fclose(fp);
    AL_CHECK_STR(t, body, "{\"text\":\"galore: iteration 3, force MAE 0.1 eV/Å\",\"kind\":\"iteration\","
                          "\"event\":{\"event\":\"eval_end\",\"iteration\":3,\"force_mae\":0.1}}\n");
}

/* Seconds one notification to an endpoint that never accepts it takes (logs muted). */
static double timed_failed_send(al_test *t, const orc_notify *cfg)
{
    al_err err;
    orc_notifier *n = NULL;
    AL_CHECK_OK(t, orc_notifier_create(cfg, &n, &err), &err);
    al_log_level old = al_log_get_level();
    al_log_set_level(AL_LOG_ERROR);
    double t0 = al_wtime();
    AL_CHECK(t, !orc_notify_send(n, "end", "galore: finished", NULL));
    double dt = al_wtime() - t0;
    al_log_set_level(old);
    orc_notifier_destroy(n);
    return dt;
}

/* 500 four times (1 + 3 retries) with 0.5 + 1 + 2 s of back-off, inside the 6 s limit. */
static void test_server_error_retried(al_test *t)
{
    char log[1024];
    snprintf(log, sizeof log, "%srequests.txt", al_test_tmp_dir(t));
    server sv = start_server(SERVE_500, log);
    orc_notify cfg = settings(sv.port, 6, 3);
    double dt = timed_failed_send(t, &cfg);
    stop_server(&sv);
    AL_CHECK_MSG(t, dt >= 3.5 && dt < 6.0, "%.2f s", dt);
    AL_CHECK_MSG(t, count_lines(log) == 4, "%d requests", count_lines(log));
}

/* A hanging endpoint and a closed port each cost at most the timeout (1 s, + 0.3 s slack). */
static void test_hang_and_dead_bounded(al_test *t)
{
    char log[1024];
    snprintf(log, sizeof log, "%srequests.txt", al_test_tmp_dir(t));
    server sv = start_server(SERVE_HANG, log);
    orc_notify cfg = settings(sv.port, 1, 3);
    double hang = timed_failed_send(t, &cfg);
    stop_server(&sv);
    /* The same port, now closed: refused at once, retried within the limit. */
    double dead = timed_failed_send(t, &cfg);
    AL_CHECK_MSG(t, hang >= 0.9 && hang < 1.3, "hanging endpoint: %.2f s", hang);
    AL_CHECK_MSG(t, dead < 1.3, "closed port: %.2f s", dead);
}

static void test_url_from_environment(al_test *t)
{
    al_err err;
    orc_notify cfg = settings(1, 1, 0);
    cfg.webhook_url[0] = '\0';
    snprintf(cfg.webhook_url_env, sizeof cfg.webhook_url_env, "GALORE_TEST_WEBHOOK");
    unsetenv("GALORE_TEST_WEBHOOK");
    orc_notifier *n = NULL;
    AL_CHECK(t, orc_notifier_create(&cfg, &n, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "notify.webhook_url_env: the environment variable GALORE_TEST_WEBHOOK is not set");
    setenv("GALORE_TEST_WEBHOOK", "ftp://example.invalid/x", 1);
    AL_CHECK(t, orc_notifier_create(&cfg, &n, &err) == AL_EINVAL);
    AL_CHECK_STR(t, err.msg, "notify: the webhook URL must start with https:// or http://");
    setenv("GALORE_TEST_WEBHOOK", "https://hooks.example.invalid/T000", 1);
    AL_CHECK_OK(t, orc_notifier_create(&cfg, &n, &err), &err);
    AL_CHECK(t, n != NULL);
    orc_notifier_destroy(n);
    orc_notify none = settings(1, 1, 0);
    none.webhook_url[0] = '\0';
    AL_CHECK_OK(t, orc_notifier_create(&none, &n, &err), &err);
    AL_CHECK(t, n == NULL && !orc_notifier_wants(n, "end") && !orc_notify_send(n, "end", "x", NULL));
}

/* A campaign notifies its start, each iteration's errors and its end (the loop test's silicon
 * campaign, 2 iterations: 1 + 3 + 1 notifications), and a hanging endpoint does not hold it up
 * beyond the timeout per notification. */
static void test_campaign_notifications(al_test *t)
{
    static orc_campaign c;
    al_err err;
    char log[1024], path[1024], dir[1024];
    snprintf(log, sizeof log, "%srequests.txt", al_test_tmp_dir(t));
    snprintf(dir, sizeof dir, "%scampaign", al_test_tmp_dir(t));
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    if (system(path) != 0) return;
    server sv = start_server(SERVE_OK, log);
    snprintf(path, sizeof path, "%sloop/si_sw.yaml", al_test_data_dir());
    AL_CHECK_OK(t, orc_campaign_load(path, &c, &err), &err);
    snprintf(c.output.directory, sizeof c.output.directory, "%s", dir);
    c.notify = settings(sv.port, 2, 1);
    c.notify.events.n = 4;
    strcpy(c.notify.events.v[0], "start");
    strcpy(c.notify.events.v[2], "failure");
    strcpy(c.notify.events.v[3], "end");
    strcpy(c.notify.events.v[1], "iteration");
    double t_ok = al_wtime();
    AL_CHECK_OK(t, orc_campaign_start(&c, NULL, &err), &err);
    t_ok = al_wtime() - t_ok;
    stop_server(&sv);
    AL_CHECK_MSG(t, count_lines(log) == 5, "%d notifications", count_lines(log));
    FILE *fp = fopen(log, "r");
    char text[16384] = "";
    if (fp) text[fread(text, 1, sizeof text - 1, fp)] = '\0', fclose(fp);
    AL_CHECK_CONTAINS(t, text, "campaign started at iteration 0, stage init\",\"kind\":\"start\"}");
    AL_CHECK_CONTAINS(t, text, "\"kind\":\"iteration\",\"event\":{\"time\":");
    AL_CHECK_CONTAINS(t, text, "\"kind\":\"end\",\"event\":{\"time\":");
    AL_CHECK_CONTAINS(t, text, "campaign finished after 2 iterations and 12 labels: the iteration budget");
    /* The same campaign against an endpoint that never answers takes longer by at most the
     * 5 notifications' 0.5 s each (and 3 s for the noise of a loaded machine). */
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    if (system(path) != 0) return;
    sv = start_server(SERVE_HANG, log);
    c.notify = settings(sv.port, 0.5, 3);
    c.notify.events = (orc_str_list){4, {"start", "iteration", "failure", "end"}};
    al_log_level old = al_log_get_level();
    al_log_set_level(AL_LOG_ERROR);
    double t0 = al_wtime();
    AL_CHECK_OK(t, orc_campaign_start(&c, NULL, &err), &err);
    double dt = al_wtime() - t0;
    al_log_set_level(old);
    stop_server(&sv);
    AL_CHECK_MSG(t, dt - t_ok < 5 * 0.5 + 3.0, "%.1f s against %.1f s with a working endpoint", dt, t_ok);
}

static const al_test_case cases[] = {
    {"delivered", test_delivered, AL_TEST_FAST},
    {"server_error_retried", test_server_error_retried, AL_TEST_SLOW},
    {"hang_and_dead_bounded", test_hang_and_dead_bounded, AL_TEST_SLOW},
    {"url_from_environment", test_url_from_environment, AL_TEST_FAST},
    {"campaign_notifications", test_campaign_notifications, AL_TEST_SLOW},
    {NULL, NULL, 0},
};

AL_TEST_MAIN(cases)
