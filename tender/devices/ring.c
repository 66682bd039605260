/*
 * The common part of isolated mode's shared rings (devices/ring.h): the
 * eventfds, the kick wiring, the I/O thread's serve / spin / sleep loop,
 * faults and the seccomp rules the threads need.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/device.h"
#include "devices/ring.h"
#include "kvm/kvm_backend.h"

static uint64_t now_ns(void)
{
    return wisp_now_ns();
}

void ring_fault(struct ring_dev *d, const char *fmt, ...)
{
    va_list ap;
    uint64_t one = 1;

    if (__atomic_load_n(&d->faulted, __ATOMIC_ACQUIRE))
        return;
    va_start(ap, fmt);
    vsnprintf(d->fault, sizeof d->fault, fmt, ap);
    va_end(ap);
    __atomic_store_n(&d->faulted, 1, __ATOMIC_RELEASE);
    (void)!write(d->notify_fd, &one, sizeof one); /* a POLL in progress returns */
}

int ring_check_fault(struct vm *vm)
{
    if (!vm->rings_offered)
        return HC_CONTINUE;
    for (unsigned h = 1; h < MFT_MAX_ENTRIES; h++) {
        struct ring_dev *d = vm->rings[h];

        if (d && __atomic_load_n(&d->faulted, __ATOMIC_ACQUIRE))
            return vm_guest_abi_error(vm, "%s (shared %s ring of device '%s')", d->fault,
                                      d->ops->kind, vm->mft->e[h].name);
    }
    return HC_CONTINUE;
}

int ring_kick_exit(struct vm *vm, unsigned handle)
{
    uint64_t one = 1;
    struct ring_dev *d = handle < MFT_MAX_ENTRIES ? vm->rings[handle] : NULL;

    if (!d)
        return vm_guest_abi_error(vm, "kick of handle %u, which has no shared ring", handle);
    if (!__atomic_load_n(&d->ring, __ATOMIC_ACQUIRE) ||
        __atomic_load_n(&d->faulted, __ATOMIC_ACQUIRE))
        return ring_check_fault(vm);
    /* Serve it here, in the exit.  Net: unless the thread is at it now.
     * Block: the guest waits for its request, so wait for the lock. */
    if (pthread_mutex_trylock(&d->lock)) {
        if (!d->ops->serve_on_kick) {
            /* The thread holds the ring: it may be deciding to sleep
             * without having seen this request; make sure it looks. */
            (void)!write(d->kick_fd, &one, sizeof one);
            return HC_CONTINUE;
        }
        pthread_mutex_lock(&d->lock);
    }
    d->st->ring_requests += d->ops->serve(d);
    /* Block: wake the thread for the next requests only if the last
     * wake-up paid (it served some itself), and now and then to try
     * again: on a busy host a woken thread that never catches a request
     * only takes CPU from the vCPU.  Net: a guest kicks a sleeping thread
     * only when it means to spin for the answer (guest/ring.c), which
     * that thread brings: always wake it. */
    if (d->ops->serve_on_kick && d->thread_served == d->served_at_wake &&
        ++d->wakes_skipped % 64) {
        pthread_mutex_unlock(&d->lock);
        return ring_check_fault(vm);
    }
    d->served_at_wake = d->thread_served;
    pthread_mutex_unlock(&d->lock);
    if (ring_check_fault(vm) == HC_STOP)
        return HC_STOP;
    (void)!write(d->kick_fd, &one, sizeof one);
    return HC_CONTINUE;
}

void ring_notify(struct ring_dev *d)
{
    uint64_t one = 1;

    if (d->vcpu_serving)
        return;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with the guest's before POLL */
    if (__atomic_load_n(&d->flags->guest_waiting, __ATOMIC_RELAXED)) {
        d->st->ring_notifies++;
        __atomic_store_n(&d->notified, 1, __ATOMIC_RELEASE);
        (void)!write(d->notify_fd, &one, sizeof one);
    }
}

/* drop_stale_notify: the vCPU thread returns input to the guest now: a
 * signal of notify_fd for it (the I/O thread served it while the guest
 * entered POLL) would only end the guest's next POLL at once, with
 * nothing new, and cost it another exit.  Reset it. */
static void drop_stale_notify(struct ring_dev *d)
{
    uint64_t v;

    if (__atomic_exchange_n(&d->notified, 0, __ATOMIC_ACQ_REL))
        (void)!read(d->notify_fd, &v, sizeof v);
}

/* wait_kick: block until the kick fd (or `extra`, if >= 0) is readable,
 * or timeout_ms passes (-1: no timeout); count and reset the kicks.
 * Returns 0 if the time ran out. */
