/*
 * The core module: console output, the blocking poll with a deadline,
 * exit, abort and the wall clock.  Every isolated-mode guest has these.
 */
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/module.h"
#include "core/vm.h"

/* write_all: write every byte, retrying on EINTR and partial writes. */
static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int hc_puts(struct vm *vm, wisp_gpa_t gpa)
{
    struct wisp_hc_puts *a;
    const uint8_t *data;

    GUEST_PTR(vm, a, gpa, sizeof *a, "PUTS");
    if (a->len > WISP_PUTS_MAX)
        return vm_guest_abi_error(vm, "PUTS: length %llu exceeds %u",
                                  (unsigned long long)a->len, WISP_PUTS_MAX);
    GUEST_PTR(vm, data, a->data, a->len, "PUTS buffer");
    if (write_all(vm->cfg->console_fd, data, a->len) < 0)
        return vm_fail(vm, "console: write failed: %s", strerror(errno));
    return HC_CONTINUE;
}

static int hc_poll(struct vm *vm, wisp_gpa_t gpa)
{
    struct wisp_hc_poll *a;
    uint64_t ready;
    int count;

    GUEST_PTR_W(vm, a, gpa, sizeof *a, "POLL");
    count = vm_poll(vm, a->timeout_ns, &ready);
    if (count < 0)
        return -1;
    a->ready_set = ready;
    a->ret = count;
    return HC_CONTINUE;
}

static int hc_exit(struct vm *vm, wisp_gpa_t gpa)
{
    struct wisp_hc_exit *a;

    GUEST_PTR(vm, a, gpa, sizeof *a, "EXIT");
    vm_console_drain(vm);
    vm->res->events[WISP_EV_GUEST_START] = vm_guest_tsc_to_ns(vm, a->tsc_start);
    vm->res->events[WISP_EV_GUEST_MAIN] = vm_guest_tsc_to_ns(vm, a->tsc_main);
    return vm_end(vm, WISP_END_EXIT, (int)(a->status & 0xff));
}

static int hc_abort(struct vm *vm, wisp_gpa_t gpa)
{
    struct wisp_hc_abort *a;
    char line[WISP_ABORT_MSG_MAX + 64];
    size_t n = 0, len;
    const uint8_t *msg = NULL;

    GUEST_PTR(vm, a, gpa, sizeof *a, "ABORT");
    vm_console_drain(vm);
    len = a->msg_len < WISP_ABORT_MSG_MAX ? a->msg_len : WISP_ABORT_MSG_MAX;
    if (a->msg && len)
        GUEST_PTR(vm, msg, a->msg, len, "ABORT message");
    n = (size_t)snprintf(line, sizeof line, "wisp: guest aborted");
    if (msg) {
        line[n++] = ':';
        line[n++] = ' ';
        while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
            len--;
        /* The message is guest data: print it, but only printable bytes. */
        for (size_t i = 0; i < len && msg[i]; i++)
            line[n++] = (msg[i] >= 0x20 && msg[i] < 0x7f) ? (char)msg[i] : '?';
    }
    line[n++] = '\n';
    (void)!write(2, line, n);
    return vm_end(vm, WISP_END_ABORT, WISP_EXIT_GUEST_FAULT);
}

static int hc_walltime(struct vm *vm, wisp_gpa_t gpa)
{
    struct wisp_hc_walltime *a;
    struct timespec ts;

    GUEST_PTR_W(vm, a, gpa, sizeof *a, "WALLTIME");
    clock_gettime(CLOCK_REALTIME, &ts);
    a->nsecs = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    return HC_CONTINUE;
}

static int core_setup(struct vm *vm)
{
    if (hypercall_register(vm, WISP_HC_PUTS, hc_puts) ||
        hypercall_register(vm, WISP_HC_POLL, hc_poll) ||
        hypercall_register(vm, WISP_HC_EXIT, hc_exit) ||
        hypercall_register(vm, WISP_HC_ABORT, hc_abort) ||
        hypercall_register(vm, WISP_HC_WALLTIME, hc_walltime))
        return -1;
    return 0;
}

/* core_seccomp_rules: console writes, the poll, the clock. */
static int core_seccomp_rules(struct vm *vm, void *ctx)
{
    int fd = vm->cfg->console_fd;

    if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd)) ||
        (fd != 2 && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, 2))) ||
        seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ppoll), 0) ||
        seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clock_gettime), 0))
        return vm_fail(vm, "seccomp: cannot add the core rules");
    return 0;
}

const struct module module_core = {
    .name = "core",
    .option_prefixes = NULL,
    .usage = NULL,
    .setup = core_setup,
    .seccomp_rules = core_seccomp_rules,
};
