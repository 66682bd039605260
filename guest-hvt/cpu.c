/*
 * cpu.c: the CPU tables a CPL0 guest owns (SOLO5_HVT_ABI.md 1.8 step 2) and
 * the trap handler.  The tender's boot GDT lies on a page the guest's page
 * tables do not map, so the library loads its own: null, 64-bit code 0x08
 * and data 0x10 (the selectors the tender already loaded, with the same
 * descriptors, so CS/SS need no reload) and a 64-bit TSS at 0x18 whose IST
 * stacks the IDT's gates use: every CPU exception is taken on a known-good
 * stack even when the fault was a bad RSP.  Interrupts stay disabled for
 * the whole run (no interrupt controller exists), so only the 32 exception
 * vectors have gates.
 */
#include "internal.h"

#define SEL_CODE 0x08
#define SEL_TSS  0x18
#define NVEC     32
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
static struct idt_gate idt[NVEC] __attribute__((aligned(16)));
static uint8_t stack_trap[4096] __attribute__((aligned(16)));
static uint8_t stack_df[4096] __attribute__((aligned(16)));

/* traps.S: the entry stub of each vector. */
extern const uint64_t hg_trap_vectors[NVEC];

void hg_cpu_init(void)
{
    uint64_t base = (uint64_t)(uintptr_t)&tss;
    uint64_t limit = sizeof(tss) - 1;

    tss.ist[IST_TRAP - 1] = (uint64_t)(uintptr_t)(stack_trap + sizeof stack_trap);
    tss.ist[IST_DF - 1] = (uint64_t)(uintptr_t)(stack_df + sizeof stack_df);
    tss.iomap_base = sizeof(tss);
    /* Available 64-bit TSS (type 9), present. */
    gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[4] = base >> 32;

    for (unsigned v = 0; v < NVEC; v++) {
        uint64_t h = hg_trap_vectors[v];

        idt[v] = (struct idt_gate){
            .off_lo = (uint16_t)h,
            .selector = SEL_CODE,
            .ist = (v == 2 || v == 8) ? IST_DF : IST_TRAP,
            .type = 0x8e,
            .off_mid = (uint16_t)(h >> 16),
            .off_hi = (uint32_t)(h >> 32),
        };
    }

    struct desc_ptr gdtr = { sizeof gdt - 1, (uint64_t)(uintptr_t)gdt };
    struct desc_ptr idtr = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
    __asm__ __volatile__("lgdt %0" : : "m"(gdtr) : "memory");
    __asm__ __volatile__("ltr %w0" : : "r"((uint16_t)SEL_TSS) : "memory");
    __asm__ __volatile__("lidt %0" : : "m"(idtr) : "memory");
}

/* What traps.S leaves on the IST stack: saved GPRs, then vector and error
 * code (0 where the CPU pushes none), then the CPU's own frame. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, ec;
    uint64_t rip, cs, rflags, rsp, ss;
};

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

void hg_trap(const struct trap_frame *f) __attribute__((noreturn));

void hg_trap(const struct trap_frame *f)
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
