/*
 * The supervisor's event loop (serve.h): connections from the acceptor
 * become VMs (a pool VM when one is ready, else a fresh one), ended VMs
 * are reaped, logged and their connections closed gracefully, --timeout
 * is enforced, SIGTERM/SIGINT drain.  Single-threaded, one epoll set:
 * the acceptor's channel, a signalfd (SIGCHLD, SIGTERM, SIGINT) and the
 * connections being closed (closing.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "serve/serve.h"

#define LOG_KEEP 4096
#define POOL_FAIL_LIMIT 3   /* pool VMs in a row ending unused: pool off */
#define QUIET_ENDED_MAX 16  /* pool VMs ended with status 0, remembered */
#define TAG_CHAN 1ull
#define TAG_SIGNAL 2ull
#define TAG_CLOSING 3ull
#define TAG_READY 4ull

enum slot_state { SLOT_FREE, SLOT_POOL, SLOT_SERVING };

/* One VM: idle in the pool, or serving a connection. */
struct slot {
    enum slot_state state;
    unsigned id;
    struct vm_child c;
    int conn;                 /* the supervisor's copy; -1 in the pool */
    int ready_fd;             /* pool VM still booting: its ready pipe
                                 (vm_child), readable when it is ready */
    int from_pool;
    int timed_out;
    uint64_t t_accept, deadline;
    char peer[SERVE_PEER_MAX];
};

struct server {
    const struct serve_opts *o;
    struct slot *slots;
    unsigned nslots, serving, pooled;
    unsigned booting, max_booting; /* pool VMs not yet ready; at most that many */
    struct closing_set closing;
    int ep, sigfd, chan;
    pid_t acceptor;
    unsigned next_id;
    int draining, pool_off;
    unsigned pool_fail_streak;
    /* Pool VMs that ended with status 0 before the acceptor's word of
     * their connection arrived (they served it): start_connection logs
     * the connection when the word comes.  Oldest overwritten. */
    unsigned quiet_ended[QUIET_ENDED_MAX], quiet_next;
    /* --stats */
    uint64_t connections, booted, pool_hits, timeouts, crashes;
    unsigned peak;            /* most VMs serving at once */
    struct durations durations;
};

uint64_t serve_now_ns(void)
{
    return wisp_now_ns();
}

static int ep_add(struct server *s, int fd, uint64_t tag, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.u64 = (tag << 32) | (uint32_t)fd};

    return epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
}

static struct slot *free_slot(struct server *s)
{
    for (unsigned i = 0; i < s->nslots; i++)
        if (s->slots[i].state == SLOT_FREE)
            return &s->slots[i];
    return NULL;
}

/* stop_booting: the pool VM in sl is ready, gone or no longer awaited:
 * forget its ready_fd. */
static void stop_booting(struct server *s, struct slot *sl)
{
    if (sl->ready_fd < 0)
        return;
    epoll_ctl(s->ep, EPOLL_CTL_DEL, sl->ready_fd, NULL);
    close(sl->ready_fd);
    sl->ready_fd = -1;
    s->booting--;
}

/* refill_pool: boot pool VMs up to --pool and give their hand-off
 * sockets to the acceptor (not while draining, nor once the pool has been
 * turned off).  At most max_booting (the online CPUs) boot at once: the
 * next starts when one is ready (its tender writes a byte on its ready
 * pipe, devices/input.c).  Booting them all at once made a drained pool
 * refill with --pool boots sharing the cores with each other, with the
 * VMs serving connections and with the acceptor: measured on kvm_pvm,
 * 300 back-to-back connections, --pool=1: 461/s, --pool=8: 167/s. */
static void refill_pool(struct server *s)
{
    while (!s->draining && !s->pool_off && s->chan >= 0 && s->pooled < s->o->pool &&
           s->booting < s->max_booting) {
        struct slot *sl = free_slot(s);

        if (!sl)
            return;
        if (vm_spawn(s->o, -1, &sl->c) < 0) {
            fprintf(stderr, "wisp serve: cannot start a pool VM: %s\n", strerror(errno));
            return;
        }
        sl->state = SLOT_POOL;
        sl->id = ++s->next_id;
        sl->conn = -1;
        s->pooled++;
        s->booted++;
        /* Without the acceptor's copy the VM ends quietly: no leak.  The
         * ready pipe says when it has booted. */
        acceptor_give_pool(s->chan, sl->id, sl->c.handoff_fd);
        close(sl->c.handoff_fd);
        sl->c.handoff_fd = -1;
        sl->ready_fd = sl->c.ready_fd;
        sl->c.ready_fd = -1;
        if (ep_add(s, sl->ready_fd, TAG_READY, EPOLLIN) < 0) {
            close(sl->ready_fd);
            sl->ready_fd = -1;
        } else {
            s->booting++;
        }
    }
}

