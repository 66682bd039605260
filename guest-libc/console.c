/*
 * console.c: the three standard file descriptors.  stdout (1) and stderr
 * (2) are the console, a character device: newlib line-buffers stdout and
 * leaves stderr unbuffered.  stdin (0) is the input stream (wisp_input_read:
 * a connection under `wisp serve`, wisp's stdin under `wisp --input`): a
 * read waits for data or its end; without a stream it is at end of file.
 * Every other descriptor is EBADF: files cannot be opened (files.c).
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wisp.h>
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
    if (fd != 0) {
        errno = is_std_fd(fd) ? EINVAL : EBADF;
        return -1;
    }
    for (;;) {
        size_t n = 0;
        solo5_result_t r = wisp_input_read(buf, len, &n);

        if (r == SOLO5_R_OK)
            return (_READ_WRITE_RETURN_TYPE)n; /* 0: the end */
        if (r != SOLO5_R_AGAIN)
            return 0; /* no stream (or len 0): end of file */
        solo5_yield(UINT64_MAX, NULL); /* until WISP_INPUT_HANDLE is ready */
    }
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
