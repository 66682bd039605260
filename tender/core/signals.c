/*
 * SIGINT, SIGTERM, SIGHUP end the run cleanly, and SIGALRM when the run
 * has a time limit (see signals.h).
 */
#include <linux/kvm.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/signals.h"

/* SIGALRM last: it is blocked and unblocked with the others, but handled
 * only while a time limit is armed (otherwise its default action). */
static const int ending_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGALRM};
#define NSIG_ENDING (sizeof ending_signals / sizeof ending_signals[0])

static volatile sig_atomic_t caught;
static struct kvm_run *volatile armed_run;
static struct sigaction saved_actions[NSIG_ENDING];
static int armed, timer_armed;

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

int signals_arm(struct kvm_run *run, uint64_t timeout_ms)
{
    struct itimerval limit = {
        .it_value = {.tv_sec = (time_t)(timeout_ms / 1000),
                     .tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000},
    };
    struct sigaction sa;
    sigset_t set;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: blocking calls see EINTR */
    sigfillset(&sa.sa_mask);
    armed_run = run;
    for (unsigned i = 0; i < NSIG_ENDING; i++)
        if (ending_signals[i] != SIGALRM || timeout_ms)
            sigaction(ending_signals[i], &sa, &saved_actions[i]);
    armed = 1;
    /* Still blocked here: an early expiry stays pending until below. */
    if (timeout_ms) {
        if (setitimer(ITIMER_REAL, &limit, NULL) < 0)
            return -1;
        timer_armed = 1;
    }
    ending_set(&set);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    return 0;
}

int signals_caught(void)
{
    return caught;
}

int signals_timed_out(void)
{
    return timer_armed && caught == SIGALRM;
}

void signals_restore(const sigset_t *saved, int confined)
{
    static const struct itimerval off;
    static const struct timespec now;
    sigset_t set, alrm;

    armed_run = NULL; /* the vCPU's kvm_run is about to be unmapped */
    if (confined)
        return; /* a late expiry only runs on_signal: harmless */
    /* block first: a late signal stays pending, not lost mid-restore */
    ending_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (timer_armed) {
        setitimer(ITIMER_REAL, &off, NULL);
        /* an expiry after the run ended must not reach the caller */
        sigemptyset(&alrm);
        sigaddset(&alrm, SIGALRM);
        while (sigtimedwait(&alrm, NULL, &now) == SIGALRM)
            ;
    }
    if (armed)
        for (unsigned i = 0; i < NSIG_ENDING; i++)
            if (ending_signals[i] != SIGALRM || timer_armed)
                sigaction(ending_signals[i], &saved_actions[i], NULL);
    armed = 0;
    timer_armed = 0;
    pthread_sigmask(SIG_SETMASK, saved, NULL);
}
