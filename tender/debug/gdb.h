/*
 * --gdb, --gdb-port=PORT, --gdb=unix:PATH: a GDB remote-protocol server
 * for the guest (opt-in; Solo5's option names, default port 1234).  It
 * listens on 127.0.0.1 only (or a Unix socket), and the run loop waits
 * for one debugger to connect before the first guest instruction.  The
 * debugger reads and writes the vCPU's registers and guest memory (the
 * memory the guest itself may reach, through core/guest_mem.h; text only
 * for software breakpoints, which the server inserts while the guest
 * runs and removes whenever it stops), sets hardware breakpoints and
 * watchpoints (debug registers), single-steps, continues, interrupts
 * (Ctrl-C: SIGIO from the socket kicks the vCPU out of KVM_RUN), kills
 * and detaches.  A guest crash stops in the debugger first (SIGSEGV at
 * the faulting instruction; for a Solo5 unikernel, where its trap frame
 * says),
 * then the run ends as it would without it.
 */
#ifndef WISP_GDB_H
#define WISP_GDB_H

struct vm;
struct vm_fault;
struct module;
struct kvm_run;

/* gdb_before_run: the run loop's hook before each KVM_RUN: the first time
 * waits for the debugger; while the guest is stopped serves it; then
 * arms breakpoints and single step.  HC_CONTINUE to run the guest,
 * HC_STOP when the run ended (vm->res filled), -1 on a tender error. */
int gdb_before_run(struct vm *vm);

/* gdb_claims_exit: whether this exit is the debugger's: KVM_EXIT_DEBUG,
 * or the stub's report of a #BP or #DB while a debugger is attached. */
int gdb_claims_exit(const struct vm *vm, const struct kvm_run *run);

/* gdb_debug_exit: an exit gdb_claims_exit claimed (breakpoint,
 * watchpoint, step): the guest stops and the debugger is told;
 * HC_CONTINUE, HC_STOP or -1. */
int gdb_debug_exit(struct vm *vm, struct kvm_run *run);

/* gdb_guest_fault: the guest crashed (or aborted with a trap frame) at
 * f->rip: with a debugger attached, it sees the stop first (returns once
 * it continues, kills or detaches; the run then ends as it would). */
void gdb_guest_fault(struct vm *vm, const struct vm_fault *f);

extern const struct module module_gdb;

#endif /* WISP_GDB_H */
