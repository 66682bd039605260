/*
 * Shared I/O rings of isolated mode (include/wisp/abi.h, "Shared I/O
 * rings"): what the net and block rings have in common.  One struct
 * ring_dev per attached device, created at module setup (before the
 * seccomp filter, which covers its thread through TSYNC): two eventfds
 * (kick: guest -> tender, an exit served by the vCPU thread, or with
 * --ioeventfd wired to KVM_IOEVENTFD on WISP_KICK_GPA(handle); notify:
 * tender -> the vCPU's POLL) and one I/O
 * thread that sleeps until the guest names the ring, then serves it:
 * serve the ring, spin a bounded time while there is nothing to do
 * (bumping host_beat, every RING_BEAT_NS at most, so that the guest spins only while the
 * thread runs, and yielding the CPU at each turn: the vCPU or the peer may
 * need it), then announce sleep (host_sleeping, full fence, look again)
 * and block in poll on the kick fd and, while the guest runs rather than
 * waits in POLL (where the vCPU thread watches it), the device's own fd.
 *
 * Error policy: everything in the ring is hostile.  A descriptor that
 * fails a check is refused (counted; the guest goes on).  A ring whose
 * indices no valid guest could produce is a fault: the thread stops
 * serving it, records a message and wakes the vCPU's POLL; the vCPU thread
 * ends the guest at its next exit (ring_check_fault, an ABI violation).
 * The tender itself never fails because of a ring.
 */
#ifndef WISP_RING_H
#define WISP_RING_H

#include <pthread.h>
#include <stdint.h>

#include "core/vm.h"

/* Spin of an idle I/O thread before it sleeps, in ns of wall time
 * (bounded: an idle device costs no CPU once this has passed). */
#define RING_SPIN_NS 200000ull
/* A gap this long between two looks of a spinning I/O thread: the host
 * took its CPU (a look, a yield and poll_ns take a few microseconds). */
#define RING_PREEMPTED_NS 50000ull
/* A spinning I/O thread moves its host_beat at most this often (a guest
 * waits BEAT_STILL_NS, guest/ring.c, before it calls a beat still). */
#define RING_BEAT_NS 1000ull
/* A sleeping I/O thread looks at the ring this often while the guest runs
 * (frames a guest queued without kicking, ring.c io_thread). */
#define RING_LOOK_MS 1

struct ring_dev;

/* What one kind of ring (net, block) plugs into the common thread. */
struct ring_ops {
    const char *kind;      /* "net", "block": for messages */
    /* serve: do all the work the ring holds now; the number of requests
     * served (0: nothing to do).  May call ring_fault. */
    unsigned (*serve)(struct ring_dev *d);
    /* pending: whether serve would find work (after host_sleeping is set). */
    int (*pending)(struct ring_dev *d);
    /* wait_fd: a host fd to wait on for input too (the tap), or -1. */
    int (*wait_fd)(struct ring_dev *d);
    /* drain: at stop, after the vCPU halted: finish what the guest left
     * (frames it was told were sent).  Optional. */
    void (*drain)(struct ring_dev *d);
    /* release: free d->priv (after the thread ended); NULL: free(). */
    void (*release)(struct ring_dev *d);
    /* rx_ready: whether the ring holds input the guest has not taken
     * (net: frames in the RX ring).  Optional. */
    int (*rx_ready)(struct ring_dev *d);
    /* serve_on_kick: a kick is an exit to the tender (no ioeventfd) in
     * which the vCPU thread serves the ring itself, then wakes the I/O
     * thread: for requests the guest waits for (block), one exit instead
     * of two thread wake-ups and a POLL when the thread sleeps. */
    int serve_on_kick;
    /* timed_look: the guest may queue work without a kick (net TX while
     * the thread sleeps): look every RING_LOOK_MS while it runs. */
    int timed_look;
    /* poll_ns: while the thread spins, watch pending() with pause for up
     * to this long between sched_yields (0: yield at every look, net).  A
     * block request waits on the other CPU for this thread: a yield per
     * look (a syscall) delays its hand-off; pending() is then called
     * without the lock and must only read. */
    uint64_t poll_ns;
};

struct ring_dev {
    struct vm *vm;             /* guest_range and the manifest: fixed after boot */
    const struct ring_ops *ops;
    unsigned handle;
    int kick_fd, notify_fd;    /* eventfds */
    int ioeventfd;             /* kicks are served by KVM_IOEVENTFD */
    pthread_t thread;
    pthread_mutex_t lock;      /* serve() runs under it (I/O thread or vCPU) */
    int started;
    int stop;                  /* atomic */
    void *ring;                /* host view of the guest's ring: atomic; NULL until set up */
    struct wisp_ring_flags *flags;
    int faulted;               /* atomic: fault[] holds the message */
    char fault[256];
    void *priv;                /* the kind's own state */
    struct wisp_dev_stats *st; /* this device's counters (written under lock) */
    /* Waking the I/O thread after a serve in an exit pays only if the
     * thread then catches requests itself: thread_served counts them. */
    uint64_t thread_served, served_at_wake;
    unsigned wakes_skipped;
    /* Under lock: the vCPU thread serves (ring_poll_serve); the input it
     * finds goes back with its POLL, so ring_notify signals nobody. */
    int vcpu_serving;
    /* Atomic: notify_fd was signalled and not yet reset. */
    int notified;
};

