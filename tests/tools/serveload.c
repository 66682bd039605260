/*
 * serveload: a load generator and checker for `wisp serve` (tests and
 * bench/serve.sh).  Opens --conns connections to ADDR, --concurrency at a
 * time, sends --request on each (optionally half-closing after it), reads
 * each response to its end and checks it contains --expect.  Prints one
 * line of key=value figures:
 *   conns ok failed  fb_p50_ms fb_p99_ms  (connect() to the first response byte)
 *   end_p50_ms end_p99_ms  (connect() to the end of the response)  rate_per_s
 * and exits 0 only if every connection got a full, matching response.
 *
 *   serveload [--conns=N] [--concurrency=C] [--request=TEXT] [--expect=TEXT]
 *             [--shut] [--timeout=SECONDS] [--interval=MS] HOST:PORT|unix:PATH
 * --interval starts a connection at most every MS milliseconds (open loop:
 * latency without queueing; rate_per_s then reflects the interval).
 * TEXT may contain \r and \n escapes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define KEEP 65536

struct conn {
    int fd, state; /* 0 idle, 1 connecting/sending, 2 reading, 3 done */
    size_t sent, got;
    double t0, t_first, t_end;
    char *buf;
    int ok;
};

static struct sockaddr_storage addr;
static socklen_t addr_len;
static char request[8192];
static size_t request_len;
static const char *expect = "";
static int shut, nfail_shown;

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void unescape(const char *s, char *out, size_t size, size_t *len)
{
    size_t n = 0;

    for (; *s && n + 1 < size; s++) {
        if (s[0] == '\\' && (s[1] == 'r' || s[1] == 'n')) {
            out[n++] = s[1] == 'r' ? '\r' : '\n';
            s++;
        } else {
            out[n++] = *s;
        }
    }
    out[n] = '\0';
    *len = n;
}

static int parse_addr(const char *a)
{
    const char *colon = strrchr(a, ':');
    char host[64];

    if (strncmp(a, "unix:", 5) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)&addr;

        un->sun_family = AF_UNIX;
        snprintf(un->sun_path, sizeof un->sun_path, "%s", a + 5);
        addr_len = sizeof *un;
        return 0;
    }
    if (!colon || (size_t)(colon - a) >= sizeof host)
        return -1;
    memcpy(host, a, (size_t)(colon - a));
    host[colon - a] = '\0';
    struct sockaddr_in *in = (struct sockaddr_in *)&addr;
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)atoi(colon + 1));
    addr_len = sizeof *in;
    return inet_pton(AF_INET, host, &in->sin_addr) == 1 ? 0 : -1;
}

static void fail(struct conn *c, unsigned i, const char *why)
{
    if (nfail_shown++ < 5)
        fprintf(stderr, "serveload: connection %u: %s\n", i, why);
    c->ok = 0;
    c->state = 3;
    c->t_end = now_ms();
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* start: a new connection; 0, or -1 to retry later (backlog full). */
static int start(int ep, struct conn *c, unsigned i)
{
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.u32 = i};

    c->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        fail(c, i, strerror(errno));
        return 0;
    }
    c->t0 = now_ms();
    if (connect(c->fd, (struct sockaddr *)&addr, addr_len) < 0 && errno != EINPROGRESS) {
        if (errno == EAGAIN) { /* a Unix socket's backlog is full */
            close(c->fd);
            c->fd = -1;
            return -1;
        }
        fail(c, i, strerror(errno));
        return 0;
    }
    c->state = 1;
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    return 0;
}

static void on_event(int ep, struct conn *c, unsigned i, uint32_t events)
{
    if (c->state == 1 && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        ssize_t w = send(c->fd, request + c->sent, request_len - c->sent, MSG_NOSIGNAL);

        if (w < 0 && errno != EAGAIN) {
            fail(c, i, strerror(errno));
            return;
        }
        if (w > 0)
            c->sent += (size_t)w;
        if (c->sent == request_len) {
            struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};

            if (shut)
                shutdown(c->fd, SHUT_WR);
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
            c->state = 2;
        }
    }
    if (c->state >= 1 && c->state < 3 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        char tmp[16384];
        ssize_t r;

        while ((r = read(c->fd, tmp, sizeof tmp)) > 0) {
            if (!c->t_first)
                c->t_first = now_ms();
            if (c->got < KEEP - 1) {
                size_t k = (size_t)r < KEEP - 1 - c->got ? (size_t)r : KEEP - 1 - c->got;
                memcpy(c->buf + c->got, tmp, k);
            }
            c->got += (size_t)r;
        }
        if (r == 0 || (r < 0 && errno != EAGAIN)) {
            c->buf[c->got < KEEP - 1 ? c->got : KEEP - 1] = '\0';
            if (r < 0)
                fail(c, i, strerror(errno));
            else if (!c->got)
                fail(c, i, "closed without a response");
            else if (!strstr(c->buf, expect))
                fail(c, i, "the response lacks the expected text");
            else {
                c->ok = 1;
                c->state = 3;
                c->t_end = now_ms();
                close(c->fd);
                c->fd = -1;
            }
        }
    }
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double pct(double *v, unsigned n, double p)
{
    return n ? v[(unsigned)((double)(n - 1) * p)] : 0;
}

