/*
 * The GDB server in the run loop (debug/gdb.h): waiting for the debugger,
 * serving it while the guest is stopped, stop replies for breakpoints,
 * watchpoints, steps, Ctrl-C and crashes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/mode.h"
#include "core/signals.h"
#include "core/vm.h"
#include "debug/dumpcore.h"
#include "debug/gdb.h"
#include "debug/gdb_priv.h"
#include "modes/hvt/emulate.h"
#include "modes/isolated/crash.h"
#include "x86_64/x86_64.h"

#define DR6_BS (1ull << 14) /* single step */
#define X86_RFLAGS_TF (1ull << 8)
#define SIGTRAP_NR 5
#define SIGINT_NR 2
#define SIGSEGV_NR 11

/* signal_end: an ending signal (core/signals.h) arrived while the
 * tender waited for the debugger: the run ends as it would in KVM_RUN. */
static int signal_end(struct vm *vm)
{
    if (vm->mode->id == MODE_ISOLATED)
        vm_console_drain(vm);
    return vm_fail(vm, "Exiting on signal %d", signals_caught());
}

/* finish: no more debugger: breakpoints out, KVM's debugging off, the
 * connection closed; the guest runs on as without --gdb. */
static void finish(struct gdb *g, const char *why)
{
    gdb_sw_remove(g);
    guest_debug_set(g->vm, 0, 0, 0, NULL, 0);
    if (g->fd >= 0)
        close(g->fd);
    g->fd = -1;
    g->finished = 1;
    g->stopped = 0;
    /* A SIGIO while serving may have set it; none comes any more. */
    guest_debug_run(g->vm)->immediate_exit = signals_caught() ? 1 : 0;
    if (why)
        vm_log(g->vm, "gdb: %s", why);
}

/* wait_debugger: accept the one connection (an ending signal interrupts
 * the wait), then direct SIGIO for it to this thread. */
