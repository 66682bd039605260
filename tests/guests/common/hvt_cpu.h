/*
 * hvt_cpu.h: what the compatibility-mode CPU tests (hvt_emulate, hvt_trap)
 * share: their own GDT, TSS and IDT, loaded with the privileged
 * instructions Solo5's bindings use, and exception handlers written in
 * assembly that record the frame the CPU (or wisp, at CPL3) pushed.
 * Built for __WISP_HVT__ only: in isolated mode these instructions fault.
 */
#ifndef WISP_TEST_HVT_CPU_H
#define WISP_TEST_HVT_CPU_H

#include <stdint.h>

struct __attribute__((packed)) hc_dtr {
    uint16_t limit;
    uint64_t base;
};

struct hc_gate {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, zero;
};

struct __attribute__((packed)) hc_tss {
    uint32_t r0;
    uint64_t rsp[3], r1, ist[7], r2;
    uint16_t r3, iomap;
};

/* The frame and error code the last handler saw; its hits. */
extern volatile uint64_t hc_frame[6];
extern volatile uint64_t hc_hits;
extern volatile uint64_t hc_cr2;
/* Handlers: hc_skip2 (resume 2 bytes on: skips a 2-byte faulting
 * instruction), hc_ret (resume as pushed: traps), hc_pf (error code, CR2,
 * resume at hc_pf_resume), hc_nullwrite (writes to 0x8: a fault inside the
 * handler). */
extern char hc_skip2[], hc_ret[], hc_pf[], hc_nullwrite[];
extern uint64_t hc_pf_resume;

static inline struct hc_gate hc_gate(void *handler, unsigned ist)
{
    uint64_t h = (uint64_t)(uintptr_t)handler;
    struct hc_gate g = {(uint16_t)h, 0x08, (uint8_t)ist, 0x8e, (uint16_t)(h >> 16),
                        (uint32_t)(h >> 32), 0};
    return g;
}

static inline void hc_lidt(void *base, uint16_t limit)
{
    struct hc_dtr d = {limit, (uint64_t)(uintptr_t)base};
    __asm__ __volatile__("lidt %0" : : "m"(d) : "memory");
}

static inline void hc_lgdt(void *base, uint16_t limit)
{
    struct hc_dtr d = {limit, (uint64_t)(uintptr_t)base};
    __asm__ __volatile__("lgdt %0" : : "m"(d) : "memory");
}

static inline void hc_ltr(uint16_t sel)
{
    __asm__ __volatile__("ltr %w0" : : "r"(sel) : "memory");
}

static inline void hc_wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
                         : "memory");
}

/* hc_tss_desc: the two GDT slots of a 64-bit available TSS at (t). */
static inline void hc_tss_desc(uint64_t *slot, struct hc_tss *t)
{
    uint64_t base = (uint64_t)(uintptr_t)t, limit = sizeof *t - 1;

    slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
              (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    slot[1] = base >> 32;
}

/* hc_divide_by_zero: a 2-byte `div %ecx` with ecx = 0: #DE. */
static inline void hc_divide_by_zero(void)
{
    __asm__ __volatile__("xor %%ecx, %%ecx\n\tmov $1, %%eax\n\txor %%edx, %%edx\n\t"
                         "div %%ecx" : : : "eax", "ecx", "edx", "memory");
}

#endif /* WISP_TEST_HVT_CPU_H */
