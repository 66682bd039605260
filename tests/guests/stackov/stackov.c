/* stackov: unbounded recursion with 1 KiB frames runs into the guard page; expect "stack overflow into the guard page", status 255. */
#include "t.h"

/*
 * Every frame touches its lowest and highest byte, so successive stores are
 * less than a page apart and cannot jump over the guard page.  The result is
 * used after the call, so it is not a tail call and cannot become a loop.
 */
volatile uint64_t max_depth = ~0ull; /* never reached; hides the recursion from -Winfinite-recursion */

__attribute__((noinline)) static uint64_t recurse(uint64_t depth)
{
    volatile uint8_t frame[1024];

    if (depth == max_depth)
        return 0;

    frame[sizeof frame - 1] = (uint8_t)depth;
    frame[0] = (uint8_t)depth;
    return recurse(depth + 1) + frame[0] + frame[sizeof frame - 1];
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    t_puts("recursing without bound\n");
    recurse(0);
    return t_fail("unbounded recursion returned");
}
