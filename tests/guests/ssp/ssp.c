/* ssp: overruns a char[8] on the stack of a stack-protected function; expect "stack smashing detected" abort, status 255. */
#include "t.h"

volatile size_t overrun = 32; /* bytes written into an 8-byte buffer */

__attribute__((noinline)) static void smash(void)
{
    char buf[8];
    volatile char *p = buf;

    for (size_t i = 0; i < overrun; i++)
        p[i] = 'A';
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    t_puts("smashing the stack\n");
    smash();
    return t_fail("stack smash was not detected");
}
