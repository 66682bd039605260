/*
 * Command-line parsing for the tender (see cli.h).  Numbers are parsed
 * with strtoull and explicit range checks; each option may appear once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cli.h"
#include "core/module.h"

#define MEM_MIN_MIB 2
#define MEM_MAX_MIB (WISP_MEM_MAX >> 20)
#define MEM_HVT_MAX_MIB 4096 /* Solo5 compatibility mode (hvt.h) */

static enum cli_action fail(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum cli_action fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return CLI_ERROR;
}

/* parse_mem: "--mem=N", N a decimal number of MiB in range. */
static enum cli_action parse_mem(const char *val, struct wisp_config *cfg, char *err, size_t len)
{
    unsigned long long mib;
    char *end;

    if (*val < '0' || *val > '9')
        return fail(err, len, "--mem: '%s' is not a number of MiB", val);
    errno = 0;
    mib = strtoull(val, &end, 10);
    if (*end != '\0')
        return fail(err, len, "--mem: '%s' is not a number of MiB", val);
    /* The range depends on the unikernel's mode, known only once the file
     * is read (each mode's plan_memory): here only what no mode accepts. */
    if (errno == ERANGE || mib == 0 || mib > MEM_HVT_MAX_MIB)
        return fail(err, len, "--mem: %s MiB is out of range (%d to %llu; %d to %d for "
                    "Solo5 hvt unikernels)", val, MEM_MIN_MIB, (unsigned long long)MEM_MAX_MIB,
                    MEM_MIN_MIB, MEM_HVT_MAX_MIB);
    cfg->mem_size = (uint64_t)mib << 20;
    return CLI_RUN;
}

/* ---- --timeout=SECONDS (issue 9) ------------------------------------------ */
#define TIMEOUT_MAX_S 1000000 /* about 11.5 days */

/* parse_timeout: "--timeout=S": S seconds, a decimal number with at most
 * three decimals (millisecond resolution), from 0.001 to TIMEOUT_MAX_S. */
static enum cli_action parse_timeout(const char *val, struct wisp_config *cfg, char *err,
                                     size_t len)
{
    uint64_t ms = 0;
    const char *p = val;
    int decimals = -1;

    if (cfg->timeout_arg)
        return fail(err, len, "--timeout: given more than once");
    for (; *p; p++) {
        if (*p == '.' && decimals < 0 && p > val && p[1]) {
            decimals = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || decimals == 3)
            return fail(err, len, "--timeout=%s: expected a number of seconds (such as 30 "
                        "or 2.5, at most 3 decimals)", val);
        if (decimals >= 0)
            decimals++;
        if (ms <= (uint64_t)TIMEOUT_MAX_S * 1000)
            ms = ms * 10 + (uint64_t)(*p - '0');
    }
    if (p == val)
        return fail(err, len, "--timeout=: expected a number of seconds after '='");
    for (; decimals < 3; decimals = decimals < 0 ? 1 : decimals + 1)
        ms *= 10;
    if (ms == 0 || ms > (uint64_t)TIMEOUT_MAX_S * 1000)
        return fail(err, len, "--timeout=%s: out of range (0.001 to %d seconds)", val,
                    TIMEOUT_MAX_S);
    cfg->timeout_ms = ms;
    cfg->timeout_arg = val;
    return CLI_RUN;
}

/* owned_by_module: whether some module claims the option's prefix. */
static int owned_by_module(const char *arg)
{
    for (const struct module *const *m = wisp_modules; *m; m++)
        for (const char *const *p = (*m)->option_prefixes; p && *p; p++)
            if (strncmp(arg, *p, strlen(*p)) == 0)
                return 1;
    return 0;
}

