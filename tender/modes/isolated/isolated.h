/*
 * Isolated mode (wisp's own ABI, include/wisp/abi.h): the parts of the mode
 * modes/isolated/mode.c puts into its mode_ops table.
 */
#ifndef WISP_ISOLATED_H
#define WISP_ISOLATED_H

struct vm;
struct kvm_run;

/* isolated_setup_cpu: the CPL3 vCPU (cpu.c), the guest clock, and the boot
 * info's CPU fields (features, TSC calibration, stack canary). */
int isolated_setup_cpu(struct vm *vm);

/* isolated_handle_exit: the doorbell, the exception stub, a triple fault;
 * anything else is a tender error (exits.c). */
int isolated_handle_exit(struct vm *vm, struct kvm_run *run);

#endif /* WISP_ISOLATED_H */