int main(int argc, char **argv)
{
    unsigned nconns = 100, conc = 10, started = 0, done = 0, inflight = 0, ok = 0, nfb = 0;
    double timeout_ms = 30000, interval_ms = 0, t_start, t_all, t_next = 0;
    struct rlimit rl;
    struct conn *c;
    double *fb, *end;
    int ep, i;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];

        if (!strncmp(a, "--conns=", 8))
            nconns = (unsigned)atoi(a + 8);
        else if (!strncmp(a, "--concurrency=", 14))
            conc = (unsigned)atoi(a + 14);
        else if (!strncmp(a, "--request=", 10))
            unescape(a + 10, request, sizeof request, &request_len);
        else if (!strncmp(a, "--expect=", 9))
            expect = a + 9;
        else if (!strcmp(a, "--shut"))
            shut = 1;
        else if (!strncmp(a, "--interval=", 11))
            interval_ms = atof(a + 11);
        else if (!strncmp(a, "--timeout=", 10))
            timeout_ms = atof(a + 10) * 1e3;
        else {
            fprintf(stderr, "serveload: unknown option %s\n", a);
            return 2;
        }
    }
    if (i != argc - 1 || parse_addr(argv[i]) < 0 || !nconns || !conc) {
        fprintf(stderr, "usage: serveload [--conns=N] [--concurrency=C] [--request=TEXT] "
                "[--expect=TEXT] [--shut] [--timeout=S] HOST:PORT|unix:PATH\n");
        return 2;
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    c = calloc(nconns, sizeof *c);
    fb = calloc(nconns, sizeof *fb);
    end = calloc(nconns, sizeof *end);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (!c || !fb || !end || ep < 0)
        return 2;
    t_start = now_ms();
    while (done < nconns) {
        struct epoll_event evs[256];
        int n;

        while (inflight < conc && started < nconns && now_ms() >= t_next) {
            t_next = now_ms() + interval_ms;
            c[started].fd = -1;
            c[started].buf = malloc(KEEP);
            if (start(ep, &c[started], started) < 0) {
                free(c[started].buf);
                break; /* retry on the next round */
            }
            if (c[started].state == 3)
                done++;
            else
                inflight++;
            started++;
        }
        n = epoll_wait(ep, evs, 256, interval_ms > 0 && interval_ms < 10 ? 1 : 10);
        for (int k = 0; k < n; k++) {
            struct conn *cc = &c[evs[k].data.u32];

            if (cc->state == 3)
                continue;
            on_event(ep, cc, evs[k].data.u32, evs[k].events);
            if (cc->state == 3) {
                done++;
                inflight--;
                free(cc->buf);
                cc->buf = NULL;
            }
        }
        for (unsigned k = 0; k < started; k++)
            if (c[k].state > 0 && c[k].state < 3 && now_ms() - c[k].t0 > timeout_ms) {
                fail(&c[k], k, "timeout");
                free(c[k].buf);
                c[k].buf = NULL;
                done++;
                inflight--;
            }
    }
    t_all = now_ms() - t_start;
    for (unsigned k = 0; k < nconns; k++) {
        if (!c[k].ok)
            continue;
        fb[nfb] = c[k].t_first - c[k].t0;
        end[nfb++] = c[k].t_end - c[k].t0;
        ok++;
    }
    qsort(fb, nfb, sizeof *fb, cmp);
    qsort(end, nfb, sizeof *end, cmp);
    printf("conns=%u ok=%u failed=%u fb_p50_ms=%.3f fb_p99_ms=%.3f end_p50_ms=%.3f "
           "end_p99_ms=%.3f rate_per_s=%.1f\n", nconns, ok, nconns - ok, pct(fb, nfb, 0.5),
           pct(fb, nfb, 0.99), pct(end, nfb, 0.5), pct(end, nfb, 0.99),
           t_all > 0 ? nconns / (t_all / 1e3) : 0);
    return ok == nconns ? 0 : 1;
}
