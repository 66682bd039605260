/*
 * net.c: network devices.  Acquire works from the manifest copy; frames move
 * with the NET_WRITE / NET_READ hypercalls, which take a batch of up to
 * WISP_NET_IO_MAX frames per VM exit (wisp_net_*_batch in <wisp.h>);
 * solo5_net_write/read are batches of one.  Readiness comes from
 * solo5_yield (yield.c), whose ready set has bit (1 << handle) per device
 * with pending input.
 */
#include "hypercall.h"
#include "internal.h"
#include "ring.h"
#include "wisp.h"

/* A write the host could not queue (SOLO5_R_AGAIN) is retried this many
 * times, each after a solo5_yield of at most 1 ms (it returns early when
 * input is pending), before solo5_net_write reports SOLO5_R_EUNSPEC. */
#define NET_WRITE_RETRIES 10
#define NET_WRITE_RETRY_NS 1000000ull

solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info)
{
    unsigned index;
    const struct mft_entry *e = wg_mft_lookup(name, MFT_DEV_NET_BASIC, &index);

    /* Solo5 asserts attached; every declared device must be attached before
     * the guest starts, so a detached one here means a broken tender. */
    if (e == NULL || !e->attached)
        return SOLO5_R_EUNSPEC;
    *handle = index;
    wg_net_ring_setup(index); /* the shared ring, if the tender offers one */
    memcpy(info->mac_address, e->u.net_basic.mac, SOLO5_NET_ALEN);
    info->mtu = e->u.net_basic.mtu;
    return SOLO5_R_OK;
}

/* net_io: one NET_WRITE or NET_READ hypercall over (bufs). */
static solo5_result_t net_io(enum wisp_hypercall nr, solo5_handle_t handle,
                             struct wisp_net_buf *bufs, unsigned count, unsigned *done)
{
    struct wisp_hc_net_io io = {
        .handle = handle,
        .bufs = (wisp_gpa_t)(uintptr_t)bufs,
        .count = count,
    };

    *done = 0;
    if (count == 0 || count > WISP_NET_IO_MAX)
        return SOLO5_R_EINVAL;
    wg_hypercall(nr, &io);
    *done = io.done;
    return (solo5_result_t)io.ret;
}

/* ring_batch: a batch over the shared ring, with the hypercalls' results:
 * frames up to the first that fails (write) or up to the first AGAIN
 * (read, where a dropped oversized frame counts, with EINVAL in its slot). */
static solo5_result_t ring_batch(int write, solo5_handle_t handle, struct wisp_net_buf *bufs,
                                 unsigned count, unsigned *done)
{
    unsigned i;

    *done = 0;
    if (count == 0 || count > WISP_NET_IO_MAX)
        return SOLO5_R_EINVAL;
    for (i = 0; i < count; i++) {
        uint8_t *data = (uint8_t *)(uintptr_t)bufs[i].data;
        size_t got = 0;
        solo5_result_t r = write ? wg_net_ring_write(handle, data, bufs[i].len)
                                 : wg_net_ring_read(handle, data, bufs[i].len, &got);

        bufs[i].ret = (int32_t)r;
        if (!write && r != SOLO5_R_AGAIN)
            bufs[i].len = (uint32_t)got;
        if (r != SOLO5_R_OK && (write || r == SOLO5_R_AGAIN))
            break;
    }
    *done = i;
    return i > 0 ? SOLO5_R_OK : (solo5_result_t)bufs[0].ret;
}

solo5_result_t wisp_net_write_batch(solo5_handle_t handle, struct wisp_net_buf *bufs,
                                    unsigned count, unsigned *done)
{
    if (wg_net_ring_active(handle))
        return ring_batch(1, handle, bufs, count, done);
    return net_io(WISP_HC_NET_WRITE, handle, bufs, count, done);
}

solo5_result_t wisp_net_read_batch(solo5_handle_t handle, struct wisp_net_buf *bufs,
                                   unsigned count, unsigned *done)
{
    if (wg_net_ring_active(handle))
        return ring_batch(0, handle, bufs, count, done);
    return net_io(WISP_HC_NET_READ, handle, bufs, count, done);
}

solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf,
                               size_t size)
{
    struct wisp_net_buf b;
    unsigned done;

    if (size > UINT32_MAX)
        return SOLO5_R_EINVAL;
    if (wg_net_ring_active(handle))
        return wg_net_ring_write(handle, buf, size);
    for (int i = 0;; i++) {
        b = (struct wisp_net_buf){.data = (wisp_gpa_t)(uintptr_t)buf, .len = (uint32_t)size,
                                  .ret = SOLO5_R_EINVAL};
        net_io(WISP_HC_NET_WRITE, handle, &b, 1, &done);
        if (done == 1)
            return SOLO5_R_OK;
        /* bufs[0].ret is the reason (a bad handle leaves it untouched). */
        if (b.ret != SOLO5_R_AGAIN)
            return b.ret == SOLO5_R_EUNSPEC ? SOLO5_R_EUNSPEC : SOLO5_R_EINVAL;
        if (i == NET_WRITE_RETRIES)
            return SOLO5_R_EUNSPEC;
        solo5_yield(solo5_clock_monotonic() + NET_WRITE_RETRY_NS, NULL);
    }
}

solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                              size_t *read_size)
{
    struct wisp_net_buf b = {
        .data = (wisp_gpa_t)(uintptr_t)buf,
        .len = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size,
        .ret = SOLO5_R_EINVAL,
    };
    unsigned done;
    solo5_result_t r;

    if (wg_net_ring_active(handle))
        return wg_net_ring_read(handle, buf, size, read_size);
    r = net_io(WISP_HC_NET_READ, handle, &b, 1, &done);

    if (done == 0)
        return r;
    if (b.ret == SOLO5_R_OK)
        *read_size = b.len;
    return (solo5_result_t)b.ret;
}
