/*
 * files.c: what a unikernel cannot do, refused with ENOSYS: no file system
 * (open, stat, link, unlink, mkdir, fcntl), no other processes (fork,
 * execve, wait).  Block devices are reached through solo5_block_*.
 */
#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "internal.h"

static int enosys(void)
{
    errno = ENOSYS;
    return -1;
}

int open(const char *path, int flags, ...)
{
    (void)path;
    (void)flags;
    return enosys();
}

int stat(const char *path, struct stat *st)
{
    (void)path;
    (void)st;
    return enosys();
}

int lstat(const char *path, struct stat *st)
{
    (void)path;
    (void)st;
    return enosys();
}

int link(const char *old, const char *new)
{
    (void)old;
    (void)new;
    return enosys();
}

int unlink(const char *path)
{
    (void)path;
    return enosys();
}

int mkdir(const char *path, mode_t mode)
{
    (void)path;
    (void)mode;
    return enosys();
}

int fcntl(int fd, int cmd, ...)
{
    (void)fd;
    (void)cmd;
    return enosys();
}

pid_t fork(void)
{
    return enosys();
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    (void)path;
    (void)argv;
    (void)envp;
    return enosys();
}

pid_t wait(int *status)
{
    (void)status;
    return enosys();
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    (void)pid;
    (void)status;
    (void)options;
    return enosys();
}
