/*
 * Unit tests of the block backend (tender/devices/block_backend.c) on temporary
 * files, without a VM: block-size parsing, open/lock/size errors with their
 * exact messages, the geometry check, request checks (alignment, length,
 * range, overflow, read-only), data round trips of one and many blocks,
 * short reads as EUNSPEC (through the mapping: a SIGBUS caught), a SIGBUS
 * elsewhere still fatal, flush.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "devices/block_backend.h"
#include "devices/guarded_copy.h"
#include "wisp/abi.h"

static char dir[] = "/tmp/wisp-test-block.XXXXXX";
static char path[sizeof dir + 32];
static char err[BLK_ERR_MAX];

/* make_image: a zero-filled file of `size` bytes at `path`. */
static void make_image(uint64_t size)
{
    FILE *f;

    unlink(path);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), (off_t)size), 0);
    fclose(f);
}

static int group_setup(void **state)
{
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/disk.img", dir);
    return 0;
}

static int group_teardown(void **state)
{
    unlink(path);
    rmdir(dir);
    return 0;
}

static void test_parse_block_size(void **state)
{
    static const char *good[] = {"512", "1024", "2048", "4096", "8192", "16384", "32768"};
    static const char *bad[] = {"", "0", "1", "256", "511", "513", "1000", "4k", "-512",
                                "+512", " 512", "512 ", "65536", "32769",
                                "99999999999999999999999999", "0x200"};
    uint32_t v;

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(blk_parse_block_size(good[i], &v), 0);
        assert_int_equal(v, (uint32_t)strtoul(good[i], NULL, 10));
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(blk_parse_block_size(bad[i], &v), -1);
}

static void test_open_missing(void **state)
{
    struct blk b;
    char expect[BLK_ERR_MAX];

    unlink(path);
    assert_int_equal(blk_open(&b, path, 0, err), -1);
    assert_int_equal(b.fd, -1);
    snprintf(expect, sizeof expect, "cannot open %s: No such file or directory", path);
    assert_string_equal(err, expect);
}

static void test_open_not_regular(void **state)
{
    struct blk b;
    char expect[BLK_ERR_MAX];

    assert_int_equal(blk_open(&b, dir, 1, err), -1);
    snprintf(expect, sizeof expect, "%s is not a regular file or a block device", dir);
    assert_string_equal(err, expect);
    assert_int_equal(blk_open(&b, "/dev/null", 1, err), -1);
    assert_string_equal(err, "/dev/null is not a regular file or a block device");
}

static void test_geometry(void **state)
{
    struct blk b;

    make_image(6144);
    assert_int_equal(blk_open(&b, path, 0, err), 0);
    assert_int_equal(b.size, 6144);
    assert_int_equal(blk_set_block_size(&b, 4096, err), -1);
    assert_string_equal(err, "image size 6144 is not a multiple of the 4096-byte block size");
    assert_int_equal(blk_set_block_size(&b, 512, err), 0);
    assert_int_equal(b.block_size, 512);
    blk_close(&b);
    assert_int_equal(b.fd, -1);
    blk_close(&b); /* twice is harmless */

    make_image(0);
    assert_int_equal(blk_open(&b, path, 0, err), 0);
    assert_int_equal(blk_set_block_size(&b, 512, err), -1);
    assert_string_equal(err, "image size 0 is smaller than one 512-byte block");
    blk_close(&b);
}

static void test_lock(void **state)
{
    struct blk a, b, c;
    char expect[BLK_ERR_MAX];

    make_image(4096);
    snprintf(expect, sizeof expect,
             "%s is locked by another process (another wisp using this image?)", path);
    /* read-write holds an exclusive lock: nobody else gets in. */
    assert_int_equal(blk_open(&a, path, 0, err), 0);
    assert_int_equal(blk_open(&b, path, 0, err), -1);
    assert_string_equal(err, expect);
    assert_int_equal(blk_open(&b, path, 1, err), -1);
    assert_string_equal(err, expect);
    blk_close(&a);
    /* read-only holders share; a writer is refused until both are gone. */
    assert_int_equal(blk_open(&a, path, 1, err), 0);
    assert_int_equal(blk_open(&b, path, 1, err), 0);
    assert_int_equal(blk_open(&c, path, 0, err), -1);
    assert_string_equal(err, expect);
    blk_close(&a);
    blk_close(&b);
    assert_int_equal(blk_open(&c, path, 0, err), 0);
    blk_close(&c);
}

/* open_image: a fresh image of `size` bytes with `bs`-byte blocks, read-only if `ro`. */
static void open_image(struct blk *b, uint64_t size, uint32_t bs, int ro)
{
    make_image(size);
    assert_int_equal(blk_open(b, path, ro, err), 0);
    assert_int_equal(blk_set_block_size(b, bs, err), 0);
}

