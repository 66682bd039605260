/*
 * hcbench: the guest side of the hypercall and page-fault benchmark.  Times,
 * with solo5_clock_monotonic (the TSC, no exit), N round trips of each
 * hypercall type and the first touch of N fresh heap pages, and prints one
 * line per measurement:
 *
 *   BENCH NAME N TOTAL_NS
 *
 * The command line is "N" (default 2000).  Console output of the PUTS test
 * (N single '.' bytes) goes to the same stdout; bench/wisp-bench parses only
 * the BENCH lines, each on a line of its own.
 */
#include <solo5.h>
#include <wisp/abi.h>

static void out(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    solo5_console_write(s, n);
}

static void out_u64(uint64_t v)
{
    char buf[24];
    int i = sizeof buf;

    buf[--i] = '\0';
    do
        buf[--i] = (char)('0' + v % 10);
    while ((v /= 10) && i > 0);
    out(&buf[i]);
}

static void report(const char *name, uint64_t n, uint64_t ns)
{
    out("\nBENCH ");
    out(name);
    out(" ");
    out_u64(n);
    out(" ");
    out_u64(ns);
    out("\n");
}

/* raw_hypercall: the isolated-mode transport itself (include/wisp/abi.h):
 * one 8-byte store of the argument's address to the doorbell slot. */
static inline void raw_hypercall(unsigned nr, void *arg)
{
    __asm__ __volatile__("movq %0, (%1)"
                         :
                         : "r"((uint64_t)(uintptr_t)arg), "r"(WISP_DOORBELL_GPA + 8 * (uint64_t)nr)
                         : "memory");
}

static uint64_t parse_u64(const char *s, uint64_t dflt)
{
    uint64_t v = 0;

    if (!s || *s < '0' || *s > '9')
        return dflt;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v ? v : dflt;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    uint64_t n = parse_u64(si->cmdline, 2000);
    volatile uint64_t sink = 0;
    solo5_time_t t0;
    uint64_t pages, i;

    /* Warm up: the first exit of each kind also faults in tender pages. */
    solo5_console_write(".", 1);
    solo5_yield(0, NULL);

    /* A line ('.' and a newline) is one PUTS exit; a write without a
     * newline only fills the console buffer (abi.h) and costs no exit. */
    t0 = solo5_clock_monotonic();
    for (i = 0; i < n; i++)
        solo5_console_write(".\n", 2);
    report("puts_line", n, solo5_clock_monotonic() - t0);

    t0 = solo5_clock_monotonic();
    for (i = 0; i < n; i++)
        solo5_console_write(".", 1);
    report("console_write_buffered", n, solo5_clock_monotonic() - t0);

    t0 = solo5_clock_monotonic();
    for (i = 0; i < n; i++)
        solo5_yield(0, NULL);
    report("poll_timeout0", n, solo5_clock_monotonic() - t0);

    t0 = solo5_clock_monotonic();
    for (i = 0; i < n; i++) {
        struct wisp_hc_walltime w = {0};

        raw_hypercall(WISP_HC_WALLTIME, &w);
        sink += w.nsecs;
    }
    report("walltime_hypercall", n, solo5_clock_monotonic() - t0);

    t0 = solo5_clock_monotonic();
    for (i = 0; i < n; i++)
        sink += solo5_clock_wall();
    report("clock_wall_noexit", n, solo5_clock_monotonic() - t0);

    /* First touch of fresh heap pages: one store per 4 KiB page, at most
     * the heap and at most N pages. */
    pages = si->heap_size / 4096 - 1;
    if (pages > n)
        pages = n;
    t0 = solo5_clock_monotonic();
    for (i = 0; i < pages; i++)
        ((volatile uint8_t *)si->heap_start)[i * 4096] = 1;
    report("page_first_touch", pages, solo5_clock_monotonic() - t0);

    /* The same pages again: already mapped, the loop's own cost. */
    t0 = solo5_clock_monotonic();
    for (i = 0; i < pages; i++)
        ((volatile uint8_t *)si->heap_start)[i * 4096] = 2;
    report("page_second_touch", pages, solo5_clock_monotonic() - t0);
    (void)sink;
    return SOLO5_EXIT_SUCCESS;
}
