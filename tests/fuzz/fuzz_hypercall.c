/*
 * libFuzzer target for the isolated-mode hypercall handlers of the core
 * module (tender/devices/core.c: PUTS, POLL, EXIT, ABORT, WALLTIME) and the
 * guest-address checks under them (tender/core/guest_mem.c: gpa_to_host, guest_range),
 * against hostile guest memory and arguments.  No KVM: the tests' struct
 * vm fixture (tests/unit/vm_fixture.h) with 4 MiB of guest RAM, a layout
 * of sorted regions (read-only boot info, text and rodata; writable
 * console, data, heap and stack; gaps between them),
 * console on /dev/null and a one-entry manifest; module_register_hypercalls
 * registers the core module's handlers.
 *
 * Input: byte 0 gives the number of calls (1..8); each call is 10 bytes:
 * a selector (hypercall), a mode and 8 bytes that make the argument GPA
 * (raw, or an offset around the start of one region); the rest of the
 * input is patches written to guest RAM ([u32 gpa][u16 len][bytes], gpa
 * taken modulo the RAM size, clipped).  POLL's timeout_ns is forced to 0
 * before the call (no poll sources: it returns at once).
 *
 * Each call's outcome is predicted by a reference model written
 * independently of guest_range (coverage of every byte by some region with
 * the right permission) and checked: a call whose argument block or buffer
 * the guest may not access (outside RAM, in a gap, or a write to read-only
 * memory) must end the guest as an ABI violation; HC_CONTINUE must leave
 * the guest running (res untouched); EXIT and ABORT must end it with their
 * status; POLL and WALLTIME must fill their OUT fields.  Handlers print
 * violations on stderr: silenced (fuzz_quiet.h; FUZZ_SHOW_ERRORS=1 shows
 * them).  How to run: tests/fuzz/README.md.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/module.h"
#include "core/vm.h"
#include "vm_fixture.h"
#include "fuzz_quiet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define MEM_SIZE   (4ull << 20)
#define END_NONE   ((enum wisp_end)77) /* sentinel: the guest still runs */
#define MAX_CALLS  8
#define MAX_DIRTY  (MAX_CALLS + 4096)

static const struct vm_region layout[] = {
    {WISP_BOOT_INFO_GPA, WISP_BOOT_INFO_GPA + 0x1000, 0}, /* boot info */
    {WISP_CONSOLE_GPA, WISP_CONSOLE_GPA + 0x1000, 1},     /* console buffer */
    {0x100000, 0x140000, 0},                              /* text */
    {0x140000, 0x150000, 0},                              /* rodata, adjacent */
    {0x150000, 0x160000, 1},                              /* data, adjacent */
    {0x200000, 0x380000, 1},                              /* heap */
    {0x3c0000, MEM_SIZE, 1},                              /* stack, after a guard */
};
#define NLAYOUT (sizeof layout / sizeof layout[0])

static struct vm_fixture *X;
static struct { uint64_t gpa, len; } dirty[MAX_DIRTY];
static unsigned ndirty;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    X = vm_fixture_new(&mode_isolated, MEM_SIZE, NULL, 0);
    CHECK(X != NULL);
    X->cfg.console_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    CHECK(X->cfg.console_fd >= 0);
    X->vm.kernel = "fuzz";
    X->vm.tsc_base = 1000;
    X->vm.tsc_hz = 2000000000ull;
    X->vm.mono_base = 5;
    memcpy(X->vm.regions, layout, sizeof layout);
    X->vm.nregions = NLAYOUT;
    X->vm.layout = (struct vm_layout){0x200000, 0x380000, 0x380000, 0x3c0000, 0x3c0000, MEM_SIZE, 0};
    CHECK(module_register_hypercalls(&X->vm, &module_core) == 0);
    fuzz_quiet(argc, argv);
    return 0;
}

/* ref_ok: may the guest read (or write) [gpa, gpa + len)?  Every byte must
 * lie in some region (any order) with the permission; len 0: inside RAM. */
static int ref_ok(uint64_t gpa, uint64_t len, int write)
{
    uint64_t at = gpa, end;

    if (__builtin_add_overflow(gpa, len, &end) || gpa >= MEM_SIZE || end > MEM_SIZE)
        return 0;
    while (at < end) {
        unsigned i;

        for (i = 0; i < NLAYOUT; i++)
            if (layout[i].start <= at && at < layout[i].end)
                break;
        if (i == NLAYOUT || (write && !layout[i].writable))
            return 0;
        at = layout[i].end;
    }
    return 1;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return v;
}

static void mark_dirty(uint64_t gpa, uint64_t len)
{
    if (gpa >= MEM_SIZE || ndirty >= MAX_DIRTY)
        return;
    if (len > MEM_SIZE - gpa)
        len = MEM_SIZE - gpa;
    dirty[ndirty].gpa = gpa;
    dirty[ndirty++].len = len;
}

/* snap: the 24 bytes at gpa as the handler will see them (zero outside
 * RAM), with the console drain's `len = 0` applied if `drained`. */
static void snap(uint64_t gpa, uint8_t out[24], int drained)
{
    for (unsigned k = 0; k < 24; k++) {
        uint64_t a = gpa + k;

        out[k] = a >= gpa && a < MEM_SIZE ? X->vm.mem[a] : 0;
        if (drained && a >= WISP_CONSOLE_GPA && a < WISP_CONSOLE_GPA + 4)
            out[k] = 0;
    }
}

