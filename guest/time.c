/*
 * time.c: both clocks from the TSC, without a VM exit.  The tender samples
 * the guest TSC (tsc_base) and the host's wall clock (wall_base_ns) at the
 * same moment and gives the TSC-to-ns factor as a 32.32 fixed-point number
 * (tsc_ns_mult), all in the boot info.
 */
#include "internal.h"

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* ns = (delta * mult) >> 32 with a 128-bit product: no overflow for any
 * delta a run can reach (2^64 ticks is decades at any clock rate). */
solo5_time_t solo5_clock_monotonic(void)
{
    uint64_t delta = rdtsc() - wg_bi->tsc_base;

    return (solo5_time_t)(((unsigned __int128)delta * wg_bi->tsc_ns_mult) >> 32);
}

/* The wall clock at boot plus the time since: no WALLTIME hypercall. */
solo5_time_t solo5_clock_wall(void)
{
    return wg_bi->wall_base_ns + solo5_clock_monotonic();
}
