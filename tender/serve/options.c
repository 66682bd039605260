/*
 * `wisp serve` options: its own (--listen, --pool, --max-vms, --timeout,
 * --stats) anywhere before KERNEL, every other one handed to the tender's
 * own parser (core/cli.c) so that each VM gets exactly what `wisp` would.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cli.h"
#include "serve/serve.h"

#define POOL_MAX SERVE_POOL_MAX
#define MAX_VMS_MAX 4096
#define TIMEOUT_MAX (24 * 3600)
#define VMS_PER_CORE 16

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wisp serve [SERVE OPTIONS] --listen=ADDR [TENDER OPTIONS] [--] KERNEL [ARGS...]\n"
            "\n"
            "inetd for unikernels: every accepted connection gets a fresh VM of KERNEL (an\n"
            "isolated-mode unikernel), never reused. The connection's bytes are the guest's\n"
            "input stream (wisp_input_read, <wisp.h>), its console output goes back to the\n"
            "connection; when the guest exits the connection is closed after all output is\n"
            "sent; when the client closes its side the guest sees the end of its input.\n"
            "\n"
            "Serve options:\n"
            "  --listen=ADDR    listen on ADDR: IPV4:PORT, [IPV6]:PORT, localhost:PORT,\n"
            "                   *:PORT (all addresses) or unix:PATH; PORT 0 picks a free\n"
            "                   port (printed); may repeat (at most %d)\n"
            "  --pool=N         keep N VMs booted, their guests run up to their first\n"
            "                   wait for input, each used for one connection and replaced\n"
            "                   in the background, one boot per CPU at a time (0 to %d,\n"
            "                   default 0)\n"
            "  --max-vms=N      at most N VMs serving connections at once; further\n"
            "                   connections wait in the listen backlog (1 to %d; default:\n"
            "                   %d per core, at most what the available memory holds at the\n"
            "                   guest's --mem); pool VMs come on top\n"
            "  --timeout=SECONDS  end a connection's VM after SECONDS (1 to %d; default:\n"
            "                   none) and close the connection\n"
            "  --stats          at exit, print connections, durations p50/p99, VMs booted\n"
            "                   and pool hits on stderr\n"
            "  --help, -h       show this help and exit\n"
            "\n"
            "Tender options (see wisp --help) apply to every VM: --mem, --net:, --block-ro:,\n"
            "... A read-write --block: is refused unless --max-vms=1 without --pool.\n"
            "\n"
            "One log line per connection on stderr: peer, VM id, duration, and the exit\n"
            "status or how the VM ended. SIGTERM or SIGINT: stop accepting, let running VMs\n"
            "finish (within --timeout), exit 0; a second one ends them at once. A KERNEL\n"
            "that cannot be booted up to its first wait for input is refused at start\n"
            "(exit %d). To boot a unikernel file named \"serve\": wisp ./serve.\n",
            SERVE_MAX_LISTEN, POOL_MAX, MAX_VMS_MAX, VMS_PER_CORE, TIMEOUT_MAX,
            WISP_EXIT_TENDER_ERROR);
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* fail: print "wisp serve: MESSAGE" and the --help hint; returns -1. */
static int fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "wisp serve: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'wisp serve --help' for more information.\n");
    return -1;
}

/* parse_uint: "--opt=N" value, N decimal in [lo, hi]. */
static int parse_uint(const char *arg, const char *val, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(val, &end, 10);
    if (*val < '0' || *val > '9' || *end || errno || v < lo || v > hi)
        return fail("%s=%s: expected a whole number from %u to %u", arg, val, lo, hi);
    *out = (unsigned)v;
    return 0;
}

/* default_max_vms: VMS_PER_CORE per online core, bounded by the memory
 * available for guests of this size (every page touched: the worst case). */
