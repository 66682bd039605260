/*
 * heap.c: sbrk() over the heap of solo5_start_info, the memory malloc()
 * (newlib's nano-malloc) carves up.  It only grows and shrinks within
 * [heap_start, heap_start + heap_size).
 */
#include <errno.h>
#include <unistd.h>
#include "internal.h"

static uintptr_t heap_start, heap_end, heap_brk;

void wl_heap_init(uintptr_t start, size_t size)
{
    /* 16-byte alignment for everything malloc returns. */
    uintptr_t aligned = (start + 15) & ~(uintptr_t)15;

    heap_start = aligned;
    heap_end = start + size > aligned ? start + size : aligned;
    heap_brk = heap_start;
}

/* sbrk: move the break by (incr) bytes; returns the old break, or
 * (void *)-1 with errno ENOMEM when that leaves the heap (or before
 * wisp_libc_init ran). */
void *sbrk(ptrdiff_t incr)
{
    uintptr_t old = heap_brk;

    if (heap_start == 0 || (incr > 0 && (uintptr_t)incr > heap_end - heap_brk) ||
        (incr < 0 && (uintptr_t)-incr > heap_brk - heap_start)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    heap_brk += incr;
    return (void *)old;
}
