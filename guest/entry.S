/*
 * entry.S: the unikernel's entry point.  The tender enters here at CPL3
 * with RDI = WISP_BOOT_INFO_GPA and RSP = stack_top - 8 (include/wisp/abi.h).
 * Clear the frame pointer (ends backtraces here), align the stack to the
 * SysV ABI's 16 bytes and hand over to wg_start in C, which never returns.  The
 * TSC read first thing is a boot milestone reported at exit.
 */
    .text
    .globl _start
    .type _start, @function
_start:
    rdtsc                   /* boot milestone: first guest instruction */
    shlq $32, %rdx
    orq %rdx, %rax
    movq %rax, %rsi         /* wg_start(bi, tsc_start) */
    xorl %ebp, %ebp
    andq $-16, %rsp
    call wg_start
    /* Not reached: wg_start ends with the EXIT hypercall. */
1:  ud2
    jmp 1b
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
