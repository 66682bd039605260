/* The test unikernel of tests/e2e/oci.bats; its command line says what to
 * do: "exit N" ends with status N, "crash" writes to page 0, "idle" sleeps
 * until killed, anything else is printed after "Hello from wisp-oci: ". */
#include "solo5.h"

static unsigned long slen(const char *s) { unsigned long n = 0; while (s[n]) n++; return n; }
static void puts_(const char *s) { solo5_console_write(s, slen(s)); }
static int starts(const char *s, const char *p) { while (*p) if (*s++ != *p++) return 0; return 1; }

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *c = si->cmdline;

    if (starts(c, "exit ")) {
        int n = 0;
        for (c += 5; *c >= '0' && *c <= '9'; c++) n = n * 10 + (*c - '0');
        return n;
    }
    if (starts(c, "crash"))
        *(volatile int *)0 = 1;
    if (starts(c, "idle")) {
        puts_("idle\n");
        for (;;)
            solo5_yield(solo5_clock_monotonic() + 1000000000ULL, 0);
    }
    puts_("Hello from wisp-oci: ");
    puts_(c);
    puts_("\n");
    return 0;
}
