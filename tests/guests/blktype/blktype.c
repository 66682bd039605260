/* blktype: declares block device "storage" and network device "service"; only used for option errors (e.g. --block:service=PATH names a NET_BASIC device), so it never needs to boot: it just prints SUCCESS. */
#include "t.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    return t_success();
}
