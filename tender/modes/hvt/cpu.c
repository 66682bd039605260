/*
 * Compat-mode vCPU (SOLO5_HVT_ABI.md 1.6, 1.7): CPUID passed through as
 * KVM reports it, Solo5's CPL0 long-mode state, the TSC frequency.  No
 * XCR0, no MSRs, no interrupt controller: exactly what solo5-hvt sets up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "x86_64/host_cpuid.h"
#include "modes/hvt/hvt.h"
#include "kvm/kvm_backend.h"
#include "core/vm.h"
#include "x86_64/x86_64.h"

/* solo5-hvt writes CR0 = 0x80010021; on hardware the guest then reads
 * 0x80010031, because CR0.ET is hardwired to 1 on every x86-64 CPU.  PVM
 * returns the value as written, so wisp sets ET itself: guests read what
 * they read under solo5-hvt on hardware, on both kinds of KVM. */
_Static_assert((X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG) == 0x80010031ull, "hvt CR0");
_Static_assert((X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT) == 0x620ull, "hvt CR4");
_Static_assert((X86_EFER_LME | X86_EFER_LMA) == 0x500ull, "hvt EFER");

static struct kvm_segment seg(uint16_t sel, uint8_t type, int code64)
{
    struct kvm_segment s = {
        .base = 0, .limit = 0xffffffff, .selector = sel, .type = type, .present = 1,
        .dpl = 0, .db = code64 ? 0 : 1, .s = 1, .l = code64 ? 1 : 0, .g = 1,
    };
    return s;
}

/* cpuid_has_umip: CPUID.7.0:ECX bit 2 in KVM's supported table: KVM lets
 * the guest set CR4.UMIP (hardware, or KVM's emulation of it). */
static int cpuid_has_umip(const struct kvm_cpuid2 *t)
{
    for (unsigned i = 0; i < t->nent; i++)
        if (t->entries[i].function == 7 && t->entries[i].index == 0)
            return (t->entries[i].ecx >> 2) & 1;
    return 0;
}

static int set_cpuid(struct vm *vm)
{
    struct host_cpuid hc;
    int r;

    if (host_cpuid_get(vm, &hc))
        return -1;
    vm->hvt->umip = cpuid_has_umip(hc.supported);
    /* Solo5 passes KVM's table through unmodified (SOLO5_HVT_ABI.md 1.7). */
    r = ioctl(vm->kvm->vcpu_fd, KVM_SET_CPUID2, hc.supported);
    host_cpuid_free(&hc);
    if (r < 0)
        return vm_fail(vm, "KVM: ioctl (SET_CPUID2) failed: %s", strerror(errno));
    return 0;
}

int hvt_setup_cpu(struct vm *vm, uint64_t entry)
{
    struct kvm_sregs sregs;
    struct kvm_regs regs;
    int khz;

    if (set_cpuid(vm))
        return -1;
    if (vm->hvt->cpl3) {
        if (hvt_cpl3_setup_cpu(vm, entry))
            return -1;
        goto tsc;
    }
    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
        return vm_fail(vm, "KVM: ioctl (GET_SREGS) failed: %s", strerror(errno));
    sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
    sregs.cr3 = HVT_PML4_BASE;
    sregs.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
    sregs.efer = X86_EFER_LME | X86_EFER_LMA;
    sregs.cs = seg(0x08, 9, 1);
    sregs.ss = seg(0x10, 3, 0);
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss;
    sregs.tr = (struct kvm_segment){.type = 11, .present = 1};
    sregs.ldt = (struct kvm_segment){.unusable = 1};
    sregs.gdt.base = HVT_GDT_BASE;
    sregs.gdt.limit = 3 * 8 - 1;
    sregs.idt.base = 0;
    sregs.idt.limit = 0;
    if (ioctl(vm->kvm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
        return vm_fail(vm, "KVM: ioctl (SET_SREGS) failed: %s", strerror(errno));

tsc:
    khz = ioctl(vm->kvm->vcpu_fd, KVM_GET_TSC_KHZ, 0);
    if (khz < 0 && errno == EIO)
        return vm_fail(vm, "KVM: host TSC is unstable, cannot continue");
    if (khz <= 0)
        return vm_fail(vm, "KVM: ioctl (GET_TSC_KHZ) failed: %s",
                       khz < 0 ? strerror(errno) : "frequency 0");
    vm->tsc_hz = (uint64_t)khz * 1000;
    if (vm->hvt->cpl3)
        return 0;

    memset(&regs, 0, sizeof regs);
    regs.rip = entry;
    regs.rsp = vm->mem_size - 8;
    regs.rdi = HVT_BOOT_INFO_BASE;
    regs.rflags = 0x2;
    if (ioctl(vm->kvm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
        return vm_fail(vm, "KVM: ioctl (SET_REGS) failed: %s", strerror(errno));
    return 0;
}
