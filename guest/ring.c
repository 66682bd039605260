/*
 * ring.c: the guest side of the shared I/O rings (ring.h, abi.h).
 *
 * Memory: at start-up each attached NIC gets, from the top of the heap, a
 * struct wisp_net_ring and 2 x WISP_NET_RING_SLOTS frame buffers of
 * MTU + 14 bytes rounded up to 64 (TX frames are copied in, so
 * solo5_net_write returns at once and the caller may reuse its buffer;
 * RX slots are pre-posted); each block device a struct wisp_block_ring
 * (requests point at the caller's buffer: the call waits for its
 * completion).  Rings take at most a quarter of the heap; a device that
 * does not fit keeps the hypercalls.
 *
 * Waiting for a frame in solo5_yield: spin reading the ring for an
 * adaptive budget, then set guest_waiting, fence, look again and block in
 * POLL.  Waiting for a block completion: if the I/O thread sleeps, kick at
 * once (a block kick is an exit in which the tender serves the request
 * itself); else spin for the budget, then kick.  The budget follows what
 * happened: input or a completion that came while spinning, or soon after
 * the guest blocked while the I/O thread ran, doubles it (at most
 * SPIN_MAX_NS); a long or fruitless wait halves it (at least SPIN_MIN_NS),
 * so an idle guest spins next to nothing.
 *
 * A spin pays only while the tender's I/O thread runs on another CPU: an
 * exit costs tens of microseconds here (PVM), a spin that catches the
 * answer nothing.  The thread's host_beat (abi.h) tells: a spin ends as
 * soon as the beat stands still for BEAT_STILL_NS (the thread sleeps, or
 * the host gave its CPU to someone else, often this very vCPU, whose
 * spinning then only delays the answer), and such a spin shrinks the
 * budget.  Measured (bench/io.sh, kvm_pvm, 2 cores): with a CPU for each,
 * a flood ping runs without exits; on one contended CPU the guest makes one
 * POLL per round trip and spins next to nothing.
 */
#include "hypercall.h"
#include "ring.h"

#define SPIN_MIN_NS 3000ull /* a spinning I/O thread's beat moves in ~2 us */
#define SPIN_MAX_NS 200000ull
#define SPIN_INIT_NS 5000ull
/* A host beat (abi.h) still this long: the I/O thread does not run (it
 * sleeps, or the host gave its CPU to someone else, perhaps this vCPU);
 * spinning on only keeps the CPU from it.  About one exit's cost here. */
#define BEAT_STILL_NS 30000ull
/* After this many waits in a row that spinning did not end, frames queued
 * for a sleeping I/O thread go out in the POLL that waits (one exit), not
 * in a kick followed by a spin; one wait in SPIN_PROBE_EVERY tries again. */
#define SPIN_MISSES_MAX 4u
#define SPIN_PROBE_EVERY 64u
#define TX_FULL_WAIT_NS 100000ull
/* A block request's ret until the tender completes it: no WISP_R_* value. */
#define BLOCK_RET_PENDING ((int32_t)0x7fffffff)
/* Looks at a block request's ret between two looks at the clock and the
 * I/O thread's beat (~1 us of pause). */
#define BLOCK_WATCH_LOOKS 16u

struct net_state {
    struct wisp_net_ring *r; /* reserved (NULL: none) */
    uint8_t *bufs;           /* TX slots, then RX slots */
    uint32_t buf_size, frame_max;
    uint32_t tx_prod, rx_cons;
    int active;
    int kick_owed;           /* frames published while the I/O thread slept */
};

struct block_state {
    struct wisp_block_ring *r;
    uint32_t prod;
    int active;
};

static struct net_state nets[MFT_MAX_ENTRIES];
static struct block_state blocks[MFT_MAX_ENTRIES];
static uint64_t active_nets;    /* bit per NIC with an active ring */
static uint64_t net_spin_ns = SPIN_INIT_NS, block_spin_ns = SPIN_INIT_NS;
static unsigned net_spin_misses; /* waits in a row that a spin did not end */

static const struct mft *manifest(void)
{
    return (const struct mft *)(uintptr_t)wg_bi->mft;
}

static uint64_t align_down(uint64_t v, uint64_t a)
{
    return v & ~(a - 1);
}

