/* hello: prints a greeting, checks the command line is "Hello_wisp"; expect SUCCESS, status 0. */
#include "t.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    t_puts("Hello, World\nCommand line is: '");
    t_puts(si->cmdline);
    t_puts("'\n");
    if (t_strcmp(si->cmdline, "Hello_wisp") != 0)
        return t_fail("command line is not \"Hello_wisp\"");
    return t_success();
}
