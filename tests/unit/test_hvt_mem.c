/*
 * Unit tests of compat-mode memory (tender/modes/hvt/mem.c), no KVM: solo5-hvt's
 * --mem rules (SOLO5_HVT_ABI.md 1.5), the boot GDT and page tables written
 * into a buffer, entry by entry, and the boot info / manifest copy /
 * command line at 0x10000 (1.4).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modes/hvt/hvt.h"
#include "core/vm.h"
#include "vm_fixture.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

static struct hvt_mem_plan p;
static char err[HVT_MSG_MAX];

static void test_plan_default(void **state)
{
    assert_int_equal(hvt_mem_plan(0, 0, &p, err), 0);
    assert_int_equal(p.mem_size, 512 * MIB);
    assert_int_equal(p.alloc_size, 512 * MIB);
    assert_int_equal(p.ring_gpa, 0);
    assert_string_equal(p.warning, "");
}

static void test_plan_exact(void **state)
{
    assert_int_equal(hvt_mem_plan(64 * MIB, 0, &p, err), 0);
    assert_int_equal(p.mem_size, 64 * MIB);
    assert_string_equal(p.warning, "");
    assert_int_equal(hvt_mem_plan(4 * GIB, 0, &p, err), 0);
    assert_int_equal(p.mem_size, 4 * GIB);
    assert_int_equal(hvt_mem_plan(2 * MIB, 0, &p, err), 0);
    assert_int_equal(p.mem_size, 2 * MIB);
    assert_string_equal(p.warning, "");
}

static void test_plan_rounded(void **state)
{
    assert_int_equal(hvt_mem_plan(1 * MIB, 0, &p, err), 0);
    assert_int_equal(p.mem_size, 2 * MIB);
    assert_string_equal(p.warning, "adjusting memory to 2097152 bytes");
    assert_int_equal(hvt_mem_plan(5 * MIB, 0, &p, err), 0);
    assert_int_equal(p.mem_size, 4 * MIB);
    assert_string_equal(p.warning, "adjusting memory to 4194304 bytes");
    assert_int_equal(hvt_mem_plan(4095 * MIB, 0, &p, err), 0);
    assert_int_equal(p.mem_size, 4094 * MIB);
}

static void test_plan_too_large(void **state)
{
    assert_int_equal(hvt_mem_plan(4 * GIB + 2 * MIB, 0, &p, err), -1);
    assert_string_equal(err, "guest memory size 0x100200000 exceeds the max size 0x100000000");
    /* 4 GiB + 1 MiB rounds down to 4 GiB: accepted, with the warning */
    assert_int_equal(hvt_mem_plan(4 * GIB + MIB, 0, &p, err), 0);
    assert_int_equal(p.mem_size, 4 * GIB);
}

static void test_plan_ring(void **state)
{
    /* --mem=64 with a NIC: a 66 MiB mapping, ring at 64 MiB (1.5, 2) */
    assert_int_equal(hvt_mem_plan(64 * MIB, 1, &p, err), 0);
    assert_int_equal(p.alloc_size, 66 * MIB);
    assert_int_equal(p.ring_gpa, 64 * MIB);
    assert_int_equal(p.mem_size, 64 * MIB);
    /* clamped to 4 GiB: the guest gets 4 GiB - 2 MiB */
    assert_int_equal(hvt_mem_plan(4 * GIB, 1, &p, err), 0);
    assert_int_equal(p.alloc_size, 4 * GIB);
    assert_int_equal(p.ring_gpa, 4 * GIB - 2 * MIB);
    assert_int_equal(p.mem_size, 4 * GIB - 2 * MIB);
}

static uint64_t get64(const uint8_t *mem, uint64_t gpa)
{
    uint64_t v;

    memcpy(&v, mem + gpa, sizeof v);
    return v;
}

