/* zeropage: writes to address 8 (page 0 is unmapped); expect "NULL pointer access", status 255. */
#include "t.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    volatile uint64_t *p = t_launder(8);

    (void)si;
    t_puts("writing to 0x8\n");
    *p = 1;
    return t_fail("write to page 0 did not fault");
}
