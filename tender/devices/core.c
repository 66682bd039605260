/*
 * The core module: console output, the blocking poll with a deadline,
 * exit, abort and the wall clock, in both guest modes (isolated: PUTS,
 * POLL, EXIT, ABORT, WALLTIME; hvt: WALLTIME, PUTS, POLL, HALT).  Every
 * guest has these.
 */
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/module.h"
#include "core/signals.h"
#include "core/vm.h"
#include "debug/dumpcore.h"
#include "modes/hvt/hvt.h"
#include "wisp/hvt_abi.h"

/* console_failed: a console write that did not complete ends the run: a
 * caught signal says so itself (core/signals.h), anything else is the
 * console's failure. */
static int console_failed(struct vm *vm)
{
    if (errno == EINTR && signals_caught())
        return vm_fail(vm, "Exiting on signal %d", signals_caught());
    return vm_fail(vm, "console: write failed: %s", strerror(errno));
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
    if (vm_console_write(vm, data, a->len) < 0)
        return console_failed(vm);
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
    char msg[WISP_ABORT_MSG_MAX + 1];
    size_t n = 0, len;
    const uint8_t *text = NULL;

    GUEST_PTR(vm, a, gpa, sizeof *a, "ABORT");
    vm_console_drain(vm);
    len = a->msg_len < WISP_ABORT_MSG_MAX ? a->msg_len : WISP_ABORT_MSG_MAX;
    if (a->msg && len)
        GUEST_PTR(vm, text, a->msg, len, "ABORT message");
    if (text) {
        while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
            len--;
        /* The message is guest data: print it, but only printable bytes. */
        for (size_t i = 0; i < len && text[i]; i++)
            msg[n++] = (text[i] >= 0x20 && text[i] < 0x7f) ? (char)text[i] : '?';
    }
    msg[n] = '\0';
    vm_log(vm, "guest aborted%s%s", text ? ": " : "", msg);
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

/* Compatibility mode (Solo5 hvt ABI, SOLO5_HVT_ABI.md 1.2): a bad guest
 * address is a tender error, as in solo5-hvt. */

static int hvt_hc_walltime(struct vm *vm, uint64_t gpa)
{
    struct hvt_hc_walltime *a = guest_ptr_or_fail(vm, gpa, sizeof *a, 1, "WALLTIME");
    struct timespec ts;

    if (!a)
        return -1;
    clock_gettime(CLOCK_REALTIME, &ts);
    a->nsecs = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    return HC_CONTINUE;
}

/* hvt_hc_puts: the whole buffer reaches the console (Solo5 ignores short
 * writes; wisp completes them). */
static int hvt_hc_puts(struct vm *vm, uint64_t gpa)
{
    struct hvt_hc_puts *a = guest_ptr_or_fail(vm, gpa, sizeof *a, 0, "PUTS");
    const uint8_t *p;
    uint64_t n;

    if (!a)
        return -1;
    n = a->len;
    p = guest_ptr_or_fail(vm, a->data, n, 0, "PUTS data");
    if (!p)
        return -1;
    if (vm_console_write(vm, p, n) < 0)
        return console_failed(vm);
    return HC_CONTINUE;
}

/* hvt_hc_poll: wait up to timeout_nsecs (relative) for a network device;
 * ready_set gets bit (1 << handle) per ready device, ret their number. */
static int hvt_hc_poll(struct vm *vm, uint64_t gpa)
{
    struct hvt_hc_poll *a = guest_ptr_or_fail(vm, gpa, sizeof *a, 1, "POLL");
    uint64_t ready;
    int count;

    if (!a)
        return -1;
    hvt_ring_poll_before(vm);
    count = vm_poll(vm, a->timeout_nsecs, &ready);
    if (count < 0)
        return -1;
    hvt_ring_poll_after(vm);
    a->ready_set = ready;
    a->ret = count;
    return HC_CONTINUE;
}

/* Solo5's trap frame, handed over as the HALT cookie by a trapping guest. */
struct hvt_trap_frame {
    uint64_t cr2, ec, rip, cs, rflags, rsp, ss;
};

static int hvt_hc_halt(struct vm *vm, uint64_t gpa)
{
    struct hvt_hc_halt *a = guest_ptr_or_fail(vm, gpa, sizeof *a, 0, "HALT");
    int status;

    if (!a)
        return -1;
    status = a->exit_status & 0xff;
    if (a->cookie) {
        const void *cookie = guest_ptr_or_fail(vm, a->cookie, HVT_HALT_COOKIE_MAX, 0,
                                               "HALT cookie");
        struct hvt_trap_frame frame, *f = &frame;

        if (!cookie)
            return -1;
        /* The guest chose the address: copied, as it may be misaligned
         * (found by tests/fuzz/fuzz_hvt_hypercall.c). */
        memcpy(&frame, cookie, sizeof frame);
        /* The guest printed its own "Solo5: ABORT"/"trap" lines; add where
         * it stopped, once. */
        vm_log(vm, "guest halted with status %d; trap frame: rip=0x%llx rsp=0x%llx "
               "rflags=0x%llx cr2=0x%llx ec=0x%llx", status, (unsigned long long)f->rip,
               (unsigned long long)f->rsp, (unsigned long long)f->rflags,
               (unsigned long long)f->cr2, (unsigned long long)f->ec);
        dumpcore_record_fault(vm, &(struct vm_fault){.valid = 1, .vector = VM_FAULT_NO_VECTOR,
                                                     .has_errcode = 1, .errcode = f->ec,
                                                     .cr2 = f->cr2, .rip = f->rip,
                                                     .rsp = f->rsp});
    }
    return vm_end(vm, status == 255 ? WISP_END_ABORT : WISP_END_EXIT, status);
}

static const struct module_hypercall core_hypercalls[] = {
    {WISP_HC_PUTS, hc_puts},
    {WISP_HC_POLL, hc_poll},
    {WISP_HC_EXIT, hc_exit},
    {WISP_HC_ABORT, hc_abort},
    {WISP_HC_WALLTIME, hc_walltime},
    {0, NULL},
};

static const struct module_hypercall core_hvt_hypercalls[] = {
    {HVT_HYPERCALL_WALLTIME, hvt_hc_walltime},
    {HVT_HYPERCALL_PUTS, hvt_hc_puts},
    {HVT_HYPERCALL_POLL, hvt_hc_poll},
    {HVT_HYPERCALL_HALT, hvt_hc_halt},
    {0, NULL},
};

/* core_seccomp_rules: console and log writes, the poll, the clock. */
static int core_seccomp_rules(struct vm *vm, void *ctx)
{
    int fd = vm->cfg->console_fd, log = vm->cfg->log_fd;

    if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fd)) ||
        (log != fd && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
                                       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)log))) ||
        (vm->cfg->stats_fd >= 0 && vm->cfg->stats_fd != fd && vm->cfg->stats_fd != log &&
         seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
                          SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)vm->cfg->stats_fd))) ||
        seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ppoll), 0) ||
        seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clock_gettime), 0))
        return vm_fail(vm, "seccomp: cannot add the core rules");
    return 0;
}

const struct module module_core = {
    .option_prefixes = NULL,
    .usage = NULL,
    .hypercalls = {[MODE_ISOLATED] = core_hypercalls, [MODE_HVT] = core_hvt_hypercalls},
    .seccomp_rules = core_seccomp_rules,
};
