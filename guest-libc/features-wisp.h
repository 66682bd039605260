/* wisp (inserted by mk/guest-libs.mk): the OS layer, guest-libc/, provides
 * clock_gettime(CLOCK_REALTIME and CLOCK_MONOTONIC), clock_getres and
 * nanosleep; the POSIX timer_* functions do not exist. */
#ifndef _POSIX_TIMERS
#define _POSIX_TIMERS 1
#endif
#ifndef _POSIX_MONOTONIC_CLOCK
#define _POSIX_MONOTONIC_CLOCK 200112L
#endif
