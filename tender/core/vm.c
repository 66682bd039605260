/*
 * Run-state helpers shared by every layer: error recording, how the guest
 * ended, the console buffer, hypercall and poll-source registration,
 * milestones.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/mode.h"
#include "core/module.h"
#include "core/signals.h"
#include "core/vm.h"
#include "devices/ring.h"

int vm_fail(struct vm *vm, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(vm->res->err, sizeof vm->res->err, fmt, ap);
    va_end(ap);
    vm->res->end = WISP_END_ERROR;
    vm->res->status = WISP_EXIT_TENDER_ERROR;
    return -1;
}

int vm_end(struct vm *vm, enum wisp_end end, int status)
{
    vm_event(vm, WISP_EV_GUEST_END);
    vm->res->end = end;
    vm->res->status = status;
    return HC_STOP;
}

int vm_console_write(struct vm *vm, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    int fd = vm->cfg->console_fd;

    while (n > 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        ssize_t w = write(fd, p, n);

        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK))
            return -1;
        if (signals_caught()) {
            errno = EINTR; /* the run is ending: the signal's message says why */
            return -1;
        }
        /* A non-blocking console (a pipe or socket the launcher set
         * O_NONBLOCK) that is full: wait until its reader takes some.
         * ppoll: the syscall the core seccomp rules allow. */
        if (errno != EINTR && ppoll(&pfd, 1, NULL, NULL) < 0 && errno != EINTR)
            return -1;
    }
    return 0;
}

void vm_console_drain(struct vm *vm)
{
    struct wisp_console_buf *cb = gpa_to_host(vm, WISP_CONSOLE_GPA, sizeof *cb);
    uint32_t len;
    const char *p;

    if (!cb)
        return;
    len = cb->len; /* guest data: bounded before use */
    if (len > WISP_CONSOLE_DATA)
        len = WISP_CONSOLE_DATA;
    p = cb->data;
    (void)vm_console_write(vm, p, len); /* the guest has ended: nobody to tell */
    cb->len = 0;
}

int vm_guest_abi_error(struct vm *vm, const char *fmt, ...)
{
    char msg[WISP_ERR_MAX];
    va_list ap;

    vm_console_drain(vm);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vm_log(vm, "guest violated the hypercall ABI: %s", msg);
    return vm_end(vm, WISP_END_ABI, WISP_EXIT_GUEST_FAULT);
}

int hypercall_dispatch(struct vm *vm, unsigned nr, wisp_gpa_t arg)
{
    uint64_t t0;
    int r;

    if (nr >= WISP_HC_MAX || !vm->hypercalls[nr])
        return vm_guest_abi_error(vm, "unknown hypercall %u", nr);
    /* Handlers access the struct in place: it must be aligned for that. */
    if (arg % 8)
        return vm_guest_abi_error(vm, "hypercall %u: argument struct at 0x%llx is not "
                                  "8-byte aligned", nr, (unsigned long long)arg);
    vm->res->stats.hc_count[nr]++;
    if (!vm->cfg->stats_path)
        return vm->hypercalls[nr](vm, arg);
    t0 = wisp_now_ns();
    r = vm->hypercalls[nr](vm, arg);
    vm->res->stats.hc_ns[nr] += wisp_now_ns() - t0;
    return r;
}

int hypercall_register(struct vm *vm, unsigned nr, hypercall_fn fn)
{
    if (nr == 0 || nr >= vm->mode->nhypercalls || vm->hypercalls[nr])
        return vm_fail(vm, "internal: hypercall %u registered twice or out of range", nr);
    vm->hypercalls[nr] = fn;
    return 0;
}

int module_register_hypercalls(struct vm *vm, const struct module *m)
{
    const struct module_hypercall *h = m->hypercalls[vm->mode->id];

    if (!h || (m->attached && !m->attached(vm)))
        return 0;
    for (; h->fn; h++)
        if (hypercall_register(vm, h->nr, h->fn))
            return -1;
    return 0;
}

int poll_register(struct vm *vm, int fd, unsigned handle)
{
    if (vm->npoll >= VM_MAX_POLL_SOURCES)
        return vm_fail(vm, "internal: too many poll sources");
    vm->poll[vm->npoll].fd = fd;
    vm->poll[vm->npoll].handle = handle;
    vm->poll[vm->npoll].eventfd = 0;
    vm->poll[vm->npoll].failed = 0;
    vm->npoll++;
    return 0;
}

int poll_replace(struct vm *vm, unsigned handle, int fd)
{
    unsigned i;

    for (i = 0; i < vm->npoll && vm->poll[i].handle != handle; i++)
        ;
    if (i == vm->npoll && poll_register(vm, fd, handle))
        return -1;
    vm->poll[i].fd = fd;
    vm->poll[i].eventfd = 1;
    vm->poll[i].failed = 0;
    return 0;
}

uint64_t wisp_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void vm_event(struct vm *vm, enum wisp_event ev)
{
    vm->res->events[ev] = wisp_now_ns();
}

