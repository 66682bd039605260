/*
 * The exits of an isolated-mode guest: after KVM_RUN, one of
 *   - a store to the hypercall doorbell (KVM_EXIT_MMIO): dispatch;
 *   - the exception stub's `out` (KVM_EXIT_IO): crash report;
 *   - a triple fault (KVM_EXIT_SHUTDOWN): last-resort report;
 *   - anything else: a tender error naming the exit.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/vm.h"
#include "devices/ring.h"
#include "kvm/kvm_backend.h"
#include "modes/isolated/crash.h"
#include "modes/isolated/isolated.h"
#include "x86_64/x86_64.h"

static uint64_t read_u64(const struct vm *vm, uint64_t gpa)
{
    uint64_t v = 0;
    const void *p = gpa_to_host(vm, gpa, sizeof v);

    if (p)
        memcpy(&v, p, sizeof v);
    return v;
}

/* handle_doorbell: a guest store to the doorbell page is a hypercall. */
static int handle_doorbell(struct vm *vm, struct kvm_run *run)
{
    uint64_t off = run->mmio.phys_addr - WISP_DOORBELL_GPA;
    uint64_t arg;
    unsigned nr;

    if (!run->mmio.is_write)
        return vm_guest_abi_error(vm, "read from the hypercall doorbell at 0x%llx",
                                  (unsigned long long)run->mmio.phys_addr);
    if (run->mmio.len != 8 || off % 8)
        return vm_guest_abi_error(vm, "%u-byte store to doorbell offset 0x%llx "
                                  "(expected an aligned 8-byte store)",
                                  run->mmio.len, (unsigned long long)off);
    if (run->mmio.phys_addr >= WISP_KICK_BASE_GPA) {
        return ring_kick_exit(vm, (unsigned)((run->mmio.phys_addr - WISP_KICK_BASE_GPA) / 8));
    }
    nr = (unsigned)(off / 8);
    memcpy(&arg, run->mmio.data, sizeof arg);
    return hypercall_dispatch(vm, nr, arg);
}

/* handle_stub: the exception stub reported `vector`; collect the frame. */
static int handle_stub(struct vm *vm, unsigned vector)
{
    struct kvm_sregs sregs;
    struct crash_info c = {.vector = vector};

    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
        return vm_fail(vm, "KVM: KVM_GET_SREGS failed: %s", strerror(errno));
    c.cr2 = sregs.cr2;
    c.has_errcode = x86_exception_has_errcode(vector);
    c.errcode = c.has_errcode ? read_u64(vm, X86_FRAME_ERRCODE) : 0;
    c.rip = read_u64(vm, X86_FRAME_RIP);
    c.rsp = read_u64(vm, X86_FRAME_RSP);
    return crash_report(vm, &c);
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
        if (run->io.port == X86_STUB_PORT && run->io.direction == KVM_EXIT_IO_OUT &&
            run->io.size == 1)
            return handle_stub(vm, *((uint8_t *)run + run->io.data_offset));
        return vm_fail(vm, "KVM: unexpected port I/O exit: port 0x%x", run->io.port);
    case KVM_EXIT_SHUTDOWN:
        return handle_shutdown(vm);
    default:
        return kvm_exit_error(vm, run);
    }
}
