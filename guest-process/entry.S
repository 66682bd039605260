/*
 * entry.S: the process target's entry point.  Linux starts a static
 * executable with RSP pointing at argc, then argv[], envp[] and auxv[].
 * Hand that pointer to wp_start in C (which never returns), with the
 * frame pointer cleared and the stack aligned to the SysV ABI's 16 bytes.
 */
    .text
    .globl _start
    .type _start, @function
_start:
    movq %rsp, %rdi
    xorl %ebp, %ebp
    andq $-16, %rsp
    call wp_start
1:  ud2
    jmp 1b
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
