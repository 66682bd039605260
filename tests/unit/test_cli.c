/*
 * Unit tests of cli_parse (tender/core/cli.c): every path of the option parser,
 * with the exact error message of each refusal.  No file is opened: the
 * parser only fills a struct wisp_config.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cli.h"
#include "core/module.h"
#include "wisp.h"

#define MIB (1ull << 20)
#define MEM_MAX_MIB (WISP_MEM_MAX >> 20) /* 3072 */

/* One parse: argv is NULL-terminated; cfg starts from wisp_config_init. */
static struct wisp_config cfg;
static char err[WISP_ERR_MAX];

static enum cli_action parse_v(char *const argv[])
{
    int argc = 0;

    while (argv[argc])
        argc++;
    wisp_config_init(&cfg);
    memset(err, 0, sizeof err);
    return cli_parse(argc, argv, &cfg, err, sizeof err);
}

/* PARSE("--mem=4", "k"): argv[0] is "wisp". */
#define PARSE(...) parse_v((char *const[]){ "wisp", __VA_ARGS__, NULL })

/* expect_error: the parse failed with exactly `msg`. */
#define EXPECT_ERROR(msg, ...)                            \
    do {                                                  \
        assert_int_equal(PARSE(__VA_ARGS__), CLI_ERROR);  \
        assert_string_equal(err, (msg));                  \
    } while (0)

/* ---- --help, --version ----------------------------------------------------- */

static void test_help(void **state)
{
    assert_int_equal(PARSE("--help"), CLI_HELP);
    assert_int_equal(PARSE("-h"), CLI_HELP);
    /* No KERNEL needed; options before it are still parsed. */
    assert_int_equal(PARSE("--mem=64", "--help"), CLI_HELP);
    assert_int_equal(PARSE("--help", "k", "a"), CLI_HELP);
}

static void test_version(void **state)
{
    assert_int_equal(PARSE("--version"), CLI_VERSION);
    assert_int_equal(PARSE("--version", "--help"), CLI_VERSION);
}

/* Options are parsed left to right: the first problem wins. */
static void test_error_before_help(void **state)
{
    EXPECT_ERROR("unknown option: --bogus", "--bogus", "--help");
    EXPECT_ERROR("--mem: 'x' is not a number of MiB", "--mem=x", "--version");
}

static void test_usage_text(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    cli_usage(f);
    assert_int_equal(fclose(f), 0);
    assert_non_null(strstr(buf, "usage: wisp [OPTIONS] [--] KERNEL [ARGS...]\n"));
    assert_non_null(strstr(buf, "--mem=MIB"));
    assert_non_null(strstr(buf, "2 to 3072 (default 32)"));
    assert_non_null(strstr(buf, "(at most 8191 characters)"));
    assert_non_null(strstr(buf, "--help, -h"));
    assert_non_null(strstr(buf, "--version"));
    assert_non_null(strstr(buf, "\n  253 "));
    assert_non_null(strstr(buf, "\n  255 "));
    for (const struct module *const *m = wisp_modules; *m; m++)
        if ((*m)->usage)
            assert_non_null(strstr(buf, (*m)->usage));
    free(buf);
}

/* ---- --mem ------------------------------------------------------------------- */

static void test_mem_default(void **state)
{
    assert_int_equal(PARSE("k"), CLI_RUN);
    /* 0: the mode's default, chosen once the unikernel is read (isolated:
     * WISP_MEM_DEFAULT_MIB; Solo5 hvt: 512 MiB). */
    assert_int_equal(cfg.mem_size, 0);
}

static void test_mem_valid(void **state)
{
    assert_int_equal(PARSE("--mem=2", "k"), CLI_RUN);
    assert_int_equal(cfg.mem_size, 2 * MIB);
    assert_int_equal(PARSE("--mem=3072", "k"), CLI_RUN);
    assert_int_equal(cfg.mem_size, 3072 * MIB);
    assert_int_equal(cfg.mem_size, WISP_MEM_MAX);
    assert_int_equal(PARSE("--mem=64", "k"), CLI_RUN);
    assert_int_equal(cfg.mem_size, 64 * MIB);
    /* Leading zeros are still decimal, not octal. */
    assert_int_equal(PARSE("--mem=010", "k"), CLI_RUN);
    assert_int_equal(cfg.mem_size, 10 * MIB);
    assert_string_equal(cfg.kernel, "k");
}

