/*
 * Compat-mode ring-I/O network extension (SOLO5_HVT_ABI.md 2), offered as
 * solo5-hvt offers it: when a NET_BASIC device is attached, 2 MiB above
 * the guest's memory hold a struct hvt_ring (zeroed; boot_info.mem_size
 * stops below it), the guest kicks with a 4-byte OUT to port 0x600, which
 * KVM turns into an eventfd signal without leaving the kernel
 * (KVM_IOEVENTFD), and one host I/O thread serves the ring for every NIC.
 * RING_IO and net_ring reach the boot info only if all of that worked;
 * otherwise a warning, and the guest keeps the NET_* hypercalls (which
 * stay registered either way, for guests that never look at the ring).
 *
 * Differences from solo5-hvt, on purpose:
 *   - Nothing the guest puts in the ring is fatal.  A READ entry with a bad
 *     handle or buffer gets EINVAL in its commit, a host read error
 *     EUNSPEC (Solo5: EINVAL); a WRITE entry with a bad handle or buffer,
 *     or that the tap refuses, is counted and skipped (Solo5 exits); an
 *     unknown operation is counted and skipped, as in Solo5.  The counts
 *     are logged (vm_log) when the guest ends, if any is non-zero.
 *   - Entry fields are copied out of shared memory once, then checked with
 *     guest_range(), the check of the hypercalls, against memory below the
 *     ring: the guest cannot aim I/O at the ring itself, nor make the host
 *     write its text or rodata.
 *   - The host keeps its own copies of ent_head and com_tail and never
 *     reads them back from guest-writable memory; an ent_tail more than
 *     1024 entries ahead (no valid guest does that) drops the backlog.
 *
 * wisp's addition (include/wisp/hvt_ring_ext.h): the magic in the host
 * cache line's padding announces POLL reads.  The thread serves entries
 * up to the first POLL read and leaves the rest to the POLL hypercall
 * (hvt_ring_poll_before/after, called by the vCPU thread around its wait:
 * the same serve, under `lock`, so the two threads never serve at once).
 * A guest that uses it does not kick for each frame it writes (its next
 * POLL or ring read sends them): a thread that goes to sleep while the
 * vCPU thread is not in POLL sleeps at most RING_LOOK_MS; one that goes
 * to sleep while it is (an idle guest) sleeps without a timeout.
 *
 * Seccomp: the filter is installed after this thread starts, with TSYNC
 * (confine.c), and kills the whole process; hvt_ring_seccomp_rules adds
 * read/write on the eventfd, futex (join, the lock) and what glibc's
 * thread exit needs (rt_sigprocmask SIG_BLOCK, madvise MADV_DONTNEED);
 * ppoll (its sleep, frame_waiting) is the core module's rule.
 * hvt_ring_start returns only once the thread runs its own code: glibc's
 * thread start-up (rseq, robust list) must not meet the filter.  Tap fds:
 * the net module's readv/write rules.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/module.h"
#include "devices/device.h"
#include "modes/hvt/hvt.h"
#include "kvm/kvm_backend.h"
#include "core/vm.h"
#include "wisp/hvt_ring_ext.h"

#define RING_MASK (HVT_RING_ENTRIES - 1)

/*
 * Idle spin before the thread sleeps on the eventfd: RING_SPIN `pause`s
 * looking for a new entry.  Measured on the development machine (AMD EPYC,
 * kvm_pvm, 2 vCPUs): one `pause` costs 27-29 ns, so Solo5's 4096
 * (HVT_RING_POLL_ITERS, whose comment says "~1-2ns") take about 115 us and
 * 1024 about 28 us.  1000 pings (ping -A, net_ping.hvt, 5 runs, median):
 * 1024 -> 2.8 s, 4096 -> 3.3 s, 65536 (1.8 ms) -> 11-16 s: a spinning
 * thread takes a CPU from the vCPU and ping on a 2-CPU machine, and the
 * emulated CPL0 guest leaves hundreds of us between entries anyway.
 */
#define RING_SPIN 1024
#define RING_LOOK_MS 1

