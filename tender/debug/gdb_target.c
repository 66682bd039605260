/*
 * What the debugger may do to the guest (debug/gdb_priv.h): registers
 * through kvm/guest_debug.c; memory only where the guest itself may read
 * (m) or write (M, X), through core/guest_mem.h; text only as software
 * breakpoints inside the image's executable segments, kept in a table and
 * written while the guest runs; hardware breakpoints and watchpoints in
 * the four debug-register slots.
 */
#include <string.h>
#include <sys/mman.h>

#include "core/mode.h"
#include "core/vm.h"
#include "debug/gdb_priv.h"

#define PAGE 4096ull

static int read_regs(void *t, uint8_t regs[GDB_REGS_SIZE])
{
    struct gdb *g = t;

    return guest_debug_read_regs(g->vm, g->frame.mask ? &g->frame : NULL, regs);
}

static int write_regs(void *t, const uint8_t regs[GDB_REGS_SIZE])
{
    struct gdb *g = t;

    if (g->frame.mask)
        return -1; /* a crashed guest does not run again */
    return guest_debug_write_regs(g->vm, regs);
}

static long read_mem(void *t, uint64_t addr, uint8_t *buf, size_t len)
{
    struct gdb *g = t;
    enum guest_fault fault;
    const uint8_t *p = guest_range(g->vm, addr, len, 0, &fault);
    size_t n = 0;

    if (p) {
        memcpy(buf, p, len);
        return (long)len;
    }
    /* As much of the start as the guest may read (gdb reads across the
     * end of a region and accepts a short answer). */
    while (n < len && (p = guest_range(g->vm, addr + n, 1, 0, &fault)) != NULL)
        buf[n++] = *p;
    return (long)n;
}

static int write_mem(void *t, uint64_t addr, const uint8_t *buf, size_t len)
{
    struct gdb *g = t;
    enum guest_fault fault;
    uint8_t *p = guest_range(g->vm, addr, len, 1, &fault);

    if (!p)
        return -1;
    memcpy(p, buf, len);
    return 0;
}

/* text_segment: the executable segment holding addr, or NULL. */
static const struct elf_segment *text_segment(const struct vm *vm, uint64_t addr)
{
    for (unsigned i = 0; i < vm->img.nsegs; i++) {
        const struct elf_segment *s = &vm->img.seg[i];

        if ((s->flags & SEG_X) && addr >= s->vaddr && addr - s->vaddr < s->memsz)
            return s;
    }
    return NULL;
}

/* poke_text: one byte of guest text.  Compatibility mode maps read-only
 * segments read-only on the host too (modes/hvt/mem.c): the page is made
 * writable for the store and read-only again. */
static void poke_text(struct gdb *g, uint64_t addr, uint8_t byte)
{
    struct vm *vm = g->vm;
    const struct elf_segment *s = text_segment(vm, addr);
    uint8_t *p = gpa_to_host(vm, addr, 1);
    int host_ro = vm->mode->id == MODE_HVT && s && !(s->flags & SEG_W);
    uint8_t *page = vm->mem + (addr & ~(PAGE - 1));

    if (!p || !s)
        return;
    if (host_ro && mprotect(page, PAGE, PROT_READ | PROT_WRITE) < 0)
        return;
    *p = byte;
    if (host_ro)
        mprotect(page, PAGE, PROT_READ);
}

void gdb_sw_insert(struct gdb *g)
{
    if (g->inserted)
        return;
    for (unsigned i = 0; i < g->nsw; i++)
        poke_text(g, g->sw[i].addr, 0xcc);
    g->inserted = 1;
}

void gdb_sw_remove(struct gdb *g)
{
    if (!g->inserted)
        return;
    for (unsigned i = g->nsw; i-- > 0;)
        poke_text(g, g->sw[i].addr, g->sw[i].orig);
    g->inserted = 0;
}

