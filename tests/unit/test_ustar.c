/*
 * Unit tests of the ustar reader (examples/common/ustar.c) over a memory
 * "device": archives written by tar --format=ustar at test time (nested
 * names, the prefix field, "./" members, directories and links skipped,
 * 4 KiB blocks) and archives built by hand to be wrong (checksum, magic,
 * octal fields, members past the device, I/O errors), duplicates, the
 * index (one read per lookup) and its overflow to walking; the web
 * servers' file cache over it (examples/common/file_cache.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "file_cache.h"
#include "ustar.h"
#include "ustar_dev.h"

/* ---- the memory device -------------------------------------------------- */
static uint8_t *dev;
static size_t dev_size;
static int fail_reads;   /* non-zero: every read fails */
static unsigned nreads;  /* reads since the last reset */

int ustar_dev_read(solo5_handle_t h, uint64_t block_size, uint64_t off, void *buf, size_t len)
{
    assert_int_equal(off % block_size, 0);
    assert_int_equal(len % block_size, 0);
    assert_true(len > 0 && off + len <= dev_size);
    nreads++;
    if (fail_reads)
        return -1;
    memcpy(buf, dev + off, len);
    return 0;
}

/* set_device: make (data, size) the device, padded with zeros to a whole
 * number of BS-byte blocks; *bi describes it. */
static void set_device(const void *data, size_t size, uint64_t bs, struct solo5_block_info *bi)
{
    free(dev);
    dev_size = (size + bs - 1) / bs * bs;
    if (dev_size == 0)
        dev_size = bs;
    dev = calloc(1, dev_size);
    assert_non_null(dev);
    memcpy(dev, data, size);
    bi->capacity = dev_size;
    bi->block_size = bs;
    fail_reads = 0;
    nreads = 0;
    ustar_forget();
}

/* ---- archives made by tar ------------------------------------------------ */
static char dir[] = "/tmp/wisp-test-ustar.XXXXXX";
static char long_dir[200]; /* a path longer than the 100-byte name field */

static void write_file(const char *rel, const char *content)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/site/%s", dir, rel);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static int group_setup(void **state)
{
    char cmd[1024];

    if (!mkdtemp(dir))
        return -1;
    snprintf(long_dir, sizeof long_dir, "%s", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
                                              "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/cc");
    snprintf(cmd, sizeof cmd, "mkdir -p %s/site/sub/dir %s/site/%s", dir, dir, long_dir);
    if (system(cmd))
        return -1;
    write_file("index.html", "<h1>hello</h1>\n");
    write_file("sub/dir/a.txt", "nested file\n");
    snprintf(cmd, sizeof cmd, "%s/long-file-name.txt", long_dir);
    write_file(cmd, "deep\n");
    write_file("empty", "");
    snprintf(cmd, sizeof cmd,
             "cd %s/site && ln -s index.html link.html && "
             "tar --format=ustar -cf ../plain.tar index.html sub link.html empty aaaa* && "
             "tar --format=ustar -cf ../dot.tar .",
             dir);
    return system(cmd) ? -1 : 0;
}

static int group_teardown(void **state)
{
    char cmd[256];

    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    free(dev);
    dev = NULL;
    return system(cmd) ? -1 : 0;
}

/* load: put DIR/NAME on the device with block size BS. */
static void load(const char *name, uint64_t bs, struct solo5_block_info *bi)
{
    char path[512];
    FILE *f;
    static uint8_t buf[1 << 20];
    size_t n;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    set_device(buf, n, bs, bi);
}

/* expect: NAME is found and holds exactly CONTENT. */
static void expect(const struct solo5_block_info *bi, const char *name, const char *content)
{
    struct ustar_member m;
    char buf[256];
    long n;

    assert_int_equal(ustar_find(0, bi, name, &m), 0);
    assert_string_equal(m.name, name);
    assert_int_equal(m.size, strlen(content));
    n = ustar_read(0, bi, &m, 0, buf, sizeof buf);
    assert_int_equal(n, (long)strlen(content));
    assert_memory_equal(buf, content, (size_t)n);
}