struct hvt_ring_io {
    struct vm *vm;           /* read-only here after boot (guest_range, manifest) */
    struct hvt_ring *ring;   /* guest memory */
    int efd;
    pthread_t thread;
    int stop;                /* atomic: set by hvt_ring_stop */
    int in_poll;             /* atomic: the vCPU thread is in the POLL hypercall */
    int running;             /* atomic: set by the thread when it starts */
    /* Serving: the I/O thread, or the vCPU thread in POLL (POLL reads). */
    pthread_mutex_t lock;
    uint32_t head;           /* the host's ent_head (under lock) */
    uint32_t ctail;          /* the host's com_tail (under lock) */
    uint32_t seen;           /* I/O thread: the ent_tail it last served up to */
    /* Misuse and errors, reported at the end (never fatal). */
    uint64_t bad_op, bad_handle, bad_buf, write_err, overrun;
    /* --stats: the one ring serves every NIC; its kicks (the eventfd's
     * count: each a guest outl to 0x600, an exit KVM handles itself
     * unless the outl trapped, --solo5:trap-io) and sleeps are counted on
     * the first NIC, entries on the NIC they name (ring_stats). */
    uint64_t kicks, sleeps;
    uint64_t served[MFT_MAX_ENTRIES], refused[MFT_MAX_ENTRIES];
};

int hvt_ring_wanted(const struct vm *vm)
{
    return module_net.attached(vm);
}

static uint32_t load_acquire(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* wait_work: an ent_tail the thread has not served up to (returns 1), or 0
 * once asked to stop.  Spin, then announce sleep (needs_kick, full fence,
 * re-check) and block.  An entry left to POLL (hvt_ring_ext.h) is no work
 * for the thread: it waits for the next tail. */
static int wait_work(struct hvt_ring_io *io, uint32_t *tail)
{
    struct hvt_ring *r = io->ring;
    uint64_t v;

    int timed_out = 0;

    for (;;) {
        /* A look after a timed sleep that found nothing does not spin. */
        for (unsigned i = 0; i < (timed_out ? 1u : RING_SPIN); i++) {
            if (__atomic_load_n(&io->stop, __ATOMIC_ACQUIRE))
                return 0;
            *tail = load_acquire(&r->ent_tail);
            if (*tail != io->seen)
                return 1;
            __builtin_ia32_pause();
        }
        __atomic_store_n(&r->needs_kick, 1, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_SEQ_CST); /* mfence: pairs with the guest's */
        *tail = load_acquire(&r->ent_tail);
        timed_out = 0;
        if (*tail == io->seen && !__atomic_load_n(&io->stop, __ATOMIC_ACQUIRE)) {
            struct pollfd p = {.fd = io->efd, .events = POLLIN};
            /* While the guest runs, look every RING_LOOK_MS: a guest that
             * uses wisp's addition does not kick for each frame it writes
             * (guest-hvt/net.c).  A guest waiting in POLL (an idle one):
             * no timeout, no CPU; POLL sends what is queued. */
            const struct timespec look = {0, RING_LOOK_MS * 1000000L};
            int n;

            io->sleeps++;
            do
                n = ppoll(&p, 1, __atomic_load_n(&io->in_poll, __ATOMIC_ACQUIRE) ? NULL : &look,
                          NULL);
            while (n < 0 && errno == EINTR);
            timed_out = n == 0;
            /* hvt_ring_stop's own signal is no kick */
            if (n > 0 && read(io->efd, &v, sizeof v) == sizeof v)
                io->kicks += v - (v && __atomic_load_n(&io->stop, __ATOMIC_ACQUIRE));
        }
        __atomic_store_n(&r->needs_kick, 0, __ATOMIC_RELAXED);
    }
}

/* commit: the result of READ entry `id`; `ext` goes to _reserved (0 but
 * for a POLL read, hvt_ring_ext.h). */
static void commit_ext(struct hvt_ring_io *io, uint32_t id, int32_t ret, uint32_t len,
                       uint32_t ext)
{
    struct hvt_ring_commit *c = &io->ring->commits[io->ctail & RING_MASK];

    c->id = id;
    c->ret = ret;
    c->len = ret == HVT_R_OK ? len : 0;
    c->_reserved = ext;
    store_release(&io->ring->com_tail, ++io->ctail);
}

static void commit(struct hvt_ring_io *io, uint32_t id, int32_t ret, uint32_t len)
{
    commit_ext(io, id, ret, len, 0);
}

/* frame_waiting: whether tap `fd` has another frame (a zero-timeout ppoll). */
static int frame_waiting(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    const struct timespec zero = {0, 0};

    return ppoll(&p, 1, &zero, NULL) > 0 && (p.revents & POLLIN);
}

/* do_write: one WRITE entry; errors counted, the entry skipped. */
static void do_write(struct hvt_ring_io *io, const struct mft_entry *e,
                     const struct hvt_ring_entry *ent)
{
    enum guest_fault fault;
    const void *p;
    ssize_t n;

    if (!e) {
        io->bad_handle++;
        return;
    }
    p = guest_range(io->vm, ent->data, ent->len, 0, &fault);
    if (!p) {
        io->bad_buf++;
        return;
    }
    do
        n = write((int)e->b.hostfd, p, ent->len);
    while (n < 0 && errno == EINTR);
    if (n < 0 || (uint32_t)n != ent->len)
        io->write_err++;
}

/* do_read: one READ entry, always committed.  A frame larger than the
 * buffer is truncated, as by NET_READ.  A POLL read's commit says whether
 * another frame waits. */
static void do_read(struct hvt_ring_io *io, const struct mft_entry *e,
                    const struct hvt_ring_entry *ent)
{
    int poll_read = ent->_reserved == HVT_RING_EXT_POLL_READ;
    enum guest_fault fault;
    struct iovec iov;
    ssize_t n;

    if (!e) {
        io->bad_handle++;
        commit(io, ent->id, HVT_R_EINVAL, 0);
        return;
    }
    iov.iov_len = ent->len;
    iov.iov_base = guest_range(io->vm, ent->data, ent->len, 1, &fault);
    if (!iov.iov_base) {
        io->bad_buf++;
        commit(io, ent->id, HVT_R_EINVAL, 0);
        return;
    }
    do
        n = readv((int)e->b.hostfd, &iov, 1);
    while (n < 0 && errno == EINTR);
    if (n == 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)))
        commit(io, ent->id, HVT_R_AGAIN, 0);
    else if (n < 0)
        commit(io, ent->id, HVT_R_EUNSPEC, 0);
    else if (poll_read)
        commit_ext(io, ent->id, HVT_R_OK, (uint32_t)n,
                   HVT_RING_EXT_SEEN | (frame_waiting((int)e->b.hostfd) ? HVT_RING_EXT_MORE : 0));
    else
        commit(io, ent->id, HVT_R_OK, (uint32_t)n);
}

