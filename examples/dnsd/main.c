/* dnsd: an authoritative DNS server over UDP port 53 (lwIP raw API) for the
 * zone in master-file format held as member "zone" of the ustar archive on
 * block device "zone".  This file is the glue: read the zone, parse it
 * (zone.c; a bad zone ends the unikernel with status 1 and "line N: ..."),
 * then answer every datagram with dns_answer (dns_answer.c).
 * Command line: --ipv4=ADDR/PREFIX [--ipv4-gateway=ADDR] (else DHCP). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <solo5.h>
#include <wisp/lwip.h>

#include "lwip/pbuf.h"
#include "lwip/udp.h"

#include "ustar.h"
#include "dns_answer.h"
#include "dns_msg.h"
#include "zone.h"

#define DNSD_PORT     53
#define ZONE_SIZE_MAX (16u << 20)   /* bytes of master file accepted */

/* The zone's text from the archive, NUL-terminated, or NULL with a
 * message on stderr. */
static char *read_zone_text(size_t *len)
{
    struct solo5_block_info bi;
    struct ustar_member m;
    solo5_handle_t h;
    char *text;
    int r;

    if (solo5_block_acquire("zone", &h, &bi) != SOLO5_R_OK) {
        fprintf(stderr, "dnsd: no block device 'zone' (attach the zone archive with "
                        "--block:zone=FILE)\n");
        return NULL;
    }
    r = ustar_find(h, &bi, "zone", &m);
    if (r != 0) {
        fprintf(stderr, "dnsd: block device 'zone': %s\n",
                r == -1 ? "the archive has no member 'zone' (tar --format=ustar -cf ARCHIVE zone)"
                        : "not a readable ustar archive (tar --format=ustar)");
        return NULL;
    }
    if (m.size > ZONE_SIZE_MAX) {
        fprintf(stderr, "dnsd: zone: %llu bytes, more than the %u accepted\n",
                (unsigned long long)m.size, ZONE_SIZE_MAX);
        return NULL;
    }
    text = malloc((size_t)m.size + 1);
    if (text == NULL) {
        fprintf(stderr, "dnsd: zone: out of memory for %llu bytes\n", (unsigned long long)m.size);
        return NULL;
    }
    if (ustar_read(h, &bi, &m, 0, text, (size_t)m.size) != (long)m.size) {
        fprintf(stderr, "dnsd: zone: read error on block device 'zone'\n");
        free(text);
        return NULL;
    }
    text[m.size] = '\0';
    *len = (size_t)m.size;
    return text;
}

/* The apex as text ("example.test."), for the start-up line. */
static void name_text(const uint8_t *name, char *out, size_t outlen)
{
    size_t o = 0;

    if (*name == 0)
        snprintf(out, outlen, ".");
    for (; *name != 0 && o + *name + 2 < outlen; name += 1 + *name) {
        memcpy(out + o, name + 1, *name);
        o += *name;
        out[o++] = '.';
        out[o] = '\0';
    }
}

/* One datagram in, at most one out.  A query is read whole (a UDP payload
 * is at most 65507 octets), so that trailing junk is seen and refused. */
static void on_datagram(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                        u16_t port)
{
    static uint8_t query[65535], resp[DNS_EDNS_MAX];
    const struct zone *z = arg;
    size_t qlen = pbuf_copy_partial(p, query, sizeof query, 0);
    size_t n = dns_answer(z, query, qlen, resp, sizeof resp);

    if (n > 0) {
        struct pbuf *out = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_RAM);

        if (out != NULL) {
            memcpy(out->payload, resp, n);
            udp_sendto(pcb, out, addr, port);
            pbuf_free(out);
        }
    }
    pbuf_free(p);
}

int main(int argc, char **argv)
{
    struct netif *netif;
    struct udp_pcb *pcb;
    struct zone *z;
    char err[512], apex[DNS_NAME_MAX * 4 + 2];
    size_t len;
    char *text;

    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "dnsd: unknown argument '%s' (expected --ipv4=ADDR/PREFIX "
                        "[--ipv4-gateway=ADDR])\n", argv[1]);
        return 2;
    }
    text = read_zone_text(&len);
    if (text == NULL)
        return 1;
    if (zone_parse(text, len, &z, err, sizeof err)) {
        fprintf(stderr, "dnsd: zone: %s\n", err);
        return 1;
    }
    free(text);
    name_text(z->apex, apex, sizeof apex);
    printf("dnsd: zone %s: %zu records, %zu names%s\n", apex, z->n_rrs, z->n_nodes,
           z->soa ? "" : " (no SOA: negative answers carry none)");
    if (wisp_lwip_init("service0", &netif) != 0)
        return 1;
    pcb = udp_new_ip_type(IPADDR_TYPE_ANY);
    if (pcb == NULL || udp_bind(pcb, IP_ANY_TYPE, DNSD_PORT) != ERR_OK) {
        fprintf(stderr, "dnsd: cannot bind UDP port %d\n", DNSD_PORT);
        return 1;
    }
    udp_recv(pcb, on_datagram, z);
    printf("dnsd: serving on UDP port %d\n", DNSD_PORT);
    fflush(stdout);
    for (;;)
        wisp_lwip_poll(solo5_clock_monotonic() + 1000000000ull);
}
