/*
 * The KVM backend as the core sees it.  The backend's state is opaque
 * (struct kvm_backend, kvm_backend.h); only kvm*.c files look inside.
 */
#ifndef WISP_KVM_H
#define WISP_KVM_H

#include <stdint.h>

struct vm;

/* Initial CPU state of an isolated-mode guest. */
struct cpu_boot_state {
    uint64_t cr3;
    uint64_t rip;
    uint64_t rsp;
    uint64_t rdi;
};

/* kvm_open: open /dev/kvm, check the API version and capabilities, create
 * the VM and its one vCPU.  Sets vm->kvm. */
int kvm_open(struct vm *vm);

/* kvm_map_memory: register vm->mem (vm->mem_size bytes) at GPA 0. */
int kvm_map_memory(struct vm *vm);

/*
 * kvm_setup_isolated_cpu: CPUID, XCR0 (x87/SSE/AVX/AVX-512 as supported),
 * control registers (PG, PE, WP, NE, MP; PAE, OSFXSR, OSXMMEXCPT, OSXSAVE,
 * FSGSBASE, SMEP, SMAP, UMIP where supported), EFER (LME, LMA, NXE), CPL3
 * segments, TR/GDTR/IDTR of the private tables, and the registers of `st`.
 * Sets *features to the WISP_FEATURE_* bits the guest may rely on.
 */
int kvm_setup_isolated_cpu(struct vm *vm, const struct cpu_boot_state *st,
                           uint64_t *features);

/* kvm_tsc: the guest TSC frequency (Hz) and its current value, sampled as
 * close as possible to *wall_ns (CLOCK_REALTIME) and *mono_ns
 * (CLOCK_MONOTONIC). */
int kvm_tsc(struct vm *vm, uint64_t *hz, uint64_t *tsc, uint64_t *wall_ns, uint64_t *mono_ns);

/* kvm_run_guest: run the vCPU until the guest ends (vm->res filled) or the
 * tender fails (-1).  Serves hypercalls and reports crashes. */
int kvm_run_guest(struct vm *vm);

/* kvm_close: release everything kvm_open acquired (safe on NULL/partial). */
void kvm_close(struct vm *vm);

#endif /* WISP_KVM_H */
