/*
 * The vCPU as a debugger sees it (debug/gdb.c): its registers in the GDB
 * target description's layout (debug/gdb_proto.h) and KVM's guest-debug
 * controls (KVM_SET_GUEST_DEBUG: software breakpoints, debug registers,
 * single step).  Only this file and the backend look inside struct kvm_*.
 */
#ifndef WISP_GUEST_DEBUG_H
#define WISP_GUEST_DEBUG_H

#include <linux/kvm.h>
#include <stdint.h>

#include "debug/gdb_proto.h"

struct vm;

/* Where the guest really was when a CPU exception took it into the
 * tender's stub: these replace the vCPU's own values (mask: which). */
struct guest_debug_frame {
    unsigned mask;  /* GDF_* */
    uint64_t rip, rsp, rflags;
    uint16_t cs, ss;
    uint64_t gpr[16]; /* GDF_GPRS: encoding order (rax, rcx, rdx, rbx, rsp, ...) */
};
#define GDF_RIP    1u
#define GDF_RSP    2u
#define GDF_RFLAGS 4u
#define GDF_SEGS   8u
#define GDF_GPRS   16u

/* guest_debug_read_regs: the vCPU's registers (with `frame`'s, if not
 * NULL) into the GDB layout; 0 or -1. */
int guest_debug_read_regs(struct vm *vm, const struct guest_debug_frame *frame,
                          uint8_t out[GDB_REGS_SIZE]);

/* guest_debug_write_regs: set the general registers, rip, the
 * arithmetic and trap flags of eflags, fs_base/gs_base, x87 and SSE
 * state from the GDB layout.  Selectors and the system flags (IF, IOPL,
 * ...) stay as they are: the debugger cannot raise the guest's
 * privilege.  0 or -1. */
int guest_debug_write_regs(struct vm *vm, const uint8_t in[GDB_REGS_SIZE]);

/* guest_debug_set: KVM_SET_GUEST_DEBUG.  enable 0: everything off.
 * Otherwise `sw_bp`: KVM intercepts #BP (software breakpoints); `step`
 * traps after one instruction; dr[0..3] / dr7 arm hardware breakpoints
 * and watchpoints when dr7 enables any.  0, or -1 with errno. */
int guest_debug_set(struct vm *vm, int enable, int sw_bp, int step, const uint64_t dr[4],
                    uint64_t dr7);

/* guest_debug_exit: what a KVM_EXIT_DEBUG says: the exception (1 #DB,
 * 3 #BP), the guest's pc and DR6. */
struct guest_debug_stop {
    unsigned exception;
    uint64_t pc, dr6;
};
void guest_debug_exit_info(const struct vm *vm, struct guest_debug_stop *stop);

/* The guest's CPL3 code and stack segments, saved while it runs at CPL3
 * (before its first instruction) to return it there from the stub. */
struct guest_debug_user {
    int valid;
    struct kvm_segment cs, ss;
};

/* guest_debug_save_user: save them if the vCPU is at CPL3 now; 0 or -1. */
int guest_debug_save_user(struct vm *vm, struct guest_debug_user *u);

/* guest_debug_return_to_user: the vCPU, in the tender's exception stub,
 * back where the exception took the guest: rip, rsp, rflags and the
 * saved segments (every other register is the guest's: the debug stub
 * entries change none).  0 or -1. */
int guest_debug_return_to_user(struct vm *vm, const struct guest_debug_user *u, uint64_t rip,
                               uint64_t rsp, uint64_t rflags);

/* guest_debug_get_rip / set_rip: the stopped guest's rip; 0 or -1. */
int guest_debug_get_rip(struct vm *vm, uint64_t *rip);
int guest_debug_set_rip(struct vm *vm, uint64_t rip);

/* guest_debug_take_dr6: the guest's DR6 (which debug condition hit), then
 * reset it; 0 or -1. */
int guest_debug_take_dr6(struct vm *vm, uint64_t *dr6);

/* guest_debug_kick_target: the kvm_run whose immediate_exit a signal
 * handler may set to stop the vCPU. */
struct kvm_run *guest_debug_run(const struct vm *vm);

#endif /* WISP_GUEST_DEBUG_H */
