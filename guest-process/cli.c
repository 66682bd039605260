/*
 * cli.c: the process target's command line, the same as the wisp tender's
 * with the unikernel being this program itself:
 *   PROGRAM [OPTIONS] [--] [ARGS...]
 * Options: --mem=MIB, --net:NAME=IFACE|@FD, --net-mac:NAME=MAC,
 * --block:NAME=PATH, --block-ro:NAME=PATH, --block-sector-size:NAME=N,
 * --help, --version.  Each device option names a device of the manifest
 * with the right type; every declared device must be attached.  Errors
 * are reported by name and end the program with the launch-error status.
 */
#include "internal.h"
#include "sys.h"

#define MEM_MIN_MIB 2
#define MEM_MAX_MIB 3072
#define MEM_DEFAULT_MIB 32

static const char *prog = "unikernel";

static void usage(void)
{
    char text[2048];
    static const char fmt[] =
        "usage: %s [OPTIONS] [--] [ARGS...]\n"
        "\n"
        "Run this unikernel as a Linux process (wisp-cc --target=process): the same\n"
        "solo5.h API as under wisp, on system calls, confined by seccomp. ARGS, joined\n"
        "by spaces, become its command line. Console output goes to stdout; messages\n"
        "go to stderr, prefixed \"wisp:\".\n"
        "\n"
        "Options:\n"
        "  --mem=MIB                  heap in MiB, %d to %d (default %d)\n"
        "  --input                    stdin is the input stream (wisp_input_read)\n"
        "  --net:NAME=IFACE           attach network device NAME to the tap IFACE\n"
        "  --net:NAME=@FD             ... to the already-open tap descriptor FD\n"
        "  --net-mac:NAME=MAC         the MAC of NAME (default: random, local)\n"
        "  --block:NAME=PATH          attach block device NAME to the file PATH\n"
        "  --block-ro:NAME=PATH       ... read-only\n"
        "  --block-sector-size:NAME=N block size, a power of two, 512 to 32768\n"
        "  --help, -h                 show this help and exit\n"
        "  --version                  show the version and exit\n"
        "\n"
        "Exit status: the unikernel's own; %d for a launch error (bad option,\n"
        "missing device); %d when the unikernel aborts.\n";
    wp_format(text, sizeof text, fmt, prog, MEM_MIN_MIB, MEM_MAX_MIB, MEM_DEFAULT_MIB,
              WP_EXIT_LAUNCH_ERROR, WP_EXIT_ABORT);
    sys3(SYS_write, 1, text, wp_strlen(text));
}

/* device_arg: split "PREFIXNAME=VALUE" and find NAME's handle (of type). */
static struct wp_device *device_arg(const char *arg, const char *prefix,
                                    enum mft_type type, const char **value)
{
    char name[MFT_NAME_SIZE];
    size_t plen = wp_strlen(prefix), n = 0;
    const char *rest = arg + plen;

