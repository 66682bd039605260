/*
 * libFuzzer target for the consumers of isolated mode's shared rings
 * (tender/devices/ring_net.c, ring_block.c): the ring in guest memory is
 * the fuzzer's input, served once by the kind's serve() without a thread
 * (as the I/O thread would after a kick).  No KVM: the tests' struct vm
 * fixture (tests/unit/vm_fixture.h) with 4 MiB of guest RAM and a layout
 * of regions (read-only boot info, text and rodata; writable console,
 * data, heap and stack; gaps), as in fuzz_hypercall.c.
 *
 * Input: byte 0 picks the kind (bit 0: 0 net, 1 block) and, for net, how
 * many frames wait on the "tap" (bits 1-3); then the bytes of the ring
 * (struct wisp_net_ring / wisp_block_ring, placed at 0x300000 in the heap,
 * zero-padded); then, for net, the frames, each [u16 length][bytes].  A
 * descriptor address whose top 16 bits are 0x5757 is rewritten to
 * 0x200000 + its low 20 bits (inside the heap), so valid buffers are easy
 * to reach.  The net device's tap is one end of a datagram socketpair
 * (frames written to the other end first); the block device is a 64 KiB
 * temporary file with 512-byte blocks, served by pread/pwrite.
 *
 * Checked after each serve: the read-only regions (text, rodata, boot
 * info) are unchanged; unless the ring faulted, every published entry was
 * consumed (tx.cons == tx.prod, req.cons == req.prod), the RX ring holds at
 * most its size, and every result written is OK, EINVAL or EUNSPEC.  The
 * sanitizers catch any host access outside guest RAM.  How to run:
 * tests/fuzz/README.md.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/module.h"
#include "core/vm.h"
#include "devices/block_backend.h"
#include "devices/ring.h"
#include "vm_fixture.h"
#include "fuzz_quiet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define MEM_SIZE (4ull << 20)
#define RING_GPA 0x300000ull

static const struct vm_region layout[] = {
    {WISP_BOOT_INFO_GPA, WISP_BOOT_INFO_GPA + 0x1000, 0},
    {WISP_CONSOLE_GPA, WISP_CONSOLE_GPA + 0x1000, 1},
    {0x100000, 0x140000, 0},
    {0x140000, 0x150000, 0},
    {0x150000, 0x160000, 1},
    {0x200000, 0x380000, 1},
    {0x3c0000, MEM_SIZE, 1},
};
#define NLAYOUT (sizeof layout / sizeof layout[0])

static const struct vm_fixture_dev devs[] = {
    {"service0", MFT_DEV_NET_BASIC},
    {"storage", MFT_DEV_BLOCK_BASIC},
};

static struct vm_fixture *X;
static int tap[2];       /* [0]: the tender's "tap", [1]: the host side */
static int notify_fd;
static struct blk blk;
static uint8_t *ro_copy; /* guest RAM as set up */

/* ro_unchanged: the regions the guest may only read are as set up
 * (compared with their copy: a memcmp, fast under the sanitizers). */
static int ro_unchanged(void)
{
    for (unsigned i = 0; i < NLAYOUT; i++)
        if (!layout[i].writable && memcmp(X->vm.mem + layout[i].start, ro_copy + layout[i].start,
                                          layout[i].end - layout[i].start) != 0)
            return 0;
    return 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char path[] = "/tmp/fuzz_ring.XXXXXX", err[BLK_ERR_MAX];
    int fd;

    X = vm_fixture_new(&mode_isolated, MEM_SIZE, devs, 2);
    CHECK(X != NULL);
    memcpy(X->vm.regions, layout, sizeof layout);
    X->vm.nregions = NLAYOUT;
    X->vm.mft->e[1].attached = 1;
    X->vm.mft->e[1].u.net_basic.mtu = 1500;
    X->vm.mft->e[2].attached = 1;
    for (uint64_t a = 0x100000; a < 0x150000; a++)
        X->vm.mem[a] = (uint8_t)(a * 13);
    ro_copy = malloc(MEM_SIZE);
    CHECK(ro_copy != NULL);
    memcpy(ro_copy, X->vm.mem, MEM_SIZE);
    CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, tap) == 0);
    notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    CHECK(notify_fd >= 0);
    fd = mkstemp(path);
    CHECK(fd >= 0 && ftruncate(fd, 65536) == 0);
    close(fd);
    CHECK(blk_open(&blk, path, 0, err) == 0);
    CHECK(blk_set_block_size(&blk, 512, err) == 0);
    unlink(path);
    fuzz_quiet(argc, argv);
    return 0;
}

static void fix_addr(wisp_gpa_t *a)
{
    if ((*a >> 48) == 0x5757)
        *a = 0x200000 + (*a & 0xfffff);
}

/* drain: every datagram waiting on fd (an empty one too); their number. */
static unsigned drain(int fd)
{
    char b[2048];
    unsigned n = 0;

    while (recv(fd, b, sizeof b, 0) >= 0)
        n++;
    return n;
}

static int ok_result(int32_t r)
{
    return r == WISP_R_OK || r == WISP_R_EINVAL || r == WISP_R_EUNSPEC;
}

