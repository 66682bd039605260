/* ring_evil: a hostile user of the shared I/O rings (include/wisp/abi.h,
 * "Shared I/O rings"), without the guest library's ring code: it names its
 * own rings (handle 1 = service0, handle 2 = storage, the manifest's order)
 * and misuses them as its command line says.  Refused descriptors must be
 * counted (--stats) and the guest go on; impossible indices and bad block
 * buffers must end the guest with a message; the tender must never crash.
 *   txbad     TX descriptors: tender-private page, outside RAM, length
 *             0xffffffff, a wrapping range, too short, one valid frame;
 *             then RX descriptors aimed at the text (read-only), 3 frames
 *             awaited; prints the RX results; SUCCESS
 *   race      publishes 20000 TX descriptors while rewriting each one
 *             between a valid frame and garbage; SUCCESS
 *   txindex   TX producer index 1000 ahead: ended ("TX producer index")
 *   rxindex   RX consumer index ahead of the producer: ended
 *   blkbad    block requests: unknown op, unaligned offset, overflowing
 *             length (each EINVAL), a valid read, then a read into
 *             tender-private memory: ended
 *   blkindex  request producer 100 ahead: ended
 *   oldguest  no ring named: BLOCK_WRITE, BLOCK_READ and NET_WRITE
 *             hypercalls work while the tender offers rings; SUCCESS
 *   setup     ring setups: misaligned (EINVAL), twice (EINVAL), a block
 *             ring on the NIC's handle (EINVAL), then one outside RAM: ended
 * Needs --net:service0= and --block:storage= (512-byte blocks). */
#include <wisp.h>
#include <wisp/abi.h>

#include "t.h"

static struct wisp_net_ring nr __attribute__((aligned(4096)));
static struct wisp_block_ring br __attribute__((aligned(4096)));
static uint8_t frame[64] __attribute__((aligned(64)));
static uint8_t sector[512] __attribute__((aligned(512)));

#define NET 1
#define BLK 2
#define SEC 1000000000ull

static void hypercall(unsigned nr_, void *arg)
{
    volatile uint64_t *bell = t_launder(WISP_DOORBELL_GPA + 8ull * nr_);

    __asm__ __volatile__("" ::: "memory"); /* IN fields stored before */
    *bell = (uint64_t)(uintptr_t)arg;
    __asm__ __volatile__("" ::: "memory"); /* OUT fields read after */
}

static void kick(unsigned handle)
{
    volatile uint64_t *k = t_launder(WISP_KICK_GPA(handle));

    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    *k = 1;
}

static void poll_ms(uint64_t ms)
{
    static struct wisp_hc_poll p;

    p.timeout_ns = ms * 1000000ull;
    hypercall(WISP_HC_POLL, &p);
}

static int32_t setup(unsigned nr_, uint64_t handle, uint64_t ring)
{
    static struct wisp_hc_ring_setup s;

    s.handle = handle;
    s.ring = ring;
    s.ret = -1;
    hypercall(nr_, &s);
    return s.ret;
}

