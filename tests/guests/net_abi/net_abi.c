/* net_abi: per-request network errors from inside the guest (bad handle, frame sizes, batch stops, drain to AGAIN, an oversized frame dropped not truncated), a 64-frame batch in one call, and with "badptr"/"badframe" a buffer the tender must refuse; expect SUCCESS, status 0 (255 for the bad-pointer modes). */
#include "t.h"
#include "wisp.h"

#define SEC 1000000000ull

static uint8_t frame[9232];
static uint8_t small[20];

/* fill: a broadcast frame of (len) bytes with the local experimental
 * ethertype 0x88b5, which nothing on the host answers. */
static void fill(uint8_t *f, size_t len, const uint8_t *mac)
{
    t_memset(f, 0xff, 6);
    t_memcpy(f + 6, mac, 6);
    f[12] = 0x88;
    f[13] = 0xb5;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)i;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    struct solo5_net_info info;
    solo5_handle_t h;
    struct wisp_net_buf b[WISP_NET_IO_MAX];
    unsigned done;
    size_t n, max;
    solo5_result_t r;

    if (solo5_net_acquire("service0", &h, &info) != SOLO5_R_OK)
        return t_fail("acquire");
    max = info.mtu + SOLO5_NET_HLEN;
    if (max > sizeof frame)
        return t_fail("MTU too large for this test");
    fill(frame, max, info.mac_address);

    if (!t_strcmp(si->cmdline, "badptr")) {
        t_puts("NET_READ with the buffer array in tender-private memory\n");
        wisp_net_read_batch(h, (struct wisp_net_buf *)t_launder(0x20000), 1, &done);
        return t_fail("the tender accepted a buffer array at 0x20000");
    }
    if (!t_strcmp(si->cmdline, "badframe")) {
        t_puts("NET_WRITE with a frame outside guest memory\n");
        b[0] = (struct wisp_net_buf){.data = 0x80000000ull, .len = 60};
        wisp_net_write_batch(h, b, 1, &done);
        return t_fail("the tender accepted a frame at 0x80000000");
    }

    /* Bad handles. */
    if (solo5_net_write(h + 1, frame, 60) != SOLO5_R_EINVAL ||
        solo5_net_write(0, frame, 60) != SOLO5_R_EINVAL ||
        solo5_net_read(h + 7, frame, sizeof frame, &n) != SOLO5_R_EINVAL)
        return t_fail("a bad handle was not EINVAL");
    /* Frame sizes: 14 .. mtu + 14. */
    if (solo5_net_write(h, frame, max + 1) != SOLO5_R_EINVAL)
        return t_fail("a frame of mtu + 15 bytes was not EINVAL");
    if (solo5_net_write(h, frame, 13) != SOLO5_R_EINVAL)
        return t_fail("a 13-byte frame was not EINVAL");
    if (solo5_net_write(h, frame, max) != SOLO5_R_OK ||
        solo5_net_write(h, frame, 14) != SOLO5_R_OK)
        return t_fail("frames of mtu + 14 and 14 bytes were refused");
    /* A batch stops at its first bad frame. */
    b[0] = (struct wisp_net_buf){.data = (uintptr_t)frame, .len = 60};
    b[1] = (struct wisp_net_buf){.data = (uintptr_t)frame, .len = (uint32_t)max + 1};
    b[2] = (struct wisp_net_buf){.data = (uintptr_t)frame, .len = 60};
    r = wisp_net_write_batch(h, b, 3, &done);
    if (r != SOLO5_R_OK || done != 1 || b[0].ret != SOLO5_R_OK || b[1].ret != SOLO5_R_EINVAL)
        return t_fail("a batch did not stop at its oversized frame");
    if (wisp_net_write_batch(h, b, 0, &done) != SOLO5_R_EINVAL ||
        wisp_net_write_batch(h, b, WISP_NET_IO_MAX + 1, &done) != SOLO5_R_EINVAL)
        return t_fail("a batch of 0 or WISP_NET_IO_MAX + 1 frames was not EINVAL");
    /* A full batch in one call. */
    for (unsigned i = 0; i < WISP_NET_IO_MAX; i++)
        b[i] = (struct wisp_net_buf){.data = (uintptr_t)frame, .len = 60 + i};
    r = wisp_net_write_batch(h, b, WISP_NET_IO_MAX, &done);
    if (r != SOLO5_R_OK || done != WISP_NET_IO_MAX)
        return t_fail("a batch of WISP_NET_IO_MAX frames was not sent whole");
    t_puts("SENT ");
    t_put_dec(WISP_NET_IO_MAX + 4);
    t_puts(" frames\n");

    /* Drain whatever the host sent so far; then nothing is pending. */
    for (int i = 0;; i++) {
        if (i == 1000)
            return t_fail("input never drained");
        r = solo5_net_read(h, frame, sizeof frame, &n);
        if (r == SOLO5_R_AGAIN)
            break;
        if (r != SOLO5_R_OK)
            return t_fail("read while draining failed");
    }

    /* A frame larger than the buffer: EINVAL, and it is gone (not handed
     * over truncated, not left for the next read). */
    t_puts("WAITING for a frame of more than 20 bytes\n");
    solo5_time_t deadline = solo5_clock_monotonic() + 30 * SEC;
    solo5_handle_set_t ready = 0;
    while (!(ready & (1ull << h))) {
        if (solo5_clock_monotonic() >= deadline)
            return t_fail("no frame arrived within 30 s");
        solo5_yield(deadline, &ready);
    }
    r = solo5_net_read(h, small, sizeof small, &n);
    if (r != SOLO5_R_EINVAL)
        return t_fail("a frame larger than the buffer was not EINVAL");
    r = solo5_net_read(h, frame, sizeof frame, &n);
    if (r != SOLO5_R_AGAIN)
        return t_fail("the oversized frame was not dropped");
    t_puts("oversized frame: EINVAL, dropped\n");
    return t_success();
}
