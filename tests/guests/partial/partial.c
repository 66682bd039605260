/* partial: writes a line without its newline (it stays in the console
 * buffer), then ends as its command line says: exit (status 3), abort, or
 * crash (NULL write); expect the text on stdout, before any wisp message. */
#include "t.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    t_puts("unterminated output");
    if (t_strcmp(si->cmdline, "abort") == 0)
        solo5_abort();
    if (t_strcmp(si->cmdline, "crash") == 0)
        *(volatile int *)t_launder(16) = 1;
    return 3;
}
