/*
 * glue.h: what the files of wisp's lwIP glue share.
 */
#ifndef WISP_LWIP_GLUE_H
#define WISP_LWIP_GLUE_H

#include <lwip/netif.h>
#include <solo5.h>

#define WL_MAX_NETIFS 8

/* One attached NET_BASIC device. */
struct wl_dev {
    struct netif netif;
    solo5_handle_t handle;
    size_t frame_max; /* mtu + SOLO5_NET_HLEN */
    uint8_t *txbuf;   /* frame_max bytes: a chained pbuf is copied here (hvt) */
};

extern struct wl_dev wl_devs[WL_MAX_NETIFS];
extern unsigned wl_ndevs;

/* args.c: the IPv4 options taken out of argv (NULL when not given). */
extern const char *wl_opt_ipv4, *wl_opt_ipv4_gateway;

/* netif.c: lwip_init(), once (before main: args.c). */
void wl_lwip_start(void);

/* output.c: lwIP's linkoutput for every device, and the flush of frames
 * queued for a batched send (called before wisp_lwip_poll blocks/returns). */
err_t wl_link_output(struct netif *nif, struct pbuf *p);
void wl_output_flush(void);

/* input.c: feed lwIP every frame waiting on (dev); returns how many. */
unsigned wl_input_drain(struct wl_dev *dev);

#endif
