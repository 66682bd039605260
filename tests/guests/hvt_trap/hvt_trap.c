/*
 * hvt_trap SCENARIO: one way for a compatibility-mode guest to end, chosen
 * by the command line (tests/e2e/compat_cpl3.bats says what each must do):
 *   de, bp          divide error / int3 through Solo5's own trap handler
 *   handler_fault   the guest's #DE handler itself faults, again and again
 *   forged_idt      an IDT over the tender's IDT page, then #DE
 *   stub_gate       a gate to the tender's ring-0 stub page, then #DE
 *   tender_ist      a TSS whose IST1 is the tender's stub stack, then #DE
 *   forged_gdt      lgdt of the tender's GDT page, ltr of its TSS selector
 *   iretq_stub      iretq to the tender's stub page with CS 0x08
 *   lretq_noncanon  lretq to a non-canonical address
 *   wrmsr_noncanon  wrmsr FS_BASE non-canonical
 *   rdmsr, wrmsr_gs, cr3, wbinvd, invlpg   privileged, not emulated
 *   outb            a 1-byte OUT to port 0x500
 *   out_stub        a 1-byte OUT to port 0x8d, the stub's port for #GP
 *   outl_past       outl to port 0x509, the first after the hypercalls
 *   outl_gap        outl to port 0x5fd (0x5fd-0x5ff closed, 0x600 the kick)
 *   outl_kick_past  outl to port 0x601 (its last byte, 0x604, closed)
 *   outb_kick       a 1-byte OUT to the ring kick port 0x600
 *   iretq_iopl      iretq with IOPL 3 in the frame's RFLAGS, then out_stub
 *   tss_tender      a GDT in guest memory whose TSS descriptor names the
 *                   tender's TSS (0x1800), ltr, then #DE through IST1
 *   lretq_stub      lretq to the tender's stub page with CS 0x08
 *   lmsw            lmsw, privileged, not emulated
 *   outsl           rep outsl of 2 words to port 0x500 (a string port I/O)
 *   bitmap_write    a store to the tender TSS's I/O bitmap (0x1908: the
 *                   byte of ports 0x500-0x507)
 *   hlt             cli; hlt
 */
#include "hvt_cpu.h"
#include "t.h"

static uint64_t gdt[5] __attribute__((aligned(16))) = {
    0, 0x00af9b000000ffffull, 0x00cf93000000ffffull, 0, 0,
};
static struct hc_tss tss __attribute__((aligned(16)));
static struct hc_gate idt[32] __attribute__((aligned(16)));

