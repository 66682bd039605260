/*
 * The isolated-mode system tables: GDT, TSS, IDT and the ring-0 exception
 * stub.  They live in tender-private, supervisor-only pages (x86_64.h), so
 * the CPL3 guest can neither read nor change them.  Descriptors are written
 * with their accessed/busy bits already set, so the CPU never needs to
 * write to these read-only pages.
 */
#include <stddef.h>
#include <string.h>

#include "x86_64/x86_64.h"

/*
 * The two pages as the guest sees them, built by the compiler: GDT, IDT
 * and TSS at their offsets in the page at X86_GDT_GPA, the stub entries in
 * the page at X86_STUB_GPA.  Page-aligned in the tender's read-only data,
 * so that x86_share_system_tables (shared_tables.c) can map these very
 * file pages into every guest instead of giving each guest its own copy.
 */
#define PAGE_OFF(gpa) ((gpa) & 0xfffull)
#define STUB_ENTRY(v) (X86_STUB_GPA + (uint64_t)(v) * X86_STUB_ENTRY_SIZE)
/* an interrupt gate: present, DPL0, 64-bit, IST1, to the stub entry of v */
#define GATE(v)                                                                        \
    (STUB_ENTRY(v) & 0xffff) | ((uint64_t)X86_SEL_KCODE << 16) | (1ull << 32) |        \
        (0x8eull << 40) | (((STUB_ENTRY(v) >> 16) & 0xffff) << 48),                    \
        STUB_ENTRY(v) >> 32
#define GATES8(v) GATE(v), GATE(v + 1), GATE(v + 2), GATE(v + 3), GATE(v + 4), GATE(v + 5), \
                  GATE(v + 6), GATE(v + 7)
/* a stub entry: out %al, $(BASE + v); hlt; jmp .-3 (to hlt); nop padding */
#define STUB(v) {0xe6, (uint8_t)(X86_STUB_PORT_BASE + (v)), 0xf4, 0xeb, 0xfd, 0x90, 0x90, 0x90}
#define STUBS8(v) STUB(v), STUB(v + 1), STUB(v + 2), STUB(v + 3), STUB(v + 4), STUB(v + 5), \
                  STUB(v + 6), STUB(v + 7)
#define LE64(off, v)                                                                   \
    [off] = (uint8_t)(v), [off + 1] = (uint8_t)((v) >> 8), [off + 2] = (uint8_t)((v) >> 16), \
    [off + 3] = (uint8_t)((v) >> 24), [off + 4] = (uint8_t)((v) >> 32),               \
    [off + 5] = (uint8_t)((v) >> 40), [off + 6] = (uint8_t)((v) >> 48),               \
    [off + 7] = (uint8_t)((v) >> 56)
#define TSS_LIMIT (X86_TSS_SIZE - 1ull)

const struct x86_tables_image x86_tables_image
    __attribute__((aligned(4096), section(".rodata.wisp_tables"))) = {
    .gdt = {
        0,
        0x00af9b000000ffffull, /* 0x08 kernel code, 64-bit, DPL0 (stub) */
        0x00cf93000000ffffull, /* 0x10 kernel data */
        0x00cff3000000ffffull, /* 0x18 user data, DPL3 */
        0x00affb000000ffffull, /* 0x20 user code, 64-bit, DPL3 */
        /* 0x28: 64-bit TSS, busy (type 0xb), present, DPL0 */
        (TSS_LIMIT & 0xffff) | ((X86_TSS_GPA & 0xffffff) << 16) | (0x8bull << 40) |
            (((TSS_LIMIT >> 16) & 0xf) << 48) | (((X86_TSS_GPA >> 24) & 0xff) << 56),
        X86_TSS_GPA >> 32,
    },
    .idt = {GATES8(0), GATES8(8), GATES8(16), GATES8(24)},
    /* RSP0 and IST1: the stub stack; the I/O map base at the TSS's end: no
     * I/O bitmap, every port denied at CPL3 (x86_tss_allow_ports adds one) */
    .tss = {LE64(4, X86_STUB_STACK_TOP), LE64(36, X86_STUB_STACK_TOP),
            [102] = (uint8_t)X86_TSS_SIZE, [103] = (uint8_t)(X86_TSS_SIZE >> 8)},
    .stub = {STUBS8(0), STUBS8(8), STUBS8(16), STUBS8(24), STUB(X86_TRAP_SYSCALL),
             STUB(X86_TRAP_SYSENTER)},
};

