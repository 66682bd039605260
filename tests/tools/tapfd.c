/*
 * tapfd: open the existing tap interface IFACE as fd FD and exec a command
 * with it (for the tender's --net:NAME=@FD form, the way an orchestrator
 * passes a tap it opened itself).
 *   tapfd IFACE FD [--pi] -- COMMAND [ARGS...]
 * --pi asks for a tap without IFF_NO_PI (a tap the tender must refuse;
 * some kernels set IFF_NO_PI regardless).
 * Exit status 2 if the tap cannot be opened, else the command's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct ifreq ifr;
    int fd, want, pi = 0, i = 3;

    if (argc > 3 && strcmp(argv[3], "--pi") == 0) {
        pi = 1;
        i++;
    }
    if (argc < i + 2 || strcmp(argv[i], "--") != 0 || strlen(argv[1]) >= IFNAMSIZ) {
        fprintf(stderr, "usage: tapfd IFACE FD [--pi] -- COMMAND [ARGS...]\n");
        return 2;
    }
    want = atoi(argv[2]);
    fd = open("/dev/net/tun", O_RDWR);
    if (fd < 0) {
        fprintf(stderr, "tapfd: /dev/net/tun: %s\n", strerror(errno));
        return 2;
    }
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, argv[1]);
    ifr.ifr_flags = IFF_TAP | (pi ? 0 : IFF_NO_PI);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        fprintf(stderr, "tapfd: TUNSETIFF %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    if (fd != want && (dup2(fd, want) < 0 || close(fd) < 0)) {
        fprintf(stderr, "tapfd: dup2: %s\n", strerror(errno));
        return 2;
    }
    execvp(argv[i + 1], argv + i + 1);
    fprintf(stderr, "tapfd: %s: %s\n", argv[i + 1], strerror(errno));
    return 2;
}
