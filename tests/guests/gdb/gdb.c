/* gdb: the target of tests/e2e/gdb.bats (--gdb): a call to step into and
 * finish, a global to print and watch; with "crash" on the command line a
 * NULL-page write; with "spin" a loop until the debugger sets `released`.
 * Alone: prints "gdb guest: 84", SUCCESS, status 0. */
#include "t.h"

volatile int counter = 41;   /* printed by the debugger: 41, then 42 */
volatile int watched;        /* a watchpoint fires when it is set */
volatile int released;       /* "spin": loops until the debugger sets it */

__attribute__((noinline)) int add_one(int x)
{
    int y = x + 1;

    __asm__ volatile("" : "+r"(y));
    return y;
}

__attribute__((noinline)) void crash_here(void)
{
    *(volatile int *)t_launder(8) = 1;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    counter = add_one(counter);
    watched = counter * 2;
    if (t_strcmp(si->cmdline, "crash") == 0)
        crash_here();
    if (t_strcmp(si->cmdline, "spin") == 0)
        while (!released)
            ;
    t_puts("gdb guest: ");
    t_put_dec((uint64_t)watched);
    t_puts("\n");
    return t_success();
}
