/*
 * Private state of the KVM backend.  Only kvm*.c and crash*.c include it.
 */
#ifndef WISP_KVM_BACKEND_H
#define WISP_KVM_BACKEND_H

#include <linux/kvm.h>

struct kvm_backend {
    int kvm_fd;
    int vm_fd;
    int vcpu_fd;
    struct kvm_run *run;
    size_t run_size;
};

struct vm;

/* kvm_supported_cpuid: KVM's CPUID table (KVM_GET_SUPPORTED_CPUID), the
 * buffer grown on E2BIG; malloc'ed, or NULL with the message set. */
struct kvm_cpuid2 *kvm_supported_cpuid(struct vm *vm);

#endif /* WISP_KVM_BACKEND_H */
