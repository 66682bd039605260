/* exception: writes to 2<<33, far outside guest memory; expect a page-fault crash report "access outside guest memory", status 255. */
#include "t.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    volatile uint64_t *p = t_launder(2ull << 33);

    (void)si;
    t_puts("writing to 0x400000000\n");
    *p = 1;
    return t_fail("write outside guest memory did not fault");
}
