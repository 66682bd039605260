/*
 * Unit tests of x86_share_system_tables (tender/x86_64/shared_tables.c):
 * pages holding the image's bytes become read-only mappings of the running
 * executable, a page that differs keeps its own writable copy, and memory
 * that is not page-aligned is left alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "x86_64/x86_64.h"

#define SIZE 0x40000

static uint8_t *mem;

static int setup(void **state)
{
    (void)state;
    mem = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return -1;
    x86_write_system_tables(mem);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return munmap(mem, SIZE);
}

/* mapping: the /proc/self/maps line of the page at p, "" if none. */
static const char *mapping(const void *p)
{
    static char line[512];
    unsigned long start, end;
    FILE *f = fopen("/proc/self/maps", "r");

    assert_non_null(f);
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%lx-%lx", &start, &end) == 2 && (uintptr_t)p >= start &&
            (uintptr_t)p < end) {
            fclose(f);
            return line;
        }
    fclose(f);
    return "";
}

static void test_shared(void **state)
{
    (void)state;
    assert_int_equal(x86_share_system_tables(mem), 0);
    assert_memory_equal(mem + X86_GDT_GPA, &x86_tables_image, 0x1000);
    assert_memory_equal(mem + X86_STUB_GPA, x86_tables_image.stub, 0x1000);
    for (uint64_t gpa = 0; gpa <= X86_STUB_STACK_GPA; gpa += 0x1000) {
        const char *m = mapping(mem + gpa);
        int image_page = gpa == X86_GDT_GPA || gpa == X86_STUB_GPA;

        /* an image page: read-only, private, a file's (the executable) */
        assert_int_equal(strstr(m, " r--p ") != NULL && strchr(m, '/') != NULL, image_page);
    }
}

static void test_changed_page_kept(void **state)
{
    (void)state;
    mem[X86_STUB_GPA + 0x800] = 1; /* not what the image has (--gdb's kind) */
    assert_int_equal(x86_share_system_tables(mem), -1);
    assert_non_null(strstr(mapping(mem + X86_STUB_GPA), " rw-p "));
    mem[X86_STUB_GPA + 0x800] = 2; /* still the process's own, writable */
    assert_non_null(strstr(mapping(mem + X86_GDT_GPA), " r--p "));
}

static void test_unaligned_refused(void **state)
{
    (void)state;
    assert_int_equal(x86_share_system_tables(mem + 16), -1);
    assert_non_null(strstr(mapping(mem + X86_GDT_GPA), " rw-p "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_page_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unaligned_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