/* build_cmdline: join the guest arguments with single spaces. */
static enum cli_action build_cmdline(int argc, char *const argv[], struct wisp_config *cfg,
                                     char *err, size_t len)
{
    size_t used = 0;

    cfg->cmdline[0] = '\0';
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]);
        size_t need = used + (i ? 1 : 0) + n;

        if (need >= WISP_CMDLINE_MAX)
            return fail(err, len, "guest command line too long (more than %u characters)",
                        WISP_CMDLINE_MAX - 1);
        if (i)
            cfg->cmdline[used++] = ' ';
        memcpy(cfg->cmdline + used, argv[i], n);
        used += n;
        cfg->cmdline[used] = '\0';
    }
    return CLI_RUN;
}

enum cli_action cli_parse(int argc, char *const argv[], struct wisp_config *cfg,
                          char *err, size_t len)
{
    int i, mem_seen = 0;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return CLI_HELP;
        if (strcmp(a, "--version") == 0)
            return CLI_VERSION;
        if (strcmp(a, "--input") == 0) {
            cfg->input_fd = 0; /* stdin: devices/input.c */
            continue;
        }
        if (strcmp(a, "--timings") == 0) {
            cfg->timings = 1;
            continue;
        }
        if (strcmp(a, "--stats") == 0 || strncmp(a, "--stats=", 8) == 0) {
            if (cfg->stats_path)
                return fail(err, len, "--stats: given more than once");
            if (a[7] == '=' && a[8] == '\0')
                return fail(err, len, "--stats=: expected a file name after '='");
            cfg->stats_path = a[7] == '=' ? a + 8 : "";
            continue;
        }
        if (strcmp(a, "--ioeventfd") == 0) {
            cfg->ioeventfd = 1;
            continue;
        }
        if (strcmp(a, "--no-rings") == 0) {
            cfg->no_rings = 1;
            continue;
        }
        if (strcmp(a, "--solo5:cpl0") == 0) {
            cfg->solo5_cpl0 = 1;
            continue;
        }
        if (strcmp(a, "--solo5:trap-io") == 0) {
            cfg->solo5_trap_io = 1;
            continue;
        }
        if (strncmp(a, "--mem=", 6) == 0) {
            if (mem_seen++)
                return fail(err, len, "--mem: given more than once");
            if (parse_mem(a + 6, cfg, err, len) == CLI_ERROR)
                return CLI_ERROR;
            continue;
        }
        if (strcmp(a, "--mem") == 0)
            return fail(err, len, "--mem: expected --mem=MIB");
        if (strncmp(a, "--timeout=", 10) == 0) {
            if (parse_timeout(a + 10, cfg, err, len) == CLI_ERROR)
                return CLI_ERROR;
            continue;
        }
        if (strcmp(a, "--timeout") == 0)
            return fail(err, len, "--timeout: expected --timeout=SECONDS");
        if (owned_by_module(a)) {
            if (cfg->ndevice_args >= WISP_MAX_DEVICE_ARGS)
                return fail(err, len, "%s: too many device options (at most %d)", a,
                            WISP_MAX_DEVICE_ARGS);
            cfg->device_args[cfg->ndevice_args++].arg = a;
            continue;
        }
        return fail(err, len, "unknown option: %s", a);
    }
    if (i >= argc)
        return fail(err, len, "missing KERNEL operand");
    cfg->kernel = argv[i];
    return build_cmdline(argc - i - 1, argv + i + 1, cfg, err, len);
}

