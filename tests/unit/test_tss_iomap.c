/*
 * Unit tests of the TSS I/O permission bitmap (tender/x86_64/tables.c,
 * x86_tss_allow_ports), which compatibility mode at CPL3 uses so that the
 * hypercall outl to 0x500+n exits directly: exactly the given ports open,
 * every other port closed, the terminating 0xff byte, the bitmap offset in
 * the TSS, the descriptor's limit over it and its base unchanged, and no
 * bitmap when one would leave the tables' page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "x86_64/x86_64.h"

#define MEM 0x10000u

static uint8_t *mem;

static int setup(void **state)
{
    (void)state;
    mem = calloc(1, MEM);
    if (!mem)
        return -1;
    x86_write_system_tables(mem);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(mem);
    return 0;
}

static uint64_t tss_desc(void)
{
    uint64_t d;

    memcpy(&d, mem + X86_GDT_GPA + X86_SEL_TSS, sizeof d);
    return d;
}

static uint32_t desc_limit(uint64_t d)
{
    return (uint32_t)((d & 0xffff) | (((d >> 48) & 0xf) << 16));
}

static uint64_t desc_base(uint64_t d)
{
    return ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
}

static int port_open(uint32_t port)
{
    uint16_t iomap;

    memcpy(&iomap, mem + X86_TSS_GPA + 102, sizeof iomap);
    return !(mem[X86_TSS_GPA + iomap + port / 8] & (1u << (port % 8)));
}

static void test_no_bitmap_by_default(void **state)
{
    uint16_t iomap;

    (void)state;
    memcpy(&iomap, mem + X86_TSS_GPA + 102, sizeof iomap);
    assert_int_equal(iomap, X86_TSS_SIZE);
    assert_int_equal(desc_limit(tss_desc()), X86_TSS_SIZE - 1); /* bitmap beyond the limit */
}

static void test_hypercall_ports(void **state)
{
    uint64_t before = tss_desc();
    uint32_t limit = x86_tss_allow_ports(mem, 0x500, 12);

    (void)state;
    /* ports 0 .. 0x50b: 0x50c / 8 = 162 bytes (rounded up), and 0xff */
    assert_int_equal(limit, X86_TSS_SIZE + 162 + 1 - 1);
    assert_int_equal(desc_limit(tss_desc()), limit);
    assert_int_equal(desc_base(tss_desc()), desc_base(before));
    assert_true((tss_desc() & ~(0xffffull | (0xfull << 48))) ==
                (before & ~(0xffffull | (0xfull << 48))));
    for (uint32_t p = 0; p < 0x50c + 8; p++)
        assert_int_equal(port_open(p), p >= 0x500 && p < 0x50c);
    assert_int_equal(mem[X86_TSS_GPA + X86_TSS_SIZE + 162], 0xff);
    assert_true(X86_TSS_GPA + limit < X86_GDT_GPA + 0x1000);
}

static void test_too_large_refused(void **state)
{
    (void)state;
    assert_int_equal(x86_tss_allow_ports(mem, 0xfff0, 0x10), X86_TSS_SIZE - 1);
    assert_int_equal(desc_limit(tss_desc()), X86_TSS_SIZE - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_bitmap_by_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hypercall_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_large_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
