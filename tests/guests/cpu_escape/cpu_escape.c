/*
 * cpu_escape KIND: CPU ways out of the guest's own memory and privilege, in
 * both modes (tests/e2e/hostile_cpu.bats says what each must report):
 *   syscall      the syscall instruction (EFER.SCE is off: #UD)
 *   sysenter     the sysenter instruction (SYSENTER_CS is 0: #GP, or #UD)
 *   noncanonical a load from 0x8000000000000000 (#GP, no CR2)
 *   kernelhalf   a store to 0xffff800000001000 (#PF)
 *   beyondram    a store to 0x7ff0000000, far beyond guest RAM (#PF)
 * Each prints "cpu_escape: KIND at 0x<rip>" with the instruction's address
 * first, so a test can check that the report names the same one, then
 * leaves "pending: no newline" in the console buffer for the report to
 * drain.
 */
#include "t.h"

static int is(const struct solo5_start_info *si, const char *s)
{
    return t_strcmp(si->cmdline, s) == 0;
}

static void say(const char *what, void *rip)
{
    t_puts("cpu_escape: ");
    t_puts(what);
    t_puts(" at ");
    t_put_hex((uint64_t)(uintptr_t)rip);
    t_puts("\n");
}

/* Each escape is a global label, so its address can be printed first. */
extern char esc_syscall[], esc_sysenter[], esc_noncanonical[], esc_kernelhalf[],
    esc_beyondram[];

__asm__(".text\n"
        ".globl esc_syscall\nesc_syscall: syscall\n ud2\n"
        ".globl esc_sysenter\nesc_sysenter: sysenter\n ud2\n"
        ".globl esc_noncanonical\nesc_noncanonical: movq (%rdi), %rax\n ud2\n"
        ".globl esc_kernelhalf\nesc_kernelhalf: movq %rax, (%rdi)\n ud2\n"
        ".globl esc_beyondram\nesc_beyondram: movq %rax, (%rdi)\n ud2\n");

int solo5_app_main(const struct solo5_start_info *si)
{
    static const struct {
        const char *name;
        char *code;
        uint64_t rdi;
    } kinds[] = {
        {"syscall", esc_syscall, 0},
        {"sysenter", esc_sysenter, 0},
        {"noncanonical", esc_noncanonical, 0x8000000000000000ull},
        {"kernelhalf", esc_kernelhalf, 0xffff800000001000ull},
        {"beyondram", esc_beyondram, 0x7ff0000000ull},
    };

    for (unsigned i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (!is(si, kinds[i].name))
            continue;
        say(kinds[i].name, kinds[i].code);
        t_puts("pending: no newline");
        /* jump, never return: rax, rcx, r11 may be anything after */
        __asm__ volatile("jmp *%0" : : "r"(kinds[i].code), "D"(kinds[i].rdi) : "memory");
        __builtin_unreachable();
    }
    return t_fail("unknown escape");
}
