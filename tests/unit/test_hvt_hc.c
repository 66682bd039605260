/*
 * Unit tests of compat-mode hypercall handling without KVM
 * (tender/modes/hvt/exits.c hvt_io_exit, mode.c hvt_check_image and
 * hvt_finish, mem.c hvt_set_regions; the core module's compatibility
 * hypercalls, tender/devices/core.c): Solo5's port checks and messages,
 * the checked guest address translation at the edges (guest_ptr_or_fail),
 * and WALLTIME / PUTS / POLL / HALT on a guest memory buffer (SOLO5_HVT_ABI.md 1.1, 1.2, 1.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "modes/hvt/hvt.h"
#include "core/module.h"
#include "core/vm.h"
#include "vm_fixture.h"

#define MEM (2u << 20)

static struct vm_fixture *X;
static struct hvt h;
static int console[2];

static int setup(void **state)
{
    X = vm_fixture_new(&mode_hvt, MEM, NULL, 0);
    memset(&h, 0, sizeof h);
    if (!X || pipe(console) < 0)
        return -1;
    X->cfg.console_fd = console[1];
    X->vm.kernel = "k.hvt";
    X->vm.hvt = &h;
    /* one read-only text segment at 0x100000 */
    X->vm.img.nsegs = 1;
    X->vm.img.seg[0] = (struct elf_segment){.vaddr = 0x100000, .memsz = 0x800, .flags = SEG_R | SEG_X};
    return hvt_set_regions(&X->vm) || module_register_hypercalls(&X->vm, &module_core);
}

static int teardown(void **state)
{
    vm_fixture_free(X);
    close(console[0]);
    close(console[1]);
    return 0;
}

#define OUT4(port, data) hvt_io_exit(&X->vm, (port), 1, 4, (data))

static void test_port_checks(void **state)
{
    assert_int_equal(OUT4(0x509, 0), -1);
    assert_string_equal(X->res.err, "Invalid guest port access: port=0x509");
    assert_int_equal(OUT4(0x4ff, 0), -1);
    assert_string_equal(X->res.err, "Invalid guest port access: port=0x4ff");
    assert_int_equal(OUT4(0x600, 0), -1);
    assert_string_equal(X->res.err, "Invalid guest port access: port=0x600");
    assert_int_equal(hvt_io_exit(&X->vm, 0x502, 1, 2, 0), -1);
    assert_string_equal(X->res.err, "Invalid guest port access: port=0x502");
    assert_int_equal(hvt_io_exit(&X->vm, 0x502, 0, 4, 0), -1);
    assert_string_equal(X->res.err, "Invalid guest port access: port=0x502");
}

static void test_unregistered(void **state)
{
    assert_int_equal(OUT4(0x500, 0x1000), -1);
    assert_string_equal(X->res.err, "Invalid guest hypercall: num=0");
    for (unsigned nr = 4; nr <= 7; nr++) {
        char want[64];

        assert_int_equal(OUT4(0x500 + nr, 0x1000), -1);
        snprintf(want, sizeof want, "Invalid guest hypercall: num=%u", nr);
        assert_string_equal(X->res.err, want);
    }
}

static void test_checked_gpa(void **state)
{
    assert_ptr_equal(guest_ptr_or_fail(&X->vm, 0, 1, 0, "x"), X->vm.mem);
    /* ending exactly at the top is valid (Solo5 rejects it) */
    assert_ptr_equal(guest_ptr_or_fail(&X->vm, MEM - 8, 8, 0, "x"), X->vm.mem + MEM - 8);
    assert_null(guest_ptr_or_fail(&X->vm, MEM - 8, 9, 0, "PUTS data"));
    assert_string_equal(X->res.err, "Invalid guest access: gpa=0x1ffff8, sz=9 (PUTS data)");
    assert_null(guest_ptr_or_fail(&X->vm, MEM, 0, 0, "x"));
    assert_null(guest_ptr_or_fail(&X->vm, 16, UINT64_MAX, 0, "x"));
    assert_null(guest_ptr_or_fail(&X->vm, UINT64_MAX, 2, 0, "x"));
    /* the ring area above mem_size is not the guest's to name */
    X->vm.mem_size = MEM - 4096;
    assert_null(guest_ptr_or_fail(&X->vm, MEM - 4096, 8, 0, "x"));
    /* host-written ranges: not in read-only segments */
    assert_non_null(guest_ptr_or_fail(&X->vm, 0x101000, 8, 1, "x")); /* next page */
    assert_null(guest_ptr_or_fail(&X->vm, 0x100ffc, 8, 1, "WALLTIME"));
    assert_string_equal(X->res.err,
                        "Invalid guest access: gpa=0x100ffc, sz=8 (WALLTIME): read-only guest memory");
    assert_null(guest_ptr_or_fail(&X->vm, 0xffff8, 9, 1, "x"));
}

static void test_walltime(void **state)
{
    struct hvt_hc_walltime *a = (void *)(X->vm.mem + 0x2000);
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    assert_int_equal(OUT4(0x501, 0x2000), HC_CONTINUE);
    assert_true(a->nsecs >= (uint64_t)ts.tv_sec * 1000000000ull);
    assert_int_equal(OUT4(0x501, MEM), -1);
    assert_string_equal(X->res.err, "Invalid guest access: gpa=0x200000, sz=8 (WALLTIME)");
    assert_int_equal(OUT4(0x501, MEM - 4), -1); /* misaligned, and crossing the top */
    assert_string_equal(X->res.err, "Invalid guest access: gpa=0x1ffffc is not 8-byte aligned "
                                 "(hypercall 1 argument)");
}