static void test_check(void **state)
{
    struct blk b;
    const uint64_t bs = 4096, cap = 64 * 4096;

    open_image(&b, cap, (uint32_t)bs, 0);
    assert_int_equal(blk_check(&b, 0, 0, bs), WISP_R_OK);
    assert_int_equal(blk_check(&b, 1, 0, cap), WISP_R_OK);
    assert_int_equal(blk_check(&b, 1, cap - bs, bs), WISP_R_OK);
    assert_int_equal(blk_check(&b, 0, 3 * bs, 5 * bs), WISP_R_OK);
    assert_int_equal(blk_check(&b, 0, 0, 0), WISP_R_EINVAL);
    assert_int_equal(blk_check(&b, 0, 1, bs), WISP_R_EINVAL);
    assert_int_equal(blk_check(&b, 0, 512, bs), WISP_R_EINVAL);
    assert_int_equal(blk_check(&b, 0, 0, bs - 1), WISP_R_EINVAL);
    assert_int_equal(blk_check(&b, 0, 0, bs + 512), WISP_R_EINVAL);
    assert_int_equal(blk_check(&b, 0, cap, bs), WISP_R_EINVAL);
    assert_int_equal(blk_check(&b, 0, cap - bs, 2 * bs), WISP_R_EINVAL);
    assert_int_equal(blk_check(&b, 0, 0, cap + bs), WISP_R_EINVAL);
    assert_int_equal(blk_check(&b, 0, UINT64_MAX - bs + 1, 2 * bs), WISP_R_EINVAL);
    assert_int_equal(blk_check(&b, 0, bs, UINT64_MAX - bs + 1), WISP_R_EINVAL);
    blk_close(&b);
    assert_int_equal(blk_check(&b, 0, 0, bs), WISP_R_EINVAL); /* closed */
}

static void test_roundtrip(void **state)
{
    struct blk b;
    const uint32_t bs = 512;
    const uint64_t cap = 256 * 512;
    uint8_t *w = malloc(cap), *r = malloc(cap);
    FILE *f;

    assert_non_null(w);
    assert_non_null(r);
    for (uint64_t i = 0; i < cap; i++)
        w[i] = (uint8_t)(i * 7 + (i >> 9));
    open_image(&b, cap, bs, 0);
    /* Write in requests of 1, 2, 3, ... blocks, read back in one. */
    for (uint64_t off = 0, n = 1; off < cap; off += n * bs, n++) {
        if (off + n * bs > cap)
            n = (cap - off) / bs;
        assert_int_equal(blk_io(&b, 1, off, w + off, n * bs), WISP_R_OK);
    }
    assert_int_equal(blk_flush(&b), WISP_R_OK);
    assert_int_equal(blk_io(&b, 0, 0, r, cap), WISP_R_OK);
    assert_memory_equal(r, w, cap);
    /* The bytes are in the file, at the same offsets. */
    memset(r, 0, cap);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(r, 1, cap, f), cap);
    fclose(f);
    assert_memory_equal(r, w, cap);
    /* A rejected request moves nothing. */
    memset(r, 0xee, bs);
    assert_int_equal(blk_io(&b, 0, 1, r, bs), WISP_R_EINVAL);
    assert_int_equal(r[0], 0xee);
    blk_close(&b);
    free(w);
    free(r);
}

static void test_read_only(void **state)
{
    struct blk b;
    uint8_t buf[512] = {0};

    open_image(&b, 4096, 512, 1);
    assert_int_equal(b.ro, 1);
    assert_int_equal(blk_io(&b, 0, 0, buf, sizeof buf), WISP_R_OK);
    assert_int_equal(blk_check(&b, 1, 0, 512), WISP_R_EINVAL);
    assert_int_equal(blk_io(&b, 1, 0, buf, sizeof buf), WISP_R_EINVAL);
    assert_int_equal(blk_flush(&b), WISP_R_EINVAL);
    blk_close(&b);
    assert_int_equal(blk_flush(&b), WISP_R_EINVAL); /* closed */
}

static void test_short_read_is_eunspec(void **state)
{
    struct blk b;
    uint8_t buf[1024];

    open_image(&b, 8192, 512, 0);
    assert_non_null(b.map); /* reads go through the mapping: SIGBUS past the end */
    assert_int_equal(truncate(path, 4096), 0); /* shrinks under the device */
    assert_int_equal(blk_io(&b, 0, 0, buf, 512), WISP_R_OK);
    assert_int_equal(blk_io(&b, 0, 3584, buf, 1024), WISP_R_EUNSPEC); /* half there */
    assert_int_equal(blk_io(&b, 0, 7680, buf, 512), WISP_R_EUNSPEC);  /* a 2nd SIGBUS */
    /* Grown again: the same mapping reads the new bytes. */
    assert_int_equal(truncate(path, 8192), 0);
    memset(buf, 0xee, sizeof buf);
    assert_int_equal(blk_io(&b, 0, 7680, buf, 512), WISP_R_OK);
    assert_int_equal(buf[0], 0);
    blk_close(&b);
    assert_null(b.map);
}

/* A SIGBUS outside a guarded copy keeps its default action: a child that
 * reads a truncated mapping itself dies of SIGBUS (not caught, no loop). */
static void test_unguarded_sigbus_kills(void **state)
{
    struct blk b;
    int status;
    pid_t pid;

    open_image(&b, 8192, 512, 0);
    assert_int_equal(truncate(path, 4096), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit no_core = {0, 0};

        setrlimit(RLIMIT_CORE, &no_core);
        assert_int_equal(guarded_copy_init(), 0); /* cmocka's handler replaced */
        _exit(b.map[6000] == 0 ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGBUS);
    blk_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_block_size),
        cmocka_unit_test(test_open_missing),
        cmocka_unit_test(test_open_not_regular),
        cmocka_unit_test(test_geometry),
        cmocka_unit_test(test_lock),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_read_only),
        cmocka_unit_test(test_short_read_is_eunspec),
        cmocka_unit_test(test_unguarded_sigbus_kills),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