static void test_mem_not_a_number(void **state)
{
    EXPECT_ERROR("--mem: 'abc' is not a number of MiB", "--mem=abc", "k");
    EXPECT_ERROR("--mem: '12x' is not a number of MiB", "--mem=12x", "k");
    EXPECT_ERROR("--mem: '' is not a number of MiB", "--mem=", "k");
    EXPECT_ERROR("--mem: '-1' is not a number of MiB", "--mem=-1", "k");
    EXPECT_ERROR("--mem: '+5' is not a number of MiB", "--mem=+5", "k");
    EXPECT_ERROR("--mem: ' 5' is not a number of MiB", "--mem= 5", "k");
    EXPECT_ERROR("--mem: '0x10' is not a number of MiB", "--mem=0x10", "k");
    EXPECT_ERROR("--mem: '64M' is not a number of MiB", "--mem=64M", "k");
    EXPECT_ERROR("--mem: '5 ' is not a number of MiB", "--mem=5 ", "k");
}

#define RANGE " MiB is out of range (2 to 3072; 2 to 4096 for Solo5 hvt unikernels)"
static void test_mem_out_of_range(void **state)
{
    /* What no mode accepts is refused here; the rest depends on the mode
     * (each mode's plan_memory: modes/isolated/mode.c, modes/hvt/mem.c). */
    EXPECT_ERROR("--mem: 0" RANGE, "--mem=0", "k");
    EXPECT_ERROR("--mem: 4097" RANGE, "--mem=4097", "k");
    /* Above the range once shifted to bytes (no wrap-around to a small size). */
    EXPECT_ERROR("--mem: 17592186044416" RANGE, "--mem=17592186044416", "k");
    /* strtoull overflow (ERANGE). */
    EXPECT_ERROR("--mem: 99999999999999999999" RANGE, "--mem=99999999999999999999", "k");
    EXPECT_ERROR("--mem: 18446744073709551615" RANGE, "--mem=18446744073709551615", "k");
    /* Left to the mode: 1 (Solo5 adjusts it up), 3073 to 4096 (Solo5 only). */
    assert_int_equal(PARSE("--mem=1", "k"), CLI_RUN);
    assert_int_equal(cfg.mem_size, 1 * MIB);
    assert_int_equal(PARSE("--mem=4096", "k"), CLI_RUN);
    assert_int_equal(cfg.mem_size, 4096 * MIB);
}

static void test_mem_twice(void **state)
{
    EXPECT_ERROR("--mem: given more than once", "--mem=4", "--mem=4", "k");
    EXPECT_ERROR("--mem: given more than once", "--mem=4", "--mem=8", "k");
}

static void test_mem_bare(void **state)
{
    EXPECT_ERROR("--mem: expected --mem=MIB", "--mem", "k");
    EXPECT_ERROR("--mem: expected --mem=MIB", "--mem", "64", "k");
    /* A near miss is not --mem: it is an unknown option. */
    EXPECT_ERROR("unknown option: --memory=64", "--memory=64", "k");
}

/* ---- unknown options, KERNEL ------------------------------------------------ */

static void test_unknown_option(void **state)
{
    EXPECT_ERROR("unknown option: --bogus", "--bogus", "k");
    EXPECT_ERROR("unknown option: -x", "-x", "k");
    EXPECT_ERROR("unknown option: --help=1", "--help=1", "k");
    EXPECT_ERROR("unknown option: ---", "---", "k");
    /* Named even when no KERNEL follows. */
    EXPECT_ERROR("unknown option: --bogus", "--bogus");
}

static void test_missing_kernel(void **state)
{
    char *const none[] = { "wisp", NULL };

    assert_int_equal(parse_v(none), CLI_ERROR);
    assert_string_equal(err, "missing KERNEL operand");
    EXPECT_ERROR("missing KERNEL operand", "--mem=4");
    EXPECT_ERROR("missing KERNEL operand", "--");
    EXPECT_ERROR("missing KERNEL operand", "--mem=4", "--");
}

