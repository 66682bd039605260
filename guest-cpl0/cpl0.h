/*
 * cpl0.h: what the two guest flavours that own their CPU (guest-hvt, a
 * Solo5 hvt guest at CPL0; guest-virtio, a unikernel booted by a standard
 * hypervisor) share: the GDT, TSS and IDT they load, and the entry stubs of
 * the 32 exception vectors.  Each flavour provides cpl0_trap, which
 * reports the exception and ends the guest.
 */
#ifndef WISP_GUEST_CPL0_H
#define WISP_GUEST_CPL0_H

#include <stdint.h>

/* What trap_entry.S leaves on the exception's IST stack: the GPRs, then the
 * vector and the error code (0 where the CPU pushes none), then the CPU's
 * own frame. */
struct cpl0_trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, ec;
    uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * cpl0_tables_load: load the flavour's own GDT (null, 64-bit code 0x08 and
 * data 0x10, the selectors both boot paths already use, with the same
 * descriptors, so CS and SS need no reload; a 64-bit TSS at 0x18), load TR
 * and an IDT of `nvec` gates (32 <= nvec <= 256): vectors 0..31 go to
 * trap_entry.S on an IST stack of their own (NMI and #DF on a second one),
 * so every exception is taken on a known-good stack even when the fault was
 * a bad RSP; vectors 32..nvec-2 to `irq`, nvec-1 to `spurious` (interrupt
 * gates on the current stack; only when nvec > 32).
 */
void cpl0_tables_load(unsigned nvec, uint64_t irq, uint64_t spurious);

/* cpl0_trap: the flavour's report of exception f->vector; never returns. */
void cpl0_trap(const struct cpl0_trap_frame *f) __attribute__((noreturn));

#endif /* WISP_GUEST_CPL0_H */
