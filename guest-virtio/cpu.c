/*
 * cpu.c: the CPU tables the unikernel owns (it runs at CPL0: there is no
 * tender and no kernel under it) and the FPU/SSE set-up.  GDT: null, 64-bit
 * code 0x08, data 0x10 (boot.S's selectors, same descriptors), a 64-bit TSS
 * at 0x18 whose IST stacks the exception gates use, so every exception is
 * taken on a known-good stack even when the fault was a bad RSP.  IDT: the
 * 32 exception vectors (crash.c reports them), vectors 32..254 acknowledge
 * an interrupt and return (only the LAPIC timer is expected: lapic.c),
 * 255 is the APIC's spurious vector.
 */
#include "internal.h"

#define SEL_CODE 0x08
#define SEL_TSS 0x18
#define NVEC 256
#define IST_TRAP 1
#define IST_DF 2

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS");

struct idt_gate {
    uint16_t off_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type; /* 0x8e: present, DPL0, 64-bit interrupt gate */
    uint16_t off_mid;
    uint32_t off_hi;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate");

struct __attribute__((packed)) desc_ptr {
    uint16_t limit;
    uint64_t base;
};

static uint64_t gdt[5] __attribute__((aligned(16))) = {
    0, 0x00af9a000000ffffull, 0x00cf92000000ffffull, 0, 0,
};
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[NVEC] __attribute__((aligned(16)));
static uint8_t stack_trap[8192] __attribute__((aligned(16)));
static uint8_t stack_df[4096] __attribute__((aligned(16)));

extern const uint64_t vg_trap_vectors[32];
extern char vg_irq_stub[], vg_spurious_stub[];

static struct idt_gate gate(uint64_t h, uint8_t ist)
{
    return (struct idt_gate){
        .off_lo = (uint16_t)h,
        .selector = SEL_CODE,
        .ist = ist,
        .type = 0x8e,
        .off_mid = (uint16_t)(h >> 16),
        .off_hi = (uint32_t)(h >> 32),
    };
}

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
    uint64_t base = (uint64_t)(uintptr_t)&tss;
    uint64_t limit = sizeof(tss) - 1;

    tss.ist[IST_TRAP - 1] = (uint64_t)(uintptr_t)(stack_trap + sizeof stack_trap);
    tss.ist[IST_DF - 1] = (uint64_t)(uintptr_t)(stack_df + sizeof stack_df);
    tss.iomap_base = sizeof(tss);
    gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[4] = base >> 32;

    for (unsigned v = 0; v < 32; v++)
        idt[v] = gate(vg_trap_vectors[v], (v == 2 || v == 8) ? IST_DF : IST_TRAP);
    for (unsigned v = 32; v < NVEC - 1; v++)
        idt[v] = gate((uint64_t)(uintptr_t)vg_irq_stub, 0);
    idt[NVEC - 1] = gate((uint64_t)(uintptr_t)vg_spurious_stub, 0);

    struct desc_ptr gdtr = { sizeof gdt - 1, (uint64_t)(uintptr_t)gdt };
    struct desc_ptr idtr = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
    __asm__ __volatile__("lgdt %0" : : "m"(gdtr) : "memory");
    __asm__ __volatile__("ltr %w0" : : "r"((uint16_t)SEL_TSS) : "memory");
    __asm__ __volatile__("lidt %0" : : "m"(idtr) : "memory");
    fpu_init();
}