static void test_dashdash_kernel(void **state)
{
    assert_int_equal(PARSE("--", "-k"), CLI_RUN);
    assert_string_equal(cfg.kernel, "-k");
    assert_string_equal(cfg.cmdline, "");
    assert_int_equal(PARSE("--mem=4", "--", "--mem=8", "a", "--", "b"), CLI_RUN);
    assert_string_equal(cfg.kernel, "--mem=8");
    assert_int_equal(cfg.mem_size, 4 * MIB);
    assert_string_equal(cfg.cmdline, "a -- b");
    assert_int_equal(PARSE("--", "--"), CLI_RUN);
    assert_string_equal(cfg.kernel, "--");
}

/* A lone "-" is an operand (a file named "-"), not an option. */
static void test_dash_kernel(void **state)
{
    assert_int_equal(PARSE("-", "x"), CLI_RUN);
    assert_string_equal(cfg.kernel, "-");
    assert_string_equal(cfg.cmdline, "x");
}

/* ---- guest command line ----------------------------------------------------- */

static void test_cmdline_empty(void **state)
{
    assert_int_equal(PARSE("k"), CLI_RUN);
    assert_string_equal(cfg.kernel, "k");
    assert_string_equal(cfg.cmdline, "");
    assert_int_equal(cfg.ndevice_args, 0);
}

static void test_cmdline_joined(void **state)
{
    assert_int_equal(PARSE("k", "Hello", "wisp"), CLI_RUN);
    assert_string_equal(cfg.cmdline, "Hello wisp");
    /* Arguments are joined as they are: no quoting, empty ones kept. */
    assert_int_equal(PARSE("k", "a b", "", "c"), CLI_RUN);
    assert_string_equal(cfg.cmdline, "a b  c");
    assert_int_equal(PARSE("k", ""), CLI_RUN);
    assert_string_equal(cfg.cmdline, "");
}

/* Everything after KERNEL belongs to the guest, options included. */
static void test_options_after_kernel(void **state)
{
    assert_int_equal(PARSE("--mem=4", "k", "--mem=8", "--help", "--version", "--bogus",
                           "--mem", "--"),
                     CLI_RUN);
    assert_string_equal(cfg.kernel, "k");
    assert_int_equal(cfg.mem_size, 4 * MIB);
    assert_string_equal(cfg.cmdline, "--mem=8 --help --version --bogus --mem --");
    assert_int_equal(cfg.ndevice_args, 0);
}

