/*
 * rssprobe: run a command and print its peak resident set in KiB, from
 * wait4's rusage (ru_maxrss).  Linux keeps, across exec, the peak RSS of
 * the address space the child had before exec: run from a large parent,
 * that parent's size leaks into the figure.  This probe is linked
 * statically and small, so what it prints is the command's own peak.
 * Usage: rssprobe COMMAND [ARGS...]; prints "maxrss_kib N status S".
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    struct rusage ru;
    int status;
    pid_t pid;

    if (argc < 2)
        return 2;
    pid = fork();
    if (pid == 0) {
        execv(argv[1], argv + 1);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
        return 1;
    printf("maxrss_kib %ld status %d\n", ru.ru_maxrss, status);
    return 0;
}