static int is(const struct solo5_start_info *si, const char *s)
{
    return t_strcmp(si->cmdline, s) == 0;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    t_puts("scenario: ");
    t_puts(si->cmdline);
    t_puts("\n");
    if (is(si, "de")) {
        hc_divide_by_zero();
    } else if (is(si, "bp")) {
        __asm__ __volatile__("int3");
    } else if (is(si, "handler_fault")) {
        idt[0] = hc_gate(hc_nullwrite, 0);
        idt[14] = hc_gate(hc_nullwrite, 0);
        hc_lidt(idt, sizeof idt - 1);
        hc_divide_by_zero();
    } else if (is(si, "forged_idt")) {
        hc_lidt(t_launder(0x2000), 0xfff);
        hc_divide_by_zero();
    } else if (is(si, "stub_gate")) {
        idt[0] = hc_gate(t_launder(0x3000), 0);
        hc_lidt(idt, sizeof idt - 1);
        hc_divide_by_zero();
    } else if (is(si, "tender_ist")) {
        hc_tss_desc(&gdt[3], &tss);
        tss.ist[0] = 0x5000;
        hc_lgdt(gdt, sizeof gdt - 1);
        hc_ltr(0x18);
        idt[0] = hc_gate(hc_skip2, 1);
        hc_lidt(idt, sizeof idt - 1);
        hc_divide_by_zero();
    } else if (is(si, "forged_gdt")) {
        hc_lgdt(t_launder(0x1000), 0x37);
        hc_ltr(0x28);
    } else if (is(si, "iretq_stub")) {
        __asm__ __volatile__("movq %%rsp, %%rax\n\tpushq $0x10\n\tpushq %%rax\n\tpushfq\n\t"
                             "pushq $0x08\n\tpushq $0x3000\n\tiretq" : : : "rax", "memory");
    } else if (is(si, "lretq_noncanon")) {
        __asm__ __volatile__("pushq $0x08\n\tmovabsq $0x8000000000000000, %%rax\n\t"
                             "pushq %%rax\n\tlretq" : : : "rax", "memory");
    } else if (is(si, "wrmsr_noncanon")) {
        hc_wrmsr(0xc0000100, 0x8000000000000000ull);
    } else if (is(si, "rdmsr")) {
        uint32_t lo, hi;

        __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080u));
    } else if (is(si, "wrmsr_gs")) {
        hc_wrmsr(0xc0000101, 0);
    } else if (is(si, "cr3")) {
        uint64_t v;

        __asm__ __volatile__("movq %%cr3, %0" : "=r"(v));
    } else if (is(si, "wbinvd")) {
        __asm__ __volatile__("wbinvd" ::: "memory");
    } else if (is(si, "invlpg")) {
        __asm__ __volatile__("invlpg (%0)" : : "r"(0x100000ul) : "memory");
    } else if (is(si, "outb")) {
        __asm__ __volatile__("outb %%al, %%dx" : : "a"(0), "d"((uint16_t)0x500));
    } else if (is(si, "out_stub")) {
        __asm__ __volatile__("outb %%al, $0x8d" : : "a"(13));
    } else if (is(si, "outl_past")) {
        __asm__ __volatile__("outl %%eax, %%dx" : : "a"(0), "d"((uint16_t)0x509));
    } else if (is(si, "outl_gap")) {
        __asm__ __volatile__("outl %%eax, %%dx" : : "a"(0), "d"((uint16_t)0x5fd));
    } else if (is(si, "outl_kick_past")) {
        __asm__ __volatile__("outl %%eax, %%dx" : : "a"(0), "d"((uint16_t)0x601));
    } else if (is(si, "outb_kick")) {
        __asm__ __volatile__("outb %%al, %%dx" : : "a"(0), "d"((uint16_t)0x600));
    } else if (is(si, "iretq_iopl")) {
        uint64_t fl;

        __asm__ __volatile__("movq %%rsp, %%rax\n\tpushq $0x10\n\tpushq %%rax\n\tpushfq\n\t"
                             "orq $0x3000, (%%rsp)\n\tpushq $0x08\n\tleaq 1f(%%rip), %%rax\n\t"
                             "pushq %%rax\n\tiretq\n1:\n\tpushfq\n\tpopq %0"
                             : "=r"(fl) : : "rax", "memory");
        t_puts("iopl after iretq: ");
        t_put_dec((fl >> 12) & 3);
        t_puts("\n");
        __asm__ __volatile__("outb %%al, $0x8d" : : "a"(13));
    } else if (is(si, "tss_tender")) {
        static struct hc_tss fake;

        hc_tss_desc(&gdt[3], &fake);
        gdt[3] = (gdt[3] & ~(0xffffffull << 16) & ~(0xffull << 56)) | (0x1800ull << 16);
        gdt[4] = 0;
        hc_lgdt(gdt, sizeof gdt - 1);
        hc_ltr(0x18);
        idt[0] = hc_gate(hc_skip2, 1);
        hc_lidt(idt, sizeof idt - 1);
        hc_divide_by_zero();
    } else if (is(si, "lretq_stub")) {
        __asm__ __volatile__("pushq $0x08\n\tpushq $0x3000\n\tlretq" : : : "memory");
    } else if (is(si, "outsl")) {
        static const uint32_t words[2];

        __asm__ __volatile__("rep outsl" : : "S"(words), "c"(2ul), "d"((uint16_t)0x500) : "memory");
    } else if (is(si, "bitmap_write")) {
        *(volatile uint8_t *)t_launder(0x1908) = 0;
    } else if (is(si, "lmsw")) {
        __asm__ __volatile__("lmsw %w0" : : "r"(0x31) : "memory");
    } else if (is(si, "hlt")) {
        __asm__ __volatile__("cli\n\thlt");
    } else {
        return t_fail("unknown scenario");
    }
    return t_fail("the scenario did not end the guest");
}
