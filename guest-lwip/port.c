/*
 * port.c: what lwIP asks of its platform (arch/cc.h): the millisecond
 * clock, diagnostics, a failed-assertion stop and random numbers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <lwip/sys.h>
#include <solo5.h>

u32_t sys_now(void)
{
    return (u32_t)(solo5_clock_monotonic() / 1000000u);
}

void wisp_lwip_diag(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

void wisp_lwip_assert_failed(const char *msg, const char *file, int line)
{
    fprintf(stderr, "lwIP assertion failed: %s at %s:%d\n", msg, file, line);
    abort();
}

/* rand() is seeded from RDSEED/RDRAND at start-up (guest-libc/init.c). */
uint32_t wisp_lwip_rand(void)
{
    return ((uint32_t)rand() << 16) ^ (uint32_t)rand();
}
