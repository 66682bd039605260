/*
 * netif.c: wisp_lwip_init (include/wisp/lwip.h): a NET_BASIC device as an
 * lwIP netif, with IPv4 from --ipv4/--ipv4-gateway or DHCP, and IPv6
 * link-local + SLAAC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lwip/dhcp.h>
#include <lwip/etharp.h>
#include <lwip/ethip6.h>
#include <lwip/init.h>
#include <lwip/ip4_addr.h>
#include <lwip/timeouts.h>
#include <netif/ethernet.h>
#include <wisp/lwip.h>
#include "glue.h"

#define DHCP_WAIT_NS (10ull * 1000000000ull)

struct wl_dev wl_devs[WL_MAX_NETIFS];
unsigned wl_ndevs;

static int fail(const char *device, const char *what)
{
    fprintf(stderr, "wisp_lwip_init: %s: %s\n", device, what);
    return -1;
}

static err_t netif_setup(struct netif *nif)
{
    nif->name[0] = 'e';
    nif->name[1] = 'n';
    nif->output = etharp_output;
    nif->output_ip6 = ethip6_output;
    nif->linkoutput = wl_link_output;
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                 NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
    return ERR_OK;
}

/* parse_ipv4: "ADDR/PREFIX" into address and netmask; 0 or -1. */
static int parse_ipv4(const char *s, ip4_addr_t *addr, ip4_addr_t *mask)
{
    char buf[32];
    const char *slash = strchr(s, '/');
    char *end;
    long prefix;

    if (!slash || (size_t)(slash - s) >= sizeof buf)
        return -1;
    memcpy(buf, s, (size_t)(slash - s));
    buf[slash - s] = '\0';
    if (!ip4addr_aton(buf, addr))
        return -1;
    prefix = strtol(slash + 1, &end, 10);
    if (end == slash + 1 || *end != '\0' || prefix < 0 || prefix > 32)
        return -1;
    ip4_addr_set_u32(mask, prefix == 0 ? 0 : lwip_htonl(0xffffffffu << (32 - prefix)));
    return 0;
}

static void print_config(const char *device, struct wl_dev *dev, int dhcp)
{
    struct netif *nif = &dev->netif;
    const uint8_t *m = nif->hwaddr;

    printf("wisp_lwip: %s: MAC %02x:%02x:%02x:%02x:%02x:%02x MTU %u\n", device, m[0], m[1],
           m[2], m[3], m[4], m[5], (unsigned)nif->mtu);
    if (dhcp && ip4_addr_isany_val(*netif_ip4_addr(nif))) {
        printf("wisp_lwip: %s: no DHCP lease yet (still asking)\n", device);
    } else {
        char a[16], g[16];

        ip4addr_ntoa_r(netif_ip4_addr(nif), a, sizeof a);
        ip4addr_ntoa_r(netif_ip4_gw(nif), g, sizeof g);
        int prefix = __builtin_popcount(ip4_addr_get_u32(netif_ip4_netmask(nif)));

        printf("wisp_lwip: %s: IPv4 %s/%d gateway %s%s\n", device, a, prefix, g,
               dhcp ? " (DHCP)" : "");
    }
    printf("wisp_lwip: %s: IPv6 %s\n", device, ip6addr_ntoa(netif_ip6_addr(nif, 0)));
}

void wl_lwip_start(void)
{
    static int lwip_ready;

    if (!lwip_ready) {
        lwip_init();
        lwip_ready = 1;
    }
}

int wisp_lwip_init(const char *device, struct netif **netif)
{
    struct solo5_net_info info;
    ip4_addr_t addr, mask, gw;
    struct wl_dev *dev;
    int first = wl_ndevs == 0; /* the command-line options are the first device's */
    int dhcp = !first || wl_opt_ipv4 == NULL;

    if (wl_ndevs == WL_MAX_NETIFS)
        return fail(device, "too many network devices (at most 8)");
    ip4_addr_set_zero(&addr);
    ip4_addr_set_zero(&mask);
    ip4_addr_set_zero(&gw);
    if (!dhcp && parse_ipv4(wl_opt_ipv4, &addr, &mask) != 0)
        return fail(device, "--ipv4: expected ADDR/PREFIX, e.g. --ipv4=10.0.0.2/24");
    if (first && wl_opt_ipv4_gateway && !ip4addr_aton(wl_opt_ipv4_gateway, &gw))
        return fail(device, "--ipv4-gateway: expected an IPv4 address, e.g. 10.0.0.1");

    dev = &wl_devs[wl_ndevs];
    if (solo5_net_acquire(device, &dev->handle, &info) != SOLO5_R_OK)
        return fail(device, "no such NET_BASIC device in the manifest (or not attached)");
    dev->frame_max = info.mtu + SOLO5_NET_HLEN;
    dev->txbuf = malloc(dev->frame_max);
    if (!dev->txbuf)
        return fail(device, "out of memory");
    wl_lwip_start();
    if (!netif_add(&dev->netif, &addr, &mask, &gw, dev, netif_setup, ethernet_input))
        return fail(device, "lwIP refused the interface");
    wl_ndevs++;
    dev->netif.mtu = (u16_t)info.mtu;
    dev->netif.hwaddr_len = ETH_HWADDR_LEN;
    memcpy(dev->netif.hwaddr, info.mac_address, ETH_HWADDR_LEN);
    if (wl_ndevs == 1)
        netif_set_default(&dev->netif);
    netif_set_link_up(&dev->netif);
    netif_set_up(&dev->netif);
    netif_create_ip6_linklocal_address(&dev->netif, 1);
    netif_set_ip6_autoconfig_enabled(&dev->netif, 1);

    if (dhcp) {
        if (dhcp_start(&dev->netif) != ERR_OK)
            return fail(device, "cannot start DHCP");
        uint64_t until = solo5_clock_monotonic() + DHCP_WAIT_NS;
        while (!dhcp_supplied_address(&dev->netif) && solo5_clock_monotonic() < until)
            wisp_lwip_poll(until);
    }
    print_config(device, dev, dhcp);
    if (netif)
        *netif = &dev->netif;
    return 0;
}
