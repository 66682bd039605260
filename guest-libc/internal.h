/*
 * internal.h: what the files of wisp's newlib OS layer share.  Error policy
 * of the layer: a POSIX call returns -1 (or NULL) with errno set, as newlib
 * expects; a call that cannot work in a unikernel sets ENOSYS, never
 * succeeding silently.  Nothing here takes a lock: a unikernel is single
 * threaded.
 */
#ifndef WISP_LIBC_INTERNAL_H
#define WISP_LIBC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <solo5.h>

/* heap.c: set the bounds sbrk() hands out (from solo5_start_info). */
void wl_heap_init(uintptr_t start, size_t size);

/* entropy.c: fill (buf) with (len) bytes from RDSEED/RDRAND; returns 0, or
 * -1 when the CPU offers neither (or they keep failing). */
int wl_hw_random(void *buf, size_t len);

/* entropy.c: 64 bits mixed from the clocks and the TSC: the fallback seed
 * where the CPU has no hardware random number generator. */
uint64_t wl_weak_seed(void);


#endif
