/*
 * http_server.c: the static web server of the httpd and https examples
 * (contract in http_server.h).  One struct conn per connection, from a
 * fixed table; every lwIP callback ends in pump(), which moves the
 * connection along: copy received bytes into the head buffer, discard
 * request bodies, parse, start a response, stream it while the send
 * buffer has room, then take the next pipelined request.
 *
 * Error policy: a bad request is answered and the connection closed
 * (lingering); an internal failure (archive I/O, lwIP out of memory)
 * resets the connection; nothing ends the service.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/altcp.h"
#include "lwip/altcp_tcp.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"

#include "file_cache.h"
#include "http_parse.h"
#include "http_server.h"
#include "ustar.h"

#define CHUNK 16384 /* bytes per write: within one TLS record */

enum conn_state {
    C_FREE,   /* slot unused */
    C_READ,   /* reading a request (or idle between requests) */
    C_SEND,   /* queueing a response */
    C_LINGER, /* response sent, our side shut: discard input until the peer closes */
};

struct conn {
    enum conn_state state;
    struct altcp_pcb *pcb;
    struct pbuf *pending; /* received, not yet taken into in[] */
    int peer_closed;      /* the client sent FIN */
    uint64_t last_ns;     /* last progress: bytes received or acknowledged */
    uint64_t head_ns;     /* when the current request head began; 0: none */
    uint64_t body_left;   /* body bytes of the last request still to discard */
    size_t in_len;
    /* the response being queued */
    int keep_alive;
    int send_file;
    struct ustar_member file;
    const uint8_t *file_data; /* the file in memory (file_cache), or NULL */
    uint64_t file_off;
    size_t out_len, out_sent;
    char out[768]; /* head, or head and a short error body */
    char in[HTTP_HEAD_MAX];
};

static struct conn conns[HTTP_SERVER_CONNS];
static struct http_server_config cfg;
static uint8_t chunk[CHUNK];

static uint64_t timeout_ns(void)
{
    return (uint64_t)cfg.timeout_s * 1000000000ull;
}

static void detach(struct altcp_pcb *pcb)
{
    altcp_arg(pcb, NULL);
    altcp_recv(pcb, NULL);
    altcp_sent(pcb, NULL);
    altcp_err(pcb, NULL);
    altcp_poll(pcb, NULL, 0);
}

static void conn_release(struct conn *c)
{
    if (c->pending)
        pbuf_free(c->pending);
    c->pending = NULL;
    c->pcb = NULL;
    c->state = C_FREE;
}

/* conn_abort: reset the connection.  Returns ERR_ABRT, what a callback of
 * this pcb must then return. */
static err_t conn_abort(struct conn *c)
{
    struct altcp_pcb *pcb = c->pcb;

    conn_release(c);
    detach(pcb);
    altcp_abort(pcb);
    return ERR_ABRT;
}

/* conn_close: close gracefully (our FIN after queued data), or reset if
 * lwIP cannot.  Returns ERR_OK or ERR_ABRT as conn_abort. */
static err_t conn_close(struct conn *c)
{
    struct altcp_pcb *pcb = c->pcb;

    if (c->pending) {
        altcp_recved(pcb, c->pending->tot_len);
        pbuf_free(c->pending);
        c->pending = NULL;
    }
    detach(pcb);
    if (altcp_close(pcb) != ERR_OK) {
        altcp_arg(pcb, c); /* conn_abort detaches again */
        return conn_abort(c);
    }
    conn_release(c);
    return ERR_OK;
}

/* linger: the response is queued and the connection ends: shut our side
 * (FIN after the data) and discard what the client still sends until it
 * closes, so the client reads the whole response instead of a reset. */
static err_t linger(struct conn *c)
{
    if (c->peer_closed)
        return conn_close(c);
    c->state = C_LINGER;
    c->last_ns = solo5_clock_monotonic();
    c->in_len = 0;
    if (c->pending) {
        altcp_recved(c->pcb, c->pending->tot_len);
        pbuf_free(c->pending);
        c->pending = NULL;
    }
    if (altcp_shutdown(c->pcb, 0, 1) != ERR_OK)
        return conn_abort(c);
    return ERR_OK;
}

