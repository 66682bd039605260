/* process.terminal: a pty whose master goes to containerd's console socket
 * (runc's protocol: one SCM_RIGHTS message, the pty's name as payload). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "oci/oci.h"

static int send_fd(int sock, int fd, char *name)
{
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = name, .iov_len = strlen(name)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                         .msg_controllen = sizeof cbuf};
    struct cmsghdr *c;

    memset(cbuf, 0, sizeof cbuf);
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    return sendmsg(sock, &msg, 0) < 0 ? -1 : 0;
}

int oci_console_open(const char *socket_path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int master, slave, sock;
    char name[128];

    if (strlen(socket_path) >= sizeof addr.sun_path)
        return oci_err("--console-socket %s: path too long", socket_path);
    strcpy(addr.sun_path, socket_path);
    master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
        ptsname_r(master, name, sizeof name) != 0)
        return oci_err("cannot create a pty: %s", strerror(errno));
    slave = open(name, O_RDWR | O_NOCTTY);
    if (slave < 0) {
        close(master);
        return oci_err("%s: cannot open: %s", name, strerror(errno));
    }
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0 ||
        send_fd(sock, master, name) < 0) {
        oci_err("--console-socket %s: cannot send the pty: %s", socket_path, strerror(errno));
        close(slave);
        slave = -1;
    }
    if (sock >= 0)
        close(sock);
    close(master);
    return slave;
}
