/*
 * console.c: the three standard file descriptors.  stdout (1) and stderr
 * (2) are the console, a character device: newlib line-buffers stdout and
 * leaves stderr unbuffered.  stdin (0) is always at end of file (a
 * unikernel has no input stream).  Every other descriptor is EBADF: files
 * cannot be opened (files.c).
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

static int is_std_fd(int fd)
{
    return fd >= 0 && fd <= 2;
}

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t len)
{
    if (fd != 1 && fd != 2) {
        errno = fd == 0 ? EINVAL : EBADF;
        return -1;
    }
    solo5_console_write(buf, len);
    return (_READ_WRITE_RETURN_TYPE)len;
}

_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t len)
{
    (void)buf;
    (void)len;
    if (fd != 0) {
        errno = is_std_fd(fd) ? EINVAL : EBADF;
        return -1;
    }
    return 0;
}

int close(int fd)
{
    if (!is_std_fd(fd)) {
        errno = EBADF;
        return -1;
    }
    return 0;
}

int fstat(int fd, struct stat *st)
{
    if (!is_std_fd(fd)) {
        errno = EBADF;
        return -1;
    }
    *st = (struct stat){ .st_mode = S_IFCHR | 0600, .st_blksize = 1024 };
    return 0;
}

int isatty(int fd)
{
    if (!is_std_fd(fd)) {
        errno = EBADF;
        return 0;
    }
    return 1;
}

off_t lseek(int fd, off_t off, int whence)
{
    (void)off;
    (void)whence;
    errno = is_std_fd(fd) ? ESPIPE : EBADF;
    return -1;
}