static uint64_t errors(const struct hvt_ring_io *io)
{
    return io->bad_op + io->bad_handle + io->bad_buf + io->write_err;
}

/* count: one entry of NIC `e` (NULL: no such NIC) served or refused. */
static void count(struct hvt_ring_io *io, const struct mft_entry *e, uint32_t handle,
                  uint64_t errors_before)
{
    if (!e || handle >= MFT_MAX_ENTRIES)
        return;
    if (errors(io) != errors_before)
        io->refused[handle]++;
    else
        io->served[handle]++;
}

/* serve: with io->lock held, every entry up to the current ent_tail, or,
 * with `upto_poll_read`, up to the first POLL read (hvt_ring_ext.h), which
 * stays unserved.  Consecutive WRITEs are one batch: ent_head moves once
 * after them (a READ's commit moves it first).  Returns the tail read. */
static uint32_t serve(struct hvt_ring_io *io, int upto_poll_read)
{
    struct hvt_ring *r = io->ring;
    uint32_t tail = load_acquire(&r->ent_tail);

    if (tail - io->head > HVT_RING_ENTRIES) {
        io->overrun++;
        io->head = tail;
        store_release(&r->ent_head, io->head);
        return tail;
    }
    while (io->head != tail) {
        struct hvt_ring_entry ent;
        const struct mft_entry *e;
        uint64_t before = errors(io);

        /* One copy out of shared memory; only the copy is looked at. */
        memcpy(&ent, &r->entries[io->head & RING_MASK], sizeof ent);
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        if (upto_poll_read && ent.operation == HVT_RING_OP_NET_READ &&
            ent._reserved == HVT_RING_EXT_POLL_READ)
            break;
        e = device_entry(io->vm, ent.handle, MFT_DEV_NET_BASIC);
        if (ent.operation == HVT_RING_OP_NET_WRITE) {
            do_write(io, e, &ent);
            count(io, e, ent.handle, before);
            io->head++;
            continue;
        }
        if (ent.operation == HVT_RING_OP_NET_READ) {
            /* Writes before it are done: let the guest reuse their slots. */
            store_release(&r->ent_head, io->head);
            do_read(io, e, &ent);
        } else {
            io->bad_op++;
        }
        count(io, e, ent.handle, before);
        io->head++;
        store_release(&r->ent_head, io->head);
    }
    store_release(&r->ent_head, io->head);
    return tail;
}

