/*
 * Reopening closed standard fds on /dev/null (core/stdfds.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/stdfds.h"

int stdfds_reopen(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        int got;

        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        /* open() returns the lowest free number: this one (the lower
         * ones are open by now). */
        got = open("/dev/null", O_RDWR);
        if (got < 0)
            return -1;
        if (got != fd) { /* cannot happen; never leave a hole behind */
            close(got);
            errno = EBADF;
            return -1;
        }
    }
    return 0;
}
