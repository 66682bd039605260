/*
 * cpu.c: the CPU tables the unikernel owns (it runs at CPL0: there is no
 * tender and no kernel under it) and the FPU/SSE set-up.  GDT, TSS and the
 * exception gates: guest-cpl0/tables.c (boot.S's selectors; crash.c reports
 * the exceptions).  Vectors 32..254 acknowledge an interrupt and return
 * (only the LAPIC timer is expected: lapic.c), 255 is the APIC's spurious
 * vector.
 */
#include "internal.h"
#include "../guest-cpl0/cpl0.h"

/* traps.S: the interrupt stubs. */
extern char vg_irq_stub[], vg_spurious_stub[];

/* fpu_init: x87/SSE usable (CR0.MP, not EM; CR4.OSFXSR, OSXMMEXCPT) and,
 * where the CPU has XSAVE, AVX state enabled in XCR0 too. */
static void fpu_init(void)
{
    uint64_t cr0, cr4;
    uint32_t r[4];

    __asm__ __volatile__("mov %%cr0, %0" : "=r"(cr0));
    cr0 = (cr0 & ~(1ull << 2 | 1ull << 3)) | 1ull << 1 | 1ull << 5; /* EM, TS off; MP, NE */
    __asm__ __volatile__("mov %0, %%cr0" : : "r"(cr0));
    __asm__ __volatile__("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= 1ull << 9 | 1ull << 10;
    vg_cpuid(1, 0, r);
    if (r[2] & (1u << 26))
        cr4 |= 1ull << 18; /* OSXSAVE */
    __asm__ __volatile__("mov %0, %%cr4" : : "r"(cr4));
    __asm__ __volatile__("fninit");
    if (r[2] & (1u << 26)) {
        uint64_t xcr0 = 3 | ((r[2] & (1u << 28)) ? 4 : 0); /* x87, SSE, AVX */
        __asm__ __volatile__("xsetbv" : : "c"(0), "a"((uint32_t)xcr0), "d"(0));
    }
}

void vg_cpu_init(void)
{
    cpl0_tables_load(256, (uint64_t)(uintptr_t)vg_irq_stub, (uint64_t)(uintptr_t)vg_spurious_stub);
    fpu_init();
}
