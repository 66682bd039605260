/*
 * crash.c: the report of a CPU exception, in the wisp tender's words (so
 * the same tests read it): for a page fault what the access was and where
 * (the regions of the memory plan: text, rodata and data segments, heap,
 * guard page, stack, outside guest memory), for others the exception's
 * name; then the instruction's address and region and RSP.  The VM then
 * ends with status 255.  A fault while reporting ends it at once.
 */
#include "internal.h"
#include "../guest-cpl0/cpl0.h"

#define PF_PRESENT (1u << 0)
#define PF_WRITE (1u << 1)
#define PF_RSVD (1u << 3)
#define PF_FETCH (1u << 4)


static const struct {
    const char *mnemonic, *name;
} exceptions[32] = {
    [0] = { "DE", "divide error" },
    [1] = { "DB", "debug exception" },
    [2] = { "NMI", "non-maskable interrupt" },
    [3] = { "BP", "breakpoint" },
    [4] = { "OF", "overflow" },
    [5] = { "BR", "bound range exceeded" },
    [6] = { "UD", "invalid opcode" },
    [7] = { "NM", "device not available" },
    [8] = { "DF", "double fault" },
    [10] = { "TS", "invalid TSS" },
    [11] = { "NP", "segment not present" },
    [12] = { "SS", "stack-segment fault" },
    [13] = { "GP", "general protection fault" },
    [14] = { "PF", "page fault" },
    [16] = { "MF", "x87 floating-point error" },
    [17] = { "AC", "alignment check" },
    [18] = { "MC", "machine check" },
    [19] = { "XM", "SIMD floating-point exception" },
    [20] = { "VE", "virtualization exception" },
    [21] = { "CP", "control protection exception" },
};

/* Vectors with an error code. */
static int has_ec(uint64_t v)
{
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

static int in(uint64_t a, uint64_t lo, uint64_t hi)
{
    return a >= lo && a < hi;
}

static const char *region(uint64_t a)
{
    if (in(a, (uintptr_t)_stext, (uintptr_t)_etext))
        return "text segment";
    if (in(a, (uintptr_t)_etext, (uintptr_t)_erodata))
        return "rodata segment";
    if (in(a, (uintptr_t)_erodata, (uintptr_t)_end))
        return "data segment";
    if (in(a, vg_mem.heap_start, vg_mem.heap_end))
        return "heap";
    if (in(a, vg_mem.heap_end, vg_mem.stack_bottom))
        return "guard page";
    if (in(a, vg_mem.stack_bottom, vg_mem.stack_top))
        return "stack";
    if (a < VG_PAGE_SIZE || a >= (uint64_t)0 - VG_PAGE_SIZE)
        return "NULL page";
    if (a >= vg_boot.mem_end)
        return "outside guest memory";
    return "unmapped memory";
}

static const char *pf_kind(uint64_t a, uint64_t ec)
{
    if (ec & PF_RSVD)
        return "reserved bit set in a page-table entry";
    if (a < VG_PAGE_SIZE || a >= (uint64_t)0 - VG_PAGE_SIZE)
        return "NULL pointer access";
    if (in(a, vg_mem.heap_end, vg_mem.stack_bottom))
        return "stack overflow into the guard page";
    if (a >= vg_boot.mem_end && (ec & PF_PRESENT) == 0)
        return "access outside guest memory";
    if (ec & PF_PRESENT) {
        if (ec & PF_FETCH)
            return "execute from non-executable memory";
        if (ec & PF_WRITE)
            return "write to read-only memory";
        return "access not permitted";
    }
    if (ec & PF_FETCH)
        return "execute from unmapped memory";
    return "access to unmapped memory";
}

void cpl0_trap(const struct cpl0_trap_frame *f)
{
    static int in_trap;
    struct vg_line l = { .len = 0 };
    uint64_t cr2;

    __asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
    if (in_trap)
        vg_poweroff(SOLO5_EXIT_ABORT);
    in_trap = 1;

    vg_line_str(&l, "wisp: guest crashed: ");
    if (f->vector == 14) {
        const char *r = region(cr2);
        int say = wg_strnlen(r, 64) != 0 && memcmp(r, "outside", 7) != 0 &&
                  memcmp(r, "NULL", 4) != 0;

        vg_line_str(&l, "page fault: ");
        vg_line_str(&l, pf_kind(cr2, f->ec));
        vg_line_str(&l, " at ");
        vg_line_hex(&l, cr2);
        if (say) {
            vg_line_str(&l, " in ");
            vg_line_str(&l, r);
        }
        vg_line_str(&l, " (error code ");
        vg_line_hex(&l, f->ec);
        vg_line_str(&l, ")");
    } else {
        const char *name = f->vector < 32 ? exceptions[f->vector].name : NULL;
        const char *mn = f->vector < 32 ? exceptions[f->vector].mnemonic : NULL;

        vg_line_str(&l, name ? name : "reserved exception");
        vg_line_str(&l, " (#");
        vg_line_str(&l, mn ? mn : "??");
        vg_line_str(&l, ")");
        if (has_ec(f->vector)) {
            vg_line_str(&l, ", error code ");
            vg_line_hex(&l, f->ec);
        }
    }
    vg_line_end(&l);
    vg_line_str(&l, "wisp:   instruction at ");
    vg_line_hex(&l, f->rip);
    vg_line_str(&l, " in ");
    vg_line_str(&l, region(f->rip));
    vg_line_str(&l, ", rsp ");
    vg_line_hex(&l, f->rsp);
    vg_line_end(&l);
    vg_poweroff(SOLO5_EXIT_ABORT);
}
