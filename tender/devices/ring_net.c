/*
 * The shared network ring of isolated mode (abi.h struct wisp_net_ring),
 * served by the NIC's I/O thread (devices/ring.h):
 *   - TX: every descriptor from the host's consumer index to the guest's
 *     producer index is copied, checked (length from 14 to MTU + 14, the
 *     frame readable by the guest) and written to the tap; a refused
 *     descriptor or a frame the tap does not take is counted and skipped
 *     (a NIC drops; solo5_net_write has already returned).
 *   - RX: while the guest left free slots, one frame per readv from the
 *     tap into the slot's buffer (checked writable by the guest, length
 *     bounded) plus a bounce buffer, so a frame larger than the buffer is
 *     seen, dropped and reported (ret WISP_R_EINVAL), never truncated; a
 *     refused descriptor still takes its frame (into the bounce buffer,
 *     dropped) so the ring moves on.
 * Indices: the host keeps its own tx consumer and rx producer and never
 * reads them back from guest memory; a guest producer more than the ring
 * size ahead, or a guest consumer ahead of the host's producer, faults the
 * ring (ring_fault).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "devices/ring.h"

#define SLOTS WISP_NET_RING_SLOTS
#define ETH_HDR 14
#define BOUNCE_SIZE (65536 + 64)

struct net_priv {
    int tap;
    int tap_failed;       /* a read error (the interface was deleted): not waited on */
    uint32_t frame_max;   /* MTU + 14 */
    uint32_t tx_cons;     /* the host's own indices */
    uint32_t rx_prod;
    uint8_t bounce[BOUNCE_SIZE];
};

/* copy_desc: one copy out of shared memory; only the copy is looked at. */
static void copy_desc(struct wisp_net_desc *out, const struct wisp_net_desc *in)
{
    memcpy(out, (const void *)in, sizeof *out);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static void tx_one(struct ring_dev *d, struct net_priv *p, const struct wisp_net_desc *desc)
{
    enum guest_fault fault;
    const void *frame;
    ssize_t n;

    if (desc->len < ETH_HDR || desc->len > p->frame_max ||
        !(frame = guest_range(d->vm, desc->data, desc->len, 0, &fault))) {
        d->st->ring_refused++;
        return;
    }
    do
        n = write(p->tap, frame, desc->len);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)desc->len) {
        d->st->tx_errors++;
        return;
    }
    d->st->tx_packets++;
    d->st->tx_bytes += desc->len;
}

/* serve_tx: every frame the guest published; the number served, or 0
 * after a fault. */
static unsigned serve_tx(struct ring_dev *d, struct wisp_net_ring *r, struct net_priv *p)
{
    uint32_t prod = ring_load(&r->tx.prod);
    int64_t avail = ring_pending_count(prod, p->tx_cons, SLOTS);
    unsigned n = 0;

    if (avail < 0) {
        ring_fault(d, "TX producer index %u is more than %u entries ahead of the consumer "
                   "index %u", prod, SLOTS, p->tx_cons);
        return 0;
    }
    for (; avail > 0; avail--, n++) {
        struct wisp_net_desc desc;

        copy_desc(&desc, &r->tx_desc[p->tx_cons % SLOTS]);
        tx_one(d, p, &desc);
        ring_store(&r->tx.cons, ++p->tx_cons);
    }
    return n;
}

/* rx_one: one frame from the tap into slot (p->rx_prod); 1 if a frame
 * was taken (the slot then holds its result), 0 if none was pending. */
