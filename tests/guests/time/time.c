/* time: monotonic clock advances; yield to a past deadline returns at once; yield 100 ms sleeps 100 ms..2 s; wall clock after 2026-01-01; expect SUCCESS, status 0. */
#include "t.h"

#define MS 1000000ull
#define WALL_2026_NS (1767225600ull * 1000000000ull)

int solo5_app_main(const struct solo5_start_info *si)
{
    solo5_handle_set_t ready = 0;
    solo5_time_t t0, t1;

    (void)si;
    /* Monotonic time advances across a busy loop. */
    t0 = solo5_clock_monotonic();
    for (uint64_t i = 0; (t1 = solo5_clock_monotonic()) == t0; i++)
        if (i == 1000000000ull)
            return t_fail("monotonic clock does not advance");
    if (t1 < t0)
        return t_fail("monotonic clock went backwards");

    /* A deadline in the past returns at once (generously: within 1 s). */
    t0 = solo5_clock_monotonic();
    solo5_yield(t0 > MS ? t0 - MS : 0, &ready);
    t1 = solo5_clock_monotonic();
    if (t1 - t0 >= 1000 * MS)
        return t_fail("yield to a past deadline blocked");
    if (ready != 0)
        return t_fail("yield reported ready handles with no devices");

    /* A deadline 100 ms ahead: at least 100 ms, at most 2 s (shared hosts). */
    t0 = solo5_clock_monotonic();
    solo5_yield(t0 + 100 * MS, &ready);
    t1 = solo5_clock_monotonic();
    t_puts("yield(100 ms) took ");
    t_put_dec((t1 - t0) / 1000);
    t_puts(" us\n");
    if (t1 - t0 < 100 * MS)
        return t_fail("yield(100 ms) slept too little");
    if (t1 - t0 >= 2000 * MS)
        return t_fail("yield(100 ms) slept 2 s or more");

    t0 = solo5_clock_wall();
    t_puts("wall clock: ");
    t_put_dec(t0 / 1000000000ull);
    t_puts(" s since the epoch\n");
    if (t0 < WALL_2026_NS)
        return t_fail("wall clock is before 2026-01-01");
    return t_success();
}
