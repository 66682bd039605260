/*
 * exit.c: how a libc program ends.  exit() (newlib's: atexit handlers, then
 * stdio flushed) ends in _exit(), which is solo5_exit().  abort() and
 * assert() are newlib's: they raise SIGABRT, and a signal whose action is
 * the default ends here in kill(): stdio is flushed (nothing already printed
 * is lost), then solo5_abort().  There is one process (pid 1) and no other
 * to signal.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include "internal.h"

#define WISP_PID 1

void _exit(int status)
{
    solo5_exit(status);
}

pid_t getpid(void)
{
    return WISP_PID;
}

int kill(pid_t pid, int sig)
{
    static int dying;

    if (pid != WISP_PID && pid != 0) {
        errno = ESRCH;
        return -1;
    }
    if (sig == 0)
        return 0;
    if (!dying) { /* a flush that fails and aborts again goes straight out */
        dying = 1;
        fflush(NULL);
        if (sig != SIGABRT)
            fprintf(stderr, "wisp libc: terminated by signal %d\n", sig);
    }
    solo5_abort();
}
