/*
 * lapic.c: waiting.  The local APIC's timer, one-shot, ends a halt at the
 * next deadline: solo5_yield halts (sti; hlt) until then or until any
 * interrupt, so an idle unikernel costs the host nothing.  Devices are
 * polled; a NIC's receive interrupt, where the IOAPIC routes it (ioapic.c),
 * only ends the halt early.  A halt lasts at most NET_CHECK_NS while NICs
 * are attached (a bound should an interrupt be missed), NET_POLL_NS when a
 * NIC's interrupt could not be routed.  The 8259 PICs are masked and the
 * APIC's LINT0/LINT1 inputs too.  The timer's rate is measured against the
 * TSC.
 */
#include "internal.h"

#define NET_POLL_NS 1000000ull  /* 1 ms: NICs without a routed interrupt */
#define NET_CHECK_NS 20000000ull /* 20 ms: NICs whose interrupts end a halt */
#define LAPIC_SVR 0xf0
#define LAPIC_TPR 0x80
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define LVT_MASKED (1u << 16)

uint64_t vg_lapic_base;
static uint64_t lapic_hz;

static void w(unsigned reg, uint32_t v)
{
    vg_mmio_w32(vg_lapic_base + reg, v);
}

static uint32_t r(unsigned reg)
{
    return vg_mmio_r32(vg_lapic_base + reg);
}

void vg_lapic_init(void)
{
    uint32_t lo, hi;

    vg_outb(0x21, 0xff); /* mask both 8259s */
    vg_outb(0xa1, 0xff);
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1bu));
    uint64_t msr = ((uint64_t)hi << 32) | lo;
    vg_wrmsr(0x1b, msr | (1u << 11)); /* APIC global enable */
    vg_lapic_base = msr & 0x000ffffffffff000ull;
    vg_map_mmio(vg_lapic_base, VG_PAGE_SIZE);

    w(LAPIC_SVR, 0x100 | VG_VEC_SPURIOUS);
    w(LAPIC_TPR, 0);
    w(LAPIC_LVT_LINT0, LVT_MASKED);
    w(LAPIC_LVT_LINT1, LVT_MASKED);
    w(LAPIC_LVT_ERROR, LVT_MASKED);
    w(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
    w(LAPIC_LVT_TIMER, LVT_MASKED | VG_VEC_TIMER);

    /* Count for 2 ms of TSC time. */
    uint64_t t0 = vg_rdtsc(), span = vg_tsc_hz / 500, t1;
    w(LAPIC_TIMER_INIT, 0xffffffffu);
    while ((t1 = vg_rdtsc()) - t0 < span)
        __asm__ __volatile__("pause");
    uint32_t left = r(LAPIC_TIMER_CUR);
    w(LAPIC_TIMER_INIT, 0);
    lapic_hz = (uint64_t)(((unsigned __int128)(0xffffffffu - left) * vg_tsc_hz) / (t1 - t0));
    if (lapic_hz == 0)
        vg_panic("lapic.c: the local APIC timer does not count");
    w(LAPIC_LVT_TIMER, VG_VEC_TIMER); /* one-shot, unmasked */
}

void vg_halt_until(solo5_time_t deadline)
{
    solo5_time_t now = solo5_clock_monotonic();

    if (now >= deadline)
        return;
    uint64_t ticks = (uint64_t)(((unsigned __int128)(deadline - now) * lapic_hz) / 1000000000ull);
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xffffffffu)
        ticks = 0xffffffffu;
    w(LAPIC_TIMER_INIT, (uint32_t)ticks);
    __asm__ __volatile__("sti; hlt; cli" ::: "memory");
    w(LAPIC_TIMER_INIT, 0);
}

void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set)
{
    solo5_handle_set_t ready;

    for (;;) {
        solo5_time_t now = solo5_clock_monotonic(), until = deadline;

        /* Acknowledged first: an event after this is a new interrupt. */
        uint64_t poll = vg_net_count > 0 ? (vg_net_ack() ? NET_CHECK_NS : NET_POLL_NS) : 0;

        ready = vg_net_pending();
        if (ready != 0 || now >= deadline)
            break;
        if (poll != 0 && until - now > poll)
            until = now + poll;
        vg_halt_until(until);
    }
    if (ready_set != NULL)
        *ready_set = ready;
}