void wg_rings_reserve(uint64_t heap_start, uint64_t *heap_end)
{
    const struct mft *m = manifest();
    uint64_t end = *heap_end, budget = (*heap_end - heap_start) / 4;

    if (!(wg_bi->host_features & WISP_FEATURE_RINGS) || m == NULL)
        return;
    for (uint32_t i = 1; i < m->entries && i < MFT_MAX_ENTRIES; i++) {
        const struct mft_entry *e = &m->e[i];
        uint64_t need, buf_size;

        if (!e->attached)
            continue;
        if (e->type == MFT_DEV_NET_BASIC) {
            buf_size = ((uint64_t)e->u.net_basic.mtu + 14 + 63) & ~63ull;
            need = sizeof(struct wisp_net_ring) + 2ull * WISP_NET_RING_SLOTS * buf_size;
        } else if (e->type == MFT_DEV_BLOCK_BASIC) {
            buf_size = 0;
            need = sizeof(struct wisp_block_ring);
        } else {
            continue;
        }
        need = (need + WISP_PAGE_SIZE - 1) & ~(WISP_PAGE_SIZE - 1);
        if (need > budget || align_down(end, WISP_PAGE_SIZE) - need < heap_start)
            continue;
        budget -= need;
        end = align_down(end, WISP_PAGE_SIZE) - need;
        if (e->type == MFT_DEV_NET_BASIC) {
            nets[i].r = (struct wisp_net_ring *)(uintptr_t)end;
            nets[i].bufs = (uint8_t *)(uintptr_t)(end + sizeof(struct wisp_net_ring));
            nets[i].buf_size = (uint32_t)buf_size;
            nets[i].frame_max = (uint32_t)e->u.net_basic.mtu + 14;
        } else {
            blocks[i].r = (struct wisp_block_ring *)(uintptr_t)end;
        }
    }
    *heap_end = end;
}

/* ring_setup: the RING hypercall `nr` for `ring`; whether it was taken. */
static int ring_setup(enum wisp_hypercall nr, solo5_handle_t handle, void *ring)
{
    struct wisp_hc_ring_setup s = {.handle = handle, .ring = (wisp_gpa_t)(uintptr_t)ring};

    wg_hypercall(nr, &s);
    return s.ret == WISP_R_OK;
}

void wg_net_ring_setup(solo5_handle_t handle)
{
    struct net_state *n = handle < MFT_MAX_ENTRIES ? &nets[handle] : NULL;

    if (!n || !n->r || n->active)
        return;
    memset(n->r, 0, sizeof *n->r);
    for (uint32_t i = 0; i < WISP_NET_RING_SLOTS; i++) {
        n->r->tx_desc[i].data = (wisp_gpa_t)(uintptr_t)(n->bufs + (uint64_t)i * n->buf_size);
        n->r->rx_desc[i].data = (wisp_gpa_t)(uintptr_t)(n->bufs +
                                (uint64_t)(WISP_NET_RING_SLOTS + i) * n->buf_size);
        n->r->rx_desc[i].len = n->buf_size;
    }
    if (ring_setup(WISP_HC_NET_RING, handle, n->r)) {
        n->active = 1;
        active_nets |= 1ull << handle;
    }
}

void wg_block_ring_setup(solo5_handle_t handle)
{
    struct block_state *b = handle < MFT_MAX_ENTRIES ? &blocks[handle] : NULL;

    if (!b || !b->r || b->active)
        return;
    memset(b->r, 0, sizeof *b->r);
    b->active = ring_setup(WISP_HC_BLOCK_RING, handle, b->r);
}

int wg_net_ring_active(solo5_handle_t handle)
{
    return handle < MFT_MAX_ENTRIES && nets[handle].active;
}

int wg_block_ring_active(solo5_handle_t handle)
{
    return handle < MFT_MAX_ENTRIES && blocks[handle].active;
}

static uint32_t load_acquire(const uint32_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(uint32_t *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* kick_if_sleeping: after publishing, wake the tender's I/O thread if it
 * sleeps (full fence first: pairs with the tender's). */
static void kick_if_sleeping(struct wisp_ring_flags *f, solo5_handle_t handle)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&f->host_sleeping, __ATOMIC_RELAXED))
        *(volatile uint64_t *)(uintptr_t)WISP_KICK_GPA(handle) = 1;
}

/* poll_hc: one POLL hypercall of at most timeout_ns; its ready set. */
static uint64_t poll_hc(uint64_t timeout_ns)
{
    struct wisp_hc_poll p = {.timeout_ns = timeout_ns};

    wg_console_flush(); /* the wait may be long: show what was written */
    wg_hypercall(WISP_HC_POLL, &p);
    return p.ready_set;
}

