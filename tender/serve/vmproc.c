/*
 * One VM of `wisp serve`: a fork of the supervisor that calls wisp_run
 * (serve.h).  Its fds: 0 and 1 the connection (the guest's input and
 * console), 2 a pipe to the supervisor (the tender's messages), and for a
 * pool VM 3 its hand-off socket and 4 the write end of its ready pipe,
 * with 0 and 1 on /dev/null until the connection arrives (devices/input.c).
 * Nothing else of the supervisor's stays open in it: another connection's
 * fd would keep that connection open after its own VM ended.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "serve/serve.h"

#define HANDOFF_FD 3
#define READY_FD 4

/* vm_main: the child's side; never returns. */
static void vm_main(const struct serve_opts *o, int conn, int log_w, int handoff, int ready_w,
                    pid_t parent)
{
    struct wisp_config cfg = o->cfg;
    struct wisp_result res;
    sigset_t none;
    int null;

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(WISP_EXIT_TENDER_ERROR);
    signal(SIGINT, SIG_IGN); /* Ctrl-C drains the server, it does not end VMs */
    signal(SIGTERM, SIG_IGN);
    signal(SIGPIPE, SIG_IGN); /* a client gone is a console write error */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* Numbers first taken by the pipe and sockets are all above 2 (serve_main
     * keeps 0-2 open), so this order overwrites nothing still needed. */
    if (dup2(log_w, 2) < 0)
        _exit(WISP_EXIT_TENDER_ERROR);
    if (conn >= 0) {
        if (dup2(conn, 0) < 0 || dup2(conn, 1) < 0)
            _exit(WISP_EXIT_TENDER_ERROR);
    } else {
        /* Above 4 first: neither may be overwritten by the other's dup2. */
        handoff = fcntl(handoff, F_DUPFD, READY_FD + 1);
        ready_w = fcntl(ready_w, F_DUPFD, READY_FD + 1);
        if (handoff < 0 || ready_w < 0 || dup2(handoff, HANDOFF_FD) < 0 ||
            dup2(ready_w, READY_FD) < 0)
            _exit(WISP_EXIT_TENDER_ERROR);
        null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
            _exit(WISP_EXIT_TENDER_ERROR);
    }
    close_range(conn >= 0 ? 3 : READY_FD + 1, ~0u, 0);

    cfg.console_fd = 1;
    cfg.log_fd = 2;
    cfg.input_fd = 0;
    cfg.input_handoff_fd = conn >= 0 ? -1 : HANDOFF_FD;
    cfg.input_ready_fd = conn >= 0 ? -1 : READY_FD;
    cfg.t_main = serve_now_ns();
    wisp_run(&cfg, &res);
    if (res.end == WISP_END_ERROR) {
        /* After the filter only writes to fds 1 and 2 are possible. */
        char line[WISP_ERR_MAX + 16];
        int n = snprintf(line, sizeof line, "wisp: %s\n", res.err);

        if (n > 0 && write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0)
            _exit(res.status); /* nowhere to report it */
    }
    _exit(res.status);
}

/* close_fds: close the n fds of fds that are >= 0. */
static void close_fds(const int *fds, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

int vm_spawn(const struct serve_opts *o, int conn, struct vm_child *child)
{
    int logp[2], hs[2] = {-1, -1}, rp[2] = {-1, -1};
    pid_t parent = getpid();

    if (pipe2(logp, O_CLOEXEC) < 0)
        return -1;
    if (conn < 0 && (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, hs) < 0 ||
                     pipe2(rp, O_CLOEXEC | O_NONBLOCK) < 0)) {
        int e = errno;

        close_fds((int[]){logp[0], logp[1], hs[0], hs[1]}, 4);
        errno = e;
        return -1;
    }
    child->pid = fork();
    if (child->pid == 0)
        vm_main(o, conn, logp[1], hs[1], rp[1], parent);
    close_fds((int[]){logp[1], hs[1], rp[1]}, 3);
    if (child->pid < 0) {
        int e = errno;

        close_fds((int[]){logp[0], hs[0], rp[0]}, 3);
        errno = e;
        return -1;
    }
    fcntl(logp[0], F_SETFL, O_NONBLOCK);
    child->log_fd = logp[0];
    child->handoff_fd = hs[0];
    child->ready_fd = rp[0];
    return 0;
}
