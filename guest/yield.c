/*
 * yield.c: solo5_yield as one POLL hypercall.  The ABI takes a relative
 * timeout; a deadline already past becomes a timeout of 0 (a non-blocking
 * poll), as in Solo5.  With a shared network ring, ring.c waits instead
 * (spin, then POLL), and no exit is made while frames are pending.
 */
#include "hypercall.h"
#include "internal.h"
#include "ring.h"

void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set)
{
    struct wisp_hc_poll p = { 0 };
    solo5_time_t now;

    if (wg_ring_yield(deadline, ready_set))
        return;
    now = solo5_clock_monotonic();

    p.timeout_ns = deadline > now ? deadline - now : 0;
    wg_console_flush(); /* the wait may be long: show what was written */
    wg_hypercall(WISP_HC_POLL, &p);
    if (ready_set != NULL)
        *ready_set = p.ready_set;
}
