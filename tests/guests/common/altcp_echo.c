/* altcp_echo.c: see altcp_echo.h. */
#if __has_include(<lwip/altcp.h>)
#include <stdlib.h>
#include <lwip/altcp.h>
#include <lwip/tcp.h>
#include <solo5.h>
#include <wisp/lwip.h>

#include "altcp_echo.h"

#define NS_PER_S 1000000000ull

int altcp_echo_quit;

/* One connection: what was received and not yet echoed (its bytes are not
 * yet acknowledged to lwIP, so the receive window bounds it). */
struct conn {
    struct pbuf *pending;
    int closing; /* the client sent FIN: close once everything is echoed */
};

static void conn_free(struct altcp_pcb *pcb, struct conn *c)
{
    altcp_arg(pcb, NULL);
    altcp_recv(pcb, NULL);
    altcp_sent(pcb, NULL);
    altcp_err(pcb, NULL);
    if (c->pending)
        pbuf_free(c->pending);
    free(c);
}

/* flush: echo as much of the pending data as the send buffer and the send
 * queue (TCP_SND_QUEUELEN segments, a few kept spare) take. */
static void flush(struct altcp_pcb *pcb, struct conn *c)
{
    while (c->pending) {
        u16_t room = altcp_sndbuf(pcb);
        u16_t n = c->pending->len < room ? c->pending->len : room;

        if (n == 0 || altcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN - 4 ||
            altcp_write(pcb, c->pending->payload, n, TCP_WRITE_FLAG_COPY) != ERR_OK)
            break;
        altcp_recved(pcb, n);
        c->pending = pbuf_free_header(c->pending, n);
    }
    altcp_output(pcb);
    if (c->closing && !c->pending) {
        conn_free(pcb, c);
        altcp_close(pcb);
    }
}

static err_t on_recv(void *arg, struct altcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct conn *c = arg;

    if (err != ERR_OK) {
        if (p)
            pbuf_free(p);
        return err;
    }
    if (!p) {
        c->closing = 1;
    } else {
        if (p->tot_len >= 4 && pbuf_memcmp(p, 0, "QUIT", 4) == 0)
            altcp_echo_quit = 1;
        if (c->pending)
            pbuf_cat(c->pending, p);
        else
            c->pending = p;
    }
    flush(pcb, c);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct altcp_pcb *pcb, u16_t len)
{
    (void)len;
    flush(pcb, arg);
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    struct conn *c = arg;

    (void)err; /* the pcb is already freed */
    if (c) {
        if (c->pending)
            pbuf_free(c->pending);
        free(c);
    }
}

static err_t on_accept(void *arg, struct altcp_pcb *pcb, err_t err)
{
    struct conn *c;

    (void)arg;
    if (err != ERR_OK || !pcb || !(c = calloc(1, sizeof *c)))
        return ERR_MEM;
    altcp_arg(pcb, c);
    altcp_recv(pcb, on_recv);
    altcp_sent(pcb, on_sent);
    altcp_err(pcb, on_err);
    return ERR_OK;
}

void altcp_echo_serve(struct altcp_pcb *listener)
{
    altcp_accept(listener, on_accept);
    while (!altcp_echo_quit)
        wisp_lwip_poll(solo5_clock_monotonic() + NS_PER_S);
    uint64_t until = solo5_clock_monotonic() + NS_PER_S / 2;
    while (solo5_clock_monotonic() < until)
        wisp_lwip_poll(until);
}
#endif