/* close_served: close a connection gracefully (closing.c). */
static void close_served(struct server *s, int fd)
{
    closing_add(&s->closing, fd, TAG_CLOSING << 32 | (uint32_t)fd);
}

/* connection_done: the supervisor's copy of a connection its VM has
 * finished with goes to the graceful close, and the acceptor may take
 * one more connection. */
static void connection_done(struct server *s, int conn)
{
    close_served(s, conn);
    if (!s->draining && s->chan >= 0)
        acceptor_grant(s->chan, 1);
}

/* pool_slot: the idle pool VM `id`, or NULL. */
static struct slot *pool_slot(struct server *s, unsigned id)
{
    for (unsigned i = 0; i < s->nslots; i++)
        if (s->slots[i].state == SLOT_POOL && s->slots[i].id == id)
            return &s->slots[i];
    return NULL;
}

static void start_connection(struct server *s, int conn, const char *peer, unsigned vm_id)
{
    uint64_t now = serve_now_ns();
    struct slot *sl = NULL;

    s->connections++;
    if (vm_id) {
        sl = pool_slot(s, vm_id);
        for (unsigned i = 0; !sl && i < QUIET_ENDED_MAX; i++) {
            if (s->quiet_ended[i] != vm_id)
                continue;
            /* It served the connection and ended with status 0 before
             * this word arrived (reap_slot). */
            s->quiet_ended[i] = 0;
            s->pool_hits++;
            s->pool_fail_streak = 0;
            fprintf(stderr, "wisp serve: %s vm %u (pool) exit 0 (it ended before its "
                    "connection was known here)\n", peer, vm_id);
            connection_done(s, conn);
            return;
        }
        if (!sl) {
            /* It took the connection and ended before we heard of it: its
             * input may be consumed, so no other VM may serve it. */
            fprintf(stderr, "wisp serve: %s vm %u (pool): the VM ended before its "
                    "connection was known; closed\n", peer, vm_id);
            connection_done(s, conn);
            return;
        }
        stop_booting(s, sl); /* serving now, ready or not */
        sl->state = SLOT_SERVING;
        sl->from_pool = 1;
        s->pooled--;
        s->pool_hits++;
        s->pool_fail_streak = 0;
    } else {
        sl = free_slot(s);
        if (!sl || vm_spawn(s->o, conn, &sl->c) < 0) {
            fprintf(stderr, "wisp serve: %s: cannot start a VM: %s\n", peer,
                    sl ? strerror(errno) : "no free slot");
            close(conn);
            if (!s->draining && s->chan >= 0)
                acceptor_grant(s->chan, 1);
            return;
        }
        sl->state = SLOT_SERVING;
        sl->id = ++s->next_id;
        sl->from_pool = 0;
        sl->c.handoff_fd = -1;
        sl->ready_fd = -1;
        s->booted++;
    }
    sl->conn = conn;
    sl->timed_out = 0;
    sl->t_accept = now;
    sl->deadline = s->o->timeout_s ? now + (uint64_t)s->o->timeout_s * 1000000000ull : 0;
    snprintf(sl->peer, sizeof sl->peer, "%s", peer);
    if (++s->serving > s->peak)
        s->peak = s->serving;
    /* The pool is refilled when a VM ends (on_sigchld), not here: booting
     * a replacement now (KVM_CREATE_VM alone is ~1.8 ms of kernel time on
     * PVM) would take a core from the VM that just got its connection. */
}

static void on_chan(struct server *s)
{
    char peer[SERVE_PEER_MAX];
    unsigned vm_id;
    int conn, r;

    if (s->chan < 0)
        return;
    for (;;) {
        r = acceptor_receive(s->chan, &conn, peer, &vm_id);
        if (r > 0) {
            start_connection(s, conn, peer, vm_id);
            continue;
        }
        if (r < 0 && errno == EPROTO) {
            /* A record without its fd: the kernel dropped it (this process
             * is out of file descriptors).  That connection is lost; its
             * credit is not. */
            fprintf(stderr, "wisp serve: a connection arrived without its descriptor "
                    "(out of file descriptors?); dropped\n");
            if (!s->draining)
                acceptor_grant(s->chan, 1);
            continue;
        }
        break;
    }
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        epoll_ctl(s->ep, EPOLL_CTL_DEL, s->chan, NULL);
        close(s->chan);
        s->chan = -1;
    }
}

/* read_log: what the VM wrote to its message pipe (it has exited). */
static size_t read_log(int fd, char *buf, size_t size)
{
    size_t used = 0;
    char sink[4096];
    ssize_t r;

    for (;;) {
        if (used < size - 1)
            r = read(fd, buf + used, size - 1 - used);
        else
            r = read(fd, sink, sizeof sink);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (used < size - 1)
            used += (size_t)r;
    }
    buf[used] = '\0';
    return used;
}