static void spin_adapt(uint64_t *spin_ns, int fruitful)
{
    if (fruitful)
        *spin_ns = *spin_ns * 2 > SPIN_MAX_NS ? SPIN_MAX_NS : *spin_ns * 2;
    else
        *spin_ns = *spin_ns / 2 < SPIN_MIN_NS ? SPIN_MIN_NS : *spin_ns / 2;
}

/* spin_after_block: the budget after a wait that blocked in POLL for
 * `waited` ns from the start of the spin: input that came within
 * SPIN_MAX_NS, while the I/O thread ran beside this vCPU (`catchable`),
 * would have been caught by a spin of twice that time.  Input that came
 * only once the vCPU blocked (the thread had no CPU until then) says
 * nothing for spinning. */
static void spin_after_block(uint64_t *spin_ns, int catchable, uint64_t waited)
{
    if (!catchable || waited >= SPIN_MAX_NS) {
        spin_adapt(spin_ns, 0);
        return;
    }
    spin_adapt(spin_ns, 1);
    if (*spin_ns < 2 * waited)
        *spin_ns = 2 * waited > SPIN_MAX_NS ? SPIN_MAX_NS : 2 * waited;
}

/* struct beat_watch: whether an I/O thread still runs while the guest
 * spins (its host_beat moves).  beat_still: the beat (sum over `flags`
 * of the watched rings) has not moved for BEAT_STILL_NS at `now`, or
 * every watched thread announced sleep. */
struct beat_watch {
    uint32_t beat;
    solo5_time_t moved_at;
    int moved, still; /* the beat moved during the spin; the spin ended on a still beat */
};

static int beat_still(struct beat_watch *w, uint32_t beat, int all_sleeping, solo5_time_t now)
{
    if (all_sleeping)
        return w->still = 1;
    if (beat != w->beat) {
        w->beat = beat;
        w->moved_at = now;
        w->moved = 1;
        return 0;
    }
    return w->still = now - w->moved_at > BEAT_STILL_NS;
}

static void beat_watch_start(struct beat_watch *w, uint32_t beat, solo5_time_t now)
{
    *w = (struct beat_watch){.beat = beat, .moved_at = now};
}

/* ---- network ---- */

static uint64_t nets_ready(void)
{
    uint64_t ready = 0;

    for (uint64_t m = active_nets; m; m &= m - 1) {
        unsigned h = (unsigned)__builtin_ctzll(m);

        if (load_acquire(&nets[h].r->rx.prod) != nets[h].rx_cons)
            ready |= 1ull << h;
    }
    return ready;
}

/* nets_beat: the sum of the NIC threads' beats; *all_sleeping: whether
 * every NIC's thread announced sleep. */
static uint32_t nets_beat(int *all_sleeping)
{
    uint32_t beat = 0;

    *all_sleeping = 1;
    for (uint64_t m = active_nets; m; m &= m - 1) {
        struct wisp_ring_flags *f = &nets[__builtin_ctzll(m)].r->flags;

        beat += __atomic_load_n(&f->host_beat, __ATOMIC_RELAXED);
        if (!__atomic_load_n(&f->host_sleeping, __ATOMIC_RELAXED))
            *all_sleeping = 0;
    }
    return beat;
}

static void nets_waiting(uint32_t v)
{
    for (uint64_t m = active_nets; m; m &= m - 1)
        __atomic_store_n(&nets[__builtin_ctzll(m)].r->flags.guest_waiting, v, __ATOMIC_RELAXED);
}

solo5_result_t wg_net_ring_write(solo5_handle_t handle, const uint8_t *buf, size_t size)
{
    struct net_state *n = &nets[handle];
    struct wisp_net_desc *d;
    solo5_time_t t0 = 0;

    if (size < 14 || size > n->frame_max)
        return SOLO5_R_EINVAL;
    while (n->tx_prod - load_acquire(&n->r->tx.cons) >= WISP_NET_RING_SLOTS) {
        /* Full: the tender is behind; make sure it is awake, then wait. */
        kick_if_sleeping(&n->r->flags, handle);
        if (!t0)
            t0 = solo5_clock_monotonic();
        else if (solo5_clock_monotonic() - t0 > 100 * TX_FULL_WAIT_NS)
            return SOLO5_R_EUNSPEC;
        else if (solo5_clock_monotonic() - t0 > TX_FULL_WAIT_NS)
            poll_hc(TX_FULL_WAIT_NS);
        __builtin_ia32_pause();
    }
    d = &n->r->tx_desc[n->tx_prod % WISP_NET_RING_SLOTS];
    d->data = (wisp_gpa_t)(uintptr_t)(n->bufs + (uint64_t)(n->tx_prod % WISP_NET_RING_SLOTS) *
                                      n->buf_size);
    memcpy((void *)(uintptr_t)d->data, buf, size);
    d->len = (uint32_t)size;
    store_release(&n->r->tx.prod, ++n->tx_prod);
    /* A sleeping I/O thread is not kicked per frame: the next
     * solo5_yield kicks once for all of them (or its POLL sends them),
     * the thread looks every millisecond while the guest runs, and a
     * half-full ring kicks at once. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with the tender's */
    if (__atomic_load_n(&n->r->flags.host_sleeping, __ATOMIC_RELAXED)) {
        n->kick_owed = 1;
        if (n->tx_prod - load_acquire(&n->r->tx.cons) >= WISP_NET_RING_SLOTS / 2) {
            n->kick_owed = 0;
            *(volatile uint64_t *)(uintptr_t)WISP_KICK_GPA(handle) = 1;
        }
    }
    return SOLO5_R_OK;
}

