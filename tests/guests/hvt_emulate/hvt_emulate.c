/*
 * hvt_emulate: the privileged instructions of Solo5's bindings, each
 * checked by its effect (compatibility mode; at CPL3 wisp emulates them):
 * lgdt + far return (lretq) + mov to %ds/%es/%ss, ltr, lidt, cli/sti,
 * wrmsr FS_BASE, and exception delivery through the guest's own IDT: #DE
 * (frame RIP, CS, RFLAGS, RSP, SS; iretq back), int3 (#BP, RIP after it),
 * #PF (error code, mov %cr2).  Every hypercall is an outl.  Prints SUCCESS.
 */
#include "hvt_cpu.h"
#include "t.h"

static uint64_t gdt[5] __attribute__((aligned(16))) = {
    0, 0x00af9b000000ffffull, 0x00cf93000000ffffull, 0, 0,
};
static struct hc_tss tss __attribute__((aligned(16)));
static struct hc_gate idt[32] __attribute__((aligned(16)));
static uint8_t ist_stack[4096] __attribute__((aligned(16)));
static volatile uint64_t tls_word = 0x5eed;

static int check(int ok, const char *what)
{
    if (!ok) {
        t_puts("FAILURE: ");
        t_puts(what);
        t_puts("\n");
    }
    return ok;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    uint64_t v, rsp_before;
    int ok = 1;

    (void)si;
    /* lgdt, then reload CS with a far return and the data segments. */
    hc_tss_desc(&gdt[3], &tss);
    tss.ist[0] = (uint64_t)(uintptr_t)(ist_stack + sizeof ist_stack);
    tss.iomap = sizeof tss;
    hc_lgdt(gdt, sizeof gdt - 1);
    __asm__ __volatile__("pushq $0x08\n\tleaq 1f(%%rip), %%rax\n\tpushq %%rax\n\tlretq\n1:\n\t"
                         "movl $0x10, %%eax\n\tmovl %%eax, %%ds\n\tmovl %%eax, %%es\n\t"
                         "movl %%eax, %%ss" : : : "rax", "memory");
    t_puts("lgdt, lretq, mov to %ds/%es/%ss: ok\n");
    hc_ltr(0x18);
    t_puts("ltr: ok\n");
    __asm__ __volatile__("cli\n\tsti" ::: "memory");
    t_puts("cli, sti: ok\n");

    /* wrmsr FS_BASE: %fs:0 then reads tls_word. */
    hc_wrmsr(0xc0000100, (uint64_t)(uintptr_t)&tls_word);
    __asm__ __volatile__("movq %%fs:0, %0" : "=r"(v));
    ok &= check(v == 0x5eed, "wrmsr FS_BASE: %fs:0 is not the word at the new base");
    hc_wrmsr(0xc0000100, 0);
    t_puts("wrmsr FS_BASE: ok\n");

    /* #DE on the IST stack, into hc_skip2, back with iretq. */
    idt[0] = hc_gate(hc_skip2, 1);
    idt[3] = hc_gate(hc_ret, 0);
    idt[14] = hc_gate(hc_pf, 1);
    hc_lidt(idt, sizeof idt - 1);
    __asm__ __volatile__("movq %%rsp, %0" : "=r"(rsp_before));
    hc_divide_by_zero();
    ok &= check(hc_hits == 1, "#DE: the guest's handler did not run once");
    ok &= check(hc_frame[1] == 0x08, "#DE: frame CS is not 0x08");
    ok &= check(hc_frame[4] == 0x10, "#DE: frame SS is not 0x10");
    ok &= check(hc_frame[0] >= 0x100000 && hc_frame[0] < 0x200000, "#DE: frame RIP not in text");
    ok &= check(hc_frame[3] <= rsp_before && hc_frame[3] + 256 > rsp_before,
                "#DE: frame RSP is not the interrupted stack");
    ok &= check((hc_frame[2] & 2) != 0, "#DE: frame RFLAGS bit 1 clear");
    t_puts("#DE delivered to the guest's IDT, iretq: ok\n");

    /* int3: a trap, the frame's RIP is after it. */
    __asm__ __volatile__("leaq 1f(%%rip), %0\n\tint3\n1:" : "=r"(v) : : "memory");
    ok &= check(hc_hits == 2, "#BP: the guest's handler did not run");
    ok &= check(hc_frame[0] == v, "#BP: frame RIP is not the instruction after int3");
    t_puts("int3 delivered: ok\n");

    /* #PF: error code 2 (write, not present, no U bit), mov %cr2. */
    __asm__ __volatile__("leaq 1f(%%rip), %%rax\n\tmovq %%rax, hc_pf_resume(%%rip)\n\t"
                         "movq $0x18, %%rax\n\tmovq $1, (%%rax)\n1:" : : : "rax", "memory");
    ok &= check(hc_hits == 3, "#PF: the guest's handler did not run");
    ok &= check(hc_frame[0] == 2, "#PF: error code is not 0x2");
    ok &= check(hc_cr2 == 0x18, "#PF: mov %cr2 did not give the fault address");
    t_puts("#PF delivered, mov %cr2: ok\n");
    return ok ? t_success() : SOLO5_EXIT_FAILURE;
}
