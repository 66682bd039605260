/*
 * guarded_copy (see guarded_copy.h).  The copy runs between a sigsetjmp
 * that saves no signal mask (no syscall per copy) and the clearing of a
 * thread-local pointer to it; the SIGBUS handler jumps back there when the
 * pointer is set and the fault is a memory fault.  The handler is
 * SA_NODEFER, so SIGBUS is not blocked while it runs and stays unblocked
 * after the jump (a blocked SIGBUS at the next fault would kill the
 * process).  Otherwise it adds SIGBUS to the mask the interrupted code
 * gets back (uc_sigmask, restored by rt_sigreturn, no other syscall: the
 * seccomp filter allows no rt_sigaction then) and returns: the faulting
 * instruction runs again, faults with SIGBUS blocked, and the kernel
 * delivers it with its default action, as without this handler.  A
 * SIGBUS sent by another process (no fault) while no copy runs stays
 * pending, blocked, in that thread.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "devices/guarded_copy.h"

static __thread sigjmp_buf *volatile copy_env;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    sigjmp_buf *env = copy_env;
    ucontext_t *uc = ctx;

    (void)sig;
    if (env && si->si_code > 0) { /* a fault (SI_USER and such are <= 0) */
        copy_env = NULL;
        siglongjmp(*env, 1);
    }
    sigaddset(&uc->uc_sigmask, SIGBUS);
}

int guarded_copy_init(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGBUS, &sa, NULL) < 0 ? -1 : 0;
}

int guarded_copy(void *dst, const void *src, size_t len)
{
    sigjmp_buf env;

    if (sigsetjmp(env, 0)) {
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        return -1;
    }
    copy_env = &env;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    memcpy(dst, src, len);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    copy_env = NULL;
    return 0;
}
