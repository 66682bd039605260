/*
 * hvt_hcloop [N]: N (default 1000) POLL hypercalls, solo5_yield(0), timed
 * with the guest's monotonic clock; prints "yield0 n=N ns_per_op=X" and
 * SUCCESS.  Built in both flavours, so bench/compat.sh compares the cost of
 * one hypercall exit: isolated mode's doorbell store, compatibility mode's
 * trapped outl at CPL3 and its native outl at CPL0 (--solo5:cpl0).
 */
#include "t.h"

static uint64_t parse(const char *s, uint64_t dflt)
{
    uint64_t v = 0;

    if (!s || !*s)
        return dflt;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (uint64_t)(*s - '0');
    return v ? v : dflt;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    uint64_t n = parse(si->cmdline, 1000), t0, t1;
    solo5_handle_set_t ready;

    t0 = solo5_clock_monotonic();
    for (uint64_t i = 0; i < n; i++)
        solo5_yield(0, &ready);
    t1 = solo5_clock_monotonic();
    t_puts("yield0 n=");
    t_put_dec(n);
    t_puts(" ns_per_op=");
    t_put_dec((t1 - t0) / n);
    t_puts("\n");
    return t_success();
}