/* start_response: queue STATUS with a head for TYPE and LENGTH bytes of
 * body; for errors, BODY (a short text) follows unless HEAD_ONLY. */
static void start_response(struct conn *c, int status, int minor, const char *type, uint64_t length,
                           const char *body, int head_only)
{
    size_t n = http_format_head(c->out, sizeof c->out, status, minor, type, length, c->keep_alive);

    if (body && !head_only && n + strlen(body) <= sizeof c->out) {
        memcpy(c->out + n, body, strlen(body));
        n += strlen(body);
    }
    c->out_len = n;
    c->out_sent = 0;
    c->state = C_SEND;
}

/* respond_error: answer STATUS and end the connection after it. */
static void respond_error(struct conn *c, int status)
{
    char body[96];

    snprintf(body, sizeof body, "%d %s\n", status, http_reason(status));
    c->keep_alive = 0;
    c->send_file = 0;
    c->in_len = 0;
    c->body_left = 0;
    c->head_ns = 0;
    start_response(c, status, 1, "text/plain; charset=utf-8", strlen(body), body, 0);
}

/* respond: answer the good request REQ from the archive. */
static void respond(struct conn *c, const struct http_request *req)
{
    static const char not_found[] = "404 Not Found\n";
    char name[HTTP_PATH_MAX + 1];
    size_t n = strlen(req->path);
    int head_only = req->method == HTTP_HEAD, r = -1;

    c->keep_alive = req->keep_alive;
    c->send_file = 0;
    /* "/" and ".../" name the directory's index.html. */
    if (n == 0 || req->path[n - 1] == '/') {
        if (n + sizeof "index.html" <= sizeof name)
            r = snprintf(name, sizeof name, "%sindex.html", req->path) > 0 ? 0 : -1;
    } else {
        memcpy(name, req->path, n + 1);
        r = 0;
    }
    if (r == 0)
        r = file_cache_get(cfg.site, &cfg.site_info, name, &c->file, &c->file_data);
    if (r == 0) {
        c->send_file = !head_only;
        c->file_off = 0;
        start_response(c, 200, req->minor, http_content_type(name), c->file.size, NULL, head_only);
    } else if (r == -1) {
        start_response(c, 404, req->minor, "text/plain; charset=utf-8", sizeof not_found - 1,
                       not_found, head_only);
    } else {
        printf("httpd: archive error looking up '%s'\n", name);
        c->keep_alive = 0;
        start_response(c, 500, req->minor, NULL, 0, NULL, 1);
    }
}

/*
 * send_more: queue as much of the response as the send buffer takes.
 * When all of it is queued the connection goes back to C_READ (keep-alive)
 * or lingers.  Returns ERR_OK or ERR_ABRT.
 */
