/*
 * trap_entry.S: the entry stubs of the 32 exception vectors (tables.c
 * installs them).  Each leaves the same frame on its IST stack (struct
 * cpl0_trap_frame): an error code (0 when the CPU pushes none), the
 * vector, then every GPR; then the flavour's cpl0_trap reports the trap
 * and ends the guest.  Nothing returns, so nothing is restored.  The CPU
 * aligns the IST stack to 16 bytes; 5 + 2 + 15 quadwords keep it aligned
 * for the call.
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
    call cpl0_trap
1:  hlt
    jmp 1b

    .section .rodata
    .balign 8
    .globl cpl0_trap_vectors
cpl0_trap_vectors:
    .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad trap_\vec
    .endr

    .section .note.GNU-stack, "", @progbits
