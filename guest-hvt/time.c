/*
 * time.c: the clocks of a Solo5 hvt guest (SOLO5_HVT_ABI.md 1.7).
 * Monotonic: the TSC scaled to nanoseconds with a 32.32 fixed-point factor
 * computed once from boot_info.cpu_cycle_freq (no exit; like Solo5 it
 * starts from the scaled TSC itself, not 0).  Wall: one WALLTIME hypercall
 * per call, so it follows the host's clock.
 */
#include "internal.h"

static uint64_t ns_per_tick_32; /* ns per TSC tick << 32 */

void hg_time_init(uint64_t cpu_cycle_freq)
{
    if (cpu_cycle_freq == 0)
        HG_PANIC("boot info gives a TSC frequency of 0");
    /* 10^9 << 32 fits in 64 bits (about 4.3e18). */
    ns_per_tick_32 = (1000000000ull << 32) / cpu_cycle_freq;
}

solo5_time_t solo5_clock_monotonic(void)
{
    /* 128-bit product: no overflow for any TSC value a host reaches. */
    return (solo5_time_t)(((unsigned __int128)hg_rdtsc() * ns_per_tick_32) >> 32);
}

solo5_time_t solo5_clock_wall(void)
{
    struct hvt_hc_walltime w = { 0 };

    hg_hypercall(HVT_HYPERCALL_WALLTIME, &w);
    return w.nsecs;
}

/* One POLL hypercall with a relative timeout; a past deadline polls. */
void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set)
{
    struct hvt_hc_poll p = { 0 };
    solo5_time_t now;

    if (hg_net_yield(deadline, ready_set))
        return; /* the ring's POLL reads (net.c) */
    now = solo5_clock_monotonic();
    p.timeout_nsecs = deadline > now ? deadline - now : 0;
    hg_hypercall(HVT_HYPERCALL_POLL, &p);
    if (ready_set != NULL)
        *ready_set = p.ready_set;
}