static err_t send_more(struct conn *c)
{
    int queued = 0;

    while (c->state == C_SEND) {
        uint16_t room = altcp_sndbuf(c->pcb);
        size_t n;
        int more;
        err_t e;

        if (c->out_sent < c->out_len) {
            n = c->out_len - c->out_sent;
            if (n > room)
                n = room;
            if (n == 0)
                break;
            more = c->out_sent + n < c->out_len || (c->send_file && c->file.size > 0);
            e = altcp_write(c->pcb, c->out + c->out_sent, (uint16_t)n,
                            TCP_WRITE_FLAG_COPY | (more ? TCP_WRITE_FLAG_MORE : 0));
            if (e == ERR_MEM)
                break;
            if (e != ERR_OK)
                return conn_abort(c);
            c->out_sent += n;
            queued = 1;
        } else if (c->send_file && c->file_off < c->file.size) {
            long got;

            n = sizeof chunk;
            if (n > room)
                n = room;
            if (n > c->file.size - c->file_off)
                n = (size_t)(c->file.size - c->file_off);
            if (n == 0)
                break;
            if (c->file_data) {
                got = (long)n;
            } else {
                got = ustar_read(cfg.site, &cfg.site_info, &c->file, c->file_off, chunk, n);
                if (got <= 0) {
                    printf("httpd: archive read error in '%s'\n", c->file.name);
                    return conn_abort(c);
                }
            }
            more = c->file_off + (uint64_t)got < c->file.size;
            e = altcp_write(c->pcb, c->file_data ? c->file_data + c->file_off : chunk, (uint16_t)got,
                            TCP_WRITE_FLAG_COPY | (more ? TCP_WRITE_FLAG_MORE : 0));
            if (e == ERR_MEM)
                break;
            if (e != ERR_OK)
                return conn_abort(c);
            c->file_off += (uint64_t)got;
            queued = 1;
        } else if (c->keep_alive) {
            c->state = C_READ;
        } else {
            if (queued)
                altcp_output(c->pcb);
            return linger(c);
        }
    }
    if (queued)
        altcp_output(c->pcb);
    return ERR_OK;
}

/* take_input: move pending bytes into in[] while it has room, opening the
 * receive window by as much. */
static void take_input(struct conn *c)
{
    while (c->pending && c->in_len < sizeof c->in) {
        size_t room = sizeof c->in - c->in_len;
        uint16_t n = (uint16_t)(room < c->pending->tot_len ? room : c->pending->tot_len);

        pbuf_copy_partial(c->pending, c->in + c->in_len, n, 0);
        c->in_len += n;
        altcp_recved(c->pcb, n);
        c->pending = pbuf_free_header(c->pending, n);
    }
}

static void consume(struct conn *c, size_t n)
{
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
}

/* pump: advance the connection as far as its input and send buffer
 * allow.  Returns ERR_OK or ERR_ABRT. */
static err_t pump(struct conn *c)
{
    for (;;) {
        struct http_request req;
        int r;

        if (c->state == C_SEND) {
            if (send_more(c) != ERR_OK)
                return ERR_ABRT;
            if (c->state != C_READ)
                return ERR_OK; /* send buffer full, or lingering */
        }
        if (c->state != C_READ)
            return ERR_OK;
        take_input(c);
        if (c->body_left > 0 && c->in_len > 0) {
            size_t n = c->in_len < c->body_left ? c->in_len : (size_t)c->body_left;

            consume(c, n);
            c->body_left -= n;
            continue;
        }
        if (c->body_left > 0 || c->in_len == 0) {
            if (c->peer_closed && !c->pending)
                return conn_close(c);
            return ERR_OK;
        }
        if (c->head_ns == 0)
            c->head_ns = solo5_clock_monotonic();
        r = http_parse_request(c->in, c->in_len, &req);
        if (r == 0) {
            if (c->peer_closed && !c->pending)
                return conn_close(c); /* a request that can never complete */
            return ERR_OK;
        }
        if (r < 0) {
            respond_error(c, -r);
            continue;
        }
        consume(c, (size_t)r);
        c->head_ns = 0;
        c->body_left = req.content_length;
        respond(c, &req);
    }
}

