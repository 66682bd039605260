/*
 * traps.S: the IDT's interrupt stubs (cpu.c installs them; the 32
 * exception vectors are guest-cpl0/trap_entry.S, reported by crash.c).
 *   vectors 32..254 (interrupts: the LAPIC timer that ends a halt, or any
 *     other): acknowledge at the local APIC and return.  Interrupts are
 *     enabled only inside vg_halt_until's sti; hlt, so nothing else runs
 *     under them.
 *   vector 255 (the APIC's spurious vector): return without EOI.
 */
    .text

    .globl vg_irq_stub
vg_irq_stub:
    pushq %rax
    movq vg_lapic_base(%rip), %rax
    movl $0, 0xb0(%rax)         /* EOI */
    popq %rax
    iretq

    .globl vg_spurious_stub
vg_spurious_stub:
    iretq

    .section .note.GNU-stack, "", @progbits