solo5_result_t wg_net_ring_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                                size_t *read_size)
{
    struct net_state *n = &nets[handle];
    uint32_t prod = load_acquire(&n->r->rx.prod), slot, len;
    struct wisp_net_desc *d;
    solo5_result_t r = SOLO5_R_OK;
    int was_full;

    if (prod == n->rx_cons)
        return SOLO5_R_AGAIN;
    slot = n->rx_cons % WISP_NET_RING_SLOTS;
    d = &n->r->rx_desc[slot];
    len = d->len;
    if (d->ret != WISP_R_OK || len > size || len > n->buf_size) {
        r = SOLO5_R_EINVAL; /* a frame larger than the buffer: dropped */
        *read_size = len;   /* its real size, as NET_READ reports it */
    } else {
        memcpy(buf, n->bufs + (uint64_t)(WISP_NET_RING_SLOTS + slot) * n->buf_size, len);
        *read_size = len;
    }
    /* Post the slot again, then hand it back. */
    d->data = (wisp_gpa_t)(uintptr_t)(n->bufs +
                                      (uint64_t)(WISP_NET_RING_SLOTS + slot) * n->buf_size);
    d->len = n->buf_size;
    was_full = prod - n->rx_cons >= WISP_NET_RING_SLOTS;
    store_release(&n->r->rx.cons, ++n->rx_cons);
    if (was_full)
        kick_if_sleeping(&n->r->flags, handle);
    return r;
}

/* net_spin_pays: whether to wake a sleeping I/O thread and spin for the
 * answer rather than block in POLL: yes while recent spins caught input,
 * and every SPIN_PROBE_EVERY-th time after that (the host may have a CPU
 * for the thread again). */
static int net_spin_pays(void)
{
    static unsigned probe;

    return net_spin_misses < SPIN_MISSES_MAX || ++probe % SPIN_PROBE_EVERY == 0;
}

/* kicks_owed: bit per NIC with frames published while its thread slept. */
static uint64_t kicks_owed(void)
{
    uint64_t m = 0;

    for (uint64_t a = active_nets; a; a &= a - 1) {
        unsigned h = (unsigned)__builtin_ctzll(a);

        if (nets[h].kick_owed)
            m |= 1ull << h;
    }
    return m;
}

/* kick_owed_nics: one kick per NIC in `owed` whose thread still sleeps. */
static void kick_owed_nics(uint64_t owed)
{
    for (; owed; owed &= owed - 1) {
        unsigned h = (unsigned)__builtin_ctzll(owed);

        nets[h].kick_owed = 0;
        kick_if_sleeping(&nets[h].r->flags, h);
    }
}

/* block_handles: bit per block device with a ring (its POLL bit means a
 * completion, not input for the application). */
static uint64_t block_handles(void)
{
    uint64_t m = 0;

    for (unsigned h = 1; h < MFT_MAX_ENTRIES; h++)
        if (blocks[h].active)
            m |= 1ull << h;
    return m;
}