static err_t on_recv(void *arg, struct altcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct conn *c = arg;

    if (!c) {
        if (p) {
            altcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        return ERR_OK;
    }
    if (p == NULL) {
        c->peer_closed = 1;
        if (c->state == C_LINGER)
            return conn_close(c);
        return pump(c);
    }
    if (err != ERR_OK) {
        pbuf_free(p);
        return ERR_OK;
    }
    c->last_ns = solo5_clock_monotonic();
    if (c->state == C_LINGER) {
        altcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
    }
    if (c->pending)
        pbuf_cat(c->pending, p);
    else
        c->pending = p;
    return pump(c);
}

static err_t on_sent(void *arg, struct altcp_pcb *pcb, uint16_t len)
{
    struct conn *c = arg;

    if (!c)
        return ERR_OK;
    c->last_ns = solo5_clock_monotonic();
    return c->state == C_SEND ? pump(c) : ERR_OK;
}

/* on_poll: every half second: retry a stalled send, enforce timeouts. */
static err_t on_poll(void *arg, struct altcp_pcb *pcb)
{
    struct conn *c = arg;
    uint64_t now = solo5_clock_monotonic();

    if (!c)
        return ERR_OK;
    switch (c->state) {
    case C_READ:
        if (c->in_len > 0 && c->head_ns && now - c->head_ns > timeout_ns()) {
            respond_error(c, 408); /* slowloris: the head never completes */
            return pump(c);
        }
        if (now - c->last_ns > timeout_ns())
            return c->in_len == 0 && c->body_left == 0 ? conn_close(c) : conn_abort(c);
        return ERR_OK;
    case C_SEND:
        if (now - c->last_ns > timeout_ns())
            return conn_abort(c); /* the client stopped reading */
        return pump(c);
    case C_LINGER:
        if (now - c->last_ns > timeout_ns())
            return conn_abort(c);
        return ERR_OK;
    default:
        return ERR_OK;
    }
}

/* on_err: lwIP has freed the pcb (reset by the peer, or out of memory). */
static void on_err(void *arg, err_t err)
{
    struct conn *c = arg;

    if (c)
        conn_release(c);
}

static err_t on_accept(void *arg, struct altcp_pcb *pcb, err_t err)
{
    struct conn *c = NULL;

    if (err != ERR_OK || pcb == NULL)
        return ERR_VAL;
    for (unsigned i = 0; i < HTTP_SERVER_CONNS && !c; i++)
        if (conns[i].state == C_FREE)
            c = &conns[i];
    if (!c) {
        altcp_abort(pcb); /* over the limit: refused at once with a reset */
        return ERR_ABRT;
    }
    c->state = C_READ;
    c->pcb = pcb;
    c->pending = NULL;
    c->peer_closed = 0;
    c->last_ns = solo5_clock_monotonic();
    c->head_ns = 0;
    c->body_left = 0;
    c->in_len = 0;
    altcp_arg(pcb, c);
    altcp_recv(pcb, on_recv);
    altcp_sent(pcb, on_sent);
    altcp_err(pcb, on_err);
    altcp_poll(pcb, on_poll, 1);
    altcp_nagle_disable(pcb);
    return ERR_OK;
}

int http_server_start(const struct http_server_config *config)
{
    struct altcp_pcb *pcb, *listener;
    err_t err;

    cfg = *config;
    pcb = altcp_new_ip_type(&cfg.allocator, IPADDR_TYPE_ANY);
    if (!pcb) {
        printf("httpd: cannot create a listening connection (out of memory)\n");
        return -1;
    }
    err = altcp_bind(pcb, IP_ANY_TYPE, cfg.port);
    if (err != ERR_OK) {
        printf("httpd: cannot bind port %u (lwIP error %d)\n", cfg.port, err);
        altcp_close(pcb);
        return -1;
    }
    listener = altcp_listen_with_backlog_and_err(pcb, 255, &err);
    if (!listener) {
        printf("httpd: cannot listen on port %u (lwIP error %d)\n", cfg.port, err);
        altcp_close(pcb);
        return -1;
    }
    altcp_accept(listener, on_accept);
    return 0;
}

int http_server_parse_timeout(const char *arg, unsigned *s)
{
    static const char opt[] = "--timeout=";
    char *end;
    unsigned long v;

    if (strncmp(arg, opt, sizeof opt - 1) != 0)
        return 0;
    v = strtoul(arg + sizeof opt - 1, &end, 10);
    if (end == arg + sizeof opt - 1 || *end != '\0' || v < 1 || v > 3600) {
        printf("httpd: --timeout: expected whole seconds from 1 to 3600, got '%s'\n",
               arg + sizeof opt - 1);
        return -1;
    }
    *s = (unsigned)v;
    return 1;
}