    while (rest[n] && rest[n] != '=')
        n++;
    if (rest[n] != '=' || n == 0 || rest[n + 1] == '\0')
        wp_fail("%s: expected %sNAME=VALUE", arg, prefix);
    if (n > MFT_NAME_MAX)
        wp_fail("%s: device name longer than %d characters", arg, MFT_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        char c = rest[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            wp_fail("%s: device names are made of letters and digits only", arg);
        name[i] = c;
    }
    name[n] = '\0';
    *value = rest + n + 1;
    for (uint32_t i = 1; i < wp_mft->entries; i++) {
        const struct mft_entry *e = &wp_mft->e[i];

        if (wp_strcmp(e->name, name) != 0)
            continue;
        if (e->type != (uint32_t)type)
            wp_fail("%s: device '%s' is declared as %s in %s, not %s", arg, name,
                    e->type == MFT_DEV_NET_BASIC ? "NET_BASIC" : "BLOCK_BASIC", prog,
                    type == MFT_DEV_NET_BASIC ? "NET_BASIC" : "BLOCK_BASIC");
        return &wp_dev[i];
    }
    wp_fail("%s: device '%s' is not declared in the manifest of %s", arg, name, prog);
}

static int has_prefix(const char *s, const char *prefix)
{
    return wp_strncmp(s, prefix, wp_strlen(prefix)) == 0;
}

/* device_option: handle one device option; 0 if (a) is not one. */
static int device_option(const char *a)
{
    struct wp_device *d;
    const char *v;
    uint64_t n;

    if (has_prefix(a, "--net-mac:")) {
        d = device_arg(a, "--net-mac:", MFT_DEV_NET_BASIC, &v);
        if (d->mac_arg)
            wp_fail("%s: the MAC is already set by %s", a, d->mac_arg);
        if (wp_parse_mac(v, d->mac) < 0)
            wp_fail("%s: '%s' is not a unicast MAC address (expected xx:xx:xx:xx:xx:xx, hex)",
                    a, v);
        d->mac_arg = a;
    } else if (has_prefix(a, "--net:")) {
        d = device_arg(a, "--net:", MFT_DEV_NET_BASIC, &v);
        if (d->attach_arg)
            wp_fail("%s: device is already attached by %s", a, d->attach_arg);
        d->attach_arg = a;
        d->target = v;
    } else if (has_prefix(a, "--block-sector-size:")) {
        d = device_arg(a, "--block-sector-size:", MFT_DEV_BLOCK_BASIC, &v);
        if (d->size_arg)
            wp_fail("%s: the block size is already set by %s", a, d->size_arg);
        if (wp_parse_u64(v, &n) < 0 || n < 512 || n > 32768 || (n & (n - 1)))
            wp_fail("%s: block size must be a power of two from 512 to 32768", a);
        d->block_size = (uint32_t)n;
        d->size_arg = a;
    } else if (has_prefix(a, "--block:") || has_prefix(a, "--block-ro:")) {
        int ro = has_prefix(a, "--block-ro:");
        d = device_arg(a, ro ? "--block-ro:" : "--block:", MFT_DEV_BLOCK_BASIC, &v);
        if (d->attach_arg)
            wp_fail("%s: device is already attached by %s", a, d->attach_arg);
        d->attach_arg = a;
        d->target = v;
        d->read_only = ro;
    } else {
        return 0;
    }
    return 1;
}

/* join: ARGS joined by single spaces into cfg->cmdline. */
static void join(int argc, char **argv, struct wp_config *cfg)
{
    size_t used = 0;

    cfg->cmdline[0] = '\0';
    for (int i = 0; i < argc; i++) {
        size_t n = wp_strlen(argv[i]);

        if (used + (i ? 1 : 0) + n >= WISP_CMDLINE_MAX)
            wp_fail("command line too long (more than %u characters)", WISP_CMDLINE_MAX - 1);
        if (i)
            cfg->cmdline[used++] = ' ';
        memcpy(cfg->cmdline + used, argv[i], n);
        used += n;
        cfg->cmdline[used] = '\0';
    }
}

void wp_cli_parse(int argc, char **argv, struct wp_config *cfg)
{
    int i, mem_seen = 0;
    uint64_t mib;

    if (argc > 0 && argv[0] && argv[0][0])
        prog = argv[0];
    cfg->mem_size = (uint64_t)MEM_DEFAULT_MIB << 20;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (wp_strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] != '-')
            break;
        if (wp_strcmp(a, "--help") == 0 || wp_strcmp(a, "-h") == 0) {
            usage();
            sys1(SYS_exit_group, 0);
        }
        if (wp_strcmp(a, "--version") == 0) {
            static const char v[] = "wisp process target " WP_VERSION "\n";
            sys3(SYS_write, 1, v, sizeof v - 1);
            sys1(SYS_exit_group, 0);
        }
        if (wp_strcmp(a, "--input") == 0) {
            wp_input_fd = 0; /* input.c */
            continue;
        }
        if (has_prefix(a, "--mem=")) {
            if (mem_seen++)
                wp_fail("--mem: given more than once");
            if (wp_parse_u64(a + 6, &mib) < 0)
                wp_fail("--mem: '%s' is not a number of MiB", a + 6);
            if (mib < MEM_MIN_MIB || mib > MEM_MAX_MIB)
                wp_fail("--mem: %s MiB is out of range (%d to %d)", a + 6, MEM_MIN_MIB,
                        MEM_MAX_MIB);
            cfg->mem_size = mib << 20;
            continue;
        }
        if (device_option(a))
            continue;
        wp_fail("unknown option: %s (see %s --help)", a, prog);
    }
    join(argc - i, argv + i, cfg);

    char missing[512] = "";
    size_t used = 0;
    int nmissing = 0;
    for (uint32_t h = 1; h < wp_mft->entries; h++) {
        const struct mft_entry *e = &wp_mft->e[h];
        if (wp_dev[h].attach_arg)
            continue;
        wp_format(missing + used, sizeof missing - used, "%s'%s' (%s)", nmissing ? ", " : "",
                  e->name, e->type == MFT_DEV_NET_BASIC ? "NET_BASIC" : "BLOCK_BASIC");
        used = wp_strlen(missing);
        nmissing++;
    }
    if (nmissing)
        wp_fail("%s declares %d device%s that %s not attached: %s (attach with "
                "--net:NAME=IFACE or --block:NAME=PATH; see --help)", prog, nmissing,
                nmissing > 1 ? "s" : "", nmissing > 1 ? "are" : "is", missing);
}