static uint32_t load(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* wait_tx: until the tender consumed every TX descriptor (bounded). */
static int wait_tx(void)
{
    solo5_time_t end = solo5_clock_monotonic() + 10 * SEC;

    while (load(&nr.tx.cons) != nr.tx.prod) {
        if (solo5_clock_monotonic() > end)
            return t_fail("the tender did not consume the TX ring");
        kick(NET);
        poll_ms(1);
    }
    return 0;
}

static void tx(uint64_t data, uint32_t len)
{
    struct wisp_net_desc *d = &nr.tx_desc[nr.tx.prod % WISP_NET_RING_SLOTS];

    d->data = data;
    d->len = len;
    __atomic_store_n(&nr.tx.prod, nr.tx.prod + 1, __ATOMIC_RELEASE);
}

static void make_frame(void)
{
    t_memset(frame, 0xff, 6);              /* broadcast */
    t_memset(frame + 6, 0x02, 6);          /* a local MAC */
    frame[12] = 0x88, frame[13] = 0xb5;    /* local experimental ethertype */
}

static int txbad(void)
{
    make_frame();
    tx(0x20000, 60);                       /* tender-private (page tables) */
    tx(0x80000000ull, 60);                 /* outside RAM */
    tx((uint64_t)(uintptr_t)frame, 0xffffffffu); /* length too large */
    tx(0xfffffffffffff000ull, 0x2000);     /* the range wraps around */
    tx((uint64_t)(uintptr_t)frame, 10);    /* shorter than a header */
    tx((uint64_t)(uintptr_t)frame, 60);    /* valid */
    kick(NET);
    if (wait_tx())
        return 1;
    t_puts("TX consumed\n");
    /* RX: every slot aimed at the text, which the guest may not write. */
    for (unsigned i = 0; i < WISP_NET_RING_SLOTS; i++) {
        nr.rx_desc[i].data = (uint64_t)(uintptr_t)&txbad;
        nr.rx_desc[i].len = 2048;
    }
    t_puts("READY\n");
    solo5_time_t end = solo5_clock_monotonic() + 30 * SEC;
    while (load(&nr.rx.prod) < 3) {
        if (solo5_clock_monotonic() > end)
            return t_fail("no frames arrived");
        nr.flags.guest_waiting = 1;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (load(&nr.rx.prod) < 3)
            poll_ms(100);
        nr.flags.guest_waiting = 0;
    }
    for (unsigned i = 0; i < 3; i++)
        if (nr.rx_desc[i].ret != WISP_R_EINVAL || nr.rx_desc[i].len != 0)
            return t_fail("an RX frame into the text was not refused");
    t_puts("RX refused\n");
    return 0;
}

static int race(void)
{
    make_frame();
    for (unsigned i = 0; i < 20000; i++) {
        struct wisp_net_desc *d = &nr.tx_desc[nr.tx.prod % WISP_NET_RING_SLOTS];

        while (nr.tx.prod - load(&nr.tx.cons) >= WISP_NET_RING_SLOTS)
            kick(NET);
        d->data = (uint64_t)(uintptr_t)frame;
        d->len = 60;
        __atomic_store_n(&nr.tx.prod, nr.tx.prod + 1, __ATOMIC_RELEASE);
        if (nr.flags.host_sleeping)
            kick(NET);
        /* rewrite it while the tender may be copying it */
        for (unsigned k = 0; k < 16; k++) {
            *(volatile uint64_t *)&d->data = (k & 1) ? 0x80000000ull : (uint64_t)(uintptr_t)frame;
            *(volatile uint32_t *)&d->len = (k & 2) ? 0xfffffff0u : 60;
        }
    }
    kick(NET);
    if (wait_tx())
        return 1;
    t_puts("race: 20000 published\n");
    return 0;
}

static int32_t blk(uint32_t op, uint64_t off, uint64_t data, uint64_t len)
{
    struct wisp_block_desc *d = &br.desc[br.req.prod % WISP_BLOCK_RING_SLOTS];
    solo5_time_t end = solo5_clock_monotonic() + 10 * SEC;
    uint32_t want = br.req.prod + 1;

    d->op = op;
    d->offset = off;
    d->data = data;
    d->len = len;
    d->ret = 77;
    __atomic_store_n(&br.req.prod, want, __ATOMIC_RELEASE);
    kick(BLK);
    while (load(&br.req.cons) != want) {
        if (solo5_clock_monotonic() > end)
            return -1;
        br.flags.guest_waiting = 1;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (load(&br.req.cons) != want)
            poll_ms(10);
        br.flags.guest_waiting = 0;
    }
    return d->ret;
}

static int blkbad(void)
{
    uint64_t s = (uint64_t)(uintptr_t)sector;

    if (blk(99, 0, s, 512) != WISP_R_EINVAL)
        return t_fail("an unknown operation was not EINVAL");
    if (blk(WISP_BLOCK_OP_READ, 1, s, 512) != WISP_R_EINVAL)
        return t_fail("an unaligned offset was not EINVAL");
    if (blk(WISP_BLOCK_OP_READ, 512, s, 0xfffffffffffffe00ull) != WISP_R_EINVAL)
        return t_fail("an overflowing length was not EINVAL");
    if (blk(WISP_BLOCK_OP_READ, 0, s, 512) != WISP_R_OK)
        return t_fail("a valid read failed");
    t_puts("block: refused 3, read 1\n");
    blk(WISP_BLOCK_OP_READ, 0, 0x20000, 512); /* tender-private memory */
    return t_fail("a read into tender memory completed");
}

/* oldguest: what a guest built before the rings does. */
static int oldguest(void)
{
    static struct wisp_hc_block_io b;
    static struct wisp_net_buf nb;
    static struct wisp_hc_net_io n;

    t_memset(sector, 0x5a, sizeof sector);
    b = (struct wisp_hc_block_io){.handle = BLK, .offset = 512, .data = (uintptr_t)sector,
                                  .len = 512, .ret = -1};
    hypercall(WISP_HC_BLOCK_WRITE, &b);
    if (b.ret != WISP_R_OK)
        return t_fail("BLOCK_WRITE failed");
    t_memset(sector, 0, sizeof sector);
    b.ret = -1;
    hypercall(WISP_HC_BLOCK_READ, &b);
    if (b.ret != WISP_R_OK || sector[0] != 0x5a || sector[511] != 0x5a)
        return t_fail("BLOCK_READ failed");
    make_frame();
    nb = (struct wisp_net_buf){.data = (uintptr_t)frame, .len = 60};
    n = (struct wisp_hc_net_io){.handle = NET, .bufs = (uintptr_t)&nb, .count = 1};
    hypercall(WISP_HC_NET_WRITE, &n);
    if (n.done != 1)
        return t_fail("NET_WRITE failed");
    t_puts("oldguest: block and net hypercalls work\n");
    return t_success();
}

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *mode = si->cmdline;
    int32_t r;

    if (!(((const struct wisp_boot_info *)wisp_boot_info())->host_features & WISP_FEATURE_RINGS))
        return t_fail("the tender offers no rings");
    if (t_strcmp(mode, "oldguest") == 0)
        return oldguest();
    if (t_strcmp(mode, "setup") == 0) {
        if (setup(WISP_HC_NET_RING, NET, (uint64_t)(uintptr_t)&nr + 8) != WISP_R_EINVAL)
            return t_fail("a misaligned ring was taken");
        if (setup(WISP_HC_BLOCK_RING, NET, (uint64_t)(uintptr_t)&br) != WISP_R_EINVAL)
            return t_fail("a block ring on a NIC was taken");
        if (setup(WISP_HC_NET_RING, NET, (uint64_t)(uintptr_t)&nr) != WISP_R_OK)
            return t_fail("a valid ring was refused");
        if (setup(WISP_HC_NET_RING, NET, (uint64_t)(uintptr_t)&nr) != WISP_R_EINVAL)
            return t_fail("a second ring was taken");
        t_puts("setup: refused 3\n");
        setup(WISP_HC_BLOCK_RING, BLK, 0x80000000ull);
        return t_fail("a ring outside RAM was taken");
    }
    if (mode[0] == 'b') {
        if ((r = setup(WISP_HC_BLOCK_RING, BLK, (uint64_t)(uintptr_t)&br)) != WISP_R_OK)
            return t_fail("BLOCK_RING setup failed");
        if (t_strcmp(mode, "blkbad") == 0)
            return blkbad();
        if (t_strcmp(mode, "blkindex") == 0) {
            __atomic_store_n(&br.req.prod, 100, __ATOMIC_RELEASE);
            kick(BLK);
            for (int i = 0; i < 1000; i++)
                poll_ms(10);
            return t_fail("an impossible request index was served");
        }
        return t_fail("unknown mode");
    }
    if ((r = setup(WISP_HC_NET_RING, NET, (uint64_t)(uintptr_t)&nr)) != WISP_R_OK)
        return t_fail("NET_RING setup failed");
    if (t_strcmp(mode, "txbad") == 0)
        return txbad() ? 1 : t_success();
    if (t_strcmp(mode, "race") == 0)
        return race() ? 1 : t_success();
    if (t_strcmp(mode, "txindex") == 0 || t_strcmp(mode, "rxindex") == 0) {
        if (mode[0] == 't')
            __atomic_store_n(&nr.tx.prod, 1000, __ATOMIC_RELEASE);
        else
            __atomic_store_n(&nr.rx.cons, 5, __ATOMIC_RELEASE);
        kick(NET);
        for (int i = 0; i < 1000; i++)
            poll_ms(10);
        return t_fail("an impossible index was served");
    }
    return t_fail("unknown mode");
}