_Static_assert(offsetof(struct x86_tables_image, idt) == PAGE_OFF(X86_IDT_GPA) &&
               offsetof(struct x86_tables_image, tss) == PAGE_OFF(X86_TSS_GPA) &&
               offsetof(struct x86_tables_image, stub) == 0x1000 + PAGE_OFF(X86_STUB_GPA) &&
               sizeof(struct x86_tables_image) == 0x2000 &&
               PAGE_OFF(X86_GDT_GPA) == 0 && X86_TRAP_SYSENTER == X86_TRAP_SYSCALL + 1,
               "x86_tables_image: the layout of x86_64.h");

static void put64(uint8_t *mem, uint64_t gpa, uint64_t v)
{
    memcpy(mem + gpa, &v, sizeof v);
}

void x86_write_system_tables(uint8_t *mem)
{
    memcpy(mem + X86_GDT_GPA, &x86_tables_image, 0x1000);
    memcpy(mem + X86_STUB_GPA, (const uint8_t *)&x86_tables_image + 0x1000, 0x1000);
}

uint32_t x86_tss_allow_ports(uint8_t *mem, uint16_t first, uint16_t count)
{
    uint8_t *t = mem + X86_TSS_GPA, *map = t + X86_TSS_SIZE;
    uint32_t end = (uint32_t)first + count, nbytes = (end + 7) / 8 + 1, limit;
    uint16_t iomap = X86_TSS_SIZE;
    uint64_t d, at = X86_GDT_GPA + (X86_SEL_TSS & ~7u);

    if (X86_TSS_GPA + X86_TSS_SIZE + nbytes > X86_GDT_GPA + 0x1000)
        return X86_TSS_SIZE - 1;       /* would leave the page: no bitmap */
    memset(map, 0xff, nbytes);         /* the last byte: the terminator */
    for (uint32_t p = first; p < end; p++)
        map[p / 8] &= (uint8_t)~(1u << (p % 8));
    memcpy(t + 102, &iomap, sizeof iomap);
    limit = X86_TSS_SIZE + nbytes - 1;
    memcpy(&d, mem + at, sizeof d);
    d = (d & ~(0xffffull | (0xfull << 48))) | (limit & 0xffff) | ((uint64_t)(limit >> 16) << 48);
    put64(mem, at, d);
    return limit;
}

int x86_exception_has_errcode(unsigned vector)
{
    switch (vector) {
    case 8: case 10: case 11: case 12: case 13: case 14: case 17: case 21:
    case 29: case 30:
        return 1;
    default:
        return 0;
    }
}

static const struct {
    const char *mnemonic, *name;
} exceptions[X86_IDT_VECTORS] = {
    [0] = {"DE", "divide error"},
    [1] = {"DB", "debug exception"},
    [2] = {"NMI", "non-maskable interrupt"},
    [3] = {"BP", "breakpoint"},
    [4] = {"OF", "overflow"},
    [5] = {"BR", "bound range exceeded"},
    [6] = {"UD", "invalid opcode"},
    [7] = {"NM", "device not available"},
    [8] = {"DF", "double fault"},
    [10] = {"TS", "invalid TSS"},
    [11] = {"NP", "segment not present"},
    [12] = {"SS", "stack-segment fault"},
    [13] = {"GP", "general protection fault"},
    [14] = {"PF", "page fault"},
    [16] = {"MF", "x87 floating-point error"},
    [17] = {"AC", "alignment check"},
    [18] = {"MC", "machine check"},
    [19] = {"XM", "SIMD floating-point exception"},
    [20] = {"VE", "virtualization exception"},
    [21] = {"CP", "control protection exception"},
};

const char *x86_exception_name(unsigned vector)
{
    if (vector < X86_IDT_VECTORS && exceptions[vector].name)
        return exceptions[vector].name;
    return "reserved exception";
}

const char *x86_exception_mnemonic(unsigned vector)
{
    if (vector < X86_IDT_VECTORS && exceptions[vector].mnemonic)
        return exceptions[vector].mnemonic;
    return "??";
}
