/*
 * wisp serve: inetd for unikernels.  Every accepted connection gets a
 * fresh VM of one unikernel, never reused: the connection is the guest's
 * input stream (devices/input.c) and its console.
 *
 * Processes (each a fork of wisp, no exec):
 *   supervisor  (serve.c, server.c) options, the listening sockets, the
 *               start-up probe; then an event loop that starts VMs, hands
 *               connections to them, enforces --timeout, logs, lingers
 *               closed connections, drains on SIGTERM/SIGINT.  It holds no
 *               guest memory and never reads a connection's data.
 *   acceptor    (acceptor.c) the only process that accepts: it holds the
 *               listening sockets, is confined by its own seccomp filter,
 *               and accepts as many connections as it has credits for
 *               (--max-vms; further connections wait in the backlog).  It
 *               also holds the hand-off sockets of the idle pool VMs and
 *               gives a connection straight to one of them when it can;
 *               then it passes the connection (SCM_RIGHTS) with its peer's
 *               name and the VM's id to the supervisor.
 *   VM          (vmproc.c) one per connection: wisp_run with the connection
 *               as fds 0 and 1, its messages on a pipe to the supervisor;
 *               confined by the tender's own filter.  A pool VM boots with
 *               no connection and waits for one at its guest's first
 *               console, poll, input, exit or clock hypercall.
 *
 * Error policy: option and set-up errors print one "wisp serve:" line and
 * exit WISP_EXIT_TENDER_ERROR; after set-up nothing a client or a guest does
 * ends the supervisor: each failure is logged and ends that connection.
 */
#ifndef WISP_SERVE_H
#define WISP_SERVE_H

#include <stdint.h>
#include <sys/types.h>

#include "wisp.h"

#define SERVE_MAX_LISTEN 16
#define SERVE_PEER_MAX 128      /* a peer's printable name, with the NUL */
#define SERVE_PROBE_TIMEOUT_S 10
#define SERVE_POOL_MAX 1024

struct serve_opts {
    const char *listen[SERVE_MAX_LISTEN];
    unsigned nlisten;
    unsigned pool;              /* --pool=N */
    unsigned max_vms;           /* --max-vms=N (0 before defaults) */
    unsigned timeout_s;         /* --timeout=SECONDS, 0: none */
    int stats;                  /* --stats */
    struct wisp_config cfg;     /* the tender options, for every VM */
};

/* serve_main: `wisp serve ARGS...` (argv[0] is "serve"); the process's
 * exit status. */
int serve_main(int argc, char *argv[]);

/* ---- options.c ---- */
/* serve_parse: fill *o from argv (argv[0] "serve"); 0, 1 (help printed),
 * or -1 (message printed).  Checks what needs no file: ranges, the
 * read-write block device with more than one VM. */
int serve_parse(int argc, char *argv[], struct serve_opts *o);

/* ---- listen.c ---- */
/* serve_listen: a listening, non-blocking, close-on-exec socket for ADDR
 * ("HOST:PORT", "[V6]:PORT", "unix:PATH"); prints the address it listens
 * on.  -1 with a message printed. */
int serve_listen(const char *addr);

/* ---- acceptor.c ---- */
/* acceptor_start: fork the acceptor over listeners[n]; *chan is the
 * supervisor's end of their SOCK_SEQPACKET channel.  The pid, or -1. */
pid_t acceptor_start(const int *listeners, unsigned n, int *chan);

/* acceptor_grant: allow the acceptor `n` more connections.  0 or -1. */
int acceptor_grant(int chan, unsigned n);

/* acceptor_give_pool: hand the acceptor pool VM `vm_id`'s hand-off
 * socket (the caller then closes its own copy).  0 or -1. */
int acceptor_give_pool(int chan, unsigned vm_id, int handoff_fd);

/* acceptor_receive: one connection from the channel: its fd, peer name,
 * and the id of the pool VM it was given to (0: none).  1, 0 at the
 * channel's end, -1 on error (errno; EAGAIN: nothing pending). */
int acceptor_receive(int chan, int *conn, char peer[SERVE_PEER_MAX], unsigned *vm_id);

/* ---- vmproc.c ---- */
struct vm_child {
    pid_t pid;
    int log_fd;     /* read end of the VM's message pipe (non-blocking) */
    int handoff_fd; /* pool VM: the supervisor's end of its hand-off socket */
    int ready_fd;   /* pool VM: read end of its ready pipe (non-blocking): a
                       byte when its guest first waits, EOF when it ends */
};

/* vm_spawn: fork a VM of o->cfg.  conn >= 0: serve that connection; -1: a
 * pool VM (child->handoff_fd and child->ready_fd set, else -1).  0 or -1 (errno). */
int vm_spawn(const struct serve_opts *o, int conn, struct vm_child *child);


/* ---- server.c ---- */
/* server_run: the supervisor's event loop, after set-up, until drained.
 * The exit status. */
int server_run(const struct serve_opts *o, const int *listeners, unsigned nlisten);

/* ---- closing.c: served connections closed gracefully ---- */
struct closing {
    int fd;
    uint64_t deadline;
};
struct closing_set {
    int ep;             /* the epoll set the entries are watched in */
    struct closing *v;
    unsigned n, cap;
};
/* closing_add: shut `fd` for writing and watch it (epoll data `ep_data`)
 * until the client closes or a deadline passes; then close it. */
void closing_add(struct closing_set *c, int fd, uint64_t ep_data);
/* closing_on_readable: discard what `fd` has; close it at its end. */
void closing_on_readable(struct closing_set *c, int fd);
/* closing_expire: close the entries past their deadline; the next
 * deadline (UINT64_MAX: none). */
uint64_t closing_expire(struct closing_set *c, uint64_t now);

/* ---- durations.c: for --stats ---- */
struct durations {
    double *ms;
    size_t n, cap;
};
void durations_add(struct durations *d, double ms);
void durations_percentiles(struct durations *d, double *p50, double *p99);

/* ---- util ---- */
uint64_t serve_now_ns(void);

#endif /* WISP_SERVE_H */
