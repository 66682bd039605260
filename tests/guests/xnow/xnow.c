/* xnow: writes into a function in .text; expect "write to read-only memory" in the text segment, status 255. */
#include "t.h"

__attribute__((noinline)) static void victim(void)
{
    __asm__ volatile("");
}

int solo5_app_main(const struct solo5_start_info *si)
{
    volatile uint8_t *p = t_launder((uintptr_t)&victim);

    (void)si;
    t_puts("writing into .text\n");
    *p = 0xc3; /* ret */
    victim();
    return t_fail("write to .text did not fault");
}