/* fill: n copies of c, NUL-terminated, in a new buffer. */
static char *fill(size_t n, char c)
{
    char *s = malloc(n + 1);

    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_cmdline_max(void **state)
{
    char *one = fill(WISP_CMDLINE_MAX - 1, 'a');
    char *two_a = fill(4000, 'b'), *two_b = fill(WISP_CMDLINE_MAX - 1 - 4001, 'c');

    assert_int_equal(WISP_CMDLINE_MAX - 1, 8191);
    /* One argument of exactly 8191 characters. */
    assert_int_equal(PARSE("k", one), CLI_RUN);
    assert_int_equal(strlen(cfg.cmdline), 8191);
    assert_string_equal(cfg.cmdline, one);
    /* Two arguments and their separating space: 8191 in all. */
    assert_int_equal(PARSE("k", two_a, two_b), CLI_RUN);
    assert_int_equal(strlen(cfg.cmdline), 8191);
    assert_int_equal(cfg.cmdline[4000], ' ');
    free(one);
    free(two_a);
    free(two_b);
}

static void test_cmdline_too_long(void **state)
{
    const char *msg = "guest command line too long (more than 8191 characters)";
    char *one = fill(WISP_CMDLINE_MAX, 'a');
    char *huge = fill(1 << 20, 'h');
    char *two_a = fill(4000, 'b'), *two_b = fill(WISP_CMDLINE_MAX - 4001, 'c');

    EXPECT_ERROR(msg, "k", one);              /* 8192 characters */
    EXPECT_ERROR(msg, "k", two_a, two_b);     /* 8192 with the space */
    EXPECT_ERROR(msg, "k", huge);
    EXPECT_ERROR(msg, "k", "x", huge, "y");
    free(one);
    free(huge);
    free(two_a);
    free(two_b);
}

/* 4096 one-character arguments and their spaces make 8191 characters;
 * one more argument is too many. */
static void test_cmdline_many_args(void **state)
{
    enum { N = 4096 };
    char **argv = calloc(N + 3, sizeof *argv);

    assert_non_null(argv);
    argv[0] = "wisp";
    argv[1] = "k";
    for (int i = 0; i < N; i++)
        argv[2 + i] = "z";
    assert_int_equal(parse_v(argv), CLI_RUN);
    assert_int_equal(strlen(cfg.cmdline), 2 * N - 1);
    argv[2 + N] = "z";
    assert_int_equal(parse_v(argv), CLI_ERROR);
    assert_string_equal(err, "guest command line too long (more than 8191 characters)");
    free(argv);
}

/* A tiny error buffer truncates the message but stays NUL-terminated. */
static void test_small_err_buffer(void **state)
{
    char small[8];
    char *const argv[] = { "wisp", "--bogus", NULL };

    wisp_config_init(&cfg);
    memset(small, 'X', sizeof small);
    assert_int_equal(cli_parse(2, argv, &cfg, small, sizeof small), CLI_ERROR);
    assert_string_equal(small, "unknown");
}

/* ---- device options (claimed by a module's prefix) ------------------------- */

/* first_prefix: some module's option prefix, or NULL if none claims any. */
static const char *first_prefix(void)
{
    for (const struct module *const *m = wisp_modules; *m; m++)
        if ((*m)->option_prefixes && (*m)->option_prefixes[0])
            return (*m)->option_prefixes[0];
    return NULL;
}

/*
 * Without a module claiming a prefix, a device option is an unknown option
 * (cmocka's skip() would print "not ok ... # SKIP", which tests/run-all.sh
 * counts as a failure, so the fallback checks that instead).
 */
static void test_device_option_kept(void **state)
{
    const char *p = first_prefix();
    char arg[128];

    if (!p) {
        EXPECT_ERROR("unknown option: --net:service0=tap0", "--net:service0=tap0", "k");
        return;
    }
    snprintf(arg, sizeof arg, "%sdev0=x", p);
    assert_int_equal(PARSE(arg, "--mem=4", arg, "k", arg), CLI_RUN);
    assert_int_equal(cfg.ndevice_args, 2);
    assert_string_equal(cfg.device_args[0].arg, arg);
    assert_string_equal(cfg.device_args[1].arg, arg);
    assert_string_equal(cfg.cmdline, arg);
}

static void test_device_option_too_many(void **state)
{
    const char *p = first_prefix();
    char arg[128], msg[256];
    char **argv = calloc(WISP_MAX_DEVICE_ARGS + 4, sizeof *argv);

    assert_non_null(argv);
    if (!p) { /* nothing to count: see test_device_option_kept */
        free(argv);
        return;
    }
    snprintf(arg, sizeof arg, "%sd=x", p);
    argv[0] = "wisp";
    for (int i = 0; i < WISP_MAX_DEVICE_ARGS; i++)
        argv[1 + i] = arg;
    argv[1 + WISP_MAX_DEVICE_ARGS] = "k";
    assert_int_equal(parse_v(argv), CLI_RUN);
    assert_int_equal(cfg.ndevice_args, WISP_MAX_DEVICE_ARGS);
    argv[1 + WISP_MAX_DEVICE_ARGS] = arg;
    argv[2 + WISP_MAX_DEVICE_ARGS] = "k";
    assert_int_equal(parse_v(argv), CLI_ERROR);
    snprintf(msg, sizeof msg, "%s: too many device options (at most %d)", arg,
             WISP_MAX_DEVICE_ARGS);
    assert_string_equal(err, msg);
    free(argv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_error_before_help),
        cmocka_unit_test(test_usage_text),
        cmocka_unit_test(test_mem_default),
        cmocka_unit_test(test_mem_valid),
        cmocka_unit_test(test_mem_not_a_number),
        cmocka_unit_test(test_mem_out_of_range),
        cmocka_unit_test(test_mem_twice),
        cmocka_unit_test(test_mem_bare),
        cmocka_unit_test(test_unknown_option),
        cmocka_unit_test(test_missing_kernel),
        cmocka_unit_test(test_dashdash_kernel),
        cmocka_unit_test(test_dash_kernel),
        cmocka_unit_test(test_cmdline_empty),
        cmocka_unit_test(test_cmdline_joined),
        cmocka_unit_test(test_options_after_kernel),
        cmocka_unit_test(test_cmdline_max),
        cmocka_unit_test(test_cmdline_too_long),
        cmocka_unit_test(test_cmdline_many_args),
        cmocka_unit_test(test_small_err_buffer),
        cmocka_unit_test(test_device_option_kept),
        cmocka_unit_test(test_device_option_too_many),
    };

    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
