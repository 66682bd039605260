/*
 * tables.c: the GDT, TSS and IDT of a guest that runs at CPL0 (cpl0.h).
 */
#include "cpl0.h"

#define SEL_CODE 0x08
#define SEL_TSS  0x18
#define NVEC_MAX 256
#define IST_TRAP 1 /* every exception but NMI and #DF */
#define IST_DF   2 /* NMI and #DF: never share a stack with a trap in progress */

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

/* [0] null, [1] code (L=1, P, DPL0, accessed), [2] data, [3..4] TSS. */
static uint64_t gdt[5] __attribute__((aligned(16))) = {
    0, 0x00af9b000000ffffull, 0x00cf93000000ffffull, 0, 0,
};
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[NVEC_MAX] __attribute__((aligned(16)));
static uint8_t stack_trap[8192] __attribute__((aligned(16)));
static uint8_t stack_df[4096] __attribute__((aligned(16)));

/* trap_entry.S: the entry stub of each exception vector. */
extern const uint64_t cpl0_trap_vectors[32];

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

void cpl0_tables_load(unsigned nvec, uint64_t irq, uint64_t spurious)
{
    uint64_t base = (uint64_t)(uintptr_t)&tss;
    uint64_t limit = sizeof(tss) - 1;

    if (nvec < 32)
        nvec = 32;
    if (nvec > NVEC_MAX)
        nvec = NVEC_MAX;
    tss.ist[IST_TRAP - 1] = (uint64_t)(uintptr_t)(stack_trap + sizeof stack_trap);
    tss.ist[IST_DF - 1] = (uint64_t)(uintptr_t)(stack_df + sizeof stack_df);
    tss.iomap_base = sizeof(tss);
    /* Available 64-bit TSS (type 9), present. */
    gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[4] = base >> 32;

    for (unsigned v = 0; v < 32; v++)
        idt[v] = gate(cpl0_trap_vectors[v], (v == 2 || v == 8) ? IST_DF : IST_TRAP);
    if (nvec > 32) {
        for (unsigned v = 32; v < nvec - 1; v++)
            idt[v] = gate(irq, 0);
        idt[nvec - 1] = gate(spurious, 0);
    }

    struct desc_ptr gdtr = { sizeof gdt - 1, (uint64_t)(uintptr_t)gdt };
    struct desc_ptr idtr = { (uint16_t)(nvec * sizeof idt[0] - 1), (uint64_t)(uintptr_t)idt };
    __asm__ __volatile__("lgdt %0" : : "m"(gdtr) : "memory");
    __asm__ __volatile__("ltr %w0" : : "r"((uint16_t)SEL_TSS) : "memory");
    __asm__ __volatile__("lidt %0" : : "m"(idtr) : "memory");
}