static void test_puts(void **state)
{
    struct hvt_hc_puts *a = (void *)(X->vm.mem + 0x2000);
    char buf[16] = {0};

    memcpy(X->vm.mem + 0x3000, "hello", 5);
    a->data = 0x3000;
    a->len = 5;
    assert_int_equal(OUT4(0x502, 0x2000), HC_CONTINUE);
    assert_int_equal(read(console[0], buf, sizeof buf), 5);
    assert_string_equal(buf, "hello");
    a->len = MEM;
    assert_int_equal(OUT4(0x502, 0x2000), -1);
    assert_string_equal(X->res.err, "Invalid guest access: gpa=0x3000, sz=2097152 (PUTS data)");
}

static void test_poll(void **state)
{
    struct hvt_hc_poll *a = (void *)(X->vm.mem + 0x2000);
    int fds[2];

    a->timeout_nsecs = 0;
    a->ready_set = ~0ull;
    a->ret = -1;
    assert_int_equal(OUT4(0x503, 0x2000), HC_CONTINUE);
    assert_int_equal(a->ready_set, 0);
    assert_int_equal(a->ret, 0);
    /* a ready source sets bit (1 << handle) */
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "x", 1), 1);
    assert_int_equal(poll_register(&X->vm, fds[0], 5), 0);
    a->timeout_nsecs = 1000000000ull;
    assert_int_equal(OUT4(0x503, 0x2000), HC_CONTINUE);
    assert_int_equal(a->ready_set, 1ull << 5);
    assert_int_equal(a->ret, 1);
    close(fds[0]);
    close(fds[1]);
}

static void test_halt(void **state)
{
    struct hvt_hc_halt *a = (void *)(X->vm.mem + 0x2000);

    a->cookie = 0;
    a->exit_status = 42;
    assert_int_equal(OUT4(0x508, 0x2000), HC_STOP);
    assert_int_equal(X->res.status, 42);
    assert_int_equal(X->res.end, WISP_END_EXIT);
    a->exit_status = 0x1ff;
    assert_int_equal(OUT4(0x508, 0x2000), HC_STOP);
    assert_int_equal(X->res.status, 255);
    assert_int_equal(X->res.end, WISP_END_ABORT);
    a->exit_status = -1;
    assert_int_equal(OUT4(0x508, 0x2000), HC_STOP);
    assert_int_equal(X->res.status, 255);
    /* a cookie's 512 bytes must lie in guest memory */
    a->exit_status = 255;
    a->cookie = MEM - 511;
    assert_int_equal(OUT4(0x508, 0x2000), -1);
    assert_string_equal(X->res.err, "Invalid guest access: gpa=0x1ffe01, sz=512 (HALT cookie)");
    assert_int_equal(OUT4(0x508, MEM - 8), -1);
    assert_string_equal(X->res.err, "Invalid guest access: gpa=0x1ffff8, sz=16 (HALT)");
}

static void test_check_image(void **state)
{
    static const struct mft m = {.version = 1, .entries = 1};

    X->vm.img.solo5_abi = (struct abi1_info){.abi_target = 2, .abi_version = 2};
    X->vm.img.mft = &m;
    assert_int_equal(hvt_check_image(&X->vm), -1);
    assert_string_equal(X->res.err, "k.hvt: Executable is not for the solo5-hvt target (its Solo5 "
                        "ABI note names target spt, 2); wisp runs Solo5 hvt unikernels only");
    X->vm.img.solo5_abi = (struct abi1_info){.abi_target = 7, .abi_version = 2};
    assert_int_equal(hvt_check_image(&X->vm), -1);
    assert_non_null(strstr(X->res.err, "names target unknown, 7"));
    X->vm.img.solo5_abi = (struct abi1_info){.abi_target = 1, .abi_version = 3};
    assert_int_equal(hvt_check_image(&X->vm), -1);
    assert_string_equal(X->res.err, "k.hvt: Solo5 ABI version mismatch: the executable is built for "
                        "hvt ABI version 3, wisp implements version 2");
    X->vm.img.solo5_abi = (struct abi1_info){.abi_target = 1, .abi_version = 2};
    assert_int_equal(hvt_check_image(&X->vm), 0);
    X->vm.img.mft = NULL;
    assert_int_equal(hvt_check_image(&X->vm), -1);
    assert_string_equal(X->res.err, "k.hvt: No Solo5 manifest found in executable (a Solo5 hvt "
                        "unikernel carries a MFT1 note, even with no devices)");
}

static void test_finish_status(void **state)
{
    struct vm_fixture *f = vm_fixture_new(&mode_hvt, 0, NULL, 0);

    assert_non_null(f);
    f->res.end = WISP_END_ERROR;
    f->res.status = WISP_EXIT_TENDER_ERROR;
    hvt_finish(&f->vm);
    assert_int_equal(f->res.status, 1);
    f->res.end = WISP_END_EXIT;
    f->res.status = 253;
    hvt_finish(&f->vm);
    assert_int_equal(f->res.status, 253); /* a guest's own status is kept */
    vm_fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_port_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unregistered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checked_gpa, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walltime, setup, teardown),
        cmocka_unit_test_setup_teardown(test_puts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_halt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_image, setup, teardown),
        cmocka_unit_test(test_finish_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