/* strip: the line without the tender's "wisp: " prefix. */
static const char *strip(const char *line)
{
    return strncmp(line, "wisp: ", 6) == 0 ? line + 6 : line;
}

/* log_end: the connection's line: peer, VM id, duration, how it ended;
 * then the VM's further messages. */
static void log_end(struct server *s, struct slot *sl, int wstatus, char *log)
{
    char how[96];
    char *first = log, *rest = strchr(log, '\n');
    double ms = (double)(serve_now_ns() - sl->t_accept) / 1e6;

    if (rest)
        *rest++ = '\0';
    if (sl->timed_out)
        snprintf(how, sizeof how, "timeout after %u s", s->o->timeout_s);
    else if (WIFSIGNALED(wstatus))
        snprintf(how, sizeof how, "killed by signal %d (%s)", WTERMSIG(wstatus),
                 strsignal(WTERMSIG(wstatus)));
    else
        snprintf(how, sizeof how, "exit %d", WEXITSTATUS(wstatus));
    if (strstr(first, "guest crashed") || strstr(first, "guest aborted") ||
        strstr(first, "violated the hypercall ABI"))
        s->crashes++;
    fprintf(stderr, "wisp serve: %s vm %u%s %.2f ms %s%s%s\n", sl->peer, sl->id,
            sl->from_pool ? " (pool)" : "", ms, how, *first ? ": " : "", strip(first));
    while (rest && *rest) {
        char *next = strchr(rest, '\n');

        if (next)
            *next++ = '\0';
        fprintf(stderr, "wisp serve: vm %u: %s\n", sl->id, strip(rest));
        rest = next;
    }
    durations_add(&s->durations, ms);
}

static void reap_slot(struct server *s, struct slot *sl, int wstatus)
{
    char log[LOG_KEEP];

    read_log(sl->c.log_fd, log, sizeof log);
    close(sl->c.log_fd);
    if (sl->c.handoff_fd >= 0)
        close(sl->c.handoff_fd);
    stop_booting(s, sl);
    if (sl->state == SLOT_POOL) {
        s->pooled--;
        if (!s->draining && wstatus == 0) {
            /* Status 0 is no failure: the VM took a connection, served it
             * and ended before the acceptor's word of it arrived (seen
             * under load: three in a row once turned a healthy pool off),
             * or the acceptor closed its hand-off socket. */
            s->quiet_ended[s->quiet_next++ % QUIET_ENDED_MAX] = sl->id;
        } else if (!s->draining) {
            char *nl = strchr(log, '\n');

            if (nl)
                *nl = '\0';
            fprintf(stderr, "wisp serve: pool vm %u ended before a connection (status "
                    "0x%x)%s%s\n", sl->id, wstatus, *log ? ": " : "", strip(log));
            if (++s->pool_fail_streak >= POOL_FAIL_LIMIT && !s->pool_off) {
                s->pool_off = 1;
                fprintf(stderr, "wisp serve: %u pool VMs in a row ended unused: pool "
                        "turned off, every connection boots its VM\n", POOL_FAIL_LIMIT);
            }
        }
    } else {
        s->serving--;
        log_end(s, sl, wstatus, log);
        connection_done(s, sl->conn);
    }
    sl->state = SLOT_FREE;
}

static void start_drain(struct server *s, const char *why)
{
    if (s->draining)
        return;
    s->draining = 1;
    fprintf(stderr, "wisp serve: %s: not accepting; %u VM%s still serving\n", why,
            s->serving, s->serving == 1 ? "" : "s");
    /* Its listening sockets and the idle pool VMs' hand-off sockets close
     * with it: the pool VMs end quietly (reap_slot forgets their ready
     * pipes). */
    if (s->acceptor > 0)
        kill(s->acceptor, SIGKILL);
}

static void on_sigchld(struct server *s)
{
    int wstatus;
    pid_t pid;

    /* Connections the acceptor gave to pool VMs first: such a VM's end
     * must find it serving, not idle. */
    on_chan(s);
    while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
        if (pid == s->acceptor) {
            s->acceptor = 0;
            if (!s->draining) {
                fprintf(stderr, "wisp serve: the acceptor ended (status 0x%x)\n", wstatus);
                start_drain(s, "acceptor gone");
            }
            continue;
        }
        for (unsigned i = 0; i < s->nslots; i++)
            if (s->slots[i].state != SLOT_FREE && s->slots[i].c.pid == pid) {
                reap_slot(s, &s->slots[i], wstatus);
                break;
            }
    }
    refill_pool(s);
}

/* on_ready: a booting pool VM's ready pipe is readable: it is ready (or
 * gone: EOF); boot the next. */
