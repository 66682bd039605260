/*
 * net.c: network devices, one frame per call.  Two transports:
 *   - the ring-I/O extension (SOLO5_HVT_ABI.md 2), used iff the tender
 *     offers it ((host_features & HVT_FEATURE_RING_IO) && net_ring != 0),
 *     the manifest has a NET_BASIC device, and the command line did not
 *     start with --solo5:noring (cmdline.c; for tests: it makes the guest
 *     behave as one that predates the ring);
 *   - else the NET_WRITE/NET_READ hypercalls (section 1.2), which every
 *     hvt tender serves.
 * Readiness comes from solo5_yield (POLL) either way.
 *
 * Ring usage as Solo5's bindings, except for the write buffers.  Solo5
 * copies each frame into a static .bss array of 1024 x 2 KiB (2 MiB in
 * every unikernel, NIC or not).  Here hg_net_init takes a pool of
 * NET_POOL x 2 KiB (128 KiB) from the start of the heap, only when the
 * ring is used; the slot of entry t is t % NET_POOL, free once the host's
 * ent_head is past t - NET_POOL, so a writer waits while NET_POOL entries
 * are in flight (Solo5 waits at 1023).  Frames over 2 KiB go through the
 * NET_WRITE hypercall after the ring has drained, so frames leave in order.
 * Writes through the ring return OK at once; the host counts, never
 * reports, a frame it could not send.  Reads are synchronous: submit,
 * kick if the host sleeps, spin until the commit arrives.
 *
 * wisp's addition (include/wisp/hvt_ring_ext.h), used only when the
 * tender announces it in the ring: solo5_yield posts, for each NIC, a
 * POLL read into that NIC's look-ahead buffer (MTU + 14 bytes from the
 * heap) before its POLL hypercall, without a kick.  The tender's POLL
 * sends the queued frames, waits, and reads the frame that ended the wait
 * into the buffer, all in the one exit; solo5_net_read hands it out.  The
 * commit also says whether the device had another frame: if not, the next
 * solo5_net_read returns AGAIN without asking the host (the one after that
 * asks again, so a caller that never yields still sees every frame).
 * Writes then do not kick a sleeping I/O thread: the next POLL or ring
 * read sends them, and NET_POOL / 2 of them in flight kick.  A flood ping
 * costs one exit per round trip and wakes no thread.
 */
#include "internal.h"
#include "wisp/hvt_ring_ext.h"

#define NET_POOL 64
#define RING_MASK (HVT_RING_ENTRIES - 1)

int hg_net_noring;
int hg_net_ringext;

static struct hvt_ring *ring;                         /* NULL: hypercalls */
static uint8_t (*pool)[HVT_RING_BUF_SIZE];           /* NET_POOL buffers */
static uint32_t next_id;

/* The POLL reads (hvt_ring_ext.h): a look-ahead buffer per NIC. */
struct ahead {
    uint8_t *buf;         /* NULL: not a NIC, or no addition */
    uint32_t size;        /* MTU + 14 */
    uint32_t len;         /* the frame in buf, if full */
    int full;
    int none_waiting;     /* the host saw no other frame: the next read may say AGAIN */
};
static struct ahead ahead[MFT_MAX_ENTRIES];
static uint64_t ahead_nics;                           /* bit per NIC with a buffer */

uint64_t hg_net_init(uint64_t heap_start)
{
    unsigned index;

    if (hg_net_noring || !(hg_bi->host_features & HVT_FEATURE_RING_IO) ||
        hg_bi->net_ring == 0)
        return heap_start;
    /* Any NET_BASIC entry will do: look one up by type through handles. */
    for (index = 1; index < MFT_MAX_ENTRIES; index++)
        if (hg_mft_by_handle(index, MFT_DEV_NET_BASIC) != NULL)
            break;
    if (index == MFT_MAX_ENTRIES)
        return heap_start;
    ring = (struct hvt_ring *)(uintptr_t)hg_bi->net_ring;
    pool = (uint8_t (*)[HVT_RING_BUF_SIZE])(uintptr_t)heap_start;
    heap_start += (uint64_t)NET_POOL * HVT_RING_BUF_SIZE;
    if (!hg_net_ringext ||
        *(volatile uint32_t *)((uint8_t *)ring + HVT_RING_EXT_MAGIC_OFFSET) != HVT_RING_EXT_MAGIC)
        return heap_start;
    for (index = 1; index < MFT_MAX_ENTRIES; index++) {
        const struct mft_entry *e = hg_mft_by_handle(index, MFT_DEV_NET_BASIC);

        if (e == NULL || !e->attached)
            continue;
        ahead[index].buf = (uint8_t *)(uintptr_t)heap_start;
        ahead[index].size = e->u.net_basic.mtu + 14;
        heap_start += (ahead[index].size + 63) & ~63ull;
        ahead_nics |= 1ull << index;
    }
    return heap_start;
}

