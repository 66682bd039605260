/*
 * poll.c: wisp_lwip_poll (include/wisp/lwip.h), the main loop's body.
 */
#include <lwip/timeouts.h>
#include <wisp/lwip.h>
#include "glue.h"

#define NS_PER_MS 1000000ull

static unsigned drain_all(void)
{
    unsigned n = 0;

    for (unsigned i = 0; i < wl_ndevs; i++)
        n += wl_input_drain(&wl_devs[i]);
    return n;
}

void wisp_lwip_poll(uint64_t deadline_ns)
{
    wl_output_flush(); /* what the program sent since the last poll */
    for (;;) {
        unsigned got = drain_all();

        sys_check_timeouts();
        wl_output_flush();
        uint64_t now = solo5_clock_monotonic();
        if (got > 0 || now >= deadline_ns)
            return;
        /* Sleep until a frame, the deadline or lwIP's next timer. */
        uint64_t wake = deadline_ns;
        u32_t ms = sys_timeouts_sleeptime();
        if (ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE && now + ms * NS_PER_MS < wake)
            wake = now + ms * NS_PER_MS;
        solo5_yield(wake, NULL);
    }
}
