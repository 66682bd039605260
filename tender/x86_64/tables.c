/*
 * The isolated-mode system tables: GDT, TSS, IDT and the ring-0 exception
 * stub.  They live in tender-private, supervisor-only pages (x86_64.h), so
 * the CPL3 guest can neither read nor change them.  Descriptors are written
 * with their accessed/busy bits already set, so the CPU never needs to
 * write to these read-only pages.
 */
#include <string.h>

#include "x86_64/x86_64.h"

static void put64(uint8_t *mem, uint64_t gpa, uint64_t v)
{
    memcpy(mem + gpa, &v, sizeof v);
}

static void write_gdt(uint8_t *mem)
{
    const uint64_t tss = X86_TSS_GPA, limit = X86_TSS_SIZE - 1;
    uint64_t gdt[X86_GDT_ENTRIES] = {
        0,
        0x00af9b000000ffffull, /* 0x08 kernel code, 64-bit, DPL0 (stub) */
        0x00cf93000000ffffull, /* 0x10 kernel data */
        0x00cff3000000ffffull, /* 0x18 user data, DPL3 */
        0x00affb000000ffffull, /* 0x20 user code, 64-bit, DPL3 */
        /* 0x28: 64-bit TSS, busy (type 0xb), present, DPL0 */
        (limit & 0xffff) | ((tss & 0xffffff) << 16) | (0x8bull << 40) |
            (((limit >> 16) & 0xf) << 48) | (((tss >> 24) & 0xff) << 56),
        tss >> 32,
    };

    memcpy(mem + X86_GDT_GPA, gdt, sizeof gdt);
}

static void write_tss(uint8_t *mem)
{
    uint8_t *t = mem + X86_TSS_GPA;
    uint16_t iomap = X86_TSS_SIZE; /* no I/O bitmap: all ports denied at CPL3 */

    memset(t, 0, X86_TSS_SIZE);
    put64(mem, X86_TSS_GPA + 4, X86_STUB_STACK_TOP);   /* RSP0 */
    put64(mem, X86_TSS_GPA + 36, X86_STUB_STACK_TOP);  /* IST1 */
    memcpy(t + 102, &iomap, sizeof iomap);
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

static void write_idt_and_stub(uint8_t *mem)
{
    for (unsigned v = 0; v <= X86_TRAP_SYSENTER; v++) {
        uint64_t entry = X86_STUB_GPA + (uint64_t)v * X86_STUB_ENTRY_SIZE;
        uint8_t code[X86_STUB_ENTRY_SIZE] = {
            0xe6, (uint8_t)(X86_STUB_PORT_BASE + v), /* out %al, $(BASE + v) */
            0xf4,                                    /* hlt                  */
            0xeb, 0xfd,                              /* jmp .-3 (to hlt)     */
            0x90, 0x90, 0x90,                        /* nop (padding)        */
        };
        uint64_t lo = (entry & 0xffff) | ((uint64_t)X86_SEL_KCODE << 16) |
                      (1ull << 32) /* IST1 */ | (0x8eull << 40) /* P, DPL0, int gate */ |
                      (((entry >> 16) & 0xffff) << 48);
        uint64_t hi = entry >> 32;

        memcpy(mem + entry, code, sizeof code);
        if (v >= X86_IDT_VECTORS)
            continue; /* the syscall/sysenter entries have no gate */
        put64(mem, X86_IDT_GPA + 16ull * v, lo);
        put64(mem, X86_IDT_GPA + 16ull * v + 8, hi);
    }
}

void x86_write_system_tables(uint8_t *mem)
{
    write_gdt(mem);
    write_tss(mem);
    write_idt_and_stub(mem);
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