static inline void cpu_relax(void)
{
    __asm__ __volatile__("pause" ::: "memory");
}

static inline uint32_t ring_load(const uint32_t *p)
{
    return *(const volatile uint32_t *)p;
}

/* submit: publish entries up to (tail); kick the host if it sleeps.  The
 * locked add is the full barrier between the ent_tail store and the
 * needs_kick load (the host fences the other way round). */
static void submit(uint32_t tail)
{
    __asm__ __volatile__("" ::: "memory");
    *(volatile uint32_t *)&ring->ent_tail = tail;
    __asm__ __volatile__("lock; orl $0, (%%rsp)" ::: "memory", "cc");
    if (ring_load(&ring->needs_kick))
        __asm__ __volatile__("outl %0, %1"
                             :
                             : "a"(0u), "d"((uint16_t)HVT_RING_KICK_PIO_BASE)
                             : "memory");
}


/* publish: ent_tail = (tail) without a kick (hvt_ring_ext.h: the POLL serves). */
static void publish(uint32_t tail)
{
    __asm__ __volatile__("" ::: "memory");
    *(volatile uint32_t *)&ring->ent_tail = tail;
}

/* kick_if_sleeping: wake the host's I/O thread if it sleeps (frames
 * published without a kick, hvt_ring_ext.h). */
static void kick_if_sleeping(void)
{
    __asm__ __volatile__("lock; orl $0, (%%rsp)" ::: "memory", "cc");
    if (ring_load(&ring->needs_kick))
        __asm__ __volatile__("outl %0, %1"
                             :
                             : "a"(0u), "d"((uint16_t)HVT_RING_KICK_PIO_BASE)
                             : "memory");
}

/* slot: the next entry, once at most (inflight) - 1 others are pending. */
static struct hvt_ring_entry *slot(uint32_t *tail, uint32_t inflight)
{
    *tail = ring->ent_tail;
    if (*tail - ring_load(&ring->ent_head) >= inflight)
        kick_if_sleeping(); /* written without a kick (POLL reads) */
    while (*tail - ring_load(&ring->ent_head) >= inflight)
        cpu_relax();
    return &ring->entries[*tail & RING_MASK];
}

solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info)
{
    unsigned index;
    const struct mft_entry *e = hg_mft_by_name(name, MFT_DEV_NET_BASIC, &index);

    if (e == NULL)
        return SOLO5_R_EUNSPEC;
    /* Every declared device is attached before the guest starts. */
    HG_ASSERT(e->attached);
    *handle = index;
    memcpy(info->mac_address, e->u.net_basic.mac, SOLO5_NET_ALEN);
    info->mtu = e->u.net_basic.mtu;
    return SOLO5_R_OK;
}

static solo5_result_t hc_write(solo5_handle_t handle, const uint8_t *buf, size_t size)
{
    struct hvt_hc_net_write w = {
        .handle = handle,
        .data = (uint64_t)(uintptr_t)buf,
        .len = size,
        .ret = 0,
    };
    hg_hypercall(HVT_HYPERCALL_NET_WRITE, &w);
    return (solo5_result_t)w.ret;
}

solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf,
                               size_t size)
{
    if (hg_mft_by_handle(handle, MFT_DEV_NET_BASIC) == NULL)
        return SOLO5_R_EINVAL;
    if (ring == NULL)
        return hc_write(handle, buf, size);
    if (size > HVT_RING_BUF_SIZE) {
        /* Whatever the ring holds leaves first. */
        if (ring_load(&ring->ent_head) != ring->ent_tail)
            kick_if_sleeping();
        while (ring_load(&ring->ent_head) != ring->ent_tail)
            cpu_relax();
        return hc_write(handle, buf, size);
    }
    uint32_t tail;
    struct hvt_ring_entry *e = slot(&tail, NET_POOL);
    uint8_t *copy = pool[tail % NET_POOL];

    memcpy(copy, buf, size);
    e->operation = HVT_RING_OP_NET_WRITE;
    e->_reserved = 0;
    e->handle = (uint32_t)handle;
    e->data = (uint64_t)(uintptr_t)copy;
    e->len = (uint32_t)size;
    e->id = next_id++;
    if (ahead_nics && tail + 1 - ring_load(&ring->ent_head) < NET_POOL / 2)
        publish(tail + 1); /* sent by the next solo5_yield's POLL, or the host's look */
    else
        submit(tail + 1);
    return SOLO5_R_OK;
}

solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                              size_t *read_size)
{
    if (hg_mft_by_handle(handle, MFT_DEV_NET_BASIC) == NULL)
        return SOLO5_R_EINVAL;
    if (ring == NULL) {
        struct hvt_hc_net_read r = {
            .handle = handle,
            .data = (uint64_t)(uintptr_t)buf,
            .len = size,
            .ret = 0,
        };
        hg_hypercall(HVT_HYPERCALL_NET_READ, &r);
        if (r.ret == SOLO5_R_OK)
            *read_size = r.len;
        return (solo5_result_t)r.ret;
    }
    struct ahead *a = handle < MFT_MAX_ENTRIES ? &ahead[handle] : NULL;

    if (a && a->full) {
        size_t n = a->len < size ? a->len : size; /* truncated, as by NET_READ */

        memcpy(buf, a->buf, n);
        *read_size = n;
        a->full = 0;
        return SOLO5_R_OK;
    }
    if (a && a->none_waiting) {
        a->none_waiting = 0;
        return SOLO5_R_AGAIN;
    }
    uint32_t tail, head = ring->com_head;
    struct hvt_ring_entry *e = slot(&tail, HVT_RING_ENTRIES - 1);

    e->operation = HVT_RING_OP_NET_READ;
    e->_reserved = 0;
    e->handle = (uint32_t)handle;
    e->data = (uint64_t)(uintptr_t)buf;
    e->len = size > 0xffffffffu ? 0xffffffffu : (uint32_t)size;
    e->id = next_id++;
    submit(tail + 1);
    /* Synchronous: one read in flight, so the next commit is ours. */
    while (ring_load(&ring->com_tail) == head)
        cpu_relax();
    __asm__ __volatile__("" ::: "memory");
    const struct hvt_ring_commit *c = &ring->commits[head & RING_MASK];
    solo5_result_t ret = (solo5_result_t)c->ret;

    if (ret == SOLO5_R_OK)
        *read_size = c->len;
    *(volatile uint32_t *)&ring->com_head = head + 1;
    return ret;
}

/*
 * hg_net_yield: solo5_yield with POLL reads (hvt_ring_ext.h): a POLL read
 * per NIC whose buffer is empty, the POLL (which serves them after its
 * wait), then their commits, in order.  Returns 0 without the addition
 * (the caller makes a plain POLL).
 */
int hg_net_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set)
{
    struct hvt_hc_poll p = { 0 };
    unsigned posted[MFT_MAX_ENTRIES], nposted = 0;
    uint64_t ready = 0;
    solo5_time_t now;

    if (ring == NULL || ahead_nics == 0)
        return 0;
    for (uint64_t m = ahead_nics; m; m &= m - 1) {
        unsigned h = (unsigned)__builtin_ctzll(m);
        struct ahead *a = &ahead[h];
        uint32_t tail;
        struct hvt_ring_entry *e;

        if (a->full) {
            ready |= 1ull << h;
            continue;
        }
        e = slot(&tail, HVT_RING_ENTRIES - 1);
        e->operation = HVT_RING_OP_NET_READ;
        e->handle = h;
        e->data = (uint64_t)(uintptr_t)a->buf;
        e->len = a->size;
        e->id = next_id++;
        e->_reserved = HVT_RING_EXT_POLL_READ;
        publish(tail + 1);
        posted[nposted++] = h;
    }
    now = solo5_clock_monotonic();
    p.timeout_nsecs = ready || deadline <= now ? 0 : deadline - now;
    hg_hypercall(HVT_HYPERCALL_POLL, &p);
    /* The POLL served every entry: one commit per POLL read, in order. */
    for (unsigned i = 0; i < nposted; i++) {
        struct ahead *a = &ahead[posted[i]];
        uint32_t head = ring->com_head;

        while (ring_load(&ring->com_tail) == head)
            cpu_relax();
        __asm__ __volatile__("" ::: "memory");
        const struct hvt_ring_commit *c = &ring->commits[head & RING_MASK];

        a->none_waiting = 0;
        if (c->ret == SOLO5_R_OK && c->len <= a->size) {
            a->full = 1;
            a->len = c->len;
            a->none_waiting = (c->_reserved & HVT_RING_EXT_SEEN) &&
                              !(c->_reserved & HVT_RING_EXT_MORE);
            ready |= 1ull << posted[i];
        }
        *(volatile uint32_t *)&ring->com_head = head + 1;
    }
    /* Readiness the POLL saw, for NICs whose frame its read did not take
     * (another frame came): reads ask the host again. */
    for (uint64_t m = p.ready_set & ahead_nics & ~ready; m; m &= m - 1)
        ahead[__builtin_ctzll(m)].none_waiting = 0;
    if (ready_set != NULL)
        *ready_set = ready | p.ready_set;
    return 1;
}