int wg_ring_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set)
{
    solo5_time_t start, now, limit;
    uint64_t ready, polled, owed;
    struct beat_watch watch;
    int sleeping;

    if (!active_nets)
        return 0;
    ready = nets_ready();
    owed = kicks_owed();
    if (owed && (ready || net_spin_pays())) {
        /* Frames queued while the I/O thread slept.  Input to handle
         * first, or spinning paid lately: the kick's exit sends them and
         * wakes the thread, which brings the answer while this spins.
         * Else the POLL below sends them and waits in the same exit. */
        kick_owed_nics(owed);
        owed = 0;
    }
    start = solo5_clock_monotonic();
    limit = deadline < start + net_spin_ns ? deadline : start + net_spin_ns;
    if (owed)
        limit = start; /* the I/O thread sleeps: POLL sends the frames and waits */
    beat_watch_start(&watch, nets_beat(&sleeping), start);
    for (now = start; !ready && now < limit; now = solo5_clock_monotonic()) {
        __builtin_ia32_pause();
        ready = nets_ready();
        if (!ready && beat_still(&watch, nets_beat(&sleeping), sleeping, now))
            break; /* nobody would bring input while this spins: block */
    }
    if (!ready) {
        nets_waiting(1);
        __atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with the tender's */
        ready = nets_ready();
        if (!ready) {
            polled = poll_hc(deadline > now ? deadline - now : 0); /* sends queued frames */
            for (uint64_t m = owed; m; m &= m - 1)
                nets[__builtin_ctzll(m)].kick_owed = 0;
            ready = nets_ready() | (polled & ~active_nets & ~block_handles());
            /* Input soon after blocking: a longer spin would have caught it. */
            spin_after_block(&net_spin_ns, ready && watch.moved && !watch.still,
                             solo5_clock_monotonic() - start);
        }
        nets_waiting(0);
        if (net_spin_misses < SPIN_MISSES_MAX)
            net_spin_misses++;
    } else if (now != start) {
        spin_adapt(&net_spin_ns, 1);
        net_spin_misses = 0;
    }
    if ((owed = kicks_owed()) != 0)
        kick_owed_nics(owed); /* input came before the POLL: send now */
    if (ready_set != NULL)
        *ready_set = ready;
    return 1;
}

/* ---- block ---- */

/* block_done: whether the tender completed the request in d (it stores
 * the result before moving req.cons, abi.h: watching ret alone keeps the
 * wait on the one cache line the tender writes for it). */
static int block_done(const struct wisp_block_desc *d)
{
    return __atomic_load_n(&d->ret, __ATOMIC_ACQUIRE) != BLOCK_RET_PENDING;
}

solo5_result_t wg_block_ring_request(solo5_handle_t handle, uint32_t op, uint64_t offset,
                                     const void *buf, uint64_t len)
{
    struct block_state *b = &blocks[handle];
    struct wisp_block_desc *d = &b->r->desc[b->prod % WISP_BLOCK_RING_SLOTS];
    volatile uint64_t *kick = (volatile uint64_t *)(uintptr_t)WISP_KICK_GPA(handle);
    struct wisp_ring_flags *f = &b->r->flags;
    solo5_time_t now, limit;
    struct beat_watch watch;

    d->op = op;
    d->ret = BLOCK_RET_PENDING;
    d->offset = offset;
    d->data = (wisp_gpa_t)(uintptr_t)buf;
    d->len = len;
    store_release(&b->r->req.prod, ++b->prod);
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* pairs with the tender's */
    if (__atomic_load_n(&f->host_sleeping, __ATOMIC_RELAXED)) {
        /* The I/O thread sleeps: a block kick is an exit in which the
         * tender serves the request at once (and wakes the thread). */
        *kick = 1;
    } else {
        now = solo5_clock_monotonic();
        limit = now + block_spin_ns;
        beat_watch_start(&watch, __atomic_load_n(&f->host_beat, __ATOMIC_RELAXED), now);
        /* Watch ret alone for BLOCK_WATCH_LOOKS looks, then the clock and
         * the beat (a line the tender writes too): a completion is seen
         * without waiting behind those. */
        while (!block_done(d)) {
            for (unsigned i = 0; i < BLOCK_WATCH_LOOKS && !block_done(d); i++)
                __builtin_ia32_pause();
            now = solo5_clock_monotonic();
            if (block_done(d) || now >= limit ||
                beat_still(&watch, __atomic_load_n(&f->host_beat, __ATOMIC_RELAXED),
                           (int)__atomic_load_n(&f->host_sleeping, __ATOMIC_RELAXED), now))
                break;
        }
        /* Done while spinning, or not done while the thread kept
         * running (it needs longer): spin longer next time.  Not done
         * and the thread did not run: spin less. */
        spin_adapt(&block_spin_ns, block_done(d) || (watch.moved && !watch.still));
        if (!block_done(d))
            *kick = 1; /* too slow (descheduled?): served in the exit */
    }
    while (!block_done(d))
        *kick = 1; /* not reached: the exit served it, or ended the guest */
    return (solo5_result_t)__atomic_load_n(&d->ret, __ATOMIC_RELAXED);
}
