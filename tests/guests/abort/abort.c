/* abort: calls solo5_abort(); expect "wisp: guest aborted" and status 255. */
#include "t.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    t_puts("calling solo5_abort\n");
    solo5_abort();
    return t_fail("solo5_abort returned"); /* not reached */
}
