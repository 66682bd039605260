/*
 * SIGINT, SIGTERM, SIGHUP end the run cleanly (see signals.h).
 */
#include <linux/kvm.h>
#include <string.h>

#include "core/signals.h"

static const int ending_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NSIG_ENDING (sizeof ending_signals / sizeof ending_signals[0])

static volatile sig_atomic_t caught;
static struct kvm_run *volatile armed_run;
static struct sigaction saved_actions[NSIG_ENDING];
static int armed;

/* on_signal: async-signal-safe: record, and make the next (or current)
 * KVM_RUN return EINTR at once. */
static void on_signal(int sig)
{
    struct kvm_run *run = armed_run;

    if (!caught)
        caught = sig;
    if (run)
        run->immediate_exit = 1;
}

static void ending_set(sigset_t *set)
{
    sigemptyset(set);
    for (unsigned i = 0; i < NSIG_ENDING; i++)
        sigaddset(set, ending_signals[i]);
}

void signals_block(sigset_t *saved)
{
    sigset_t set;

    caught = 0;
    ending_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, saved);
}

void signals_arm(struct kvm_run *run)
{
    struct sigaction sa;
    sigset_t set;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: blocking calls see EINTR */
    sigfillset(&sa.sa_mask);
    armed_run = run;
    for (unsigned i = 0; i < NSIG_ENDING; i++)
        sigaction(ending_signals[i], &sa, &saved_actions[i]);
    armed = 1;
    ending_set(&set);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int signals_caught(void)
{
    return caught;
}

void signals_restore(const sigset_t *saved, int confined)
{
    sigset_t set;

    armed_run = NULL; /* the vCPU's kvm_run is about to be unmapped */
    if (confined)
        return;
    /* block first: a late signal stays pending, not lost mid-restore */
    ending_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (armed)
        for (unsigned i = 0; i < NSIG_ENDING; i++)
            sigaction(ending_signals[i], &saved_actions[i], NULL);
    armed = 0;
    pthread_sigmask(SIG_SETMASK, saved, NULL);
}