/*
 * ring_dev_start: the eventfds, the kick wiring and the thread of device
 * `handle` (isolated mode, before seccomp).  The thread waits until
 * ring_dev_attach names the ring.  Returns the device, or NULL with the
 * run's message set.
 */
struct ring_dev *ring_dev_start(struct vm *vm, unsigned handle, const struct ring_ops *ops,
                                void *priv);

/* ring_dev_attach: the guest named its ring (host pointer `ring`, checked
 * by the caller): the thread starts serving it. */
void ring_dev_attach(struct ring_dev *d, void *ring, struct wisp_ring_flags *flags);

/* ring_dev_stop: stop the thread (after the vCPU halted), drain, join,
 * release.  Safe on NULL. */
void ring_dev_stop(struct ring_dev *d);

/* ring_fault: record why the ring is refused (first message wins), stop
 * serving it and wake the vCPU. */
void ring_fault(struct ring_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ring_check_fault: if any device's ring has faulted, end the guest with
 * its message (HC_STOP); else HC_CONTINUE.  Called by the vCPU thread at
 * each exit. */
int ring_check_fault(struct vm *vm);

/* ring_kick_exit: a kick that reached the tender as a doorbell exit (no
 * ioeventfd, or a kind that serves on kicks): the vCPU thread serves the
 * ring itself (net: unless the I/O thread holds it), then wakes the I/O
 * thread if that has paid off lately.  Returns HC_CONTINUE, or HC_STOP
 * when the guest ended (a kick of a device without a ring, a fault). */
int ring_kick_exit(struct vm *vm, unsigned handle);

/*
 * ring_poll_serve: the vCPU thread before and after it waits in POLL:
 * serve every ring under its lock (frames the guest queued go out, frames
 * waiting on a tap come in), so a guest that blocks costs one exit and
 * one wake-up per packet even when the I/O threads sleep or lack a CPU.
 * Returns the set of devices whose ring holds input (bit 1 << handle).
 */
uint64_t ring_poll_serve(struct vm *vm);

/* ring_poll_fds: the tap fds the vCPU's POLL should also wait on (one per
 * NIC with a ring and RX room): fills fds[] / handles[] (at most max),
 * returns how many. */
unsigned ring_poll_fds(struct vm *vm, int *fds, unsigned *handles, unsigned max);

/* ring_notify: after publishing: wake the guest if it waits in POLL. */
void ring_notify(struct ring_dev *d);

/* ring_pending_count: how many entries [cons, prod) hold, or -1 if prod
 * is more than `slots` ahead of cons (32-bit wrap-around arithmetic). */
static inline int64_t ring_pending_count(uint32_t prod, uint32_t cons, uint32_t slots)
{
    uint32_t n = prod - cons;

    return n > slots ? -1 : (int64_t)n;
}

static inline uint32_t ring_load(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void ring_store(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* ring_seccomp_rules: what the I/O threads need beyond their device's own
 * syscalls: poll, read/write on the eventfds, futex, thread exit. */
int ring_seccomp_rules(struct vm *vm, void *ctx);

#endif /* WISP_RING_H */

/* ---- the kinds (ring_net.c, ring_block.c) ---- */
struct blk;

/* ring_net_start: the ring of NIC `handle` on tap `tap_fd` (MTU `mtu`). */
struct ring_dev *ring_net_start(struct vm *vm, unsigned handle, int tap_fd, uint32_t mtu);

/* ring_block_start: the ring of block device `handle` on `blk` (reads
 * from its mapping or pread, writes pwrite, flushes through io_uring when
 * the host offers it, else fdatasync, all in the thread). */
struct ring_dev *ring_block_start(struct vm *vm, unsigned handle, struct blk *blk);

/* For tests/fuzz/fuzz_ring.c, which calls serve() itself, threadless:
 * the kinds' ring_ops and their private state (freed by release, or
 * free() when the ops have none). */
extern const struct ring_ops ring_net_ops, ring_block_ops;
void *ring_net_priv_new(int tap_fd, uint32_t mtu);
void *ring_block_priv_new(struct blk *blk, int use_io_uring);

/* ring_block_seccomp_rules: io_uring_enter on the block rings' own
 * io_uring fds (nothing when no block ring exists). */
int ring_block_seccomp_rules(struct vm *vm, void *ctx);

/*
 * ring_setup_hypercall: WISP_HC_NET_RING / WISP_HC_BLOCK_RING (`what`):
 * the argument struct (guest-writable), a device of `type` with a ring
 * thread and no ring yet, a page-aligned ring of `size` bytes the guest
 * may write; then the device's POLL source becomes the ring's notify fd
 * and the thread starts serving.  A bad argument struct or ring range ends
 * the guest (GUEST_PTR policy); anything else is ret = WISP_R_EINVAL.
 */
int ring_setup_hypercall(struct vm *vm, wisp_gpa_t gpa, uint32_t type, uint64_t size,
                         const char *what);
