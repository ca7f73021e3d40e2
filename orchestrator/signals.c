/* Recording SIGTERM and SIGINT for a clean stop of the campaign (see signals.h). */
#include "orchestrator/signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t received;

static void on_signal(int sig)
{
    if (received == sig) {   /* a second one: the default action, now */
        signal(sig, SIG_DFL);
        raise(sig);
    }
    received = sig;
}

static void set(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

void orc_signals_install(void)
{
    received = 0;
    set(SIGTERM, on_signal);
    set(SIGINT, on_signal);
}

void orc_signals_restore(void)
{
    set(SIGTERM, SIG_DFL);
    set(SIGINT, SIG_DFL);
    received = 0;
}

int orc_interrupted(void) { return (int)received; }
