/*
 * blkcrash: declares block device "storage" (never touched), prints READY,
 * then writes to its own text: a crash, whose report the tender writes to
 * stderr while the device is open (tests/e2e/hostile_host.bats: with fd 2
 * closed, that report must not land in the block image).
 */
#include "t.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    t_puts("READY\n");
    *(volatile char *)t_launder((uintptr_t)solo5_app_main) = 0;
    return t_fail("the write to text did not fault");
}
