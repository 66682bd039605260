/*
 * Private state of the KVM backend, for the files that drive KVM directly
 * (kvm/, x86_64/host_cpuid.c, confine/, the modes' cpu.c and exits.c,
 * devices/net_ring.c) and their tests; the rest of the tender sees only
 * kvm/kvm.h.
 */
#ifndef WISP_KVM_BACKEND_H
#define WISP_KVM_BACKEND_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

struct kvm_backend {
    int kvm_fd;
    int vm_fd;
    int vcpu_fd;
    struct kvm_run *run;
    size_t run_size;
};

struct vm;

/* kvm_supported_cpuid: KVM's CPUID table (KVM_GET_SUPPORTED_CPUID) into
 * `c`, which has room for `max` entries; 0, or -1 with the message set. */
int kvm_supported_cpuid(struct vm *vm, struct kvm_cpuid2 *c, uint32_t max);

/* kvm_exit_error: the message for an exit no mode handles (entry failure,
 * internal error, anything else); always -1. */
int kvm_exit_error(struct vm *vm, struct kvm_run *run);

/* kvm_translation_fault: "KVM: host/guest translation fault: rip=..."; -1. */
int kvm_translation_fault(struct vm *vm);

#endif /* WISP_KVM_BACKEND_H */
