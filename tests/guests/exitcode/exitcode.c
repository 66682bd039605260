/* exitcode: returns 42 from solo5_app_main; expect the tender to exit with status 42. */
#include "t.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    t_puts("exiting with status 42\n");
    return 42;
}
