/*
 * Unit tests of the diagnostic sink (tender/core/log.c): vm_log writes to
 * the configured log_fd, "wisp: " before every line, one newline at the
 * end, a too-long message cut rather than overflowing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vm_fixture.h"

static struct vm_fixture *X;
static int pipefd[2];
static char got[VM_LOG_MAX + 256];

static int setup(void **state)
{
    X = vm_fixture_new(&mode_isolated, 0, NULL, 0);
    if (!X || pipe(pipefd) < 0)
        return -1;
    X->cfg.log_fd = pipefd[1];
    return 0;
}

static int teardown(void **state)
{
    vm_fixture_free(X);
    close(pipefd[0]);
    close(pipefd[1]);
    return 0;
}

/* drain: what the sink wrote, NUL-terminated (one read: one write). */
static const char *drain(void)
{
    ssize_t n = read(pipefd[0], got, sizeof got - 1);

    got[n > 0 ? n : 0] = '\0';
    return got;
}

static void test_one_line(void **state)
{
    vm_log(&X->vm, "guest aborted: %s (%d)", "boom", 7);
    assert_string_equal(drain(), "wisp: guest aborted: boom (7)\n");
}

static void test_lines(void **state)
{
    vm_log(&X->vm, "guest crashed: page fault\n  instruction at 0x%x\n", 0x100010);
    assert_string_equal(drain(), "wisp: guest crashed: page fault\n"
                                 "wisp:   instruction at 0x100010\n");
}

static void test_default_fd(void **state)
{
    struct wisp_config cfg;

    wisp_config_init(&cfg);
    assert_int_equal(cfg.log_fd, 2);
    assert_int_equal(cfg.console_fd, 1);
}

static void test_long_message_is_cut(void **state)
{
    static char big[VM_LOG_MAX * 2];
    size_t len;

    memset(big, 'x', sizeof big - 1);
    vm_log(&X->vm, "%s", big);
    len = strlen(drain());
    assert_true(len > VM_LOG_MAX / 2 && len <= VM_LOG_MAX + 64);
    assert_memory_equal(got, "wisp: xxx", 9);
    assert_int_equal(got[len - 1], '\n');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lines, setup, teardown),
        cmocka_unit_test(test_default_fd),
        cmocka_unit_test_setup_teardown(test_long_message_is_cut, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