static int rx_one(struct ring_dev *d, struct wisp_net_ring *r, struct net_priv *p)
{
    struct wisp_net_desc desc, *slot = &r->rx_desc[p->rx_prod % SLOTS];
    enum guest_fault fault;
    struct iovec iov[2];
    void *buf = NULL;
    int niov = 0;
    ssize_t n;

    if (p->tap_failed)
        return 0;
    copy_desc(&desc, slot);
    if (desc.len > 0 && desc.len <= WISP_NET_FRAME_MAX)
        buf = guest_range(d->vm, desc.data, desc.len, 1, &fault);
    if (buf)
        iov[niov++] = (struct iovec){.iov_base = buf, .iov_len = desc.len};
    iov[niov++] = (struct iovec){.iov_base = p->bounce, .iov_len = sizeof p->bounce};
    do
        n = readv(p->tap, iov, niov);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && !p->tap_failed) {
        /* The tap is gone for good (EBADFD once its interface is deleted)
         * and would keep the I/O thread's and the vCPU's waits returning
         * at once: stop waiting on it, say so once. */
        p->tap_failed = 1;
        vm_log(d->vm, "device '%s' failed: reading its tap: %s (interface deleted?); it "
               "is no longer waited on", d->vm->mft->e[d->handle].name, strerror(errno));
    }
    if (n <= 0)
        return 0; /* EAGAIN: nothing pending */
    if (!buf) {
        d->st->ring_refused++;
        __atomic_store_n(&slot->ret, WISP_R_EINVAL, __ATOMIC_RELAXED);
        __atomic_store_n(&slot->len, 0, __ATOMIC_RELAXED);
    } else if ((size_t)n > desc.len) {
        d->st->rx_dropped++;
        __atomic_store_n(&slot->ret, WISP_R_EINVAL, __ATOMIC_RELAXED);
        __atomic_store_n(&slot->len, (uint32_t)n, __ATOMIC_RELAXED);
    } else {
        d->st->rx_packets++;
        d->st->rx_bytes += (uint64_t)n;
        __atomic_store_n(&slot->ret, WISP_R_OK, __ATOMIC_RELAXED);
        __atomic_store_n(&slot->len, (uint32_t)n, __ATOMIC_RELAXED);
    }
    ring_store(&r->rx.prod, ++p->rx_prod);
    return 1;
}

/* rx_space: free RX slots, or -1 after a fault (consumer ahead). */
static int64_t rx_space(struct ring_dev *d, struct wisp_net_ring *r, struct net_priv *p)
{
    uint32_t cons = ring_load(&r->rx.cons);
    int64_t used = ring_pending_count(p->rx_prod, cons, SLOTS);

    if (used < 0) {
        ring_fault(d, "RX consumer index %u is ahead of the producer index %u", cons,
                   p->rx_prod);
        return -1;
    }
    return (int64_t)SLOTS - used;
}

static unsigned net_serve(struct ring_dev *d)
{
    struct wisp_net_ring *r = d->ring;
    struct net_priv *p = d->priv;
    unsigned n = serve_tx(d, r, p), got = 0;
    int64_t space;

    if (__atomic_load_n(&d->faulted, __ATOMIC_ACQUIRE))
        return 0;
    for (space = rx_space(d, r, p); space > 0; space--) {
        if (!rx_one(d, r, p))
            break;
        got++;
    }
    if (got)
        ring_notify(d);
    return n + got;
}

static int net_pending(struct ring_dev *d)
{
    struct wisp_net_ring *r = d->ring;
    struct net_priv *p = d->priv;

    return ring_load(&r->tx.prod) != p->tx_cons;
}

/* net_wait_fd: the tap while the RX ring has room (else only a kick,
 * after the guest consumed, can help) and the tap works. */
static int net_wait_fd(struct ring_dev *d)
{
    struct net_priv *p = d->priv;

    return rx_space(d, d->ring, p) > 0 && !p->tap_failed ? p->tap : -1;
}

static int net_rx_ready(struct ring_dev *d)
{
    struct wisp_net_ring *r = d->ring;

    return ring_load(&r->rx.cons) != ((struct net_priv *)d->priv)->rx_prod;
}

static void net_drain(struct ring_dev *d)
{
    serve_tx(d, d->ring, d->priv);
}

const struct ring_ops ring_net_ops = {
    .kind = "net",
    .serve = net_serve,
    .pending = net_pending,
    .wait_fd = net_wait_fd,
    .drain = net_drain,
    .rx_ready = net_rx_ready,
    .timed_look = 1,
};

void *ring_net_priv_new(int tap_fd, uint32_t mtu)
{
    struct net_priv *p = calloc(1, sizeof *p);

    if (p) {
        p->tap = tap_fd;
        p->frame_max = mtu + ETH_HDR;
    }
    return p;
}

struct ring_dev *ring_net_start(struct vm *vm, unsigned handle, int tap_fd, uint32_t mtu)
{
    struct net_priv *p = ring_net_priv_new(tap_fd, mtu);
    struct ring_dev *d;

    if (!p) {
        vm_fail(vm, "out of memory");
        return NULL;
    }
    d = ring_dev_start(vm, handle, &ring_net_ops, p);
    if (!d)
        free(p);
    return d;
}