static void check_site(const struct solo5_block_info *bi)
{
    struct ustar_member m;
    char deep[300];

    expect(bi, "index.html", "<h1>hello</h1>\n");
    expect(bi, "sub/dir/a.txt", "nested file\n");
    expect(bi, "empty", "");
    snprintf(deep, sizeof deep, "%s/long-file-name.txt", long_dir);
    assert_true(strlen(deep) > 100); /* stored with the prefix field */
    expect(bi, deep, "deep\n");
    /* Directories and links are not regular files. */
    assert_int_equal(ustar_find(0, bi, "sub", &m), -1);
    assert_int_equal(ustar_find(0, bi, "sub/", &m), -1);
    assert_int_equal(ustar_find(0, bi, "link.html", &m), -1);
    assert_int_equal(ustar_find(0, bi, "missing.html", &m), -1);
    assert_int_equal(ustar_find(0, bi, "index.htm", &m), -1);
    assert_int_equal(ustar_find(0, bi, "", &m), -1);
}

static void test_tar_archive(void **state)
{
    struct solo5_block_info bi;

    load("plain.tar", 512, &bi);
    check_site(&bi);
}

static void test_dot_prefixed_archive(void **state)
{
    struct solo5_block_info bi;

    load("dot.tar", 512, &bi);
    check_site(&bi);
}

static void test_large_blocks(void **state)
{
    struct solo5_block_info bi;

    load("plain.tar", 4096, &bi);
    check_site(&bi);
    load("dot.tar", 32768, &bi);
    check_site(&bi);
}

static void test_read_bounds(void **state)
{
    struct solo5_block_info bi;
    struct ustar_member m;
    char buf[64];

    load("plain.tar", 4096, &bi);
    assert_int_equal(ustar_find(0, &bi, "index.html", &m), 0);
    /* A window in the middle, unaligned. */
    memset(buf, 0, sizeof buf);
    assert_int_equal(ustar_read(0, &bi, &m, 1, buf, 4), 4);
    assert_string_equal(buf, "h1>h");
    /* Bounded by the member's size. */
    assert_int_equal(ustar_read(0, &bi, &m, 10, buf, sizeof buf), 5);
    assert_memory_equal(buf, "/h1>\n", 5);
    assert_int_equal(ustar_read(0, &bi, &m, 15, buf, sizeof buf), 0);
    assert_int_equal(ustar_read(0, &bi, &m, UINT64_MAX, buf, sizeof buf), 0);
    /* A member that does not lie on the device. */
    m.offset = bi.capacity - 2;
    assert_int_equal(ustar_read(0, &bi, &m, 0, buf, sizeof buf), -1);
    m.offset = UINT64_MAX - 1;
    assert_int_equal(ustar_read(0, &bi, &m, 0, buf, sizeof buf), -1);
}

static void test_io_error(void **state)
{
    struct solo5_block_info bi;
    struct ustar_member m;
    char buf[16];

    load("plain.tar", 512, &bi);
    fail_reads = 1;
    assert_int_equal(ustar_find(0, &bi, "index.html", &m), -2);
    fail_reads = 0;
    assert_int_equal(ustar_find(0, &bi, "index.html", &m), 0);
    fail_reads = 1;
    assert_int_equal(ustar_find(0, &bi, "index.html", &m), -2);
    assert_int_equal(ustar_read(0, &bi, &m, 0, buf, sizeof buf), -1);
}

/* ---- archives built by hand ---------------------------------------------- */

