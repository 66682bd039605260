/*
 * net.c: network devices on virtio-net, one frame per call, polled; a
 * received frame also raises the device's interrupt where it can be routed
 * (ioapic.c), which only ends solo5_yield's halt.
 *   Features: MAC (the device's address is the NIC's; without it a
 *   locally administered one is made up), VERSION_1 on modern transports
 *   (then the header is 12 bytes, else 10); nothing else: no offloads, no
 *   merged buffers, so every received frame fits one RX_BUF buffer and the
 *   MTU is 1500.
 *   Receive: RX_N buffers, each with its fixed descriptor, stay posted;
 *   solo5_net_read copies one frame out and posts its buffer again.
 *   Transmit: TX_N buffers with fixed descriptors; a write copies the frame
 *   behind a zero header into a free one and posts it; buffers come back
 *   as the device uses them.  If all TX_N are in flight, a write waits for
 *   one (at most TX_WAIT_NS, then EUNSPEC).  Before the VM ends, every
 *   frame written is given (at most TX_WAIT_NS) to leave (vg_net_drain):
 *   a device may send asynchronously, and the VM's end would drop it.
 */
#include "wisp.h"
#include "virtio_transport.h"

#define F_MAC (1ull << 5)
#define RX_N 64
#define TX_N 64
#define BUF 2048
#define MTU 1500
#define TX_WAIT_NS 1000000000ull

struct nic {
    struct vg_vdev *d;
    int wakes; /* its receive interrupts end a halt */
    struct vg_virtq rx, tx;
    unsigned hdr;
    uint8_t mac[6];
    uint8_t (*rxb)[BUF], (*txb)[BUF];
    uint16_t tx_free[TX_N];
    unsigned ntx_free;
};

static struct nic nics[MFT_MAX_ENTRIES];
static solo5_handle_t nic_handles[MFT_MAX_ENTRIES];
int vg_net_count;

void vg_net_init(solo5_handle_t h, struct vg_vdev *d)
{
    struct nic *n = &nics[h];
    uint64_t f = vg_vt_negotiate(d, F_MAC, 0);

    n->d = d;
    n->hdr = d->modern ? 12 : 10;
    if (f & F_MAC) {
        for (unsigned i = 0; i < 6; i++)
            n->mac[i] = vg_vt_cfg8(d, i);
    } else {
        uint64_t t = vg_rdtsc() ^ h;
        n->mac[0] = 0x02; /* locally administered, unicast */
        for (unsigned i = 1; i < 6; i++)
            n->mac[i] = (uint8_t)(t >> (8 * i));
    }
    vg_virtq_init(d, &n->rx, 0, RX_N);
    vg_virtq_init(d, &n->tx, 1, TX_N);
    /* A received frame raises the device's interrupt, to end a halt. */
    n->wakes = d->irq >= 0 && vg_ioapic_route((unsigned)d->irq) == 0;
    if (n->wakes)
        n->rx.avail->flags = 0;
    n->rxb = vg_alloc_pages(RX_N * BUF / VG_PAGE_SIZE);
    n->txb = vg_alloc_pages(TX_N * BUF / VG_PAGE_SIZE);
    for (uint16_t i = 0; i < RX_N; i++)
        n->rx.desc[i] = (struct virtq_desc){ (uint64_t)(uintptr_t)n->rxb[i], BUF,
                                             VIRTQ_DESC_F_WRITE, 0 };
    for (uint16_t i = 0; i < TX_N; i++) {
        n->tx.desc[i] = (struct virtq_desc){ (uint64_t)(uintptr_t)n->txb[i], 0, 0, 0 };
        n->tx_free[i] = i;
    }
    n->ntx_free = TX_N;
    vg_vt_ready(d);
    for (uint16_t i = 0; i < RX_N; i++)
        vg_virtq_publish(&n->rx, i);
    vg_virtq_kick(d, &n->rx);
    nic_handles[vg_net_count++] = h;
}

solo5_handle_set_t vg_net_pending(void)
{
    solo5_handle_set_t set = 0;

    for (int i = 0; i < vg_net_count; i++)
        if (vg_virtq_has_used(&nics[nic_handles[i]].rx))
            set |= 1ull << nic_handles[i];
    return set;
}

int vg_net_ack(void)
{
    int all = 1;

    for (int i = 0; i < vg_net_count; i++) {
        struct nic *n = &nics[nic_handles[i]];

        vg_vt_ack(n->d);
        all &= n->wakes;
    }
    return all;
}

static struct nic *nic(solo5_handle_t h)
{
    return vg_mft_by_handle(h, MFT_DEV_NET_BASIC) != NULL ? &nics[h] : NULL;
}

solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info)
{
    unsigned i;

    if (vg_mft_by_name(name, MFT_DEV_NET_BASIC, &i) == NULL)
        return SOLO5_R_EUNSPEC;
    *handle = i;
    memcpy(info->mac_address, nics[i].mac, SOLO5_NET_ALEN);
    info->mtu = MTU;
    return SOLO5_R_OK;
}

static void tx_reclaim(struct nic *n)
{
    uint16_t id;
    uint32_t len;

    while (vg_virtq_pop(&n->tx, &id, &len))
        if (id < TX_N && n->ntx_free < TX_N)
            n->tx_free[n->ntx_free++] = id;
}

void vg_net_drain(void)
{
    solo5_time_t until = solo5_clock_monotonic() + TX_WAIT_NS;

    for (int i = 0; i < vg_net_count; i++) {
        struct nic *n = &nics[nic_handles[i]];

        tx_reclaim(n);
        while (n->ntx_free < TX_N && solo5_clock_monotonic() < until) {
            __asm__ __volatile__("pause" ::: "memory");
            tx_reclaim(n);
        }
    }
}

solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf, size_t size)
{
    struct nic *n = nic(handle);

    if (n == NULL || size < SOLO5_NET_HLEN || size > MTU + SOLO5_NET_HLEN)
        return SOLO5_R_EINVAL;
    tx_reclaim(n);
    if (n->ntx_free == 0) {
        solo5_time_t until = solo5_clock_monotonic() + TX_WAIT_NS;
        while (n->ntx_free == 0) {
            if (solo5_clock_monotonic() > until)
                return SOLO5_R_EUNSPEC;
            __asm__ __volatile__("pause" ::: "memory");
            tx_reclaim(n);
        }
    }
    uint16_t id = n->tx_free[--n->ntx_free];
    memset(n->txb[id], 0, n->hdr);
    memcpy(n->txb[id] + n->hdr, buf, size);
    n->tx.desc[id].len = (uint32_t)(n->hdr + size);
    vg_virtq_post(n->d, &n->tx, id);
    return SOLO5_R_OK;
}

solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                              size_t *read_size)
{
    struct nic *n = nic(handle);
    uint16_t id;
    uint32_t len;

    if (n == NULL || size < MTU + SOLO5_NET_HLEN)
        return SOLO5_R_EINVAL;
    if (!vg_virtq_pop(&n->rx, &id, &len))
        return SOLO5_R_AGAIN;
    if (id >= RX_N)
        vg_panic("net.c: the device returned a receive descriptor it was not given");
    solo5_result_t r = SOLO5_R_OK;
    if (len < n->hdr || len - n->hdr > size) {
        r = SOLO5_R_EUNSPEC;
    } else {
        memcpy(buf, n->rxb[id] + n->hdr, len - n->hdr);
        *read_size = len - n->hdr;
    }
    vg_virtq_post(n->d, &n->rx, id);
    return r;
}

/* The batched calls of <wisp.h>, one frame at a time here. */
solo5_result_t wisp_net_write_batch(solo5_handle_t handle, struct wisp_net_buf *bufs,
                                    unsigned count, unsigned *done)
{
    unsigned i;

    *done = 0;
    if (nic(handle) == NULL || count == 0 || count > WISP_NET_IO_MAX)
        return SOLO5_R_EINVAL;
    for (i = 0; i < count; i++) {
        solo5_result_t r = solo5_net_write(handle, (const uint8_t *)(uintptr_t)bufs[i].data,
                                           bufs[i].len);
        bufs[i].ret = r;
        if (r != SOLO5_R_OK)
            break;
    }
    *done = i;
    return i > 0 ? SOLO5_R_OK : (solo5_result_t)bufs[0].ret;
}

solo5_result_t wisp_net_read_batch(solo5_handle_t handle, struct wisp_net_buf *bufs,
                                   unsigned count, unsigned *done)
{
    unsigned i;

    *done = 0;
    if (nic(handle) == NULL || count == 0 || count > WISP_NET_IO_MAX)
        return SOLO5_R_EINVAL;
    solo5_result_t r = SOLO5_R_AGAIN;
    for (i = 0; i < count; i++) {
        size_t got = 0;

        r = solo5_net_read(handle, (uint8_t *)(uintptr_t)bufs[i].data, bufs[i].len, &got);
        if (r != SOLO5_R_OK)
            break;
        bufs[i].ret = r;
        bufs[i].len = (uint32_t)got;
    }
    *done = i;
    return i > 0 ? SOLO5_R_OK : r;
}
