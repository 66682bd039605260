/*
 * output.c: frames from lwIP to the device.  The isolated flavour queues
 * up to TXQ frames per device and sends them in ONE VM exit
 * (wisp_net_write_batch) when the queue is full and whenever
 * wisp_lwip_poll is about to block or return (wl_output_flush); a burst of
 * TCP segments costs one exit instead of one each.  The hvt flavour sends
 * each frame with solo5_net_write.  A frame the host cannot take (queue
 * full) is dropped, as on a NIC: TCP sends it again.
 */
#include <stdlib.h>
#include <lwip/pbuf.h>
#include "glue.h"
#ifndef __WISP_HVT__
#include <wisp.h>
#endif

#ifndef __WISP_HVT__
#define TXQ 32

struct txq {
    uint8_t *frame[TXQ];
    struct wisp_net_buf nb[TXQ];
    unsigned n;
};
static struct txq txqs[WL_MAX_NETIFS];

static void flush_dev(struct wl_dev *dev)
{
    struct txq *q = &txqs[dev - wl_devs];
    unsigned off = 0, done;

    while (off < q->n) {
        done = 0;
        (void)wisp_net_write_batch(dev->handle, q->nb + off, q->n - off, &done); /* done says how far */
        off += done;
        if (off < q->n && q->nb[off].ret == SOLO5_R_EINVAL)
            off++; /* a frame the device refuses: skip it, send the rest */
        else if (off < q->n)
            break; /* host queue full or host error: drop the rest */
    }
    q->n = 0;
}

err_t wl_link_output(struct netif *nif, struct pbuf *p)
{
    struct wl_dev *dev = nif->state;
    struct txq *q = &txqs[dev - wl_devs];

    if (p->tot_len > dev->frame_max)
        return ERR_IF;
    if (!q->frame[q->n] && !(q->frame[q->n] = malloc(dev->frame_max)))
        return ERR_MEM;
    pbuf_copy_partial(p, q->frame[q->n], p->tot_len, 0);
    q->nb[q->n] = (struct wisp_net_buf){ .data = (uint64_t)(uintptr_t)q->frame[q->n],
                                         .len = p->tot_len };
    if (++q->n == TXQ)
        flush_dev(dev);
    return ERR_OK;
}

void wl_output_flush(void)
{
    for (unsigned i = 0; i < wl_ndevs; i++)
        if (txqs[i].n)
            flush_dev(&wl_devs[i]);
}
#else
err_t wl_link_output(struct netif *nif, struct pbuf *p)
{
    struct wl_dev *dev = nif->state;
    const uint8_t *frame = p->payload;

    if (p->tot_len > dev->frame_max)
        return ERR_IF;
    if (p->next) { /* a chained pbuf is gathered in txbuf */
        pbuf_copy_partial(p, dev->txbuf, p->tot_len, 0);
        frame = dev->txbuf;
    }
    return solo5_net_write(dev->handle, frame, p->tot_len) == SOLO5_R_OK ? ERR_OK : ERR_IF;
}

void wl_output_flush(void)
{
}
#endif
