/*
 * sleep.c: nanosleep(), sleep() and usleep() wait in solo5_yield() (the
 * CPU goes back to the host) until the monotonic clock reaches the end.
 * Device input wakes solo5_yield early; the wait then simply goes on.
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

#define NS_PER_S 1000000000ull

static void sleep_ns(uint64_t ns)
{
    uint64_t deadline = solo5_clock_monotonic() + ns;

    while (solo5_clock_monotonic() < deadline)
        solo5_yield(deadline, NULL);
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (!req || req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= (long)NS_PER_S) {
        errno = EINVAL;
        return -1;
    }
    sleep_ns((uint64_t)req->tv_sec * NS_PER_S + (uint64_t)req->tv_nsec);
    if (rem)
        *rem = (struct timespec){ 0, 0 };
    return 0;
}

unsigned sleep(unsigned seconds)
{
    sleep_ns((uint64_t)seconds * NS_PER_S);
    return 0;
}

int usleep(useconds_t us)
{
    sleep_ns((uint64_t)us * 1000);
    return 0;
}
