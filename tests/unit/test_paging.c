/*
 * Unit tests of the isolated mode's page-table builder
 * (tender/x86_64/paging.c) on a zeroed buffer: the PML4 from the pool,
 * 4 KiB leaves with the given flags, 2 MiB leaves for whole aligned
 * blocks, intermediate entries that allow everything, and refusals
 * (unaligned, overlapping, pool exhausted, overflow).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "x86_64/x86_64.h"

#define MEM  (1u << 20)
#define POOL 0x20000ull
#define MIB  (1ull << 20)

static uint8_t *mem;

static int setup(void **state)
{
    mem = calloc(1, MEM);
    return mem ? 0 : -1;
}

static int teardown(void **state)
{
    free(mem);
    return 0;
}

static uint64_t entry(uint64_t table, unsigned index)
{
    uint64_t v;

    memcpy(&v, mem + table + 8 * index, sizeof v);
    return v;
}

/* walk: the leaf entry for `va` (a PDE with PS for a 2 MiB page), or 0. */
static uint64_t walk(const struct pt_builder *pt, uint64_t va, int *large)
{
    uint64_t e = entry(pt->pml4, (va >> 39) & 511);

    *large = 0;
    if (!(e & PTE_P))
        return 0;
    e = entry(e & PTE_ADDR_MASK, (va >> 30) & 511);
    if (!(e & PTE_P))
        return 0;
    e = entry(e & PTE_ADDR_MASK, (va >> 21) & 511);
    if (!(e & PTE_P) || (e & PTE_PS)) {
        *large = !!(e & PTE_PS);
        return e;
    }
    return entry(e & PTE_ADDR_MASK, (va >> 12) & 511);
}

static void test_init(void **state)
{
    struct pt_builder pt;

    assert_int_equal(pt_init(&pt, mem, POOL, POOL + 0x1000), 0);
    assert_int_equal(pt.pml4, POOL);
    assert_int_equal(pt.next, POOL + 0x1000);
    /* not even a PML4 fits */
    assert_int_equal(pt_init(&pt, mem, POOL, POOL + 0xfff), -1);
}

static void test_small_pages(void **state)
{
    struct pt_builder pt;
    int large;
    uint64_t e;

    assert_int_equal(pt_init(&pt, mem, POOL, 0xa0000), 0);
    assert_int_equal(pt_map(&pt, 0x100000, 0x2000, PTE_U), 0);
    assert_int_equal(pt_map(&pt, 0x102000, 0x1000, PTE_U | PTE_W | PTE_NX), 0);
    e = walk(&pt, 0x101000, &large);
    assert_false(large);
    assert_int_equal(e, 0x101000 | PTE_P | PTE_U); /* read-only, executable */
    e = walk(&pt, 0x102000, &large);
    assert_int_equal(e, 0x102000 | PTE_P | PTE_U | PTE_W | PTE_NX);
    assert_int_equal(walk(&pt, 0x103000, &large), 0); /* never mapped */
    /* intermediate entries allow everything: the leaf decides */
    assert_int_equal(entry(pt.pml4, 0) & (PTE_P | PTE_W | PTE_U), PTE_P | PTE_W | PTE_U);
    /* PML4, PDPT, PD, one PT */
    assert_int_equal(pt.next, POOL + 4 * 0x1000);
}

static void test_large_pages(void **state)
{
    struct pt_builder pt;
    int large;
    uint64_t e;

    assert_int_equal(pt_init(&pt, mem, POOL, 0xa0000), 0);
    /* 2 MiB..6 MiB + 4 KiB: two large pages, then one small one */
    assert_int_equal(pt_map(&pt, 2 * MIB, 4 * MIB + 0x1000, PTE_U | PTE_W | PTE_NX), 0);
    e = walk(&pt, 2 * MIB + 0x5000, &large);
    assert_true(large);
    assert_int_equal(e, 2 * MIB | PTE_P | PTE_U | PTE_W | PTE_NX | PTE_PS);
    e = walk(&pt, 4 * MIB, &large);
    assert_true(large);
    e = walk(&pt, 6 * MIB, &large);
    assert_false(large);
    assert_int_equal(e, 6 * MIB | PTE_P | PTE_U | PTE_W | PTE_NX);
    /* the doorbell page far above RAM gets its own tables */
    assert_int_equal(pt_map(&pt, 0xfffff000ull, 0x1000, PTE_U | PTE_W | PTE_NX), 0);
    assert_int_equal(walk(&pt, 0xfffff000ull, &large), 0xfffff000ull | PTE_P | PTE_U | PTE_W | PTE_NX);
}

static void test_refusals(void **state)
{
    struct pt_builder pt;

    assert_int_equal(pt_init(&pt, mem, POOL, 0xa0000), 0);
    assert_int_equal(pt_map(&pt, 0x100800, 0x1000, PTE_U), -1);  /* unaligned va */
    assert_int_equal(pt_map(&pt, 0x100000, 0x800, PTE_U), -1);   /* unaligned len */
    assert_int_equal(pt_map(&pt, 0xfffffffffffff000ull, 0x2000, PTE_U), -1); /* wraps */
    assert_int_equal(pt_map(&pt, 0x100000, 0x1000, PTE_U), 0);
    assert_int_equal(pt_map(&pt, 0x100000, 0x1000, PTE_U), -1);  /* overlap */
    assert_int_equal(pt_map(&pt, 2 * MIB, 2 * MIB, PTE_U), 0);
    assert_int_equal(pt_map(&pt, 2 * MIB + 0x1000, 0x1000, PTE_U), -1); /* inside a large page */
    assert_int_equal(pt_map(&pt, 0, 0, PTE_U), 0);               /* nothing to map */
}

static void test_pool_exhausted(void **state)
{
    struct pt_builder pt;

    /* PML4, PDPT and PD fit; the page table for 4 KiB pages does not */
    assert_int_equal(pt_init(&pt, mem, POOL, POOL + 3 * 0x1000), 0);
    assert_int_equal(pt_map(&pt, 2 * MIB, 2 * MIB, PTE_U), 0);
    assert_int_equal(pt_map(&pt, 0x100000, 0x1000, PTE_U), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_exhausted, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