static void one_call(unsigned nr, uint64_t gpa)
{
    uint8_t s[24];
    int expect_abi = 0, rc;

    if (nr == WISP_HC_POLL && gpa < MEM_SIZE && MEM_SIZE - gpa >= 8)
        memset(X->vm.mem + gpa, 0, 8); /* timeout_ns = 0: ppoll returns at once */
    snap(gpa, s, nr == WISP_HC_EXIT || nr == WISP_HC_ABORT);
    switch (nr) {
    case WISP_HC_PUTS:
        expect_abi = !ref_ok(gpa, 16, 0) || get64(s + 8) > WISP_PUTS_MAX ||
                     !ref_ok(get64(s), get64(s + 8), 0);
        break;
    case WISP_HC_POLL:
        expect_abi = !ref_ok(gpa, 24, 1);
        break;
    case WISP_HC_EXIT:
        expect_abi = !ref_ok(gpa, 24, 0);
        break;
    case WISP_HC_ABORT: {
        uint64_t len = get64(s + 8) < WISP_ABORT_MSG_MAX ? get64(s + 8) : WISP_ABORT_MSG_MAX;

        expect_abi = !ref_ok(gpa, 16, 0) || (get64(s) && len && !ref_ok(get64(s), len, 0));
        break;
    }
    case WISP_HC_WALLTIME:
        expect_abi = !ref_ok(gpa, 8, 1);
        break;
    }

    memset(&X->res, 0, sizeof X->res);
    X->res.end = END_NONE;
    X->res.status = -12345;
    mark_dirty(gpa, 24);
    if (gpa % 8)
        expect_abi = 1; /* argument structs must be 8-byte aligned (abi.h) */
    rc = hypercall_dispatch(&X->vm, nr, gpa);
    CHECK(rc == HC_CONTINUE || rc == HC_STOP); /* -1: console write to /dev/null failed?! */
    if (expect_abi) {
        CHECK(rc == HC_STOP && X->res.end == WISP_END_ABI && X->res.status == WISP_EXIT_GUEST_FAULT);
        return;
    }
    switch (nr) {
    case WISP_HC_PUTS:
        CHECK(rc == HC_CONTINUE && X->res.end == END_NONE && X->res.status == -12345);
        break;
    case WISP_HC_POLL: {
        struct wisp_hc_poll p;

        memcpy(&p, X->vm.mem + gpa, sizeof p);
        CHECK(rc == HC_CONTINUE && X->res.end == END_NONE && X->res.status == -12345);
        CHECK(p.ready_set == 0 && p.ret == 0);
        break;
    }
    case WISP_HC_EXIT:
        CHECK(rc == HC_STOP && X->res.end == WISP_END_EXIT && X->res.status == (int)(get64(s) & 0xff));
        break;
    case WISP_HC_ABORT:
        CHECK(rc == HC_STOP && X->res.end == WISP_END_ABORT && X->res.status == WISP_EXIT_GUEST_FAULT);
        break;
    case WISP_HC_WALLTIME:
        CHECK(rc == HC_CONTINUE && X->res.end == END_NONE && X->res.status == -12345);
        CHECK(get64(X->vm.mem + gpa) != 0);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned nrs[] = {WISP_HC_PUTS, WISP_HC_POLL, WISP_HC_EXIT,
                                   WISP_HC_ABORT, WISP_HC_WALLTIME};
    unsigned ncalls, calls_nr[MAX_CALLS];
    uint64_t calls_gpa[MAX_CALLS];
    size_t at = 1;

    if (size < 1)
        return 0;
    ncalls = 1 + data[0] % MAX_CALLS;
    for (unsigned i = 0; i < ncalls; i++) {
        uint8_t sel = 0, mode = 0;
        uint64_t raw = 0;

        if (at + 10 <= size) {
            sel = data[at];
            mode = data[at + 1];
            raw = get64(data + at + 2);
            at += 10;
        } else {
            ncalls = i;
            break;
        }
        calls_nr[i] = nrs[sel % 5];
        if (mode & 1) {
            calls_gpa[i] = raw;
        } else {
            const struct vm_region *r = &layout[(mode >> 1) % NLAYOUT];

            calls_gpa[i] = r->start - 32 + raw % (r->end - r->start + 64);
        }
    }
    /* Patches into guest RAM. */
    ndirty = 0;
    mark_dirty(WISP_CONSOLE_GPA, 8);
    while (at + 6 <= size) {
        uint32_t g;
        uint16_t len;

        memcpy(&g, data + at, 4);
        memcpy(&len, data + at + 4, 2);
        at += 6;
        g %= MEM_SIZE;
        if (len > size - at)
            len = (uint16_t)(size - at);
        if (len > MEM_SIZE - g)
            len = (uint16_t)(MEM_SIZE - g);
        memcpy(X->vm.mem + g, data + at, len);
        mark_dirty(g, len);
        at += len;
    }
    for (unsigned i = 0; i < ncalls; i++)
        one_call(calls_nr[i], calls_gpa[i]);
    /* Undo: the next input starts from zeroed RAM. */
    for (unsigned i = 0; i < ndirty; i++)
        memset(X->vm.mem + dirty[i].gpa, 0, dirty[i].len);
    return 0;
}