void cli_usage(FILE *out)
{
    fprintf(out,
            "usage: wisp [OPTIONS] [--] KERNEL [ARGS...]\n"
            "       wisp serve --listen=ADDR [OPTIONS] KERNEL [ARGS...]  (see wisp serve --help)\n"
            "\n"
            "Boot the unikernel KERNEL in its own KVM virtual machine: a static x86_64 ELF\n"
            "built with wisp-cc (isolated mode, the guest runs at CPL3), or a Solo5 hvt\n"
            "unikernel (compatibility mode, as solo5-hvt runs it). ARGS, joined by spaces,\n"
            "become the guest's command line (at most %u characters). Guest console output\n"
            "goes to stdout; wisp's own messages go to stderr, prefixed \"wisp:\".\n"
            "\n"
            "Options:\n"
            "  --mem=MIB      guest memory in MiB, %d to %llu (default %d); for a Solo5\n"
            "                 hvt unikernel as solo5-hvt: rounded down to 2 MiB, %d to %d\n"
            "                 (default 512)\n",
            WISP_CMDLINE_MAX - 1, MEM_MIN_MIB, (unsigned long long)MEM_MAX_MIB,
            WISP_MEM_DEFAULT_MIB, MEM_MIN_MIB, MEM_HVT_MAX_MIB);
    for (const struct module *const *m = wisp_modules; *m; m++)
        if ((*m)->usage)
            fputs((*m)->usage, out);
    fprintf(out,
            "  --input        the guest's input stream is wisp's stdin (isolated mode:\n"
            "                 wisp_input_read in <wisp.h>; a unikernel as a filter)\n"
            "  --solo5:cpl0   run a Solo5 hvt unikernel at CPL0 on its own page tables, as\n"
            "                 solo5-hvt does (default: at CPL3 on wisp's W^X page tables,\n"
            "                 its privileged instructions emulated by wisp)\n"
            "  --solo5:trap-io  at CPL3, every hypercall (outl to 0x500+n) traps to wisp's\n"
            "                 exception stub and is emulated, instead of exiting directly\n"
            "                 through the TSS I/O bitmap (for comparisons: bench/compat.sh)\n"
            "  --timeout=SECONDS\n"
            "                 end the guest if it still runs after SECONDS (0.001 to %d,\n"
            "                 up to 3 decimals): \"wisp: guest still running after\n"
            "                 --timeout=SECONDS seconds: stopped\", devices closed, the\n"
            "                 console written out, status %d (compatibility mode: 1)\n"
            "  --timings      at exit, print when each boot phase ended (CLOCK_MONOTONIC ns)\n"
            "                 on stderr as \"wisp: event NAME NS\" lines\n"
            "  --stats[=FILE] at exit, write counts and total times of VM exits, hypercalls\n"
            "                 and ring operations, packets and bytes per device and the\n"
            "                 boot phases as JSON to FILE (created or truncated; default\n"
            "                 stderr)\n"
            "  --no-rings     do not offer shared I/O rings: every request is a hypercall\n"
            "                 (isolated mode; for comparisons)\n"
            "  --ioeventfd    network ring kicks wake the I/O thread through KVM_IOEVENTFD\n"
            "                 instead of an exit in which wisp sends the frames itself\n"
            "                 (for measurements: slower on kvm_pvm, see bench/README.md)\n"
            "  --help, -h     show this help and exit\n"
            "  --version      show the version and exit\n"
            "\n"
            "Exit status:\n"
            "  N      the guest exited with status N (solo5_exit(N), N & 0xff)\n"
            "  %d    wisp could not run the guest: bad option, unusable unikernel file,\n"
            "         missing device, KVM failure (a message on stderr says which)\n"
            "  %d    the guest crashed (CPU exception; a crash report on stderr), aborted\n"
            "         (solo5_abort, failed stack check) or broke the hypercall ABI\n"
            "  %d    --timeout ran out (as timeout(1) exits)\n"
            "  128+N  SIGINT, SIGTERM or SIGHUP (signal N) ended the run: \"Exiting on\n"
            "         signal N\"; devices closed, the guest's console output written\n"
            "A guest may itself exit with %d, %d or %d; the message on stderr tells them\n"
            "apart. For a Solo5 hvt unikernel (compatibility mode) wisp's own errors, the\n"
            "signals above and --timeout exit 1, as solo5-hvt's errors and signals do;\n"
            "errors found before the unikernel is identified exit %d.\n",
            TIMEOUT_MAX_S, WISP_EXIT_TIMEOUT,
            WISP_EXIT_TENDER_ERROR, WISP_EXIT_GUEST_FAULT, WISP_EXIT_TIMEOUT,
            WISP_EXIT_TENDER_ERROR, WISP_EXIT_GUEST_FAULT, WISP_EXIT_TIMEOUT,
            WISP_EXIT_TENDER_ERROR);
}
