/*
 * Unit tests of the per-kernel CPUID cache (tender/x86_64/host_cpuid.c): a round
 * trip, and every reason a cache file must be ignored.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "x86_64/host_cpuid.h"

static char dir[256], path[300];

static struct host_cpuid sample(void)
{
    struct host_cpuid hc = {.is_pvm = 1, .l1_ecx = 0x1234, .l7_ebx = 0x5678, .l7_ecx = 0x9};
    hc.supported = host_cpuid_table_alloc();
    assert_non_null(hc.supported);
    hc.supported->nent = 3;
    for (unsigned i = 0; i < 3; i++) {
        hc.supported->entries[i].function = i;
        hc.supported->entries[i].eax = 0xa0 + i;
    }
    return hc;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/wisp-cpuid-test.%d", (int)getpid());
    snprintf(path, sizeof path, "%s/cpuid-v1", dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[400];

    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_round_trip(void **state)
{
    struct host_cpuid in = sample(), out = {0};

    (void)state;
    assert_int_equal(cpuid_cache_store(path, &in), 0);
    assert_int_equal(cpuid_cache_load(path, &out), 0);
    assert_int_equal(out.supported->nent, 3);
    assert_memory_equal(out.supported->entries, in.supported->entries,
                        3 * sizeof in.supported->entries[0]);
    assert_int_equal(out.is_pvm, 1);
    assert_int_equal(out.l1_ecx, 0x1234);
    assert_int_equal(out.l7_ebx, 0x5678);
    assert_int_equal(out.l7_ecx, 0x9);
    host_cpuid_free(&in);
    host_cpuid_free(&out);
}

static void test_missing_file(void **state)
{
    struct host_cpuid out = {0};

    (void)state;
    assert_int_equal(cpuid_cache_load(path, &out), -1);
}

static void store_sample(void)
{
    struct host_cpuid in = sample();

    assert_int_equal(cpuid_cache_store(path, &in), 0);
    host_cpuid_free(&in);
}

static void test_group_writable_file_ignored(void **state)
{
    struct host_cpuid out = {0};

    (void)state;
    store_sample();
    assert_int_equal(chmod(path, 0620), 0);
    assert_int_equal(cpuid_cache_load(path, &out), -1);
}

static void test_shared_directory_ignored(void **state)
{
    struct host_cpuid out = {0};

    (void)state;
    store_sample();
    assert_int_equal(chmod(dir, 0777), 0);
    assert_int_equal(cpuid_cache_load(path, &out), -1);
    /* and nothing is written into such a directory either */
    assert_int_equal(unlink(path), 0);
    struct host_cpuid in = sample();
    assert_int_equal(cpuid_cache_store(path, &in), -1);
    host_cpuid_free(&in);
}

static void test_truncated_file_ignored(void **state)
{
    struct host_cpuid out = {0};

    (void)state;
    store_sample();
    assert_int_equal(truncate(path, 100), 0);
    assert_int_equal(cpuid_cache_load(path, &out), -1);
}

static void test_extended_file_ignored(void **state)
{
    struct host_cpuid out = {0};
    int fd;

    (void)state;
    store_sample();
    fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
    assert_int_equal(cpuid_cache_load(path, &out), -1);
}

static void test_bad_magic_ignored(void **state)
{
    struct host_cpuid out = {0};
    int fd;

    (void)state;
    store_sample();
    fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "NOTWISP!", 8), 8);
    close(fd);
    assert_int_equal(cpuid_cache_load(path, &out), -1);
}

static void test_other_kernel_ignored(void **state)
{
    struct host_cpuid out = {0};
    int fd;

    (void)state;
    store_sample();
    fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    /* the kernel release string starts at byte 32 of the header */
    assert_int_equal(pwrite(fd, "0.0.0-other", 12, 32), 12);
    close(fd);
    assert_int_equal(cpuid_cache_load(path, &out), -1);
}

static void test_symlink_ignored(void **state)
{
    struct host_cpuid out = {0};
    char target[320];

    (void)state;
    store_sample();
    snprintf(target, sizeof target, "%s/real", dir);
    assert_int_equal(rename(path, target), 0);
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(cpuid_cache_load(path, &out), -1);
}

/* A path at least CPUID_CACHE_PATH_MAX long is no cache: neither written
 * nor read (the buffers are small on purpose, host_cpuid.h). */
static void test_long_path_refused(void **state)
{
    struct host_cpuid in = sample(), out = {0};
    char longpath[CPUID_CACHE_PATH_MAX + 64];

    (void)state;
    memset(longpath, 'd', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = '\0';
    memcpy(longpath, dir, strlen(dir));
    longpath[strlen(dir)] = '/';
    longpath[sizeof longpath - 10] = '/';
    assert_int_equal(cpuid_cache_store(longpath, &in), -1);
    assert_int_equal(cpuid_cache_load(longpath, &out), -1);
    assert_null(out.supported);
    host_cpuid_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_writable_file_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_directory_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_file_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extended_file_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_magic_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_kernel_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_path_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
