/*
 * The acceptor: the one process of `wisp serve` that accepts connections
 * (serve.h).  After fork it keeps only its listening sockets, its channel
 * to the supervisor and stderr, and confines itself: from then on it can
 * only poll, accept, name the peer, set TCP_NODELAY, pass the connection
 * on (sendmsg on the channel), read credits (read on the channel), close,
 * write to stderr and exit.  It accepts only while it holds credits, one
 * per connection, granted by the supervisor as VMs become free: the
 * connections beyond --max-vms wait in the kernel's listen backlog.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "serve/serve.h"

#define CHAN_FD 3 /* the acceptor's own fd numbers: channel, then listeners */
#define ACCEPT_RETRY_NS 100000000 /* out of fds or memory: retry after 0.1 s */

/* confine: the acceptor's seccomp allow-list (everything else kills it). */
static int confine(unsigned nlisten)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    int r = 0;

    if (!ctx)
        return -1;
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ppoll), 0);
    for (unsigned i = 1; i <= nlisten; i++)
        r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(accept4), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)(CHAN_FD + i)));
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1,
                          SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)CHAN_FD));
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendmsg), 1,
                          SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)CHAN_FD));
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
                          SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)2));
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(close), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit_group), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigreturn), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(restart_syscall), 0);
    if (!r)
        r = seccomp_load(ctx);
    seccomp_release(ctx);
    return r ? -1 : 0;
}

/* peer_name: "1.2.3.4:5", "[::1]:5" or "unix". */
static void peer_name(const struct sockaddr_storage *ss, char out[SERVE_PEER_MAX])
{
    char host[INET6_ADDRSTRLEN] = "?";

    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(out, SERVE_PEER_MAX, "%s:%u", host, ntohs(in->sin_port));
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(out, SERVE_PEER_MAX, "[%s]:%u", host, ntohs(in6->sin6_port));
    } else {
        snprintf(out, SERVE_PEER_MAX, "unix");
    }
}

/* pass_on: send connection `fd` and its peer's name to the supervisor. */
static int pass_on(int fd, char *peer)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {.iov_base = peer, .iov_len = strlen(peer) + 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    ssize_t r;

    memset(ctl.buf, 0, sizeof ctl.buf);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    do
        r = sendmsg(CHAN_FD, &msg, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -1 : 0;
}

/* accept_loop: never returns. */
static void accept_loop(unsigned nlisten)
{
    struct pollfd p[1 + SERVE_MAX_LISTEN];
    unsigned long credits = 0;
    int backoff = 0;

    for (;;) {
        struct timespec retry = {0, ACCEPT_RETRY_NS};
        int n;

        p[0] = (struct pollfd){.fd = CHAN_FD, .events = POLLIN};
        for (unsigned i = 0; i < nlisten; i++)
            p[1 + i] = (struct pollfd){.fd = CHAN_FD + 1 + (int)i,
                                       .events = credits && !backoff ? POLLIN : 0};
        n = ppoll(p, 1 + nlisten, backoff ? &retry : NULL, NULL);
        backoff = 0;
        if (n < 0)
            continue;
        if (p[0].revents) {
            char grant[256];
            ssize_t r = read(CHAN_FD, grant, sizeof grant);

            if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
                _exit(0); /* the supervisor is gone or done: stop accepting */
            if (r > 0)
                credits += (unsigned long)r;
        }
        for (unsigned i = 0; i < nlisten && credits; i++) {
            struct sockaddr_storage ss;
            socklen_t len = sizeof ss;
            char peer[SERVE_PEER_MAX];
            int one = 1, fd;

            if (!(p[1 + i].revents & POLLIN))
                continue;
            fd = accept4(CHAN_FD + 1 + (int)i, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                    backoff = 1;
                continue;
            }
            if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            peer_name(&ss, peer);
            if (pass_on(fd, peer) < 0)
                _exit(0);
            close(fd);
            credits--;
        }
    }
}

/* dup_high: a copy of fd above every number the acceptor keeps. */
static int dup_high(int fd)
{
    return fcntl(fd, F_DUPFD, CHAN_FD + 1 + SERVE_MAX_LISTEN);
}

pid_t acceptor_start(const int *listeners, unsigned n, int *chan)
{
    int sv[2];
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid > 0) {
        close(sv[1]);
        *chan = sv[0];
        return pid;
    }
    /* The acceptor.  Its fds: 0-2 as inherited, CHAN_FD, listeners after. */
    sigset_t none;
    int fds[1 + SERVE_MAX_LISTEN];

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Move the fds above any number they could collide with, then down. */
    fds[0] = dup_high(sv[1]);
    for (unsigned i = 0; i < n; i++)
        fds[1 + i] = dup_high(listeners[i]);
    for (unsigned i = 0; i <= n; i++)
        if (fds[i] < 0 || dup2(fds[i], CHAN_FD + (int)i) < 0)
            _exit(WISP_EXIT_TENDER_ERROR);
    close_range(CHAN_FD + 1 + n, ~0u, 0);
    if (confine(n) < 0) {
        fprintf(stderr, "wisp serve: acceptor: cannot confine itself\n");
        _exit(WISP_EXIT_TENDER_ERROR);
    }
    accept_loop(n);
    _exit(0);
}

int acceptor_grant(int chan, unsigned n)
{
    char grant[256];

    memset(grant, 'c', sizeof grant);
    while (n > 0) {
        unsigned k = n < sizeof grant ? n : (unsigned)sizeof grant;

        if (send(chan, grant, k, MSG_NOSIGNAL) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        n -= k;
    }
    return 0;
}

int acceptor_receive(int chan, int *conn, char peer[SERVE_PEER_MAX])
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {.iov_base = peer, .iov_len = SERVE_PEER_MAX - 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    struct cmsghdr *c;
    ssize_t r;

    do
        r = recvmsg(chan, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    while (r < 0 && errno == EINTR);
    if (r <= 0)
        return r == 0 ? 0 : -1;
    peer[r] = '\0';
    c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int))) {
        errno = EPROTO;
        return -1;
    }
    memcpy(conn, CMSG_DATA(c), sizeof *conn);
    return 1;
}
