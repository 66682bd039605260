/*
 * The exits of an isolated-mode guest: after KVM_RUN, one of
 *   - a store to the hypercall doorbell (KVM_EXIT_MMIO): dispatch;
 *   - the exception stub's `out` (KVM_EXIT_IO): crash report (traps.c);
 *   - KVM could not emulate a guest instruction: crash report (traps.c);
 *   - a triple fault (KVM_EXIT_SHUTDOWN): last-resort report;
 *   - anything else: a tender error naming the exit.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/vm.h"
#include "devices/ring.h"
#include "kvm/kvm_backend.h"
#include "modes/isolated/isolated.h"
#include "modes/isolated/traps.h"
#include "x86_64/decode.h"
#include "x86_64/x86_64.h"

/*
 * doorbell_store_ok: the store KVM reported (8 bytes of `data` at `gpa`)
 * is one the ABI allows: one of the 8-byte movs the guest library emits
 * (x86_mov_store64) ends right before the guest's RIP (KVM has already
 * completed the instruction: RIP is the next one) and, with the guest's
 * registers, stores exactly that data there.  A wider store (16-byte SSE,
 * fxsave, a string store) reaches the tender as 8-byte pieces KVM split it
 * into: none is such a mov; bytes crafted to also read as one (an
 * overlapping encoding) can pass for the first piece at most, which then
 * does what that mov would, never for the next (the address differs).
 * 0, or the guest ends.  Costs a few hundred ns: the registers come with
 * the exit (KVM_CAP_SYNC_REGS, isolated_setup_cpu).
 */
static int doorbell_store_ok(struct vm *vm, uint64_t gpa, uint64_t data)
{
    struct kvm_regs regs;
    uint64_t gpr[16], addr, value;

    if (isolated_guest_regs(vm, &regs))
        return -1;
    isolated_regs_to_gpr(&regs, gpr);
    for (unsigned len = 2; len <= X86_INSN_MAX && len <= regs.rip; len++) {
        enum guest_fault f;
        const uint8_t *p = guest_range(vm, regs.rip - len, len, 0, &f);

        if (!p)
            break;
        if (x86_mov_store64(p, len, gpr, regs.rip, &addr, &value) && addr == gpa &&
            value == data)
            return 0;
    }
    return vm_guest_abi_error(vm, "a store to doorbell offset 0x%llx by an instruction that "
                              "is not an 8-byte mov (it ends at 0x%llx; KVM splits a wider "
                              "store into 8-byte pieces)",
                              (unsigned long long)(gpa - WISP_DOORBELL_GPA),
                              (unsigned long long)regs.rip);
}

/* handle_doorbell: a guest store to the doorbell page is a hypercall. */
static int handle_doorbell(struct vm *vm, struct kvm_run *run)
{
    uint64_t off = run->mmio.phys_addr - WISP_DOORBELL_GPA;
    uint64_t arg;
    unsigned nr;
    int r;

    if (!run->mmio.is_write)
        return vm_guest_abi_error(vm, "read from the hypercall doorbell at 0x%llx",
                                  (unsigned long long)run->mmio.phys_addr);
    if (run->mmio.len != 8 || off % 8)
        return vm_guest_abi_error(vm, "%u-byte store to doorbell offset 0x%llx "
                                  "(expected an aligned 8-byte store)",
                                  run->mmio.len, (unsigned long long)off);
    memcpy(&arg, run->mmio.data, sizeof arg);
    r = doorbell_store_ok(vm, run->mmio.phys_addr, arg);
    if (r)
        return r;
    if (run->mmio.phys_addr >= WISP_KICK_BASE_GPA) {
        return ring_kick_exit(vm, (unsigned)((run->mmio.phys_addr - WISP_KICK_BASE_GPA) / 8));
    }
    nr = (unsigned)(off / 8);
    return hypercall_dispatch(vm, nr, arg);
}

static int handle_shutdown(struct vm *vm)
{
    struct kvm_regs regs;

    vm_console_drain(vm);
    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_REGS, &regs) < 0)
        memset(&regs, 0, sizeof regs);
    vm_log(vm, "guest crashed: triple fault (the exception handler itself faulted); "
           "last rip 0x%llx (may be reset by the host)", (unsigned long long)regs.rip);
    return vm_end(vm, WISP_END_CRASH, WISP_EXIT_GUEST_FAULT);
}

int isolated_handle_exit(struct vm *vm, struct kvm_run *run)
{
    /* A shared ring the I/O thread refused ends the guest here. */
    if (ring_check_fault(vm) == HC_STOP)
        return HC_STOP;
    switch (run->exit_reason) {
    case KVM_EXIT_MMIO:
        if (run->mmio.phys_addr >= WISP_DOORBELL_GPA &&
            run->mmio.phys_addr < WISP_DOORBELL_GPA + WISP_PAGE_SIZE)
            return handle_doorbell(vm, run);
        if (run->mmio.phys_addr < vm->mem_size)
            return kvm_translation_fault(vm);
        return vm_guest_abi_error(vm, "access to unbacked address 0x%llx",
                                  (unsigned long long)run->mmio.phys_addr);
    case KVM_EXIT_IO:
        if (run->io.port >= X86_STUB_PORT_BASE &&
            run->io.port <= X86_STUB_PORT_BASE + X86_TRAP_SYSENTER &&
            run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 1)
            return isolated_handle_stub(vm, run->io.port - X86_STUB_PORT_BASE);
        return vm_fail(vm, "KVM: unexpected port I/O exit: port 0x%x", run->io.port);
    case KVM_EXIT_SHUTDOWN:
        return handle_shutdown(vm);
    case KVM_EXIT_INTERNAL_ERROR:
        if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
            return isolated_emulation_failure(vm, run);
        return kvm_exit_error(vm, run);
    default:
        return kvm_exit_error(vm, run);
    }
}
