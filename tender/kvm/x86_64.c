/*
 * KVM backend, x86_64 part the guest modes share: KVM's CPUID table and
 * the guest TSC.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "core/vm.h"
#include "kvm/kvm.h"
#include "kvm/kvm_backend.h"
#include "x86_64/x86_64.h"

#define MSR_IA32_TSC 0x10
#define MSR_IA32_SYSENTER_CS  0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_STAR              0xc0000081
#define MSR_LSTAR             0xc0000082
#define MSR_CSTAR             0xc0000083
#define MSR_SYSCALL_MASK      0xc0000084
#define SYSCALL_MASK_FLAGS    0x47700u /* TF, IF, DF, IOPL, NT, AC cleared on entry */

/* kvm_supported_cpuid: see kvm_backend.h. */
int kvm_supported_cpuid(struct vm *vm, struct kvm_cpuid2 *c, uint32_t max)
{
    c->nent = max; /* KVM fills at most its own limit and sets nent */
    if (ioctl(vm->kvm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
        return 0;
    if (errno == E2BIG)
        return vm_fail(vm, "KVM: KVM_GET_SUPPORTED_CPUID needs more than %u entries", max);
    return vm_fail(vm, "KVM: KVM_GET_SUPPORTED_CPUID failed: %s", strerror(errno));
}

int kvm_tsc(struct vm *vm, uint64_t *hz, uint64_t *tsc, uint64_t *wall_ns, uint64_t *mono_ns)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e;
    } msrs = {.hdr = {.nmsrs = 1}, .e = {.index = MSR_IA32_TSC}};
    struct timespec ts;
    int khz = ioctl(vm->kvm->vcpu_fd, KVM_GET_TSC_KHZ, 0);

    if (khz <= 0)
        return vm_fail(vm, "KVM: the host TSC frequency is unknown or unstable");
    *hz = (uint64_t)khz * 1000;
    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_MSRS, &msrs) != 1)
        return vm_fail(vm, "KVM: cannot read the guest TSC: %s", strerror(errno));
    clock_gettime(CLOCK_REALTIME, &ts);
    *mono_ns = wisp_now_ns();
    *tsc = msrs.e.data;
    *wall_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    return 0;
}

/* kvm_trap_syscalls: see kvm.h. */
int kvm_trap_syscalls(struct vm *vm)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e[7];
    } msrs = {
        .hdr = {.nmsrs = 7},
        .e = {
            {.index = MSR_STAR, .data = (uint64_t)X86_SEL_KCODE << 32},
            {.index = MSR_LSTAR, .data = X86_SYSCALL_TRAP_GPA},
            {.index = MSR_CSTAR, .data = X86_SYSCALL_TRAP_GPA},
            {.index = MSR_SYSCALL_MASK, .data = SYSCALL_MASK_FLAGS},
            {.index = MSR_IA32_SYSENTER_CS, .data = 0},
            {.index = MSR_IA32_SYSENTER_ESP, .data = X86_STUB_STACK_TOP},
            {.index = MSR_IA32_SYSENTER_EIP, .data = X86_SYSENTER_TRAP_GPA},
        },
    };
    int r = ioctl(vm->kvm->vcpu_fd, KVM_SET_MSRS, &msrs);

    if (r < 0)
        return vm_fail(vm, "KVM: KVM_SET_MSRS (syscall MSRs) failed: %s", strerror(errno));
    if (r != (int)msrs.hdr.nmsrs)
        return vm_fail(vm, "KVM: KVM_SET_MSRS refused MSR 0x%x (syscall MSRs)",
                       msrs.e[r].index);
    return 0;
}
