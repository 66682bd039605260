/*
 * The vCPU run loop: KVM_RUN until the guest mode's exit handler stops the
 * guest or fails, and the messages for exits no mode handles.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm/kvm.h"
#include "kvm/kvm_backend.h"
#include "core/mode.h"
#include "core/signals.h"
#include "core/vm.h"
#include "debug/gdb.h"
#include "wisp/hvt_abi.h"

static unsigned long long guest_rip(struct vm *vm)
{
    struct kvm_regs regs;

    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_REGS, &regs) < 0)
        return 0;
    return regs.rip;
}

int kvm_translation_fault(struct vm *vm)
{
    return vm_fail(vm, "KVM: host/guest translation fault: rip=0x%llx", guest_rip(vm));
}

int kvm_exit_error(struct vm *vm, struct kvm_run *run)
{
    switch (run->exit_reason) {
    case KVM_EXIT_FAIL_ENTRY:
        return vm_fail(vm, "KVM: entry failure: hw_entry_failure_reason=0x%llx",
                       (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
    case KVM_EXIT_INTERNAL_ERROR:
        return vm_fail(vm, "KVM: internal error exit: suberror=0x%x", run->internal.suberror);
    default:
        return vm_fail(vm, "KVM: unhandled exit: exit_reason=0x%x, rip=0x%llx",
                       run->exit_reason, guest_rip(vm));
    }
}

/* signal_exit: the run ends on a signal (core/signals.h): what the guest
 * wrote is shown first, then solo5-hvt's words. */
static int signal_exit(struct vm *vm)
{
    if (vm->mode->id == MODE_ISOLATED)
        vm_console_drain(vm);
    return vm_fail(vm, "Exiting on signal %d", signals_caught());
}

/* exit_kind: how --stats counts this exit. */
static enum wisp_exit_kind exit_kind(const struct vm *vm, const struct kvm_run *run)
{
    switch (run->exit_reason) {
    case KVM_EXIT_MMIO:
        if (run->mmio.phys_addr >= WISP_KICK_BASE_GPA &&
            run->mmio.phys_addr < WISP_DOORBELL_GPA + WISP_PAGE_SIZE)
            return WISP_XK_KICK;
        if (run->mmio.phys_addr >= WISP_DOORBELL_GPA &&
            run->mmio.phys_addr < WISP_KICK_BASE_GPA)
            return WISP_XK_HYPERCALL;
        return WISP_XK_MMIO;
    case KVM_EXIT_IO:
        /* hvt: the hypercall ports (0x500+n, the kick at 0x600); below
         * them, the CPL3 exception stub's exits (modes/hvt/emulate.h). */
        return vm->mode->id == MODE_HVT && run->io.port >= HVT_HYPERCALL_PIO_BASE
                   ? WISP_XK_HYPERCALL : WISP_XK_IO;
    case KVM_EXIT_SHUTDOWN:
        return WISP_XK_SHUTDOWN;
    default:
        return WISP_XK_OTHER;
    }
}

int kvm_run_loop(struct vm *vm, int (*handle_exit)(struct vm *vm, struct kvm_run *run))
{
    struct kvm_run *run = vm->kvm->run;
    struct wisp_stats *st = &vm->res->stats;
    int timed = vm->cfg->stats_path != NULL;

    for (;;) {
        enum wisp_exit_kind kind;
        uint64_t t0 = 0;
        int r;

        /* --gdb: the debugger's turn while the guest is stopped */
        if (vm->gdb && (r = gdb_before_run(vm)) != HC_CONTINUE)
            return r < 0 ? -1 : 0;
        if (ioctl(vm->kvm->vcpu_fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR && signals_caught())
                return signal_exit(vm);
            if (errno == EINTR || errno == EAGAIN) {
                st->exit_count[WISP_XK_INTR]++;
                continue;
            }
            if (errno == EFAULT)
                return kvm_translation_fault(vm);
            return vm_fail(vm, "KVM: ioctl (RUN) failed: %s", strerror(errno));
        }
        vm->res->exits++;
        kind = exit_kind(vm, run);
        st->exit_count[kind]++;
        if (timed)
            t0 = wisp_now_ns();
        if (vm->gdb && gdb_claims_exit(vm, run))
            r = gdb_debug_exit(vm, run);
        else
            r = handle_exit(vm, run);
        if (timed)
            st->exit_ns[kind] += wisp_now_ns() - t0;
        if (r < 0)
            return -1;
        if (r == HC_STOP)
            return 0;
    }
}
