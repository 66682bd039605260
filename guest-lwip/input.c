/*
 * input.c: received frames into lwIP.  The isolated flavour reads up to
 * BATCH frames in one VM exit (wisp_net_read_batch); the hvt flavour has
 * only solo5_net_read.  Either way every waiting frame is read before the
 * caller blocks again.
 */
#include <stdlib.h>
#include <lwip/pbuf.h>
#include "glue.h"
#ifndef __WISP_HVT__
#include <wisp.h>
#endif

#define BATCH 32

/* deliver: copy one frame into a pbuf and hand it to the netif. */
static void deliver(struct wl_dev *dev, const uint8_t *frame, size_t len)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);

    if (!p)
        return; /* out of pbufs: the frame is dropped, as a NIC would */
    pbuf_take(p, frame, (u16_t)len);
    if (dev->netif.input(p, &dev->netif) != ERR_OK)
        pbuf_free(p);
}

#ifndef __WISP_HVT__
unsigned wl_input_drain(struct wl_dev *dev)
{
    static uint8_t *bufs[BATCH];
    static size_t buf_size;
    struct wisp_net_buf nb[BATCH];
    unsigned total = 0, done;

    if (buf_size < dev->frame_max) { /* sized for the largest device so far */
        for (int i = 0; i < BATCH; i++) {
            free(bufs[i]);
            bufs[i] = malloc(dev->frame_max);
            if (!bufs[i])
                abort();
        }
        buf_size = dev->frame_max;
    }
    for (;;) {
        for (int i = 0; i < BATCH; i++)
            nb[i] = (struct wisp_net_buf){ .data = (uint64_t)(uintptr_t)bufs[i], .len = buf_size };
        if (wisp_net_read_batch(dev->handle, nb, BATCH, &done) != SOLO5_R_OK)
            return total;
        for (unsigned i = 0; i < done; i++)
            if (nb[i].ret == SOLO5_R_OK)
                deliver(dev, bufs[i], nb[i].len);
        total += done;
        if (done < BATCH)
            return total;
    }
}
#else
unsigned wl_input_drain(struct wl_dev *dev)
{
    static uint8_t *buf;
    static size_t buf_size;
    unsigned total = 0;
    size_t len;

    if (buf_size < dev->frame_max) {
        free(buf);
        buf = malloc(dev->frame_max);
        if (!buf)
            abort();
        buf_size = dev->frame_max;
    }
    while (solo5_net_read(dev->handle, buf, buf_size, &len) == SOLO5_R_OK) {
        deliver(dev, buf, len);
        total++;
    }
    return total;
}
#endif
