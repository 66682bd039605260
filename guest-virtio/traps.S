/*
 * traps.S: the IDT's entry stubs (cpu.c installs them).
 *   vectors 0..31 (CPU exceptions): push an error code (0 when the CPU
 *     pushes none) and the vector, then every GPR, and call vg_trap
 *     (crash.c), which reports and ends the VM: nothing returns.
 *   vectors 32..254 (interrupts: the LAPIC timer that ends a halt, or any
 *     other): acknowledge at the local APIC and return.  Interrupts are
 *     enabled only inside vg_halt_until's sti; hlt, so nothing else runs
 *     under them.
 *   vector 255 (the APIC's spurious vector): return without EOI.
 */
    .text

.macro TRAP_NOEC vec
trap_\vec:
    pushq $0
    pushq $\vec
    jmp trap_common
.endm

.macro TRAP_EC vec
trap_\vec:
    pushq $\vec
    jmp trap_common
.endm

    TRAP_NOEC 0
    TRAP_NOEC 1
    TRAP_NOEC 2
    TRAP_NOEC 3
    TRAP_NOEC 4
    TRAP_NOEC 5
    TRAP_NOEC 6
    TRAP_NOEC 7
    TRAP_EC 8
    TRAP_NOEC 9
    TRAP_EC 10
    TRAP_EC 11
    TRAP_EC 12
    TRAP_EC 13
    TRAP_EC 14
    TRAP_NOEC 15
    TRAP_NOEC 16
    TRAP_EC 17
    TRAP_NOEC 18
    TRAP_NOEC 19
    TRAP_NOEC 20
    TRAP_EC 21
    TRAP_NOEC 22
    TRAP_NOEC 23
    TRAP_NOEC 24
    TRAP_NOEC 25
    TRAP_NOEC 26
    TRAP_NOEC 27
    TRAP_NOEC 28
    TRAP_EC 29
    TRAP_EC 30
    TRAP_NOEC 31

trap_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    movq %rsp, %rdi
    call vg_trap
1:  hlt
    jmp 1b

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

    .section .rodata
    .balign 8
    .globl vg_trap_vectors
vg_trap_vectors:
    .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad trap_\vec
    .endr

    .section .note.GNU-stack, "", @progbits
