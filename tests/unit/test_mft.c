/*
 * Unit tests of mft_validate (tender/image/mft.c): Solo5's manifest checks
 * (SOLO5_HVT_ABI.md section 3 "Validation") plus wisp's (names non-empty
 * and alphanumeric, known types, unique names).  One test per rule, each
 * checking the exact message, plus valid manifests of 0, 2 and 63 devices.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "image/elf.h"

#define NAME "k.elf"

/* One spare byte in front so the manifest can be placed unaligned. */
static uint8_t raw[1 + MFT_SIZE(MFT_MAX_ENTRIES + 1)];
static uint8_t *buf = raw + 1;
static size_t size;
static char err[ELF_ERR_MAX];

/* make: a manifest in buf with ndev devices dev0, dev1, ... alternating
 * NET_BASIC and BLOCK_BASIC; sets size. */
static void make(unsigned ndev)
{
    struct mft h = { MFT_VERSION, ndev + 1 };
    struct mft_entry e;

    memset(raw, 0, sizeof(raw));
    memcpy(buf, &h, sizeof(h));
    memset(&e, 0, sizeof(e));
    e.type = MFT_RESERVED_FIRST;
    memcpy(buf + MFT_SIZE(0), &e, sizeof(e));
    for (unsigned i = 1; i <= ndev; i++) {
        memset(&e, 0, sizeof(e));
        snprintf(e.name, sizeof(e.name), "dev%u", i - 1);
        e.type = (i & 1) ? MFT_DEV_NET_BASIC : MFT_DEV_BLOCK_BASIC;
        memcpy(buf + MFT_SIZE(i), &e, sizeof(e));
    }
    size = MFT_SIZE(ndev + 1);
}

/* entry: pointer to entry i's bytes in buf (unaligned: use memcpy/bytes). */
static uint8_t *entry(unsigned i)
{
    return buf + MFT_SIZE(i);
}

static void set_name(unsigned i, const char *s)
{
    memset(entry(i), 0, MFT_NAME_SIZE);
    memcpy(entry(i), s, strlen(s));
}

static void set_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void expect(const char *msg)
{
    memset(err, 0, sizeof(err));
    assert_int_equal(mft_validate(NAME, buf, size, err), -1);
    assert_string_equal(err, msg);
}

static void expect_ok(void)
{
    memset(err, 0, sizeof(err));
    assert_int_equal(mft_validate(NAME, buf, size, err), 0);
}

static void test_valid_empty(void **state)
{
    make(0);
    expect_ok();
}

static void test_valid_two_unaligned(void **state)
{
    make(2);
    assert_true(((uintptr_t)buf & 7) != 0);
    expect_ok();
}

static void test_valid_max(void **state)
{
    make(MFT_MAX_ENTRIES - 1);
    expect_ok();
}

/* A 67-character name is the longest allowed; the reserved entry's name
 * is checked only at its first byte, as Solo5 does. */
static void test_valid_long_name(void **state)
{
    char n[MFT_NAME_SIZE];

    make(1);
    memset(n, 'a', MFT_NAME_MAX);
    n[MFT_NAME_MAX] = '\0';
    set_name(1, n);
    entry(0)[5] = 'x';
    expect_ok();
}

static void test_short(void **state)
{
    make(0);
    size = 7;
    expect(NAME ": invalid manifest: 7 bytes, shorter than its 8-byte header");
}

static void test_version(void **state)
{
    make(1);
    set_u32(buf, 2);
    expect(NAME ": invalid manifest: version 2, expected 1");
}

static void test_zero_entries(void **state)
{
    make(0);
    set_u32(buf + 4, 0);
    size = 8;
    expect(NAME ": invalid manifest: 0 entries, expected 1 to 64");
}

static void test_too_many_entries(void **state)
{
    make(MFT_MAX_ENTRIES - 1);
    set_u32(buf + 4, MFT_MAX_ENTRIES + 1);
    size = MFT_SIZE(MFT_MAX_ENTRIES + 1);
    expect(NAME ": invalid manifest: 65 entries, expected 1 to 64");
}

