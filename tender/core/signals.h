/*
 * The end of a run on SIGINT, SIGTERM or SIGHUP (SOLO5_HVT_ABI.md 5), or
 * on SIGALRM from the run's time limit (--timeout, ITIMER_REAL): the
 * signal stops the vCPU (KVM_RUN returns EINTR; immediate_exit closes the
 * race with entering it), the run ends as a tender error "Exiting on
 * signal N", and the normal teardown follows (devices closed, console
 * drained).  Status: 1 in compatibility mode (solo5-hvt's), 128 + N in
 * isolated mode; after the time limit WISP_EXIT_TIMEOUT (core/run.c says
 * so instead of naming the signal).  Only the thread that runs the vCPU takes these signals:
 * they are blocked from the start of wisp_run (threads created later
 * inherit that) and unblocked in this thread just before the run loop.
 */
#ifndef WISP_SIGNALS_H
#define WISP_SIGNALS_H

#include <signal.h>
#include <stdint.h>

struct kvm_run;

/* signals_block: block the four signals in this thread; *saved gets
 * the previous mask for signals_restore. */
void signals_block(sigset_t *saved);

/* signals_arm: handlers that stop `run`, the time limit (timeout_ms > 0:
 * SIGALRM after that long; 0: none, SIGALRM keeps its own action), then
 * unblock the signals here (one already pending is taken at once).
 * Returns 0, or -1 (errno set) if the timer cannot be set. */
int signals_arm(struct kvm_run *run, uint64_t timeout_ms);

/* signals_timed_out: whether the time limit ended the run. */
int signals_timed_out(void);

/* signals_caught: the signal that ended the run, or 0. */
int signals_caught(void);

/* signals_restore: the previous handlers and mask (wisp_run's end).
 * Once `confined` (the seccomp filter allows neither rt_sigaction nor
 * rt_sigprocmask) only the handlers' link to the vCPU is cut: a later
 * signal is recorded and otherwise ignored until the process exits. */
void signals_restore(const sigset_t *saved, int confined);

#endif /* WISP_SIGNALS_H */
