/*
 * The KVM backend as the core sees it.  The backend's state is opaque
 * (struct kvm_backend, kvm_backend.h); only kvm*.c files look inside.
 */
#ifndef WISP_KVM_H
#define WISP_KVM_H

#include <stdint.h>

struct vm;
struct kvm_run;

/* kvm_open: open /dev/kvm, check the API version and capabilities, create
 * the VM and its one vCPU.  Sets vm->kvm. */
int kvm_open(struct vm *vm);

/* kvm_map_memory: register vm->mem (vm->mem_alloc bytes) at GPA 0, but
 * for the deferred range [vm->mem_defer_start, vm->mem_defer_end) if one
 * is set (page aligned, inside mem_alloc): slot 0 below it, slot 1 above. */
int kvm_map_memory(struct vm *vm);

/* kvm_map_deferred: register the deferred range (slot 2), once; 0 if
 * there is none or it is already registered.  Callable while the guest
 * runs (between KVM_RUNs); the seccomp filter must allow
 * KVM_SET_USER_MEMORY_REGION on the VM fd (the mode adds the rule). */
int kvm_map_deferred(struct vm *vm);

/* kvm_vm_fd: the VM's fd, for a mode's seccomp rules. */
int kvm_vm_fd(const struct vm *vm);

/* kvm_tsc: the guest TSC frequency (Hz) and its current value, sampled as
 * close as possible to *wall_ns (CLOCK_REALTIME) and *mono_ns
 * (CLOCK_MONOTONIC). */
int kvm_tsc(struct vm *vm, uint64_t *hz, uint64_t *tsc, uint64_t *wall_ns, uint64_t *mono_ns);

/*
 * kvm_trap_syscalls: make syscall and sysenter at CPL3 end in the tender's
 * stub, never at RIP 0: EFER.SCE stays off (the caller's EFER), so a CPU
 * that honours it raises #UD; STAR/LSTAR/CSTAR lead to
 * X86_SYSCALL_TRAP_GPA on a KVM that ignores SCE (PVM), SYSENTER_CS 0
 * makes sysenter #GP (Intel; AMD raises #UD in long mode) and
 * SYSENTER_EIP leads to X86_SYSENTER_TRAP_GPA otherwise.  0, or -1 with
 * the message set.
 */
int kvm_trap_syscalls(struct vm *vm);

/* kvm_run_loop: KVM_RUN until `handle_exit` (the guest mode's) stops the
 * guest (0; vm->res filled) or fails (-1); EFAULT from KVM_RUN (hardware
 * KVM's report of a write to host-read-only guest memory) is a translation
 * fault. */
int kvm_run_loop(struct vm *vm, int (*handle_exit)(struct vm *vm, struct kvm_run *run));

/* kvm_close: release everything kvm_open acquired (safe on NULL/partial). */
void kvm_close(struct vm *vm);

#endif /* WISP_KVM_H */
