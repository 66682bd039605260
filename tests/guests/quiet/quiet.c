/* quiet: prints nothing but SUCCESS; expect stdout exactly "SUCCESS\n", empty stderr, status 0. */
#include "t.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    return t_success();
}