static int sw_find(const struct gdb *g, uint64_t addr)
{
    for (unsigned i = 0; i < g->nsw; i++)
        if (g->sw[i].addr == addr)
            return (int)i;
    return -1;
}

static int sw_insert(struct gdb *g, uint64_t addr)
{
    const uint8_t *p;

    if (sw_find(g, addr) >= 0)
        return 0;
    if (g->nsw >= GDB_SW_BP_MAX || !text_segment(g->vm, addr) ||
        !(p = gpa_to_host(g->vm, addr, 1)))
        return -1;
    g->sw[g->nsw].addr = addr;
    g->sw[g->nsw].orig = *p; /* stopped: no 0xcc in text now */
    g->nsw++;
    return 0;
}

static int sw_remove(struct gdb *g, uint64_t addr)
{
    int i = sw_find(g, addr);

    if (i < 0)
        return -1;
    g->sw[i] = g->sw[--g->nsw];
    return 0;
}

/* dr7 bits of a slot: R/W 00 execute, 01 write, 11 read or write (x86
 * has no read-only watchpoint: gdb checks the value itself); LEN 00 1,
 * 01 2, 11 4, 10 8 bytes. */
static uint64_t slot_bits(const struct gdb_hw_bp *h, unsigned i)
{
    uint64_t rw = h->type == GDB_BP_HW ? 0 : h->type == GDB_WP_WRITE ? 1 : 3;
    uint64_t len = h->type == GDB_BP_HW ? 0 : h->len == 1 ? 0 : h->len == 2 ? 1 :
                   h->len == 4 ? 3 : 2;

    return (1ull << (2 * i)) | (rw << (16 + 4 * i)) | (len << (18 + 4 * i));
}

uint64_t gdb_hw_dr7(const struct gdb *g, uint64_t dr[4])
{
    uint64_t dr7 = 0;

    for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
        dr[i] = g->hw[i].used ? g->hw[i].addr : 0;
        if (g->hw[i].used)
            dr7 |= slot_bits(&g->hw[i], i);
    }
    return dr7;
}

static int hw_insert(struct gdb *g, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
    if (type != GDB_BP_HW && ((len != 1 && len != 2 && len != 4 && len != 8) ||
                              addr % len))
        return -1; /* gdb splits unaligned watches into aligned ones */
    for (unsigned i = 0; i < GDB_HW_SLOTS; i++)
        if (g->hw[i].used && g->hw[i].type == type && g->hw[i].addr == addr &&
            g->hw[i].len == len)
            return 0;
    for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
        if (g->hw[i].used)
            continue;
        g->hw[i] = (struct gdb_hw_bp){1, type, addr, len};
        return 0;
    }
    return -1; /* all four in use */
}

static int hw_remove(struct gdb *g, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
    for (unsigned i = 0; i < GDB_HW_SLOTS; i++) {
        if (g->hw[i].used && g->hw[i].type == type && g->hw[i].addr == addr &&
            g->hw[i].len == len) {
            g->hw[i].used = 0;
            return 0;
        }
    }
    return -1;
}

static int insert_bp(void *t, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
    const struct gdb *g = t;

    if (type != GDB_BP_SW && !g->hw_debug)
        return 1; /* unsupported: an empty reply */
    if (type == GDB_BP_SW && !g->stub_mode && !g->hw_debug)
        return -1; /* CPL0 guest on PVM: KVM would emulate the int3 and fail */
    return type == GDB_BP_SW ? sw_insert(t, addr) : hw_insert(t, type, addr, len);
}

static int remove_bp(void *t, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
    return type == GDB_BP_SW ? sw_remove(t, addr) : hw_remove(t, type, addr, len);
}

const struct gdb_target_ops gdb_target_ops = {
    .read_regs = read_regs,
    .write_regs = write_regs,
    .read_mem = read_mem,
    .write_mem = write_mem,
    .insert_bp = insert_bp,
    .remove_bp = remove_bp,
};
