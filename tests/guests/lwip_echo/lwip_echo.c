/*
 * lwip_echo: a TCP echo service on port 7 (IPv4 and IPv6) over lwIP and
 * <wisp/lwip.h>, on NET_BASIC device service0; lwIP itself answers ping
 * and ping6.  Prints the arguments main() got (the network options are
 * gone by then), then READY once the device is configured.  A client that
 * sends a line "QUIT" ends the service: it prints SUCCESS and exits 0.
 * Exits 1 if wisp_lwip_init fails.  (tests/e2e/lwip.bats)
 */
#include <stdio.h>
#include <string.h>
#include <lwip/altcp.h>
#include <lwip/altcp_tcp.h>
#include <lwip/tcp.h>
#include <solo5.h>
#include <wisp/lwip.h>

#define ECHO_PORT 7
#define NS_PER_S 1000000000ull

static int quit;

static err_t on_recv(void *arg, struct altcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    if (!p) { /* the client closed */
        altcp_close(pcb);
        return ERR_OK;
    }
    if (err != ERR_OK) {
        pbuf_free(p);
        return err;
    }
    /* Back pressure: refuse what does not fit; lwIP offers it again. */
    if (altcp_sndbuf(pcb) < p->tot_len || altcp_sndqueuelen(pcb) > TCP_SND_QUEUELEN / 2)
        return ERR_MEM;
    if (p->tot_len >= 4 && pbuf_memcmp(p, 0, "QUIT", 4) == 0)
        quit = 1;
    for (struct pbuf *q = p; q; q = q->next)
        if (altcp_write(pcb, q->payload, q->len, TCP_WRITE_FLAG_COPY) != ERR_OK)
            return ERR_MEM; /* cannot happen after the checks above */
    altcp_output(pcb);
    altcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    (void)arg;
    (void)err; /* the pcb is already freed */
}

static err_t on_accept(void *arg, struct altcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    altcp_recv(pcb, on_recv);
    altcp_err(pcb, on_err);
    return ERR_OK;
}

int main(int argc, char **argv)
{
    struct netif *nif;

    for (int i = 0; i < argc; i++)
        printf("argv[%d]=<%s>\n", i, argv[i]);
    if (wisp_lwip_init("service0", &nif) != 0)
        return 1;
    struct altcp_pcb *listener = altcp_tcp_new_ip_type(IPADDR_TYPE_ANY);
    if (!listener || altcp_bind(listener, IP_ANY_TYPE, ECHO_PORT) != ERR_OK)
        return printf("FAILURE: cannot bind port %d\n", ECHO_PORT), 1;
    listener = altcp_listen(listener);
    altcp_accept(listener, on_accept);
    printf("READY\n");
    while (!quit)
        wisp_lwip_poll(solo5_clock_monotonic() + NS_PER_S);
    /* Let the echo of QUIT go out before leaving. */
    uint64_t until = solo5_clock_monotonic() + NS_PER_S / 2;
    while (solo5_clock_monotonic() < until)
        wisp_lwip_poll(until);
    printf("SUCCESS\n");
    return 0;
}
