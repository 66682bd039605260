/* net_ringbad: misuses the ring-I/O extension (SOLO5_HVT_ABI.md 2) the way a buggy or hostile Solo5 guest could, and checks that the tender refuses each entry without dying: READs aimed at the ring itself, beyond memory, at read-only text, with a bad handle get EINVAL commits; a WRITE at the ring and an unknown operation are skipped.  Then wisp's POLL read (include/wisp/hvt_ring_ext.h) aimed at the ring: left to the POLL, which refuses it the same way.  Then a valid READ still works (OK or AGAIN).  hvt flavour only (the isolated build prints SKIP and fails).  Expect SUCCESS, status 0; the tender reports its counts on stderr. */
#include "t.h"

#ifdef __WISP_HVT__
/* The ABI's layouts, written out again here on purpose (a cross-check of
 * include/wisp/hvt_abi.h, which a test guest may not include). */
struct bi {
    uint64_t mem_size, kernel_end, cpu_cycle_freq, cmdline, mft;
    uint32_t host_features, guest_features;
    uint64_t net_ring;
};
struct ent {
    uint32_t operation, handle;
    uint64_t data;
    uint32_t len, id;
    uint64_t reserved;
};
struct com {
    uint32_t id;
    int32_t ret;
    uint32_t len, reserved;
};
struct ring {
    volatile uint32_t ent_tail, com_head;
    uint8_t pad0[56];
    volatile uint32_t ent_head, com_tail, needs_kick;
    uint8_t pad1[52];
    struct ent entries[1024];
    struct com commits[1024];
};
_Static_assert(sizeof(struct ring) == 49280, "ring layout");

static struct ring *r;
static uint8_t buf[2048];

static void kick(void)
{
    __asm__ __volatile__("lock; orl $0, (%%rsp)" ::: "memory", "cc");
    __asm__ __volatile__("outl %0, %1" : : "a"(0u), "d"((uint16_t)0x600) : "memory");
}

/* submit one entry; wait (bounded, 5 s) until the host took it. */
static int submit(uint32_t op, uint32_t handle, uint64_t data, uint32_t len, uint32_t id)
{
    uint32_t t = r->ent_tail;
    struct ent *e = &r->entries[t & 1023];
    solo5_time_t end = solo5_clock_monotonic() + 5000000000ull;

    e->operation = op;
    e->handle = handle;
    e->data = data;
    e->len = len;
    e->id = id;
    __asm__ __volatile__("" ::: "memory");
    r->ent_tail = t + 1;
    kick();
    while (r->ent_head != t + 1)
        if (solo5_clock_monotonic() > end)
            return -1;
    return 0;
}

/* poll0: Solo5's POLL hypercall (port 0x503) with a zero timeout. */
static void poll0(void)
{
    static struct {
        uint64_t timeout_nsecs, ready_set;
        int32_t ret;
        uint32_t pad;
    } p __attribute__((aligned(8)));

    p.timeout_nsecs = 0;
    __asm__ __volatile__("outl %0, %1"
                         : : "a"((uint32_t)(uintptr_t)&p), "d"((uint16_t)0x503) : "memory");
}

/* commit: the next commit's ret (its id checked), or -1 on timeout. */
static int commit(uint32_t id)
{
    uint32_t h = r->com_head;
    solo5_time_t end = solo5_clock_monotonic() + 5000000000ull;

    while (r->com_tail == h)
        if (solo5_clock_monotonic() > end)
            return -1;
    struct com *c = &r->commits[h & 1023];
    int ret = c->id == id ? c->ret : -2;
    r->com_head = h + 1;
    return ret;
}

static int bad_read(const char *what, uint32_t handle, uint64_t data, uint32_t len, uint32_t id)
{
    int ret;

    if (submit(2, handle, data, len, id))
        return t_fail("the tender did not take a READ entry");
    ret = commit(id);
    t_puts(what);
    t_puts(": ret ");
    t_put_dec((uint64_t)(ret < 0 ? 99 : ret));
    t_puts("\n");
    return ret == SOLO5_R_EINVAL ? 0 : t_fail("expected EINVAL");
}

int solo5_app_main(const struct solo5_start_info *si)
{
    const struct bi *bi = (const struct bi *)0x10000;
    solo5_handle_t h;
    struct solo5_net_info info;

    (void)si;
    if (!(bi->host_features & 1) || bi->net_ring == 0)
        return t_fail("the tender offers no ring");
    if (bi->net_ring != bi->mem_size)
        return t_fail("the ring is not at mem_size");
    r = (struct ring *)(uintptr_t)bi->net_ring;
    if (solo5_net_acquire("service0", &h, &info) != SOLO5_R_OK)
        return t_fail("solo5_net_acquire failed");
    t_puts("READY\n");
    if (bad_read("read into the ring", (uint32_t)h, bi->net_ring, 64, 1) ||
        bad_read("read across mem_size", (uint32_t)h, bi->mem_size - 16, 64, 2) ||
        bad_read("read beyond 4 GiB", (uint32_t)h, 0xffffffff00ull, 64, 3) ||
        bad_read("read into text", (uint32_t)h, (uint64_t)(uintptr_t)solo5_app_main, 64, 4) ||
        bad_read("read with handle 0", 0, (uint64_t)(uintptr_t)buf, sizeof buf, 5) ||
        bad_read("read with handle 63", 63, (uint64_t)(uintptr_t)buf, sizeof buf, 6))
        return SOLO5_EXIT_FAILURE;
    /* Skipped without a commit: a WRITE from the ring, an unknown op. */
    if (submit(1, (uint32_t)h, bi->net_ring, 64, 7) || submit(99, (uint32_t)h, 0, 0, 8))
        return t_fail("the tender did not take a skipped entry");
    if (r->com_tail != r->com_head)
        return t_fail("a skipped entry was committed");
    /* wisp's addition: a POLL read the I/O thread leaves to the POLL,
     * whose checks are those of every READ. */
    if (*(volatile uint32_t *)((uint8_t *)r + 76) != 0x31505357u)
        return t_fail("the tender does not announce its POLL reads");
    {
        uint32_t t = r->ent_tail;
        struct ent *e = &r->entries[t & 1023];
        int ret;

        e->operation = 2;
        e->handle = (uint32_t)h;
        e->data = bi->net_ring;
        e->len = 64;
        e->id = 9;
        e->reserved = 0x57535052504f4c4cull;
        __asm__ __volatile__("" ::: "memory");
        r->ent_tail = t + 1;
        poll0();
        ret = commit(9);
        t_puts("POLL read into the ring: ret ");
        t_put_dec((uint64_t)(ret < 0 ? 99 : ret));
        t_puts("\n");
        if (ret != SOLO5_R_EINVAL)
            return t_fail("expected EINVAL");
    }
    /* The ring still works, through the library too. */
    size_t n;
    solo5_result_t res = solo5_net_read(h, buf, sizeof buf, &n);
    if (res != SOLO5_R_OK && res != SOLO5_R_AGAIN)
        return t_fail("a valid READ failed after the misuse");
    return t_success();
}
#else
int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    t_puts("SKIP: net_ringbad is a Solo5 hvt guest (wisp-cc --target=hvt)\n");
    return SOLO5_EXIT_FAILURE;
}
#endif
