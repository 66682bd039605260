/*
 * input_echo: the input stream (wisp_input_read, WISP_INPUT_HANDLE), in the
 * way its command line names:
 *   echo   (default) copy the input to the console until its end, then
 *          print "[end after N bytes, W waits]"; status 0
 *   none   expect no stream (EUNSPEC) and a zero-length read refused;
 *          print "no input stream"; status 0
 *   line   echo the first line, then exit 7 without reading further
 *   crash  read the first line, echo it, then write to the text segment
 *   flood  read the first line, then write output forever
 *   linespin  echo the first line, then loop forever without a hypercall
 *   spin   loop forever without a hypercall
 *   exit   exit 3 without reading
 *   badbuf pass a read-only buffer (the text segment): an ABI violation
 */
#include "t.h"
#include "wisp.h"

static char buf[4096];

/* wait_input: solo5_yield until the input handle is ready (10 s at most). */
static int wait_input(void)
{
    solo5_handle_set_t ready = 0;

    solo5_yield(solo5_clock_monotonic() + 10000000000ull, &ready);
    return (ready & (1ull << WISP_INPUT_HANDLE)) != 0;
}

/* read_some: data (n > 0) or the end (0), waiting as needed; -1 on error. */
static long read_some(char *p, size_t size, uint64_t *waits)
{
    for (;;) {
        size_t n = 0;
        solo5_result_t r = wisp_input_read(p, size, &n);

        if (r == SOLO5_R_OK)
            return (long)n;
        if (r != SOLO5_R_AGAIN)
            return -1;
        if (wait_input() && waits)
            (*waits)++;
    }
}

static int echo_all(void)
{
    uint64_t total = 0, waits = 0;
    long n;

    while ((n = read_some(buf, sizeof buf, &waits)) > 0) {
        solo5_console_write(buf, (size_t)n);
        total += (uint64_t)n;
    }
    if (n < 0)
        return t_fail("wisp_input_read failed");
    t_puts("[end after ");
    t_put_dec(total);
    t_puts(" bytes, ");
    t_put_dec(waits);
    t_puts(" waits]\n");
    return t_success();
}

/* first_line: read up to and including the first newline (or the end). */
static size_t first_line(void)
{
    size_t used = 0;

    while (used < sizeof buf) {
        long n = read_some(buf + used, 1, 0);

        if (n <= 0)
            break;
        used++;
        if (buf[used - 1] == '\n')
            break;
    }
    return used;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *mode = si->cmdline;
    size_t n = 0;

    if (mode[0] == '\0' || t_strcmp(mode, "echo") == 0)
        return echo_all();
    if (t_strcmp(mode, "none") == 0) {
        if (wisp_input_read(buf, sizeof buf, &n) != SOLO5_R_EUNSPEC || n != 0)
            return t_fail("expected EUNSPEC without an input stream");
        t_puts("no input stream\n");
        return t_success();
    }
    if (t_strcmp(mode, "exit") == 0)
        return 3;
    if (t_strcmp(mode, "badbuf") == 0) {
        wisp_input_read(t_launder((uintptr_t)&solo5_app_main), 16, &n);
        return t_fail("INPUT_READ into text was served");
    }
    if (t_strcmp(mode, "spin") == 0)
        for (volatile int x = 0;; x++)
            ;
    n = first_line();
    solo5_console_write(buf, n);
    if (t_strcmp(mode, "line") == 0)
        return 7;
    if (t_strcmp(mode, "linespin") == 0)
        for (volatile int x = 0;; x++)
            ;
    if (t_strcmp(mode, "crash") == 0) {
        *(volatile char *)t_launder((uintptr_t)&solo5_app_main) = 0;
        return t_fail("write to text did not fault");
    }
    if (t_strcmp(mode, "flood") == 0) {
        t_memset(buf, 'x', sizeof buf);
        buf[sizeof buf - 1] = '\n';
        for (;;)
            solo5_console_write(buf, sizeof buf);
    }
    return t_fail("unknown mode");
}
