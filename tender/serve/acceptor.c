/*
 * The acceptor: the one process of `wisp serve` that accepts connections
 * (serve.h).  After fork it keeps only its listening sockets, its channel
 * to the supervisor and stderr, and confines itself: from then on it can
 * only poll, accept, set TCP_NODELAY, receive on the channel, send
 * connections (sendmsg: to the supervisor and to pool VMs), close, write
 * to stderr and exit.  It accepts only while it holds credits, one per
 * connection, granted by the supervisor as VMs become free: the
 * connections beyond --max-vms wait in the kernel's listen backlog.
 *
 * The channel carries records (SOCK_SEQPACKET):
 *   supervisor -> acceptor  struct chan_grant: credits, or a pool VM's
 *                           hand-off socket (SCM_RIGHTS) and its id
 *   acceptor -> supervisor  struct chan_conn: a connection (SCM_RIGHTS),
 *                           its peer's name, the pool VM that has it (0:
 *                           none: the supervisor boots one)
 * Giving the connection to the pool VM here, not through the supervisor,
 * saves one process wake-up on the way to the guest.
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

struct chan_grant {
    uint32_t type;  /* GRANT_CREDITS or GRANT_POOL_VM */
    uint32_t value; /* credits, or the pool VM's id */
};
#define GRANT_CREDITS 1
#define GRANT_POOL_VM 2

struct chan_conn {
    uint32_t vm_id;
    char peer[SERVE_PEER_MAX];
};

/* The idle pool VMs the acceptor holds, oldest first. */
struct pool_queue {
    unsigned head, len;
    unsigned id[SERVE_POOL_MAX];
    int fd[SERVE_POOL_MAX];
};

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
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(recvmsg), 1,
                          SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)CHAN_FD));
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendmsg), 0); /* + pool VMs */
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

/* send_with_fd: one record (data, len) carrying `fd`. */
static int send_with_fd(int sock, void *data, size_t len, int fd, int flags)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {.iov_base = data, .iov_len = len};
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
        r = sendmsg(sock, &msg, MSG_NOSIGNAL | flags);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -1 : 0;
}

/* recv_with_fd: one record into (data, size) and the fd it carries (-1 if
 * none); the record's length, 0 at the end, -1 on error. */
static ssize_t recv_with_fd(int sock, void *data, size_t size, int *fd, int flags)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = {.iov_base = data, .iov_len = size};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                         .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    struct cmsghdr *c;
    ssize_t r;

    do
        r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
    while (r < 0 && errno == EINTR);
    *fd = -1;
    if (r <= 0)
        return r;
    c = CMSG_FIRSTHDR(&msg);
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
        c->cmsg_len == CMSG_LEN(sizeof(int)))
        memcpy(fd, CMSG_DATA(c), sizeof *fd);
    return r;
}

/* on_grant: one record from the supervisor; -1 at the channel's end. */
static int on_grant(unsigned long *credits, struct pool_queue *q)
{
    struct chan_grant g;
    int fd;
    ssize_t r = recv_with_fd(CHAN_FD, &g, sizeof g, &fd, 0);

    if (r == 0 || (r < 0 && errno != EAGAIN))
        return -1;
    if (r != (ssize_t)sizeof g) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    if (g.type == GRANT_CREDITS)
        *credits += g.value;
    if (g.type == GRANT_POOL_VM && fd >= 0 && q->len < SERVE_POOL_MAX) {
        unsigned i = (q->head + q->len++) % SERVE_POOL_MAX;

        q->id[i] = g.value;
        q->fd[i] = fd;
        fd = -1;
    }
    if (fd >= 0)
        close(fd); /* unexpected, or the queue is full: that VM ends quietly */
    return 0;
}

/* give_to_pool: hand `conn` to the oldest idle pool VM; its id, or 0. */
static unsigned give_to_pool(struct pool_queue *q, int conn)
{
    char byte = 'c';

    while (q->len) {
        unsigned id = q->id[q->head];
        int fd = q->fd[q->head];
        int ok;

        q->head = (q->head + 1) % SERVE_POOL_MAX;
        q->len--;
        ok = send_with_fd(fd, &byte, 1, conn, MSG_DONTWAIT) == 0;
        close(fd);
        if (ok)
            return id;
    }
    return 0;
}

/* accept_loop: never returns. */
static void accept_loop(unsigned nlisten)
{
    static struct pool_queue q;
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
        if (p[0].revents && on_grant(&credits, &q) < 0)
            _exit(0); /* the supervisor is gone or done: stop accepting */
        for (unsigned i = 0; i < nlisten && credits; i++) {
            struct sockaddr_storage ss;
            socklen_t len = sizeof ss;
            struct chan_conn m;
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
            m.vm_id = give_to_pool(&q, fd);
            peer_name(&ss, m.peer);
            if (send_with_fd(CHAN_FD, &m, sizeof m, fd, 0) < 0)
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
    struct chan_grant g = {.type = GRANT_CREDITS, .value = n};

    return send(chan, &g, sizeof g, MSG_NOSIGNAL) == (ssize_t)sizeof g ? 0 : -1;
}

int acceptor_give_pool(int chan, unsigned vm_id, int handoff_fd)
{
    struct chan_grant g = {.type = GRANT_POOL_VM, .value = vm_id};

    return send_with_fd(chan, &g, sizeof g, handoff_fd, 0);
}

int acceptor_receive(int chan, int *conn, char peer[SERVE_PEER_MAX], unsigned *vm_id)
{
    struct chan_conn m;
    ssize_t r = recv_with_fd(chan, &m, sizeof m, conn, MSG_DONTWAIT);

    if (r <= 0)
        return r == 0 ? 0 : -1;
    if (r != (ssize_t)sizeof m || *conn < 0) {
        if (*conn >= 0)
            close(*conn);
        errno = EPROTO;
        return -1;
    }
    m.peer[SERVE_PEER_MAX - 1] = '\0';
    memcpy(peer, m.peer, SERVE_PEER_MAX);
    *vm_id = m.vm_id;
    return 1;
}
