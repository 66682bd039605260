/*
 * The CPU side of an isolated-mode guest's end (traps.c): exceptions the
 * stub reports and instructions KVM cannot emulate, turned into crash
 * reports (crash.h); and the guest's registers at an exit, which the
 * doorbell check (exits.c) needs as well.
 */
#ifndef WISP_ISOLATED_TRAPS_H
#define WISP_ISOLATED_TRAPS_H

#include <linux/kvm.h>
#include <stdint.h>

struct vm;

/* isolated_guest_regs: the guest's registers at this exit: from kvm_run
 * when KVM syncs them (isolated_setup_cpu asks for it), else KVM_GET_REGS;
 * 0, or -1 with the message set. */
int isolated_guest_regs(struct vm *vm, struct kvm_regs *regs);

/* isolated_regs_to_gpr: the general registers in x86 encoding order. */
void isolated_regs_to_gpr(const struct kvm_regs *r, uint64_t g[16]);

/* isolated_handle_stub: the stub reported exception `vector`, or the
 * syscall/sysenter pseudo-vector (X86_TRAP_*): the crash report; HC_STOP,
 * or -1 on a tender error. */
int isolated_handle_stub(struct vm *vm, unsigned vector);

/* isolated_emulation_failure: KVM_INTERNAL_ERROR_EMULATION: at CPL3 the
 * guest's fault (crash report, HC_STOP), at CPL0 a tender error (-1). */
int isolated_emulation_failure(struct vm *vm, struct kvm_run *run);

#endif /* WISP_ISOLATED_TRAPS_H */
