/* snox: copies a `ret` into a stack array and calls it; expect "execute from non-executable memory" in the stack, status 255. */
#include "t.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    volatile uint8_t code[16];
    void (*fn)(void) = (void (*)(void))t_launder((uintptr_t)code);

    (void)si;
    code[0] = 0xc3; /* ret */
    t_puts("calling into the stack\n");
    fn();
    return t_fail("execution from the stack did not fault");
}
