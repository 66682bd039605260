/*
 * inetd: the process-per-connection baseline of bench/serve.sh (built there).  Listens
 * on 127.0.0.1:PORT (or unix:PATH); for each connection forks, makes the
 * connection the child's stdin and stdout and execs PROGRAM ARGS, as inetd
 * does for a "nowait" service.  At most one connection is accepted per
 * child started; children are reaped as they end (SA_NOCLDWAIT).
 *
 *   inetd HOST:PORT PROGRAM [ARGS...]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_in in = {.sin_family = AF_INET};
    struct sigaction sa = {.sa_handler = SIG_IGN, .sa_flags = SA_NOCLDWAIT};
    char host[64];
    const char *colon;
    int one = 1, l;

    if (argc < 3 || !(colon = strrchr(argv[1], ':')) || colon - argv[1] >= (long)sizeof host) {
        fprintf(stderr, "usage: inetd HOST:PORT PROGRAM [ARGS...]\n");
        return 2;
    }
    memcpy(host, argv[1], (size_t)(colon - argv[1]));
    host[colon - argv[1]] = '\0';
    in.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &in.sin_addr) != 1)
        return 2;
    sigaction(SIGCHLD, &sa, NULL);
    l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(l, (struct sockaddr *)&in, sizeof in) < 0 || listen(l, 4096) < 0) {
        perror("inetd: bind/listen");
        return 1;
    }
    fprintf(stderr, "inetd: listening on %s\n", argv[1]);
    for (;;) {
        int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        pid_t pid;

        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("inetd: accept");
            return 1;
        }
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pid = fork();
        if (pid == 0) {
            dup2(c, 0);
            dup2(c, 1);
            execv(argv[2], argv + 2);
            _exit(127);
        }
        close(c);
    }
}
