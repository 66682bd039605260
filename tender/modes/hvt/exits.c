/*
 * The compat-mode exit loop (SOLO5_HVT_ABI.md 1.1, 4.3, 5): port-I/O
 * hypercalls with Solo5's checks and messages, in Solo5's order, and the
 * host/guest translation fault however this KVM reports it (EFAULT from
 * KVM_RUN on hardware, an MMIO exit inside guest RAM on PVM).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "modes/hvt/hvt.h"
#include "kvm/kvm_backend.h"
#include "core/log.h"
#include "core/vm.h"
#include "x86_64/x86_64.h"

int hvt_io_exit(struct vm *vm, uint16_t port, int out, unsigned size, uint32_t data)
{
    unsigned nr;

    if (!out || size != 4 || port < HVT_HYPERCALL_PIO_BASE ||
        port >= HVT_HYPERCALL_PIO_BASE + HVT_HYPERCALL_MAX)
        return vm_fail(vm, "Invalid guest port access: port=0x%x", port);
    nr = port - HVT_HYPERCALL_PIO_BASE;
    /* Handlers access the struct in place: it must be aligned for that
     * (Solo5's bindings pass naturally aligned structs). */
    if (data % 8)
        return vm_fail(vm, "Invalid guest access: gpa=0x%x is not 8-byte aligned "
                       "(hypercall %u argument)", data, nr);
    if (!vm->hypercalls[nr])
        return vm_fail(vm, "Invalid guest hypercall: num=%u", nr);
    return vm->hypercalls[nr](vm, data);
}

int hvt_handle_exit(struct vm *vm, struct kvm_run *run)
{
    if (vm->hvt->cpl3) {
        if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT &&
            run->io.size == 1 && run->io.port >= HVT_STUB_PORT_BASE &&
            run->io.port <= HVT_STUB_PORT_BASE + X86_TRAP_SYSENTER) /* + syscall entries */
            return hvt_cpl3_handle_stub(vm, run->io.port - HVT_STUB_PORT_BASE);
        if (run->exit_reason == KVM_EXIT_SHUTDOWN) {
            vm_console_drain(vm);
            vm_log(vm, "guest crashed: triple fault (the tender's exception stub faulted)");
            return vm_end(vm, WISP_END_CRASH, WISP_EXIT_GUEST_FAULT);
        }
    }
    switch (run->exit_reason) {
    case KVM_EXIT_IO: {
        uint32_t data = 0;

        if (run->io.size == 4)
            memcpy(&data, (uint8_t *)run + run->io.data_offset, sizeof data);
        return hvt_io_exit(vm, run->io.port, run->io.direction == KVM_EXIT_IO_OUT,
                           run->io.size, data);
    }
    case KVM_EXIT_MMIO:
        /* PVM: a write to host-read-only guest RAM (text, rodata). */
        if (run->mmio.phys_addr < vm->mem_alloc)
            return kvm_translation_fault(vm);
        break;
    default:
        break;
    }
    /* KVM_EXIT_HLT included: the guest has no business halting the CPU. */
    return kvm_exit_error(vm, run);
}