/* hdr: write a valid ustar header at B. */
static void hdr(uint8_t *b, const char *prefix, const char *name, uint64_t size, char type)
{
    unsigned sum = 0;

    memset(b, 0, 512);
    strncpy((char *)b, name, 100);
    memcpy(b + 100, "0000644", 8);
    memcpy(b + 108, "0000000", 8);
    memcpy(b + 116, "0000000", 8);
    snprintf((char *)b + 124, 12, "%011llo", (unsigned long long)size);
    memcpy(b + 136, "00000000000", 12);
    b[156] = (uint8_t)type;
    memcpy(b + 257, "ustar", 6);
    memcpy(b + 263, "00", 2);
    strncpy((char *)b + 345, prefix, 155);
    memset(b + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += b[i];
    snprintf((char *)b + 148, 8, "%06o", sum);
}

static uint8_t img[3 << 20];

static void test_duplicates_later_wins(void **state)
{
    struct solo5_block_info bi;

    memset(img, 0, sizeof img);
    hdr(img, "", "a", 3, '0');
    memcpy(img + 512, "one", 3);
    hdr(img + 1024, "", "./a", 3, '0');
    memcpy(img + 1536, "two", 3);
    memset(img + 2048, 0, 1024);
    set_device(img, 3072, 512, &bi);
    expect(&bi, "a", "two");
}

static void test_index_one_read(void **state)
{
    struct solo5_block_info bi;
    struct ustar_member m;

    load("plain.tar", 512, &bi);
    assert_int_equal(ustar_find(0, &bi, "index.html", &m), 0); /* builds the index */
    nreads = 0;
    assert_int_equal(ustar_find(0, &bi, "sub/dir/a.txt", &m), 0);
    assert_int_equal(nreads, 1);
    nreads = 0;
    assert_int_equal(ustar_find(0, &bi, "nothing", &m), -1);
    assert_int_equal(nreads, 0);
}

static void test_index_overflow(void **state)
{
    struct solo5_block_info bi;
    char name[32];
    unsigned n = USTAR_INDEX_MAX + 2;

    for (unsigned i = 0; i < n; i++) {
        snprintf(name, sizeof name, "f%u", i);
        hdr(img + 512 * i, "", name, 0, '0');
    }
    memset(img + 512 * n, 0, 1024);
    set_device(img, 512 * n + 1024, 512, &bi);
    expect(&bi, "f0", "");
    snprintf(name, sizeof name, "f%u", n - 1);
    expect(&bi, name, "");
    expect(&bi, "f4000", "");
}

static void test_end_of_device_without_zero_block(void **state)
{
    struct solo5_block_info bi;

    hdr(img, "", "x", 2, '0');
    memcpy(img + 512, "hi", 2);
    set_device(img, 1024, 512, &bi);
    expect(&bi, "x", "hi");
}

static void test_malformed(void **state)
{
    struct solo5_block_info bi;
    struct ustar_member m;

    /* Checksum off by one. */
    hdr(img, "", "x", 2, '0');
    img[148 + 5]++;
    set_device(img, 2048, 512, &bi);
    assert_int_equal(ustar_find(0, &bi, "x", &m), -2);
    /* A changed byte under a good checksum field. */
    hdr(img, "", "x", 2, '0');
    img[0] = 'y';
    set_device(img, 2048, 512, &bi);
    assert_int_equal(ustar_find(0, &bi, "x", &m), -2);
    /* No magic (an old v7 header) */
    hdr(img, "", "x", 2, '0');
    memcpy(img + 257, "ustaR", 5);
    set_device(img, 2048, 512, &bi);
    assert_int_equal(ustar_find(0, &bi, "x", &m), -2);
    /* Data past the device. */
    hdr(img, "", "x", 4096, '0');
    set_device(img, 2048, 512, &bi);
    assert_int_equal(ustar_find(0, &bi, "x", &m), -2);
    /* Huge size. */
    hdr(img, "", "x", 077777777777ull, '0');
    set_device(img, 2048, 512, &bi);
    assert_int_equal(ustar_find(0, &bi, "x", &m), -2);
    /* Garbage after a good member. */
    hdr(img, "", "x", 2, '0');
    memset(img + 1024, 'G', 512);
    set_device(img, 2048, 512, &bi);
    assert_int_equal(ustar_find(0, &bi, "x", &m), -2);
    /* Bad geometry. */
    hdr(img, "", "x", 2, '0');
    set_device(img, 2048, 512, &bi);
    bi.block_size = 1000;
    assert_int_equal(ustar_find(0, &bi, "x", &m), -2);
    bi.block_size = 512;
    bi.capacity = 2047;
    assert_int_equal(ustar_find(0, &bi, "x", &m), -2);
}

static void test_bad_octal_fields(void **state)
{
    static const char *bad[] = {"", "8", "12x", "0 1", "\xff"};
    struct solo5_block_info bi;
    struct ustar_member m;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned sum = 0;

        hdr(img, "", "x", 0, '0');
        memset(img + 124, 0, 12);
        memcpy(img + 124, bad[i], strlen(bad[i]));
        memset(img + 148, ' ', 8);
        for (int j = 0; j < 512; j++)
            sum += img[j];
        snprintf((char *)img + 148, 8, "%06o", sum);
        set_device(img, 2048, 512, &bi);
        assert_int_equal(ustar_find(0, &bi, "x", &m), -2);
    }
    /* Leading spaces and a space terminator are accepted. */
    memset(img, 0, 4096);
    hdr(img, "", "x", 0, '0');
    memcpy(img + 124, "         1 ", 11);
    {
        unsigned sum = 0;

        memset(img + 148, ' ', 8);
        for (int j = 0; j < 512; j++)
            sum += img[j];
        snprintf((char *)img + 148, 8, "%06o", sum);
    }
    memcpy(img + 512, "z", 1);
    set_device(img, 2048, 512, &bi);
    expect(&bi, "x", "z");
}

