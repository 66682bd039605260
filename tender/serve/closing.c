/*
 * Closing a served connection gracefully (serve.h): once its VM has ended,
 * all the output is in the socket; shutdown(SHUT_WR) lets the client see
 * the end after the last byte, and what the client still sends is read
 * and discarded until it closes (at most CLOSING_LINGER_NS).  Closing at
 * once with unread input would reset the connection, and a reset can
 * destroy the response before the client has read it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "serve/serve.h"

#define CLOSING_LINGER_NS 2000000000ull

void closing_add(struct closing_set *c, int fd, uint64_t ep_data)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u64 = ep_data};

    shutdown(fd, SHUT_WR);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    if (c->n == c->cap) {
        unsigned cap = c->cap ? 2 * c->cap : 64;
        struct closing *v = realloc(c->v, cap * sizeof *v);

        if (!v) {
            close(fd);
            return;
        }
        c->v = v;
        c->cap = cap;
    }
    if (epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
        close(fd);
        return;
    }
    c->v[c->n++] = (struct closing){fd, serve_now_ns() + CLOSING_LINGER_NS};
}

/* closing_end: close entry i (the last one takes its place). */
static void closing_end(struct closing_set *c, unsigned i)
{
    epoll_ctl(c->ep, EPOLL_CTL_DEL, c->v[i].fd, NULL);
    close(c->v[i].fd);
    c->v[i] = c->v[--c->n];
}

void closing_on_readable(struct closing_set *c, int fd)
{
    char buf[4096];
    ssize_t r;

    while ((r = read(fd, buf, sizeof buf)) > 0)
        ;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    for (unsigned i = 0; i < c->n; i++)
        if (c->v[i].fd == fd) {
            closing_end(c, i);
            return;
        }
}

uint64_t closing_expire(struct closing_set *c, uint64_t now)
{
    uint64_t next = UINT64_MAX;

    for (unsigned i = 0; i < c->n;) {
        if (c->v[i].deadline <= now) {
            closing_end(c, i);
            continue;
        }
        if (c->v[i].deadline < next)
            next = c->v[i].deadline;
        i++;
    }
    return next;
}