static unsigned default_max_vms(const struct wisp_config *cfg)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned long long avail_kib = 0, guest_kib;
    unsigned long long n = (unsigned long long)(cores > 0 ? cores : 1) * VMS_PER_CORE;
    char line[256];
    FILE *f = fopen("/proc/meminfo", "re");

    if (f) {
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "MemAvailable: %llu kB", &avail_kib) == 1)
                break;
        fclose(f);
    }
    guest_kib = (cfg->mem_size ? cfg->mem_size : (uint64_t)WISP_MEM_DEFAULT_MIB << 20) >> 10;
    guest_kib += 2048; /* the tender's own share */
    if (avail_kib && avail_kib / guest_kib < n)
        n = avail_kib / guest_kib;
    return n ? (unsigned)n : 1;
}

/* serve_option: consume one of serve's own options; 1 if it was one,
 * 0 if not, -1 on error. */
static int serve_option(const char *a, struct serve_opts *o, int *max_seen)
{
    if (strncmp(a, "--listen=", 9) == 0) {
        if (o->nlisten >= SERVE_MAX_LISTEN)
            return fail("%s: at most %d --listen options", a, SERVE_MAX_LISTEN);
        if (!a[9])
            return fail("%s: expected --listen=HOST:PORT or --listen=unix:PATH", a);
        o->listen[o->nlisten++] = a + 9;
        return 1;
    }
    if (strncmp(a, "--pool=", 7) == 0)
        return parse_uint("--pool", a + 7, 0, POOL_MAX, &o->pool) ? -1 : 1;
    if (strncmp(a, "--max-vms=", 10) == 0) {
        *max_seen = 1;
        return parse_uint("--max-vms", a + 10, 1, MAX_VMS_MAX, &o->max_vms) ? -1 : 1;
    }
    if (strncmp(a, "--timeout=", 10) == 0)
        return parse_uint("--timeout", a + 10, 1, TIMEOUT_MAX, &o->timeout_s) ? -1 : 1;
    if (strcmp(a, "--stats") == 0) {
        o->stats = 1;
        return 1;
    }
    if (strcmp(a, "--listen") == 0 || strcmp(a, "--pool") == 0 ||
        strcmp(a, "--max-vms") == 0 || strcmp(a, "--timeout") == 0)
        return fail("%s: expected %s=VALUE", a, a);
    return 0;
}

int serve_parse(int argc, char *argv[], struct serve_opts *o)
{
    static char *tender_argv[1024];
    int n = 0, max_seen = 0, i;
    char err[WISP_ERR_MAX];

    memset(o, 0, sizeof *o);
    if (argc > (int)(sizeof tender_argv / sizeof tender_argv[0]) - 1)
        return fail("too many arguments");
    tender_argv[n++] = "wisp";
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r;

        if (strcmp(a, "--") == 0 || a[0] != '-' || a[1] == '\0')
            break;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 1;
        }
        r = serve_option(a, o, &max_seen);
        if (r < 0)
            return -1;
        if (r == 0) {
            if (strcmp(a, "--input") == 0)
                return fail("%s: wisp serve gives every VM its connection as input", a);
            if (strcmp(a, "--timings") == 0 || strcmp(a, "--version") == 0)
                return fail("%s: not an option of wisp serve", a);
            tender_argv[n++] = argv[i];
        }
    }
    for (; i < argc; i++)
        tender_argv[n++] = argv[i];
    tender_argv[n] = NULL;

    wisp_config_init(&o->cfg);
    if (cli_parse(n, tender_argv, &o->cfg, err, sizeof err) != CLI_RUN)
        return fail("%s", err);
    if (o->nlisten == 0)
        return fail("missing --listen=ADDR");
    if (!max_seen)
        o->max_vms = default_max_vms(&o->cfg);
    for (unsigned d = 0; d < o->cfg.ndevice_args; d++) {
        const char *arg = o->cfg.device_args[d].arg;

        if (strncmp(arg, "--gdb", 5) == 0)
            return fail("%s: not an option of wisp serve (every VM would wait for a "
                        "debugger; debug with wisp --gdb KERNEL)", arg);
        if (strncmp(arg, "--block:", 8) == 0 && (o->max_vms > 1 || o->pool > 0))
            return fail("%s: a read-write block device can be given to one VM only; use "
                        "--block-ro: to share it, or --max-vms=1 without --pool", arg);
    }
    return 0;
}
