/* hvt_cpu.c: the handlers of hvt_cpu.h (compiled into every test guest;
 * only the hvt_* guests install them). */
#include "hvt_cpu.h"

volatile uint64_t hc_frame[6];
volatile uint64_t hc_hits;
volatile uint64_t hc_cr2;
uint64_t hc_pf_resume;

/* Each handler copies the 6 quadwords above its saved registers (the
 * frame, with the error code first where there is one) into hc_frame. */
__asm__(".text\n"
        "hc_copy:\n"            /* rsi: frame; clobbers rax, rcx, rdi */
        "  leaq hc_frame(%rip), %rdi\n"
        "  movl $6, %ecx\n"
        "1: movq (%rsi), %rax\n  movq %rax, (%rdi)\n  addq $8, %rsi\n  addq $8, %rdi\n"
        "  decl %ecx\n  jnz 1b\n"
        "  incq hc_hits(%rip)\n"
        "  ret\n"
        ".globl hc_skip2\nhc_skip2:\n"
        "  pushq %rax\n  pushq %rcx\n  pushq %rsi\n  pushq %rdi\n"
        "  leaq 32(%rsp), %rsi\n  call hc_copy\n"
        "  addq $2, 32(%rsp)\n"
        "  popq %rdi\n  popq %rsi\n  popq %rcx\n  popq %rax\n  iretq\n"
        ".globl hc_ret\nhc_ret:\n"
        "  pushq %rax\n  pushq %rcx\n  pushq %rsi\n  pushq %rdi\n"
        "  leaq 32(%rsp), %rsi\n  call hc_copy\n"
        "  popq %rdi\n  popq %rsi\n  popq %rcx\n  popq %rax\n  iretq\n"
        ".globl hc_pf\nhc_pf:\n"
        "  pushq %rax\n  pushq %rcx\n  pushq %rsi\n  pushq %rdi\n"
        "  leaq 32(%rsp), %rsi\n  call hc_copy\n"
        "  movq %cr2, %rax\n  movq %rax, hc_cr2(%rip)\n"
        "  movq hc_pf_resume(%rip), %rax\n  movq %rax, 40(%rsp)\n"
        "  popq %rdi\n  popq %rsi\n  popq %rcx\n  popq %rax\n"
        "  addq $8, %rsp\n  iretq\n"
        ".globl hc_nullwrite\nhc_nullwrite:\n"
        "  incq hc_hits(%rip)\n"
        "  movq $8, %rax\n  movq $1, (%rax)\n"
        "  iretq\n");