static int wait_kick(struct ring_dev *d, int extra, int timeout_ms)
{
    struct pollfd p[2] = {{.fd = d->kick_fd, .events = POLLIN}, {.fd = extra, .events = POLLIN}};
    uint64_t v;
    int n;

    d->st->ring_sleeps++;
    while ((n = poll(p, extra >= 0 ? 2 : 1, timeout_ms)) < 0 && errno == EINTR)
        ;
    if ((p[0].revents & POLLIN) && read(d->kick_fd, &v, sizeof v) == sizeof v)
        d->st->ring_kicks += v;
    return n != 0;
}

static int stopping(struct ring_dev *d)
{
    return __atomic_load_n(&d->stop, __ATOMIC_ACQUIRE);
}

/* poll_pending: watch the ring (ops->pending, lock-free) with pause for
 * up to `ns`; whether it holds work. */
static int poll_pending(struct ring_dev *d, uint64_t ns)
{
    uint64_t t0 = now_ns();

    do {
        for (int i = 0; i < 32; i++) {
            if (d->ops->pending(d))
                return 1;
            __builtin_ia32_pause();
        }
    } while (now_ns() - t0 < ns && !stopping(d));
    return 0;
}

/* io_thread: wait for the ring; then serve, spin, sleep, until stopped. */
static void *io_thread(void *arg)
{
    struct ring_dev *d = arg;
    uint64_t idle_since = 0, last_look = 0, beat_at = 0;
    uint32_t beat = 0, guest_waits;
    int no_spin = 0, locked_out;

    __atomic_store_n(&d->started, 1, __ATOMIC_RELEASE);
    while (!stopping(d) && !__atomic_load_n(&d->ring, __ATOMIC_ACQUIRE))
        wait_kick(d, -1, -1);
    while (!stopping(d)) {
        uint64_t t0 = now_ns();
        unsigned n;
        int fd;

        if (__atomic_load_n(&d->faulted, __ATOMIC_ACQUIRE)) {
            wait_kick(d, -1, -1); /* serve nothing more; the vCPU ends the guest */
            continue;
        }
        /* A guest spins for input only while this moves (abi.h); at most
         * every RING_BEAT_NS: each store takes the line from a guest that
         * watches it, and a busy thread looks far more often. */
        if (t0 - beat_at >= RING_BEAT_NS) {
            __atomic_store_n(&d->flags->host_beat, ++beat, __ATOMIC_RELAXED);
            beat_at = t0;
        }
        /* Held: the vCPU thread serves the ring in an exit; never sleep
         * on the lock for that, it is time the vCPU may need. */
        n = 0;
        locked_out = 1;
        if (!pthread_mutex_trylock(&d->lock)) {
            locked_out = 0;
            n = d->ops->serve(d);
            if (n) {
                d->st->ring_requests += n;
                d->thread_served += n;
            }
            pthread_mutex_unlock(&d->lock);
        }
        if (n) {
            idle_since = 0;
            no_spin = 0;
            d->st->ring_busy_ns += now_ns() - t0;
            continue;
        }
        /* Wall time, preemptions included: a thread that the host keeps
         * off the CPU cannot serve a spinning guest and should sleep, so
         * that the guest blocks and its vCPU serves the ring in POLL.
         * Block (poll_ns): a guest waiting for a request kicks (an exit)
         * while this thread is off the CPU and spins again once its
         * beat moves, so a preemption counts as RING_PREEMPTED_NS of the
         * budget only; sleeping at once instead left the guest one exit
         * per request until a wake-up paid (ring_kick_exit).  Bounded:
         * an idle guest's thread sleeps after a few preemptions. */
        if (d->ops->poll_ns && idle_since && last_look && t0 - last_look > RING_PREEMPTED_NS)
            idle_since += t0 - last_look - RING_PREEMPTED_NS;
        last_look = t0;
        if (no_spin)
            idle_since = t0 - RING_SPIN_NS; /* a timed look found nothing: sleep */
        else if (!idle_since)
            idle_since = t0;
        if (t0 - idle_since < RING_SPIN_NS) {
            /* Spin, but give the CPU to whoever else wants it (the vCPU,
             * the peer a reply goes to): a 2-core host has none spare.
             * Block: watch the ring between yields (poll_ns); a yield
             * first if the vCPU held it (it serves in an exit: it may
             * need this CPU to finish). */
            if (d->ops->poll_ns && !locked_out && poll_pending(d, d->ops->poll_ns))
                continue;
            sched_yield();
            continue;
        }
        __atomic_store_n(&d->flags->host_sleeping, 1, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with the guest's before a kick */
        guest_waits = __atomic_load_n(&d->flags->guest_waiting, __ATOMIC_RELAXED);
        pthread_mutex_lock(&d->lock);
        n = d->ops->pending(d);
        /* The device's fd only while the guest runs: a guest waiting in
         * POLL has the vCPU thread wait on it (ring_poll_fds), and two
         * threads woken per frame cost more than they save when they
         * share a CPU (measured: bench/io.sh ping). */
        fd = n || guest_waits ? -1 : d->ops->wait_fd(d);
        pthread_mutex_unlock(&d->lock);
        /* While the guest runs (not waiting in POLL), look every
         * RING_LOOK_MS: frames it queued while this thread slept are
         * sent at its next solo5_yield, or by then.  An idle guest waits
         * in POLL: no timeout, no CPU. */
        no_spin = 0;
        if (!n && !stopping(d))
            no_spin = !wait_kick(d, fd, d->ops->timed_look && !guest_waits ? RING_LOOK_MS : -1);
        __atomic_store_n(&d->flags->host_sleeping, 0, __ATOMIC_RELAXED);
        idle_since = 0;
        last_look = 0;
    }
    if (__atomic_load_n(&d->ring, __ATOMIC_ACQUIRE) && d->ops->drain &&
        !__atomic_load_n(&d->faulted, __ATOMIC_ACQUIRE))
        d->ops->drain(d);
    return NULL;
}

/* wire_ioeventfd: with --ioeventfd, KVM signals kick_fd on an 8-byte
 * store to a NIC's kick slot, without an exit to the tender.  0, or -1
 * (the default: the store is a doorbell exit, served by ring_kick_exit).
 * Measured on kvm_pvm (bench/io.sh, kinds wisp and wisp-iofd): a kick
 * served in the exit beats waking the I/O thread, whose wake-up waits
 * for a CPU on a busy host. */
static int wire_ioeventfd(struct ring_dev *d)
{
    struct kvm_ioeventfd k = {
        .addr = WISP_KICK_GPA(d->handle),
        .len = 8,
        .fd = d->kick_fd,
    };

    if (d->ops->serve_on_kick || !d->vm->cfg->ioeventfd || !d->vm->kvm ||
        d->vm->kvm->vm_fd < 0 ||
        ioctl(d->vm->kvm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) <= 0)
        return -1;
    return ioctl(d->vm->kvm->vm_fd, KVM_IOEVENTFD, &k) < 0 ? -1 : 0;
}

struct ring_dev *ring_dev_start(struct vm *vm, unsigned handle, const struct ring_ops *ops,
                                void *priv)
{
    struct ring_dev *d = calloc(1, sizeof *d);
    int r;

    if (!d) {
        vm_fail(vm, "out of memory");
        return NULL;
    }
    d->vm = vm;
    d->ops = ops;
    d->handle = handle;
    d->priv = priv;
    d->st = &vm->res->stats.dev[handle];
    pthread_mutex_init(&d->lock, NULL);
    d->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    d->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (d->kick_fd < 0 || d->notify_fd < 0) {
        vm_fail(vm, "%s ring: eventfd: %s", ops->kind, strerror(errno));
        goto fail;
    }
    d->ioeventfd = wire_ioeventfd(d) == 0;
    r = pthread_create(&d->thread, NULL, io_thread, d);
    if (r) {
        vm_fail(vm, "%s ring: cannot start the I/O thread: %s", ops->kind, strerror(r));
        goto fail;
    }
    /* Before seccomp: glibc's start-up of the thread must be over. */
    while (!__atomic_load_n(&d->started, __ATOMIC_ACQUIRE))
        sched_yield();
    d->started = 2;
    vm->rings[handle] = d;
    vm->rings_offered = 1;
    return d;
fail:
    if (d->kick_fd >= 0)
        close(d->kick_fd);
    if (d->notify_fd >= 0)
        close(d->notify_fd);
    free(d);
    return NULL;
}

void ring_dev_attach(struct ring_dev *d, void *ring, struct wisp_ring_flags *flags)
{
    uint64_t one = 1;

    d->flags = flags;
    d->st->ring = 1;
    __atomic_store_n(&d->ring, ring, __ATOMIC_RELEASE);
    (void)!write(d->kick_fd, &one, sizeof one);
}

void ring_dev_stop(struct ring_dev *d)
{
    uint64_t one = 1;

    if (!d)
        return;
    __atomic_store_n(&d->stop, 1, __ATOMIC_RELEASE);
    (void)!write(d->kick_fd, &one, sizeof one);
    pthread_join(d->thread, NULL);
    if (d->vm->rings[d->handle] == d)
        d->vm->rings[d->handle] = NULL;
    close(d->kick_fd);
    close(d->notify_fd);
    if (d->ops->release)
        d->ops->release(d);
    else
        free(d->priv);
    free(d);
}

uint64_t ring_poll_serve(struct vm *vm)
{
    uint64_t ready = 0;

    if (!vm->rings_offered)
        return 0;
    for (unsigned h = 1; h < MFT_MAX_ENTRIES; h++) {
        struct ring_dev *d = vm->rings[h];

        if (!d || !__atomic_load_n(&d->ring, __ATOMIC_ACQUIRE) ||
            __atomic_load_n(&d->faulted, __ATOMIC_ACQUIRE))
            continue;
        /* Busy: the I/O thread serves it now; wait for it (a serve is
         * short, and the thread never waits for the vCPU).  Skipping the
         * ring instead made a POLL return with nothing (the tap had
         * woken it, the thread had taken the frame) and the guest come
         * back in another exit; if the host preempted the thread, this
         * wait gives it the CPU. */
        pthread_mutex_lock(&d->lock);
        d->vcpu_serving = 1;
        d->st->ring_requests += d->ops->serve(d);
        d->vcpu_serving = 0;
        if (d->ops->rx_ready && d->ops->rx_ready(d)) {
            ready |= 1ull << h;
            drop_stale_notify(d);
        }
        pthread_mutex_unlock(&d->lock);
    }
    return ready;
}

unsigned ring_poll_fds(struct vm *vm, int *fds, unsigned *handles, unsigned max)
{
    unsigned n = 0;

    if (!vm->rings_offered)
        return 0;
    for (unsigned h = 1; h < MFT_MAX_ENTRIES && n < max; h++) {
        struct ring_dev *d = vm->rings[h];
        int fd;

        if (!d || !__atomic_load_n(&d->ring, __ATOMIC_ACQUIRE) ||
            __atomic_load_n(&d->faulted, __ATOMIC_ACQUIRE))
            continue;
        pthread_mutex_lock(&d->lock); /* as in ring_poll_serve */
        fd = d->ops->wait_fd(d);
        pthread_mutex_unlock(&d->lock);
        if (fd >= 0) {
            fds[n] = fd;
            handles[n++] = h;
        }
    }
    return n;
}

int ring_seccomp_rules(struct vm *vm, void *ctx)
{
    int r = 0;

    if (!vm->rings_offered)
        return 0;
    for (unsigned h = 1; h < MFT_MAX_ENTRIES; h++) {
        struct ring_dev *d = vm->rings[h];

        if (!d)
            continue;
        r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)d->kick_fd));
        r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)d->notify_fd));
        r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)d->kick_fd));
        r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
                              SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)d->notify_fd));
    }
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(poll), 0);
    /* a poll without timeout interrupted by a signal (a stop, a tracer)
     * resumes through restart_syscall */
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(restart_syscall), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(futex), 0);
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sched_yield), 0);
    /* the threads' own exit in glibc: block signals, free the stack */
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigprocmask), 1,
                          SCMP_A0(SCMP_CMP_EQ, SIG_BLOCK));
    r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(madvise), 1,
                          SCMP_A2(SCMP_CMP_EQ, MADV_DONTNEED));
    /* every thread under the one filter */
    r |= seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    return r ? vm_fail(vm, "seccomp: cannot add the ring rules") : 0;
}

int ring_setup_hypercall(struct vm *vm, wisp_gpa_t gpa, uint32_t type, uint64_t size,
                         const char *what)
{
    struct wisp_hc_ring_setup *a;
    struct ring_dev *d;
    uint64_t handle;
    wisp_gpa_t ring_gpa;
    void *ring;
    char buf[48];

    GUEST_PTR_W(vm, a, gpa, sizeof *a, what);
    handle = a->handle;
    ring_gpa = a->ring;
    d = device_entry(vm, handle, type) ? vm->rings[handle] : NULL;
    if (!d || __atomic_load_n(&d->ring, __ATOMIC_ACQUIRE) || ring_gpa % WISP_PAGE_SIZE) {
        a->ret = WISP_R_EINVAL;
        return HC_CONTINUE;
    }
    snprintf(buf, sizeof buf, "%s ring", what);
    GUEST_PTR_W(vm, ring, ring_gpa, size, buf);
    if (poll_replace(vm, (unsigned)handle, d->notify_fd))
        return -1;
    ring_dev_attach(d, ring, (struct wisp_ring_flags *)ring);
    a->ret = WISP_R_OK;
    return HC_CONTINUE;
}
