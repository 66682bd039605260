/*
 * cpu.c: the CPU tables a CPL0 guest owns (SOLO5_HVT_ABI.md 1.8 step 2) and
 * the trap handler.  The tender's boot GDT lies on a page the guest's page
 * tables do not map, so the library loads its own (guest-cpl0/tables.c:
 * the selectors the tender already loaded, a TSS whose IST stacks take
 * every exception).  Interrupts stay disabled for the whole run (no
 * interrupt controller exists), so only the 32 exception vectors have
 * gates.
 */
#include "internal.h"
#include "../guest-cpl0/cpl0.h"

void hg_cpu_init(void)
{
    cpl0_tables_load(32, 0, 0);
}

/* The HALT cookie: Solo5's trap frame layout (SOLO5_HVT_ABI.md 1.8). */
struct trap_regs {
    uint64_t cr2, ec, rip, cs, rflags, rsp, ss;
};

static const char *const trap_names[] = {
    "#DE", "#DB", "#NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
    "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

static struct trap_regs trap_regs;
static int in_trap;

void cpl0_trap(const struct cpl0_trap_frame *f)
{
    struct hg_line l = { .len = 0 };
    uint64_t cr2;

    __asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
    /* A fault while reporting a fault: stop without touching anything else. */
    if (in_trap)
        hg_halt(SOLO5_EXIT_ABORT, NULL);
    in_trap = 1;

    trap_regs = (struct trap_regs){ cr2, f->ec, f->rip, f->cs, f->rflags, f->rsp, f->ss };

    hg_line_str(&l, "Solo5: trap: type=");
    if (f->vector < sizeof trap_names / sizeof trap_names[0]) {
        hg_line_str(&l, trap_names[f->vector]);
    } else {
        hg_line_str(&l, "#");
        hg_line_dec(&l, (int64_t)f->vector);
    }
    hg_line_str(&l, " ec=");
    hg_line_hex(&l, f->ec);
    hg_line_str(&l, " rip=");
    hg_line_hex(&l, f->rip);
    hg_line_str(&l, " rsp=");
    hg_line_hex(&l, f->rsp);
    hg_line_str(&l, " rflags=");
    hg_line_hex(&l, f->rflags);
    hg_line_str(&l, "\n");
    hg_line_end(&l, HG_LOG_ERROR);

    l.len = 0;
    hg_line_str(&l, "Solo5: trap: cr2=");
    hg_line_hex(&l, cr2);
    hg_line_str(&l, "\n");
    hg_line_end(&l, HG_LOG_ERROR);

    hg_panic(__FILE_NAME__, __LINE__, "Fatal trap", &trap_regs);
}
