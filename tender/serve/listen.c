/*
 * Listening sockets for `wisp serve --listen=ADDR`: numeric addresses
 * only (no resolver in a static binary), "localhost" and "*" as the two
 * names everyone means.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "serve/serve.h"

#define LISTEN_BACKLOG 4096 /* the kernel caps it at net.core.somaxconn */

static int refuse(const char *addr, const char *why)
{
    fprintf(stderr, "wisp serve: --listen=%s: %s\n", addr, why);
    return -1;
}

/* bind_listen: socket, bind, listen; prints what it listens on. */
static int bind_listen(const char *addr, const struct sockaddr *sa, socklen_t len)
{
    int one = 1, fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_storage got;
    socklen_t glen = sizeof got;
    char host[INET6_ADDRSTRLEN];

    if (fd < 0)
        return refuse(addr, strerror(errno));
    if (sa->sa_family != AF_UNIX)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, sa, len) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
        int e = errno;

        close(fd);
        return refuse(addr, strerror(e));
    }
    if (sa->sa_family == AF_UNIX) {
        fprintf(stderr, "wisp serve: listening on unix:%s\n",
                ((const struct sockaddr_un *)sa)->sun_path);
    } else if (getsockname(fd, (struct sockaddr *)&got, &glen) == 0) {
        if (got.ss_family == AF_INET) {
            const struct sockaddr_in *in = (const struct sockaddr_in *)&got;

            inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
            fprintf(stderr, "wisp serve: listening on %s:%u\n", host, ntohs(in->sin_port));
        } else {
            const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&got;

            inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
            fprintf(stderr, "wisp serve: listening on [%s]:%u\n", host, ntohs(in6->sin6_port));
        }
    }
    return fd;
}

static int listen_unix(const char *addr, const char *path)
{
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    struct stat st;

    if (!*path || strlen(path) >= sizeof un.sun_path)
        return refuse(addr, "expected unix:PATH with PATH of 1 to 107 characters");
    /* A socket left by an earlier server is replaced; nothing else is. */
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return refuse(addr, "exists and is not a socket");
        unlink(path);
    }
    strcpy(un.sun_path, path);
    return bind_listen(addr, (const struct sockaddr *)&un, sizeof un);
}

int serve_listen(const char *addr)
{
    char host[64];
    const char *colon = strrchr(addr, ':'), *h, *port_s;
    size_t hlen;
    unsigned long port;
    char *end;
    struct sockaddr_in in = {.sin_family = AF_INET};
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};

    if (strncmp(addr, "unix:", 5) == 0)
        return listen_unix(addr, addr + 5);
    if (!colon)
        return refuse(addr, "expected HOST:PORT, [IPV6]:PORT or unix:PATH");
    port_s = colon + 1;
    errno = 0;
    port = strtoul(port_s, &end, 10);
    if (*port_s < '0' || *port_s > '9' || *end || errno || port > 65535)
        return refuse(addr, "PORT must be a number from 0 to 65535");
    h = addr;
    hlen = (size_t)(colon - addr);
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
        if (hlen >= sizeof host)
            return refuse(addr, "IPv6 address too long");
        memcpy(host, h, hlen);
        host[hlen] = '\0';
        if (inet_pton(AF_INET6, host, &in6.sin6_addr) != 1)
            return refuse(addr, "not a numeric IPv6 address in [ ]");
        in6.sin6_port = htons((uint16_t)port);
        return bind_listen(addr, (const struct sockaddr *)&in6, sizeof in6);
    }
    if (hlen >= sizeof host)
        return refuse(addr, "host too long");
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    if (strcmp(host, "*") == 0 || hlen == 0)
        in.sin_addr.s_addr = htonl(INADDR_ANY);
    else if (inet_pton(AF_INET, host, &in.sin_addr) != 1)
        return refuse(addr, "HOST must be a numeric IPv4 address, localhost, * or [IPV6]");
    in.sin_port = htons((uint16_t)port);
    return bind_listen(addr, (const struct sockaddr *)&in, sizeof in);
}
