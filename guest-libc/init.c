/*
 * init.c: wisp_libc_init (include/wisp/libc.h): the heap for malloc and a
 * seed for rand() that differs from boot to boot.
 */
#include <stdlib.h>
#include <wisp/libc.h>
#include "internal.h"

void wisp_libc_init(const struct solo5_start_info *si)
{
    uint64_t seed;

    wl_heap_init(si->heap_start, si->heap_size);
    if (wl_hw_random(&seed, sizeof seed) != 0)
        seed = wl_weak_seed();
    srand((unsigned)(seed ^ (seed >> 32)));
}
