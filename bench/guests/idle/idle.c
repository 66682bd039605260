/*
 * idle: a guest that is up and does nothing, for the host-memory benchmark.
 * Prints "READY\n" (one PUTS, so one atomic write on the tender's stdout),
 * then blocks in solo5_yield until a deadline an hour away, and exits 0
 * if it ever gets there.  bench/wisp-bench starts K of these at once and
 * kills them when it has measured.
 */
#include <solo5.h>

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    solo5_console_write("READY\n", 6);
    solo5_yield(solo5_clock_monotonic() + 3600ull * 1000000000ull, NULL);
    return SOLO5_EXIT_SUCCESS;
}