static uint32_t serve_locked(struct hvt_ring_io *io, int upto_poll_read)
{
    uint32_t tail;

    pthread_mutex_lock(&io->lock);
    tail = serve(io, upto_poll_read);
    pthread_mutex_unlock(&io->lock);
    return tail;
}

void hvt_ring_poll_before(struct vm *vm)
{
    struct hvt_ring_io *io = vm->hvt ? vm->hvt->ring : NULL;

    if (!io)
        return;
    __atomic_store_n(&io->in_poll, 1, __ATOMIC_RELEASE);
    if (load_acquire(&io->ring->ent_tail) != load_acquire(&io->ring->ent_head))
        serve_locked(io, 1);
}

void hvt_ring_poll_after(struct vm *vm)
{
    struct hvt_ring_io *io = vm->hvt ? vm->hvt->ring : NULL;

    if (!io)
        return;
    if (load_acquire(&io->ring->ent_tail) != load_acquire(&io->ring->ent_head))
        serve_locked(io, 0);
    __atomic_store_n(&io->in_poll, 0, __ATOMIC_RELEASE);
}

static void *io_thread(void *arg)
{
    struct hvt_ring_io *io = arg;
    uint32_t tail;

    __atomic_store_n(&io->running, 1, __ATOMIC_RELEASE);
    while (wait_work(io, &tail))
        io->seen = serve_locked(io, 1);
    /* Asked to stop: the vCPU has halted, so ent_tail is final.  A guest
     * that writes a frame and exits at once (solo5_net_write returned OK)
     * still gets it sent: serve what it left in the ring, once. */
    serve_locked(io, 0);
    return NULL;
}

/* ring_fallback: the ring is not offered; says why, keeps the hypercalls. */
static int ring_fallback(struct vm *vm, struct hvt_ring_io *io, const char *what, int err)
{
    vm_log(vm, "net ring: %s%s%s; falling back to hypercalls", what, err ? ": " : "",
           err ? strerror(err) : "");
    if (io->efd >= 0)
        close(io->efd);
    free(io);
    vm->hvt->ring = NULL;
    return 0;
}