uint64_t vm_guest_tsc_to_ns(const struct vm *vm, uint64_t tsc)
{
    if (tsc == 0 || tsc < vm->tsc_base || vm->tsc_hz == 0)
        return 0;
    return vm->mono_base +
           (uint64_t)(((unsigned __int128)(tsc - vm->tsc_base) * 1000000000ull) / vm->tsc_hz);
}

const char *wisp_event_name(enum wisp_event ev)
{
    static const char *const names[WISP_EV_MAX] = {
        [WISP_EV_MAIN] = "main",
        [WISP_EV_ELF_READ] = "elf_read",
        [WISP_EV_VALIDATED] = "validated",
        [WISP_EV_KVM] = "kvm",
        [WISP_EV_MEMORY] = "memory",
        [WISP_EV_LAYOUT] = "layout",
        [WISP_EV_MODULES] = "modules",
        [WISP_EV_CPU] = "cpu",
        [WISP_EV_CONFINED] = "confined",
        [WISP_EV_GUEST_START] = "guest_start",
        [WISP_EV_GUEST_MAIN] = "guest_main",
        [WISP_EV_GUEST_END] = "guest_end",
        [WISP_EV_TEARDOWN] = "teardown",
    };
    return (unsigned)ev < WISP_EV_MAX && names[ev] ? names[ev] : "?";
}

/* poll_source_failed: mark the source failed and say so, once. */
static void poll_source_failed(struct vm *vm, struct poll_source *src, short revents)
{
    unsigned h = src->handle;
    const char *name = vm->mft && h < vm->mft->entries && h < MFT_MAX_ENTRIES
                           ? vm->mft->e[h].name : "?";

    src->failed = 1;
    vm_log(vm, "device '%s' failed: its host fd reports %s (a tap whose interface was "
           "deleted?); its reads now fail and it is no longer waited on", name,
           (revents & POLLNVAL) ? "POLLNVAL" : "POLLERR");
}

int vm_poll(struct vm *vm, uint64_t timeout_ns, uint64_t *ready_set)
{
    struct pollfd fds[VM_MAX_POLL_SOURCES + MFT_MAX_ENTRIES];
    int ring_fds[MFT_MAX_ENTRIES];
    unsigned ring_handles[MFT_MAX_ENTRIES], nring, nfds;
    uint64_t ring_ready = ring_poll_serve(vm);
    struct timespec ts = {
        .tv_sec = (time_t)(timeout_ns / 1000000000ull),
        .tv_nsec = (long)(timeout_ns % 1000000000ull),
    };
    uint64_t ready = 0;
    int n, count = 0;

    uint64_t t0;

    if (ring_ready) {
        /* A shared ring holds input (served just now): no wait. */
        *ready_set = ring_ready;
        return __builtin_popcountll(ring_ready);
    }
    for (unsigned i = 0; i < vm->npoll; i++) /* poll skips a negative fd */
        fds[i] = (struct pollfd){.fd = vm->poll[i].failed ? -1 : vm->poll[i].fd,
                                 .events = POLLIN};
    /* the taps of NICs with a ring: served here when they wake us */
    nring = ring_poll_fds(vm, ring_fds, ring_handles, MFT_MAX_ENTRIES);
    nfds = vm->npoll;
    for (unsigned i = 0; i < nring; i++)
        fds[nfds++] = (struct pollfd){.fd = ring_fds[i], .events = POLLIN};
    t0 = vm->cfg->stats_path ? wisp_now_ns() : 0;
    do
        n = ppoll(fds, nfds, &ts, NULL);
    while (n < 0 && errno == EINTR && !signals_caught());
    if (n < 0 && errno == EINTR)
        n = 0; /* a signal ends the run: back to the run loop, no input */
    if (n < 0)
        return vm_fail(vm, "POLL: ppoll failed: %s", strerror(errno));
    vm->res->stats.poll_count++;
    if (t0)
        vm->res->stats.poll_blocked_ns += wisp_now_ns() - t0;
    for (unsigned i = 0; i < vm->npoll && n > 0; i++) {
        if ((fds[i].revents & (POLLERR | POLLNVAL)) && !(fds[i].revents & POLLIN)) {
            poll_source_failed(vm, &vm->poll[i], fds[i].revents);
            ready |= 1ull << vm->poll[i].handle;
            count++;
            continue;
        }
        /* POLLHUP: a pipe whose writer is gone has input: its end. */
        if (fds[i].revents & (POLLIN | POLLHUP)) {
            if (vm->poll[i].eventfd) {
                uint64_t v;

                /* Reset it: the guest looks at its ring itself. */
                (void)!read(fds[i].fd, &v, sizeof v);
            }
            ready |= 1ull << vm->poll[i].handle;
            count++;
        }
    }
    if (nring) {
        ring_ready = ring_poll_serve(vm);
        for (unsigned i = 0; i < nring; i++)
            if ((ring_ready & (1ull << ring_handles[i])) && !(ready & (1ull << ring_handles[i]))) {
                ready |= 1ull << ring_handles[i];
                count++;
            }
    }
    *ready_set = ready;
    return count;
}

void vm_release_file(struct vm *vm)
{
    if (vm->file)
        munmap(vm->file, vm->file_map_size);
    vm->file = NULL;
    vm->img.file = NULL;
    vm->img.mft = NULL;
}