static void test_size_mismatch(void **state)
{
    make(2);
    size -= 1;
    expect(NAME ": invalid manifest: 319 bytes, expected 320 for 3 entries");
    make(2);
    size += 104;
    expect(NAME ": invalid manifest: 424 bytes, expected 320 for 3 entries");
}

static void test_reserved_type(void **state)
{
    make(1);
    set_u32(entry(0) + 68, MFT_DEV_NET_BASIC);
    expect(NAME ": invalid manifest: entry 0 is not the reserved entry (type 0x40000000, "
                "empty name)");
}

static void test_reserved_name(void **state)
{
    make(1);
    set_name(0, "x");
    expect(NAME ": invalid manifest: entry 0 is not the reserved entry (type 0x40000000, "
                "empty name)");
}

static void test_name_unterminated(void **state)
{
    make(2);
    memset(entry(2), 'a', MFT_NAME_SIZE);
    expect(NAME ": invalid manifest: entry 2: name is not NUL-terminated within 68 bytes");
}

static void test_reserved_unterminated(void **state)
{
    make(0);
    entry(0)[MFT_NAME_SIZE - 1] = 'z';
    expect(NAME ": invalid manifest: entry 0: name is not NUL-terminated within 68 bytes");
}

static void test_attached(void **state)
{
    make(2);
    entry(1)[96] = 1;
    expect(NAME ": invalid manifest: entry 1: marked attached in the file");
    make(0);
    entry(0)[96] = 1;
    expect(NAME ": invalid manifest: entry 0: marked attached in the file");
}

static void test_empty_name(void **state)
{
    make(2);
    set_name(2, "");
    expect(NAME ": invalid manifest: entry 2: device name is not 1 to 67 letters and digits");
}

static void test_bad_name_chars(void **state)
{
    static const char *const bad[] = { "net-0", "a b", "disk_1", "x.y", "\xc3\xa9t\xc3\xa9" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        make(1);
        set_name(1, bad[i]);
        expect(NAME ": invalid manifest: entry 1: device name is not 1 to 67 letters and digits");
    }
}

static void test_unknown_type(void **state)
{
    make(2);
    set_u32(entry(2) + 68, 3);
    expect(NAME ": invalid manifest: entry 2 (dev1): unknown device type 3");
    make(2);
    set_u32(entry(1) + 68, MFT_RESERVED_FIRST);
    expect(NAME ": invalid manifest: entry 1 (dev0): unknown device type 1073741824");
}

static void test_duplicate_name(void **state)
{
    make(3);
    set_name(3, "dev0");
    expect(NAME ": invalid manifest: entries 1 and 3: duplicate device name \"dev0\"");
}

/* Same name with different types is still a duplicate (the command line
 * names devices without a type). */
static void test_duplicate_name_other_type(void **state)
{
    make(2);
    set_name(2, "dev0");
    expect(NAME ": invalid manifest: entries 1 and 2: duplicate device name \"dev0\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_empty),
        cmocka_unit_test(test_valid_two_unaligned),
        cmocka_unit_test(test_valid_max),
        cmocka_unit_test(test_valid_long_name),
        cmocka_unit_test(test_short),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_zero_entries),
        cmocka_unit_test(test_too_many_entries),
        cmocka_unit_test(test_size_mismatch),
        cmocka_unit_test(test_reserved_type),
        cmocka_unit_test(test_reserved_name),
        cmocka_unit_test(test_name_unterminated),
        cmocka_unit_test(test_reserved_unterminated),
        cmocka_unit_test(test_attached),
        cmocka_unit_test(test_empty_name),
        cmocka_unit_test(test_bad_name_chars),
        cmocka_unit_test(test_unknown_type),
        cmocka_unit_test(test_duplicate_name),
        cmocka_unit_test(test_duplicate_name_other_type),
    };

    return cmocka_run_group_tests_name("mft", tests, NULL, NULL);
}