int hvt_ring_start(struct vm *vm)
{
    struct hvt *h = vm->hvt;
    struct hvt_ring_io *io = calloc(1, sizeof *io);
    struct kvm_ioeventfd kick;
    int r;

    if (!io)
        return vm_fail(vm, "out of memory");
    io->efd = -1;
    io->vm = vm;
    /* The planning (hvt_mem_plan) put the ring where boot_info.mem_size
     * ends; the ELF was checked against mem_size, so nothing of it is
     * here. */
    if (h->ring_gpa != vm->mem_size || h->ring_gpa + HVT_RING_RESERVE > vm->mem_alloc)
        return ring_fallback(vm, io, "no room above guest memory", 0);
    io->ring = (struct hvt_ring *)(void *)(vm->mem + h->ring_gpa);
    memset(io->ring, 0, sizeof *io->ring);
    pthread_mutex_init(&io->lock, NULL);
    if (ioctl(vm->kvm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) <= 0)
        return ring_fallback(vm, io, "KVM has no ioeventfd", 0);
    io->efd = eventfd(0, EFD_CLOEXEC);
    if (io->efd < 0)
        return ring_fallback(vm, io, "eventfd", errno);
    kick = (struct kvm_ioeventfd){
        .addr = HVT_RING_KICK_PIO_BASE,
        .len = 4,
        .fd = io->efd,
        .flags = KVM_IOEVENTFD_FLAG_PIO, /* no datamatch: any ring_id */
    };
    if (ioctl(vm->kvm->vm_fd, KVM_IOEVENTFD, &kick) < 0)
        return ring_fallback(vm, io, "KVM_IOEVENTFD on port 0x600", errno);
    r = pthread_create(&io->thread, NULL, io_thread, io);
    if (r)
        return ring_fallback(vm, io, "cannot start the I/O thread", r);
    /* Before seccomp: glibc's start-up of the thread is over. */
    while (!__atomic_load_n(&io->running, __ATOMIC_ACQUIRE))
        sched_yield();
    /* Offer wisp's addition (hvt_ring_ext.h): guests that look for it. */
    __atomic_store_n((uint32_t *)(void *)((uint8_t *)io->ring + HVT_RING_EXT_MAGIC_OFFSET),
                     HVT_RING_EXT_MAGIC, __ATOMIC_RELEASE);
    h->ring = io;
    return 0;
}

/* ring_stats: the counters into --stats (the thread has been joined). */
static void ring_stats(const struct hvt_ring_io *io)
{
    struct wisp_stats *st = &io->vm->res->stats;
    int first = 1;

    for (unsigned h = 1; h < st->ndev && h < MFT_MAX_ENTRIES; h++) {
        struct wisp_dev_stats *d = &st->dev[h];

        if (d->type != MFT_DEV_NET_BASIC)
            continue;
        d->ring = 1;
        d->ring_requests += io->served[h];
        d->ring_refused += io->refused[h];
        if (first) {
            d->ring_kicks += io->kicks;
            d->ring_sleeps += io->sleeps;
            first = 0;
        }
    }
}

static void report(const struct hvt_ring_io *io)
{
    if (!(io->bad_op | io->bad_handle | io->bad_buf | io->write_err | io->overrun))
        return;
    vm_log(io->vm, "net ring: entries refused: %llu bad operation, %llu bad handle, "
           "%llu bad buffer, %llu overrun; %llu tap write errors",
           (unsigned long long)io->bad_op, (unsigned long long)io->bad_handle,
           (unsigned long long)io->bad_buf, (unsigned long long)io->overrun,
           (unsigned long long)io->write_err);
}

void hvt_ring_kick(struct vm *vm)
{
    struct hvt_ring_io *io = vm->hvt->ring;
    uint64_t one = 1;

    if (io && write(io->efd, &one, sizeof one) < 0) {
        /* The counter cannot overflow from single kicks: nothing to do. */
    }
}

void hvt_ring_stop(struct vm *vm)
{
    struct hvt_ring_io *io = vm->hvt->ring;
    uint64_t one = 1;

    if (!io)
        return;
    /* The vCPU no longer runs: the thread drains the ring, then exits. */
    __atomic_store_n(&io->stop, 1, __ATOMIC_RELEASE);
    (void)!write(io->efd, &one, sizeof one);
    pthread_join(io->thread, NULL);
    ring_stats(io);
    report(io);
    close(io->efd);
    free(io);
    vm->hvt->ring = NULL;
}

int hvt_ring_seccomp_rules(struct vm *vm, void *ctx)
{
    struct hvt_ring_io *io = vm->hvt ? vm->hvt->ring : NULL;
    scmp_datum_t efd;

    if (!io)
        return 0;
    efd = (scmp_datum_t)io->efd;
    if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1, SCMP_A0(SCMP_CMP_EQ, efd)) ||
        seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, efd)) ||
        seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(futex), 0) ||
        /* the thread's own exit in glibc: block signals, free its stack */
        seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigprocmask), 1,
                         SCMP_A0(SCMP_CMP_EQ, SIG_BLOCK)) ||
        seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(madvise), 1,
                         SCMP_A2(SCMP_CMP_EQ, MADV_DONTNEED)))
        return vm_fail(vm, "seccomp: cannot add the net ring rules");
    return 0;
}
