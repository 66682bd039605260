/* wnox: calls code (a `ret`) stored in a .data array; expect "execute from non-executable memory" in the data segment, status 255. */
#include "t.h"

unsigned char code[16] = { 0xc3 }; /* ret; initialised, so in .data */

int solo5_app_main(const struct solo5_start_info *si)
{
    void (*fn)(void) = (void (*)(void))t_launder((uintptr_t)code);

    (void)si;
    t_puts("calling into .data\n");
    fn();
    return t_fail("execution from .data did not fault");
}
