/* idle: prints READY, then blocks in solo5_yield until the deadline given
 * on its command line in milliseconds (default 3000) passes; exits 0.  Used
 * to look at a running tender from the outside. */
#include "t.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    uint64_t ms = 0;
    solo5_handle_set_t ready;

    for (const char *p = si->cmdline; *p >= '0' && *p <= '9'; p++)
        ms = ms * 10 + (uint64_t)(*p - '0');
    if (ms == 0)
        ms = 3000;
    t_puts("READY\n");
    solo5_time_t deadline = solo5_clock_monotonic() + ms * 1000000ull;
    while (solo5_clock_monotonic() < deadline)
        solo5_yield(deadline, &ready);
    return t_success();
}
