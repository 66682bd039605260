/* hnox: copies a `ret` to the start of the heap and calls it; expect "execute from non-executable memory" in the heap, status 255. */
#include "t.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    volatile uint8_t *heap = t_launder(si->heap_start);
    void (*fn)(void) = (void (*)(void))t_launder(si->heap_start);

    if (si->heap_size == 0)
        return t_fail("no heap");
    heap[0] = 0xc3; /* ret */
    t_puts("calling into the heap\n");
    fn();
    return t_fail("execution from the heap did not fault");
}
