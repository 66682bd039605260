/*
 * libFuzzer target for the tender's command-line parser (tender/core/cli.c):
 * the command line is hostile input (project rule).  The input is split on
 * NUL bytes into at most FUZZ_MAX_ARGS strings that follow argv[0] "wisp";
 * cli_parse runs on a config set by wisp_config_init, and what it promises
 * is checked (a violation aborts, so the fuzzer reports it):
 *   CLI_RUN    kernel is one of the argv strings, cmdline NUL-terminated
 *              within WISP_CMDLINE_MAX, mem_size a whole number of MiB in
 *              1..4096 MiB (the default if --mem was not given), device
 *              arguments bounded and pointing at argv strings;
 *   CLI_ERROR  err NUL-terminated within its buffer and non-empty.
 * How to run: tests/fuzz/README.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define FUZZ_MAX_ARGS 300     /* above WISP_MAX_DEVICE_ARGS, to reach that limit */
#define ERR_LEN 256

static struct wisp_config cfg; /* ~10 KiB: static, not on the stack */

/* is_arg: p is exactly one of the argv strings. */
static int is_arg(const char *p, char *const *argv, int argc)
{
    for (int i = 0; i < argc; i++)
        if (p == argv[i])
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    char *argv[FUZZ_MAX_ARGS + 2];
    char err[ERR_LEN];
    struct wisp_config def;
    int argc = 0;
    size_t at = 0;
    enum cli_action act;

    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    argv[argc++] = (char *)"wisp";
    while (at <= size && argc <= FUZZ_MAX_ARGS) {
        argv[argc++] = buf + at;
        at += strlen(buf + at) + 1;
    }
    argv[argc] = NULL;

    wisp_config_init(&def);
    wisp_config_init(&cfg);
    memset(err, 0x5a, sizeof err); /* no NUL unless cli_parse writes one */
    act = cli_parse(argc, argv, &cfg, err, sizeof err);
    CHECK(act == CLI_RUN || act == CLI_HELP || act == CLI_VERSION || act == CLI_ERROR);
    CHECK(cfg.ndevice_args <= WISP_MAX_DEVICE_ARGS);
    for (unsigned i = 0; i < cfg.ndevice_args; i++)
        CHECK(is_arg(cfg.device_args[i].arg, argv, argc));
    if (act == CLI_RUN) {
        CHECK(cfg.kernel != NULL && is_arg(cfg.kernel, argv, argc) && cfg.kernel != argv[0]);
        CHECK(memchr(cfg.cmdline, '\0', WISP_CMDLINE_MAX) != NULL);
        CHECK(cfg.mem_size == def.mem_size ||
              (cfg.mem_size % (1ull << 20) == 0 && cfg.mem_size >= (1ull << 20) &&
               cfg.mem_size <= (4096ull << 20)));
        CHECK(cfg.console_fd == def.console_fd);
    } else if (act == CLI_ERROR) {
        CHECK(memchr(err, '\0', sizeof err) != NULL && err[0] != '\0');
    }
    free(buf);
    return 0;
}