static int wait_debugger(struct vm *vm, struct gdb *g)
{
    struct f_owner_ex owner = {.type = F_OWNER_TID, .pid = g->tid};
    int fl;

    vm_log(vm, "gdb: waiting for a debugger on %s (gdb -ex 'target remote %s' %s)", g->where,
           g->where, vm->kernel);
    while ((g->fd = accept4(g->listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
        if (errno == EINTR && signals_caught())
            return signal_end(vm);
        if (errno != EINTR && errno != ECONNABORTED)
            return vm_fail(vm, "gdb: accept on %s failed: %s", g->where, strerror(errno));
    }
    close(g->listen_fd);
    g->listen_fd = -1;
    if (g->is_unix)
        unlinkat(g->dir_fd, g->sock_name, 0);
    fl = fcntl(g->fd, F_GETFL);
    if (fl < 0 || fcntl(g->fd, F_SETOWN_EX, &owner) < 0 ||
        fcntl(g->fd, F_SETFL, fl | O_ASYNC) < 0)
        return vm_fail(vm, "gdb: cannot set up the connection: %s", strerror(errno));
    vm_log(vm, "gdb: debugger connected");
    if (g->stub_mode && guest_debug_save_user(vm, &g->user) < 0)
        g->stub_mode = 0; /* not at CPL3: KVM's interception only */
    return 0;
}

/* stop: the guest stops with `reply` (a T or S packet): breakpoints out
 * of the text, the debugger told (unless it has yet to ask). */
static void stop(struct gdb *g, const char *reply, int tell)
{
    gdb_sw_remove(g);
    g->stopped = 1;
    g->stepping = 0;
    snprintf(g->proto.stop_reply, sizeof g->proto.stop_reply, "%s", reply);
    if (tell && gdb_send(g, reply, strlen(reply)))
        finish(g, "the debugger went away; the guest runs on");
}

/* How serving the debugger ended: the guest resumes, the debugger killed
 * it or detached, the connection is gone, or an ending signal came. */
enum served { SERVE_RESUME, SERVE_KILL, SERVE_DETACH, SERVE_GONE, SERVE_ERROR };

/* serve: read and answer packets until one resumes, kills or detaches. */
static enum served serve(struct vm *vm, struct gdb *g)
{
    for (;;) {
        uint8_t buf[512];
        ssize_t n = recv(g->fd, buf, sizeof buf, 0);

        if (n < 0 && errno == EINTR) {
            if (signals_caught()) {
                signal_end(vm);
                return SERVE_ERROR;
            }
            continue;
        }
        if (n <= 0)
            return SERVE_GONE;
        for (ssize_t i = 0; i < n; i++) {
            enum gdb_rx_event ev = gdb_rx_byte(&g->rx, buf[i]);
            enum gdb_action a;

            if (ev == GDB_RX_BAD) {
                send(g->fd, "-", 1, MSG_NOSIGNAL);
                continue;
            }
            if (ev != GDB_RX_PACKET)
                continue; /* acks, Ctrl-C while already stopped */
            send(g->fd, "+", 1, MSG_NOSIGNAL);
            a = gdb_proto_handle(&g->proto, g->rx.buf, g->rx.len);
            if (!g->proto.no_reply && a != GDB_ACT_CONTINUE && a != GDB_ACT_STEP &&
                gdb_send(g, g->proto.reply, g->proto.reply_len))
                return SERVE_GONE;
            switch (a) {
            case GDB_ACT_NONE:
                break;
            case GDB_ACT_CONTINUE:
            case GDB_ACT_STEP:
                g->stepping = a == GDB_ACT_STEP;
                return SERVE_RESUME;
            case GDB_ACT_KILL:
                if (!g->proto.no_reply)
                    gdb_await_ack(g); /* vKill's OK */
                return SERVE_KILL;
            case GDB_ACT_DETACH:
                gdb_await_ack(g);
                return SERVE_DETACH;
            }
        }
    }
}

/* poll_interrupt: bytes the debugger sent while the guest ran: Ctrl-C
 * stops it; end of file ends the session. */
static void poll_interrupt(struct gdb *g)
{
    uint8_t buf[64];
    ssize_t n;

    while ((n = recv(g->fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
        for (ssize_t i = 0; i < n; i++)
            if (gdb_rx_byte(&g->rx, buf[i]) == GDB_RX_INTERRUPT && !g->stopped)
                stop(g, "T02", 1);
    if (n == 0)
        finish(g, "the debugger went away; the guest runs on");
}

/* arm: breakpoints into the text, KVM's debug controls as the debugger
 * left them. */
static int arm(struct vm *vm, struct gdb *g)
{
    uint64_t dr[4];
    uint64_t dr7 = gdb_hw_dr7(g, dr);

    gdb_sw_insert(g);
    /* CPL3 guests: #BP through the tender's stub on every KVM (KVM's own
     * interception re-delivered the int3 under QEMU's emulated SVM). */
    if (guest_debug_set(vm, 1, !g->stub_mode, g->stepping, dr, dr7) < 0)
        return vm_fail(vm, "gdb: KVM_SET_GUEST_DEBUG failed: %s", strerror(errno));
    return 0;
}

int gdb_before_run(struct vm *vm)
{
    struct gdb *g = vm->gdb;
    struct kvm_run *run = guest_debug_run(vm);

    if (!g || g->finished)
        return HC_CONTINUE;
    if (g->fd < 0 && wait_debugger(vm, g))
        return -1;
    /* Cleared before looking at the socket: a SIGIO after the look sets
     * it again and KVM_RUN returns at once. */
    run->immediate_exit = signals_caught() ? 1 : 0;
    if (!g->stopped)
        poll_interrupt(g);
    if (!g->stopped)
        return g->finished ? HC_CONTINUE : arm(vm, g);
    switch (serve(vm, g)) {
    case SERVE_RESUME:
        g->stopped = 0;
        return arm(vm, g);
    case SERVE_KILL:
        finish(g, NULL);
        return vm_fail(vm, "killed by the debugger");
    case SERVE_DETACH:
        finish(g, "the debugger detached; the guest runs on");
        return HC_CONTINUE;
    case SERVE_GONE:
        finish(g, "the debugger went away; the guest runs on");
        return HC_CONTINUE;
    case SERVE_ERROR:
        break;
    }
    return -1;
}

/* isolated_stub_crash: a #BP or #DB after the debugger left: the crash
 * report it would have been without --gdb. */
static int isolated_stub_crash(struct vm *vm, unsigned vector)
{
    const uint8_t *p = gpa_to_host(vm, X86_FRAME_RIP, 40);
    struct crash_info c = {.vector = vector};
    uint64_t v[5] = {0};

    if (p)
        memcpy(v, p, sizeof v);
    c.rip = v[0];
    c.rsp = v[3];
    return crash_report(vm, &c);
}

/* in_stub: an address in the tender's exception stub (CPL0 code that is
 * not the guest's: a step never stops there). */
static int in_stub(uint64_t pc)
{
    return pc >= X86_STUB_GPA && pc < X86_STUB_GPA + X86_IDT_VECTORS * X86_STUB_ENTRY_SIZE;
}

int gdb_claims_exit(const struct vm *vm, const struct kvm_run *run)
{
    const struct gdb *g = vm->gdb;

    if (run->exit_reason == KVM_EXIT_DEBUG)
        return 1;
    if (!g || !g->stub_mode || run->exit_reason != KVM_EXIT_IO ||
        run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 1 ||
        (run->io.port != GDB_STUB_PORT_BASE + 1 && run->io.port != GDB_STUB_PORT_BASE + 3))
        return 0;
    /* Without a debugger, compatibility mode gives them to the guest's
     * own handlers; isolated mode reports them here, as a crash. */
    return !g->finished || vm->mode->id == MODE_ISOLATED;
}

/* hw_reply: the stop reply for debug-register hits in dr6. */
static void hw_reply(const struct gdb *g, uint64_t dr6, char *reply, size_t len)
{
    static const char *const kind[] = {"", "hwbreak", "watch", "rwatch", "awatch"};
    unsigned i = (unsigned)__builtin_ctzll(dr6 & 0xf);
    const struct gdb_hw_bp *h = &g->hw[i];

    if (!h->used || h->type == GDB_BP_HW)
        snprintf(reply, len, "T%02xhwbreak:;", SIGTRAP_NR);
    else
        snprintf(reply, len, "T%02x%s:%llx;", SIGTRAP_NR, kind[h->type],
                 (unsigned long long)h->addr);
}

/* sw_at: whether one of the inserted software breakpoints is at addr. */
static int sw_at(const struct gdb *g, uint64_t addr)
{
    for (unsigned i = 0; g->inserted && i < g->nsw; i++)
        if (g->sw[i].addr == addr)
            return 1;
    return 0;
}

/* kvm_stop: KVM intercepted the #DB or #BP (hardware KVM with
 * KVM_SET_GUEST_DEBUG): the vCPU is at the guest instruction. */
static int kvm_stop(struct vm *vm, struct gdb *g)
{
    struct guest_debug_stop s;
    uint64_t rip;
    char reply[64];

    guest_debug_exit_info(vm, &s);
    if (guest_debug_get_rip(vm, &rip) < 0)
        return vm_fail(vm, "gdb: cannot read rip: %s", strerror(errno));
    if (s.exception == 1 && (s.dr6 & 0xf))
        hw_reply(g, s.dr6, reply, sizeof reply);
    else if (s.exception == 1 && (s.dr6 & DR6_BS) && in_stub(s.pc))
        return HC_CONTINUE; /* stepping through the tender's stub */
    else if (s.exception == 1)
        snprintf(reply, sizeof reply, "T%02x", SIGTRAP_NR);
    else if (sw_at(g, rip))
        snprintf(reply, sizeof reply, "T%02xswbreak:;", SIGTRAP_NR);
    else if (sw_at(g, rip - 1)) {
        /* KVM left rip after the int3 (seen under QEMU's emulated SVM):
         * the original instruction runs next. */
        if (guest_debug_set_rip(vm, rip - 1) < 0)
            return vm_fail(vm, "gdb: cannot set rip: %s", strerror(errno));
        snprintf(reply, sizeof reply, "T%02xswbreak:;", SIGTRAP_NR);
    } else
        snprintf(reply, sizeof reply, "T%02x", SIGTRAP_NR); /* the guest's own int3 */
    stop(g, reply, 1);
    return HC_CONTINUE;
}

/* stub_stop: the guest's #BP or #DB came through the tender's stub: the
 * guest goes back to where it was (a breakpoint's int3 re-executed once
 * the original byte is back), then stops. */
static int stub_stop(struct vm *vm, struct gdb *g, unsigned vector)
{
    const uint8_t *p = gpa_to_host(vm, X86_FRAME_RIP, 40);
    uint64_t v[5], rip, dr6 = 0;
    char reply[64];

    if (!p)
        return vm_fail(vm, "gdb: no exception frame");
    memcpy(v, p, sizeof v); /* rip, cs, rflags, rsp, ss */
    rip = v[0];
    if (vector == 3 && sw_at(g, rip - 1))
        rip--; /* our int3: execute the original instruction next */
    if (vector == 1)
        guest_debug_take_dr6(vm, &dr6);
    if (guest_debug_return_to_user(vm, &g->user, rip, v[3], v[2] & ~X86_RFLAGS_TF) < 0)
        return vm_fail(vm, "gdb: cannot return the guest from the stub: %s", strerror(errno));
    if (vector == 3)
        snprintf(reply, sizeof reply, rip != v[0] ? "T%02xswbreak:;" : "T%02x", SIGTRAP_NR);
    else if (dr6 & 0xf)
        hw_reply(g, dr6, reply, sizeof reply);
    else
        snprintf(reply, sizeof reply, "T%02x", SIGTRAP_NR);
    stop(g, reply, 1);
    return HC_CONTINUE;
}

int gdb_debug_exit(struct vm *vm, struct kvm_run *run)
{
    struct gdb *g = vm->gdb;

    if (!g || g->finished) {
        if (run->exit_reason == KVM_EXIT_IO) /* isolated mode, no debugger any more */
            return isolated_stub_crash(vm, run->io.port - GDB_STUB_PORT_BASE);
        return vm_fail(vm, "KVM: unexpected debug exit");
    }
    if (run->exit_reason == KVM_EXIT_DEBUG)
        return kvm_stop(vm, g);
    return stub_stop(vm, g, run->io.port - GDB_STUB_PORT_BASE);
}

/* isolated_frame: the guest's rip, rsp, rflags, cs, ss as the CPU left
 * them on the isolated-mode stub's stack (x86_64.h). */
static void isolated_frame(struct vm *vm, struct guest_debug_frame *f)
{
    const uint8_t *p = gpa_to_host(vm, X86_FRAME_RIP, 40);
    uint64_t v[5];

    if (!p)
        return;
    memcpy(v, p, sizeof v); /* rip, cs, rflags, rsp, ss */
    f->rflags = v[2];
    f->cs = (uint16_t)v[1];
    f->ss = (uint16_t)v[4];
    f->mask |= GDF_RFLAGS | GDF_SEGS;
}

void gdb_guest_fault(struct vm *vm, const struct vm_fault *f)
{
    struct gdb *g = vm->gdb;
    int sig = SIGSEGV_NR; /* a CPU exception (Solo5: its trap frame) */
    char reply[16];

    if (!g || g->finished || g->fd < 0)
        return;
    g->frame = (struct guest_debug_frame){.mask = GDF_RIP | GDF_RSP, .rip = f->rip,
                                          .rsp = f->rsp};
    if (vm->mode->id == MODE_ISOLATED)
        isolated_frame(vm, &g->frame);
    else if (hvt_fault_regs(vm, f->rip, g->frame.gpr, &g->frame.rflags) == 0)
        g->frame.mask |= GDF_GPRS | GDF_RFLAGS; /* as the tender delivered the fault */
    if (vm->mode->id == MODE_ISOLATED)
        vm_console_drain(vm); /* what the guest wrote before it crashed */
    snprintf(reply, sizeof reply, "T%02x", sig);
    stop(g, reply, 1);
    if (g->finished)
        return;
    switch (serve(vm, g)) {
    case SERVE_RESUME:
        /* It cannot run on: tell gdb the guest ended with the signal. */
        snprintf(reply, sizeof reply, "X%02x", sig);
        if (gdb_send(g, reply, strlen(reply)) == 0)
            gdb_await_ack(g);
        finish(g, NULL);
        break;
    case SERVE_KILL:
    case SERVE_DETACH:
    case SERVE_GONE:
    case SERVE_ERROR:
        finish(g, NULL);
        break;
    }
}
