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

#endif /* WISP_KVM_BACKEND_H */
