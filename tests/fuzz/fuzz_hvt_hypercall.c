/*
 * libFuzzer target for compatibility mode's hypercalls (Solo5 hvt ABI 2):
 * hvt_io_exit (tender/modes/hvt/exits.c: the port, size and alignment
 * checks, the dispatch) and every handler behind it on hostile guest
 * memory: WALLTIME, PUTS, POLL, HALT (tender/devices/core.c), BLOCK_WRITE,
 * BLOCK_READ (block.c), NET_WRITE, NET_READ (net.c).  Fixture, devices
 * and input format: fuzz_devices.h (256 KiB of RAM; regions from
 * hvt_set_regions for a read-only text segment and a writable data
 * segment, as for a real image).  The selector picks the port 0x500 + 0..9
 * (0 and 9 are not hypercalls) and, in bit 4, a 2-byte OUT (refused).
 * POLL's timeout is zeroed before the call (ppoll returns at once).
 *
 * Checked after each call, besides the sanitizers: the result is
 * HC_CONTINUE, HC_STOP only from HALT (EXIT or ABORT with status
 * exit_status & 0xff, ABORT exactly for 255), or -1 with Solo5's
 * "Invalid guest ..." message; every ret is an
 * HVT_R_* value; NET_WRITE sent at most one frame, NET_READ took at most
 * one of those waiting; after the calls, no read-only byte changed.  How to run: tests/fuzz/README.md.
 */
#include "fuzz_devices.h"
#include "fuzz_quiet.h"
#include "modes/hvt/hvt.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_SIZE 0x40000ull
#define END_NONE ((enum wisp_end)77)

static struct hvt hvt_state;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fd_setup(&mode_hvt, MEM_SIZE);
    X->vm.hvt = &hvt_state;
    X->vm.img.nsegs = 2;
    X->vm.img.seg[0] = (struct elf_segment){.vaddr = 0x20000, .memsz = 0x8800,
                                            .flags = SEG_R | SEG_X};
    X->vm.img.seg[1] = (struct elf_segment){.vaddr = 0x30000, .memsz = 0x2000,
                                            .flags = SEG_R | SEG_W};
    CHECK(hvt_set_regions(&X->vm) == 0);
    for (uint64_t a = 0x20000; a < 0x29000; a++)
        X->vm.mem[a] = (uint8_t)(a * 13);
    CHECK(poll_register(&X->vm, fd_tap[0], FD_NET) == 0);
    CHECK(module_register_hypercalls(&X->vm, &module_core) == 0);
    CHECK(module_register_hypercalls(&X->vm, &module_net) == 0);
    CHECK(module_register_hypercalls(&X->vm, &module_block) == 0);
    fd_snapshot_ro();
    fuzz_quiet(argc, argv);
    return 0;
}

static int hvt_r(int32_t r)
{
    return r == HVT_R_OK || r == HVT_R_AGAIN || r == HVT_R_EINVAL || r == HVT_R_EUNSPEC;
}

/* ret32: the int32 at gpa + off (the handler continued: it is in RAM). */
static int32_t ret32(uint32_t gpa, unsigned off)
{
    int32_t v;

    CHECK(gpa + off + 4 <= MEM_SIZE);
    memcpy(&v, X->vm.mem + gpa + off, 4);
    return v;
}

/* one_call: returns 0 once the guest or the tender has stopped. */
static int one_call(uint8_t sel, uint64_t gpa64, unsigned *pending)
{
    unsigned nr = sel % 10, size = sel & 0x10 ? 2 : 4;
    uint32_t gpa = (uint32_t)gpa64; /* EAX: a 32-bit port write */
    int32_t halt_status = 0;
    unsigned moved;
    int rc;

    if (nr == HVT_HYPERCALL_POLL && gpa < MEM_SIZE && MEM_SIZE - gpa >= 8) {
        memset(X->vm.mem + gpa, 0, 8); /* timeout_nsecs = 0 (not the handler's write) */
        memset(fd_ro_seen + gpa, 0, 8);
    }
    if (nr == HVT_HYPERCALL_HALT && gpa < MEM_SIZE && MEM_SIZE - gpa >= 12)
        memcpy(&halt_status, X->vm.mem + gpa + 8, 4);
    memset(&X->res, 0, sizeof X->res);
    X->res.end = END_NONE;
    X->res.status = -12345;
    rc = hvt_io_exit(&X->vm, (uint16_t)(HVT_HYPERCALL_PIO_BASE + nr), 1, size, gpa);
    if (rc == -1) {
        CHECK(strncmp(X->res.err, "Invalid guest ", 14) == 0);
        return 0;
    }
    if (rc == HC_STOP) {
        CHECK(nr == HVT_HYPERCALL_HALT);
        CHECK(X->res.status == (halt_status & 0xff));
        CHECK(X->res.end == ((halt_status & 0xff) == 255 ? WISP_END_ABORT : WISP_END_EXIT));
        return 0;
    }
    CHECK(rc == HC_CONTINUE && size == 4 && nr >= 1 && nr < HVT_HYPERCALL_MAX);
    CHECK(X->res.end == END_NONE && X->res.status == -12345);
    switch (nr) {
    case HVT_HYPERCALL_POLL:
        CHECK(ret32(gpa, 16) >= 0 && ret32(gpa, 16) <= 1);
        break;
    case HVT_HYPERCALL_BLOCK_WRITE:
    case HVT_HYPERCALL_BLOCK_READ:
        CHECK(hvt_r(ret32(gpa, 32)));
        break;
    case HVT_HYPERCALL_NET_WRITE:
        CHECK(hvt_r(ret32(gpa, 24)));
        moved = fd_drain(fd_tap[1]);
        CHECK(moved <= 1 && (moved == 1) == (ret32(gpa, 24) == HVT_R_OK));
        break;
    case HVT_HYPERCALL_NET_READ:
        CHECK(hvt_r(ret32(gpa, 24)));
        if (ret32(gpa, 24) == HVT_R_OK) {
            CHECK(*pending > 0);
            (*pending)--;
        }
        break;
    case HVT_HYPERCALL_HALT:
        CHECK(0); /* HALT never continues */
        break;
    default:
        break;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fd_call calls[FD_MAX_CALLS];
    unsigned ncalls = fd_decode(data, size, calls);
    unsigned pending = fd_queued;

    int stopped = 0;

    for (unsigned i = 0; i < ncalls && !stopped; i++)
        stopped = !one_call(calls[i].sel, calls[i].gpa, &pending);
    CHECK(stopped ? fd_drain(fd_tap[0]) <= pending : fd_drain(fd_tap[0]) == pending);
    CHECK(fd_ro_unchanged()); /* once per input: the calls' writes add up */
    fd_undo();
    return 0;
}
