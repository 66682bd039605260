/*
 * libFuzzer target for isolated mode's network and block hypercalls
 * (tender/devices/net.c NET_WRITE, NET_READ; block.c BLOCK_READ,
 * BLOCK_WRITE, BLOCK_FLUSH) through hypercall_dispatch, as the doorbell
 * calls them, on hostile guest memory: argument structs, buffer arrays,
 * frame and block buffers anywhere, of any size, overlapping each other
 * and the read-only regions.  Fixture, devices and input format:
 * fuzz_devices.h (512 KiB of RAM with read-only boot info, text and
 * rodata, writable console, data, heap and stack, gaps between them).
 * A selector picks the hypercall (5..7: any number 0..63, most of them
 * unregistered; NET_RING and BLOCK_RING find no ring thread here).
 *
 * Checked after each call, besides the sanitizers: the handler returned
 * HC_CONTINUE (guest running, result untouched) or HC_STOP as an ABI
 * violation with status 255, never a tender error; no read-only byte
 * changed; ret is a WISP_R_* value (OK whenever done > 0); done <= count;
 * NET_WRITE sent exactly `done` frames to the tap, NET_READ consumed
 * exactly `done` of the frames waiting (at most, when a later buffer
 * ended the guest).  How to run: tests/fuzz/README.md.
 */
#include "fuzz_devices.h"
#include "fuzz_quiet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_SIZE 0x80000ull
#define END_NONE ((enum wisp_end)77) /* sentinel: the guest still runs */

static const struct vm_region layout[] = {
    {WISP_BOOT_INFO_GPA, WISP_BOOT_INFO_GPA + 0x1000, 0}, /* boot info */
    {WISP_CONSOLE_GPA, WISP_CONSOLE_GPA + 0x1000, 1},     /* console buffer */
    {0x20000, 0x30000, 0},                                /* text */
    {0x30000, 0x34000, 0},                                /* rodata, adjacent */
    {0x34000, 0x38000, 1},                                /* data, adjacent */
    {0x40000, 0x70000, 1},                                /* heap */
    {0x74000, MEM_SIZE, 1},                               /* stack, after a guard */
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fd_setup(&mode_isolated, MEM_SIZE);
    memcpy(X->vm.regions, layout, sizeof layout);
    X->vm.nregions = sizeof layout / sizeof layout[0];
    for (uint64_t a = 0x20000; a < 0x34000; a++)
        X->vm.mem[a] = (uint8_t)(a * 13);
    X->vm.mem[WISP_BOOT_INFO_GPA] = 0x42;
    CHECK(module_register_hypercalls(&X->vm, &module_net) == 0);
    CHECK(module_register_hypercalls(&X->vm, &module_block) == 0);
    fd_snapshot_ro();
    fuzz_quiet(argc, argv);
    return 0;
}

static int wisp_r(int32_t r)
{
    return r == WISP_R_OK || r == WISP_R_AGAIN || r == WISP_R_EINVAL || r == WISP_R_EUNSPEC;
}

/* one_call: returns 0 once the guest has ended. */
static int one_call(unsigned nr, uint64_t gpa, unsigned *pending)
{
    int rc;

    memset(&X->res, 0, sizeof X->res);
    X->res.end = END_NONE;
    X->res.status = -12345;
    rc = hypercall_dispatch(&X->vm, nr, gpa);
    CHECK(fd_ro_unchanged());
    CHECK(rc == HC_CONTINUE || rc == HC_STOP);
    if (rc == HC_STOP) {
        CHECK(X->res.end == WISP_END_ABI && X->res.status == WISP_EXIT_GUEST_FAULT);
        return 0;
    }
    CHECK(X->res.end == END_NONE && X->res.status == -12345);
    /* A handler that continued read its struct in place: in RAM. */
    CHECK(gpa < MEM_SIZE);
    switch (nr) {
    case WISP_HC_NET_WRITE:
    case WISP_HC_NET_READ: {
        struct wisp_hc_net_io a;
        unsigned moved;

        memcpy(&a, X->vm.mem + gpa, sizeof a);
        CHECK(wisp_r(a.ret));
        CHECK(a.done <= WISP_NET_IO_MAX);
        if (a.done > 0)
            CHECK(a.ret == WISP_R_OK);
        if (nr == WISP_HC_NET_WRITE) {
            moved = fd_drain(fd_tap[1]);
            CHECK(moved == a.done);
        } else {
            CHECK(a.done <= *pending);
            *pending -= a.done;
        }
        break;
    }
    case WISP_HC_BLOCK_READ:
    case WISP_HC_BLOCK_WRITE: {
        struct wisp_hc_block_io a;

        memcpy(&a, X->vm.mem + gpa, sizeof a);
        CHECK(a.ret == WISP_R_OK || a.ret == WISP_R_EINVAL || a.ret == WISP_R_EUNSPEC);
        break;
    }
    case WISP_HC_BLOCK_FLUSH: {
        struct wisp_hc_block_flush a;

        memcpy(&a, X->vm.mem + gpa, sizeof a);
        CHECK(a.ret == WISP_R_OK || a.ret == WISP_R_EINVAL || a.ret == WISP_R_EUNSPEC);
        break;
    }
    case WISP_HC_NET_RING:
    case WISP_HC_BLOCK_RING: {
        struct wisp_hc_ring_setup a;

        /* no ring thread in this fixture: never accepted */
        memcpy(&a, X->vm.mem + gpa, sizeof a);
        CHECK(a.ret == WISP_R_EINVAL);
        break;
    }
    default:
        CHECK(0); /* an unregistered number must have ended the guest */
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned nrs[] = {WISP_HC_NET_WRITE, WISP_HC_NET_READ, WISP_HC_BLOCK_READ,
                                   WISP_HC_BLOCK_WRITE, WISP_HC_BLOCK_FLUSH};
    struct fd_call calls[FD_MAX_CALLS];
    unsigned ncalls = fd_decode(data, size, calls);
    unsigned pending = fd_queued; /* frames waiting for NET_READ */
    int stopped = 0;

    for (unsigned i = 0; i < ncalls; i++) {
        unsigned sel = calls[i].sel % 8;
        unsigned nr = sel < 5 ? nrs[sel] : (calls[i].sel >> 3) % WISP_HC_MAX;

        if (!one_call(nr, calls[i].gpa, &pending)) {
            stopped = 1;
            break;
        }
    }
    /* a NET_READ that ended the guest may have taken frames first */
    CHECK(stopped ? fd_drain(fd_tap[0]) <= pending : fd_drain(fd_tap[0]) == pending);
    fd_undo();
    return 0;
}
