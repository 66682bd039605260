/*
 * <wisp/lwip.h>: lwIP on a wisp unikernel (wisp-cc --lwip; both targets).
 * lwIP runs with NO_SYS=1: the program owns the one main loop and calls
 * wisp_lwip_poll() in it; lwIP's raw and altcp APIs are used from that loop
 * (and from lwIP's callbacks, which run inside wisp_lwip_poll).  lwIP is
 * initialised before main() starts, so any lwIP call (e.g. creating an
 * altcp_tls configuration) may come before wisp_lwip_init.  In isolated
 * mode frames lwIP sends are queued and leave in batches (one VM exit for
 * up to 32) when wisp_lwip_poll runs: keep calling it.
 *
 *     struct netif *nif;
 *     if (wisp_lwip_init("service0", &nif) != 0)
 *         return 1;
 *     ... tcp_new_ip_type / altcp_tcp_new_ip_type, bind, listen ...
 *     for (;;)
 *         wisp_lwip_poll(solo5_clock_monotonic() + 1000000000ull);
 *
 * lwIP's memory is static (about 23 MiB of BSS; guest-lwip/include/
 * lwipopts.h has the sizes): boot such a unikernel with --mem=64 or more.
 */
#ifndef WISP_LWIP_H
#define WISP_LWIP_H

#include <stdint.h>

struct netif;

/*
 * wisp_lwip_init: initialise lwIP (once) and attach the manifest's NET_BASIC
 * device named (device) as an lwIP netif with its MAC address and MTU
 * (solo5_net_info).  IPv4 comes from the unikernel's command line:
 *     --ipv4=ADDR/PREFIX      e.g. --ipv4=10.0.0.2/24
 *     --ipv4-gateway=ADDR     optional
 * (the C library removes both from argv before main() sees it); they
 * configure the first device attached.  Without --ipv4 (and for every
 * further device) the device asks DHCP and wisp_lwip_init waits up to 10 seconds for
 * a lease (the client keeps trying afterwards).  IPv6: a link-local address
 * from the MAC, and SLAAC.  The device becomes the default netif.  The
 * result is printed on the console.  Returns 0 and sets *netif (if netif is
 * not NULL), or -1 after printing why (no such device, bad option value,
 * too many devices).
 */
int wisp_lwip_init(const char *device, struct netif **netif);

/*
 * wisp_lwip_poll: the body of the main loop.  Feeds lwIP every frame
 * waiting on every attached device (all of them, before blocking again) and
 * runs lwIP's timers; when nothing is waiting it blocks in solo5_yield()
 * until a frame arrives or the monotonic clock reaches (deadline_ns), waking
 * for lwIP's timers meanwhile.  Returns after handling received frames, or
 * at the deadline.  A deadline in the past polls once without blocking.
 */
void wisp_lwip_poll(uint64_t deadline_ns);

#endif
