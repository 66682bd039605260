/*
 * time.c: clocks from the guest API, with no VM exit: CLOCK_MONOTONIC is
 * solo5_clock_monotonic(), CLOCK_REALTIME solo5_clock_wall() (both in
 * nanoseconds).  time() and clock() come from newlib through
 * gettimeofday() and times().
 */
#include <errno.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include "internal.h"

#define NS_PER_S 1000000000ull

static int clock_now(clockid_t id, uint64_t *ns)
{
    switch (id) {
    case CLOCK_MONOTONIC:
        *ns = solo5_clock_monotonic();
        return 0;
    case CLOCK_REALTIME:
        *ns = solo5_clock_wall();
        return 0;
    default:
        errno = EINVAL;
        return -1;
    }
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    uint64_t ns;

    if (clock_now(id, &ns) != 0)
        return -1;
    ts->tv_sec = (time_t)(ns / NS_PER_S);
    ts->tv_nsec = (long)(ns % NS_PER_S);
    return 0;
}

int clock_getres(clockid_t id, struct timespec *res)
{
    uint64_t ns;

    if (clock_now(id, &ns) != 0)
        return -1;
    if (res)
        *res = (struct timespec){ .tv_sec = 0, .tv_nsec = 1 };
    return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
    uint64_t ns = solo5_clock_wall();

    (void)tz;
    if (tv) {
        tv->tv_sec = (time_t)(ns / NS_PER_S);
        tv->tv_usec = (suseconds_t)(ns % NS_PER_S / 1000);
    }
    return 0;
}

/* times: the whole run counts as user time of this one process; clock()
 * divides it by CLOCKS_PER_SEC (newlib: 1000 ticks a second). */
clock_t times(struct tms *t)
{
    clock_t ticks = (clock_t)(solo5_clock_monotonic() / (NS_PER_S / CLOCKS_PER_SEC));

    if (t)
        *t = (struct tms){ .tms_utime = ticks };
    return ticks;
}