static void test_names(void **state)
{
    struct solo5_block_info bi;
    struct ustar_member m;
    char long_name[300];

    hdr(img, "pre/fix", "name", 1, '0');
    img[512] = 'p';
    hdr(img + 1024, "", "/abs", 1, '\0');
    img[1536] = 'a';
    hdr(img + 2048, "", "d/", 0, '5');
    hdr(img + 2560, "", "pax", 1, 'x'); /* data skipped, never found */
    img[3072] = 'x';
    memset(img + 3584, 0, 1024);
    set_device(img, 4608, 512, &bi);
    expect(&bi, "pre/fix/name", "p");
    expect(&bi, "abs", "a");
    assert_int_equal(ustar_find(0, &bi, "d", &m), -1);
    assert_int_equal(ustar_find(0, &bi, "d/", &m), -1);
    assert_int_equal(ustar_find(0, &bi, "pax", &m), -1);
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(ustar_find(0, &bi, long_name, &m), -1);
}

/* The file cache: a second lookup of a small file, or of a missing name,
 * touches the device no more; a large file is described, not copied. */
static void test_file_cache(void **state)
{
    struct solo5_block_info bi;
    struct ustar_member m;
    const uint8_t *data;
    static const char big_content[] = "0123456789";

    memset(img, 0, sizeof img);
    hdr(img, "", "small.txt", 5, '0');
    memcpy(img + 512, "small", 5);
    hdr(img + 1024, "", "big.bin", FILE_CACHE_FILE_MAX + 1, '0');
    memcpy(img + 1536, big_content, 10);
    set_device(img, 1536 + FILE_CACHE_FILE_MAX + 1 + 1024, 512, &bi);
    assert_int_equal(file_cache_get(0, &bi, "small.txt", &m, &data), 0);
    assert_non_null(data);
    assert_memory_equal(data, "small", 5);
    nreads = 0;
    assert_int_equal(file_cache_get(0, &bi, "small.txt", &m, &data), 0);
    assert_int_equal(nreads, 0);
    assert_int_equal(m.size, 5);
    assert_memory_equal(data, "small", 5);
    assert_int_equal(file_cache_get(0, &bi, "missing", &m, &data), -1);
    nreads = 0;
    assert_int_equal(file_cache_get(0, &bi, "missing", &m, &data), -1);
    assert_int_equal(nreads, 0);
    assert_int_equal(file_cache_get(0, &bi, "big.bin", &m, &data), 0);
    assert_null(data);
    assert_int_equal(m.size, FILE_CACHE_FILE_MAX + 1);
    assert_int_equal(m.offset, 1536);
    /* An I/O error is reported and not remembered (the index is dropped
     * so that the lookup reads the device). */
    ustar_forget();
    fail_reads = 1;
    assert_int_equal(file_cache_get(0, &bi, "other", &m, &data), -2);
    fail_reads = 0;
    assert_int_equal(file_cache_get(0, &bi, "other", &m, &data), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tar_archive),
        cmocka_unit_test(test_dot_prefixed_archive),
        cmocka_unit_test(test_large_blocks),
        cmocka_unit_test(test_read_bounds),
        cmocka_unit_test(test_io_error),
        cmocka_unit_test(test_duplicates_later_wins),
        cmocka_unit_test(test_index_one_read),
        cmocka_unit_test(test_index_overflow),
        cmocka_unit_test(test_end_of_device_without_zero_block),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_bad_octal_fields),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_file_cache),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