static void serve_net(const uint8_t *data, size_t size, unsigned frames)
{
    struct wisp_net_ring *r = (struct wisp_net_ring *)(void *)(X->vm.mem + RING_GPA);
    size_t n = size < sizeof *r ? size : sizeof *r;
    struct ring_dev d = {.vm = &X->vm, .ops = &ring_net_ops, .handle = 1, .kick_fd = -1,
                         .notify_fd = notify_fd, .st = &X->res.stats.dev[1]};
    uint32_t tx_prod, rx_cons, rx_prod0;
    unsigned sent = 0, served, taken;

    memset(r, 0, sizeof *r);
    memcpy(r, data, n);
    for (unsigned i = 0; i < WISP_NET_RING_SLOTS; i++) {
        fix_addr(&r->tx_desc[i].data);
        fix_addr(&r->rx_desc[i].data);
    }
    /* the host's own indices start at 0, as after setup */
    data += n;
    size -= n;
    for (unsigned f = 0; f < frames && size >= 2; f++) {
        size_t len = (size_t)data[0] | (size_t)data[1] << 8;

        data += 2;
        size -= 2;
        if (len > size)
            len = size;
        /* a tap never hands over an empty frame: none here either */
        if (len > 0 && send(tap[1], data, len, 0) >= 0)
            sent++;
        data += len;
        size -= len;
    }
    d.priv = ring_net_priv_new(tap[0], 1500);
    CHECK(d.priv != NULL);
    d.ring = r;
    d.flags = &r->flags;
    tx_prod = r->tx.prod;
    rx_cons = r->rx.cons;
    rx_prod0 = r->rx.prod; /* the guest's value: the host never reads it */
    served = d.ops->serve(&d);
    taken = sent - drain(tap[0]); /* frames the RX side took */
    /* Every published TX entry was served (counted from the host side:
     * an RX frame may land on the ring itself, in guest-writable memory,
     * and overwrite tx.cons, which fuzz_ring once took for a bug). */
    if (!d.faulted && tx_prod != 0) {
        CHECK(served - taken == tx_prod);
        if (taken == 0)
            CHECK(r->tx.cons == tx_prod);
    }
    if (!d.faulted && r->rx.prod != rx_prod0) {
        /* the host published from its own index 0 */
        CHECK(r->rx.prod <= WISP_NET_RING_SLOTS && r->rx.prod - rx_cons <= WISP_NET_RING_SLOTS);
        for (uint32_t i = 0; i < r->rx.prod; i++)
            CHECK(r->rx_desc[i % WISP_NET_RING_SLOTS].ret == WISP_R_OK ||
                  r->rx_desc[i % WISP_NET_RING_SLOTS].ret == WISP_R_EINVAL);
    }
    free(d.priv);
    drain(tap[1]);
}

static void serve_block(const uint8_t *data, size_t size)
{
    struct wisp_block_ring *r = (struct wisp_block_ring *)(void *)(X->vm.mem + RING_GPA);
    size_t n = size < sizeof *r ? size : sizeof *r;
    struct ring_dev d = {.vm = &X->vm, .ops = &ring_block_ops, .handle = 2, .kick_fd = -1,
                         .notify_fd = notify_fd, .st = &X->res.stats.dev[2]};
    uint32_t prod;
    unsigned served;
    int reads_ring = 0;

    memset(r, 0, sizeof *r);
    memcpy(r, data, n);
    for (unsigned i = 0; i < WISP_BLOCK_RING_SLOTS; i++) {
        fix_addr(&r->desc[i].data);
        r->desc[i].ret = 0x7777;
    }
    d.priv = ring_block_priv_new(&blk, 0);
    CHECK(d.priv != NULL);
    d.ring = r;
    d.flags = &r->flags;
    prod = r->req.prod;
    /* A READ into the ring itself (guest-writable memory: legal) may
     * rewrite later entries and the indices with the file's bytes; then
     * only what the host counted is checked. */
    for (uint32_t i = 0; i < prod && i < WISP_BLOCK_RING_SLOTS; i++)
        if (r->desc[i].op == WISP_BLOCK_OP_READ && r->desc[i].data < RING_GPA + sizeof *r &&
            r->desc[i].len > 0 && r->desc[i].data + r->desc[i].len > RING_GPA)
            reads_ring = 1;
    served = d.ops->serve(&d);
    if (!d.faulted && prod != 0 && prod <= WISP_BLOCK_RING_SLOTS) {
        CHECK(served == prod);
        if (!reads_ring) {
            CHECK(r->req.cons == prod);
            for (uint32_t i = 0; i < prod; i++)
                CHECK(ok_result(r->desc[i].ret));
        }
    }
    d.ops->release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t v;

    if (size < 1)
        return 0;
    memset(&X->res, 0, sizeof X->res);
    if (data[0] & 1)
        serve_block(data + 1, size - 1);
    else
        serve_net(data + 1, size - 1, (data[0] >> 1) & 7);
    (void)!read(notify_fd, &v, sizeof v);
    CHECK(ro_unchanged());
    return 0;
}
