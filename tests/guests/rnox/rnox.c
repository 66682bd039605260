/* rnox: calls code (a `ret`) in a const array in .rodata; expect "execute from non-executable memory" in the rodata segment, status 255. */
#include "t.h"

static const unsigned char code[] = { 0xc3 }; /* ret */

int solo5_app_main(const struct solo5_start_info *si)
{
    void (*fn)(void) = (void (*)(void))t_launder((uintptr_t)code);

    (void)si;
    t_puts("calling into .rodata\n");
    fn();
    return t_fail("execution from .rodata did not fault");
}