static void on_ready(struct server *s, int fd)
{
    char byte;

    for (unsigned i = 0; i < s->nslots; i++)
        if (s->slots[i].state != SLOT_FREE && s->slots[i].ready_fd == fd) {
            (void)!read(fd, &byte, 1);
            stop_booting(s, &s->slots[i]);
            break;
        }
    refill_pool(s);
}

static void on_signal(struct server *s)
{
    struct signalfd_siginfo si;

    while (read(s->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGCHLD) {
            on_sigchld(s);
            continue;
        }
        if (!s->draining) {
            start_drain(s, si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
            continue;
        }
        fprintf(stderr, "wisp serve: second signal: ending the %u VM%s still serving\n",
                s->serving, s->serving == 1 ? "" : "s");
        for (unsigned i = 0; i < s->nslots; i++)
            if (s->slots[i].state != SLOT_FREE)
                kill(s->slots[i].c.pid, SIGKILL);
    }
}

/* on_deadlines: end VMs past --timeout, close connections that lingered
 * long enough; returns the milliseconds to the next deadline, or -1. */
static int on_deadlines(struct server *s)
{
    uint64_t now = serve_now_ns(), next = UINT64_MAX;

    for (unsigned i = 0; i < s->nslots; i++) {
        struct slot *sl = &s->slots[i];

        if (sl->state != SLOT_SERVING || !sl->deadline)
            continue;
        if (sl->deadline <= now) {
            kill(sl->c.pid, SIGKILL); /* not reaped yet: still our child */
            sl->timed_out = 1;
            sl->deadline = 0;
            s->timeouts++;
        } else if (sl->deadline < next) {
            next = sl->deadline;
        }
    }
    uint64_t closing_next = closing_expire(&s->closing, now);

    if (closing_next < next)
        next = closing_next;
    if (next == UINT64_MAX)
        return -1;
    return (int)((next - now) / 1000000ull) + 1;
}

static void print_stats(struct server *s)
{
    double p50, p99;

    durations_percentiles(&s->durations, &p50, &p99);
    fprintf(stderr, "wisp serve: stats: connections %llu, duration p50 %.2f ms p99 %.2f "
            "ms, VMs booted %llu, pool hits %llu, peak serving %u, timeouts %llu, crashes "
            "%llu\n", (unsigned long long)s->connections, p50, p99, (unsigned long long)s->booted,
            (unsigned long long)s->pool_hits, s->peak, (unsigned long long)s->timeouts,
            (unsigned long long)s->crashes);
}

static int setup(struct server *s, const int *listeners, unsigned nlisten)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return -1;
    s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    s->ep = epoll_create1(EPOLL_CLOEXEC);
    if (s->sigfd < 0 || s->ep < 0)
        return -1;
    s->closing.ep = s->ep;
    s->acceptor = acceptor_start(listeners, nlisten, &s->chan);
    if (s->acceptor < 0)
        return -1;
    for (unsigned i = 0; i < nlisten; i++)
        close(listeners[i]); /* the acceptor's alone now */
    fcntl(s->chan, F_SETFL, O_NONBLOCK);
    if (ep_add(s, s->sigfd, TAG_SIGNAL, EPOLLIN) < 0 || ep_add(s, s->chan, TAG_CHAN, EPOLLIN) < 0)
        return -1;
    refill_pool(s);
    return acceptor_grant(s->chan, s->o->max_vms);
}

int server_run(const struct serve_opts *o, const int *listeners, unsigned nlisten)
{
    static struct server s;
    struct epoll_event evs[64];

    s.o = o;
    s.chan = -1;
    s.nslots = o->max_vms + 2 * o->pool + 1;
    s.slots = calloc(s.nslots, sizeof *s.slots);
    for (unsigned i = 0; s.slots && i < s.nslots; i++)
        s.slots[i].ready_fd = -1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    s.max_booting = cpus > 0 ? (unsigned)cpus : 1;
    if (!s.slots || setup(&s, listeners, nlisten) < 0) {
        fprintf(stderr, "wisp serve: cannot start: %s\n", strerror(errno));
        return WISP_EXIT_TENDER_ERROR;
    }
    while (!s.draining || s.acceptor > 0 || s.chan >= 0 || s.serving || s.pooled || s.closing.n) {
        int timeout = on_deadlines(&s);
        int n = epoll_wait(s.ep, evs, 64, timeout);

        for (int i = 0; i < n; i++) {
            uint64_t tag = evs[i].data.u64 >> 32;
            int fd = (int)(uint32_t)evs[i].data.u64;

            if (tag == TAG_CHAN)
                on_chan(&s);
            else if (tag == TAG_SIGNAL)
                on_signal(&s);
            else if (tag == TAG_CLOSING)
                closing_on_readable(&s.closing, fd);
            else if (tag == TAG_READY)
                on_ready(&s, fd);
        }
    }
    if (o->stats)
        print_stats(&s);
    return 0;
}
