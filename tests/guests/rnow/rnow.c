/* rnow: writes to a const object in .rodata; expect "write to read-only memory" in the rodata segment, status 255. */
#include "t.h"

const char constant[] = "read-only";

int solo5_app_main(const struct solo5_start_info *si)
{
    volatile char *p = t_launder((uintptr_t)constant);

    (void)si;
    t_puts("writing into .rodata\n");
    *p = 'X';
    return t_fail("write to .rodata did not fault");
}