static void test_tables(void **state)
{
    uint64_t size = 6 * MIB;
    uint8_t *mem = calloc(1, size);

    assert_non_null(mem);
    hvt_write_tables(mem, size);
    /* GDT (1.5) */
    assert_int_equal(get64(mem, 0x1000), 0);
    assert_int_equal(get64(mem, 0x1008), 0x00AF99000000FFFFull);
    assert_int_equal(get64(mem, 0x1010), 0x00CF93000000FFFFull);
    /* PML4 -> PDPT -> 4 PDs */
    assert_int_equal(get64(mem, 0x2000), 0x3003);
    assert_int_equal(get64(mem, 0x2008), 0);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(get64(mem, 0x3000 + 8 * i), (0x4000 + 0x1000 * i) | 3);
    /* PD0[0] -> PT0, then 2 MiB pages up to the size, nothing beyond */
    assert_int_equal(get64(mem, 0x4000), 0x8003);
    assert_int_equal(get64(mem, 0x4008), 0x200000 | 0x83);
    assert_int_equal(get64(mem, 0x4010), 0x400000 | 0x83);
    assert_int_equal(get64(mem, 0x4018), 0);
    /* PT0: page 0 and the tables not present, boot info RO, image RW */
    assert_int_equal(get64(mem, 0x8000 + 8 * 0), 0);
    assert_int_equal(get64(mem, 0x8000 + 8 * 0x8), 0);
    assert_int_equal(get64(mem, 0x8000 + 8 * 0xf), 0);
    assert_int_equal(get64(mem, 0x8000 + 8 * 0x10), 0x10001);
    assert_int_equal(get64(mem, 0x8000 + 8 * 0xff), 0xff001);
    assert_int_equal(get64(mem, 0x8000 + 8 * 0x100), 0x100003);
    assert_int_equal(get64(mem, 0x8000 + 8 * 0x1ff), 0x1ff003);
    free(mem);
}

static void test_tables_4g(void **state)
{
    /* Only the first 0x9000 bytes are written: a sparse 64 KiB buffer
     * stands in for 4 GiB. */
    uint8_t *mem = calloc(1, 0x10000);

    assert_non_null(mem);
    hvt_write_tables(mem, 4 * GIB);
    assert_int_equal(get64(mem, 0x4000 + 8 * 511), (511 * 2 * MIB) | 0x83);  /* PD0 last */
    assert_int_equal(get64(mem, 0x5000), GIB | 0x83);                        /* PD1 first */
    assert_int_equal(get64(mem, 0x7ff8), (4 * GIB - 2 * MIB) | 0x83);        /* PD3 last */
    free(mem);
}

static void test_boot_info(void **state)
{
    static const struct vm_fixture_dev storage = {"storage", MFT_DEV_BLOCK_BASIC};
    struct vm_fixture *f = vm_fixture_new(&mode_hvt, 2 * MIB, &storage, 1);
    struct vm *vm;
    struct hvt_boot_info *bi;
    struct mft *m;
    size_t mft_size = MFT_SIZE(2);

    assert_non_null(f);
    vm = &f->vm;
    /* the guest's 8 MiB, 10 MiB mapped: only the boot info page is used */
    vm->mem_size = 8 * MIB;
    vm->mem_alloc = 10 * MIB;
    vm->tsc_hz = 2596122000ull;
    vm->mft->e[1].u.block_basic.capacity = 4096;
    vm->mft->e[1].u.block_basic.block_size = 512;
    vm->mft->e[1].b.hostfd = 7;
    vm->mft->e[1].attached = 1;
    vm->img.load_end = 0x30c000;
    strcpy(f->cfg.cmdline, "Hello_Solo5 x");

    assert_int_equal(hvt_write_boot_info(vm, HVT_FEATURE_RING_IO, 0x800000), 0);
    bi = (struct hvt_boot_info *)(void *)(vm->mem + 0x10000);
    assert_int_equal(bi->mem_size, 8 * MIB);
    assert_int_equal(bi->kernel_end, 0x30c000);
    assert_int_equal(bi->cpu_cycle_freq, 2596122000ull);
    assert_int_equal(bi->mft, 0x10038);
    assert_int_equal(bi->cmdline, 0x10038 + mft_size);
    assert_int_equal(bi->host_features, HVT_FEATURE_RING_IO);
    assert_int_equal(bi->guest_features, 0);
    assert_int_equal(bi->net_ring, 0x800000);
    assert_string_equal((char *)vm->mem + bi->cmdline, "Hello_Solo5 x");
    m = (struct mft *)(void *)(vm->mem + 0x10038);
    assert_int_equal(m->entries, 2);
    assert_string_equal(m->e[1].name, "storage");
    assert_int_equal(m->e[1].attached, 1);
    assert_int_equal(m->e[1].u.block_basic.capacity, 4096);
    assert_int_equal(m->e[1].u.block_basic.block_size, 512);
    assert_int_equal(m->e[1].b.hostfd, 0);      /* no host fd leaks (9.12) */
    assert_int_equal(vm->mft->e[1].b.hostfd, 7); /* the tender's copy keeps it */
    vm_fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_default),
        cmocka_unit_test(test_plan_exact),
        cmocka_unit_test(test_plan_rounded),
        cmocka_unit_test(test_plan_too_large),
        cmocka_unit_test(test_plan_ring),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_tables_4g),
        cmocka_unit_test(test_boot_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
