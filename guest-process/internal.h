/*
 * internal.h: what the process flavour's files share.  The process target
 * (wisp-cc --target=process) runs a unikernel as an ordinary Linux process:
 * the same solo5.h API, implemented on system calls instead of hypercalls,
 * with the same options as the wisp tender.  It is the baseline of the I/O
 * benchmarks and a debugging aid (gdb, valgrind, perf run it natively).
 * Names here (prefix wp_) are local to wisp-guest-process.o after the
 * build's objcopy.
 */
#ifndef WISP_PROCESS_INTERNAL_H
#define WISP_PROCESS_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "solo5.h"
#include "wisp/abi.h"
#include "wisp/mft_abi.h"
#include "wisp.h"

/* Exit statuses, as the wisp tender's (README "Exit status"). */
#define WP_EXIT_LAUNCH_ERROR 253
#define WP_EXIT_ABORT 255

/* A device of the manifest, as attached from the command line. */
struct wp_device {
    const char *attach_arg;  /* the option that attached it, or NULL */
    const char *mac_arg;     /* --net-mac: option, or NULL */
    const char *size_arg;    /* --block-sector-size: option, or NULL */
    const char *target;      /* IFACE, @FD or PATH */
    int read_only;
    int fd;
    uint8_t mac[6];
    uint16_t mtu;
    uint32_t block_size;
    uint64_t capacity;
};

/* The manifest (this program's own MFT1 note) and the devices, by handle. */
extern const struct mft *wp_mft;
extern struct wp_device wp_dev[MFT_MAX_ENTRIES];

/* input.c: the input stream's fd (--input: 0), or -1. */
extern int wp_input_fd;

/* What the command line asked for (cli.c). */
struct wp_config {
    uint64_t mem_size;
    char cmdline[WISP_CMDLINE_MAX];
};

/* start.c */
void wp_start(uint64_t *sp) __attribute__((noreturn));

/* msg.c: "wisp: " + formatted text + "\n" on stderr.  The format knows
 * %s, %d, %u, %lu, %llu and %%.  wp_fail also exits with the launch-error
 * status. */
void wp_msg(const char *fmt, ...);
void wp_fail(const char *fmt, ...) __attribute__((noreturn));
void wp_vformat(char *out, size_t size, const char *fmt, va_list ap);
void wp_format(char *out, size_t size, const char *fmt, ...);
size_t wp_strlen(const char *s);
int wp_strcmp(const char *a, const char *b);
int wp_strncmp(const char *a, const char *b, size_t n);
/* wp_parse_u64: the decimal number (s) is, or -1 if it is not one. */
int wp_parse_u64(const char *s, uint64_t *out);
const char *wp_strerror(long err);

/* cli.c: parse argv into (cfg) and the device table; exits on error. */
void wp_cli_parse(int argc, char **argv, struct wp_config *cfg);

/* manifest.c: find this program's MFT1 note; exit if it is malformed. */
void wp_manifest_load(void);
/* The manifest entry of handle (h) if it is a device of type (type) that is
 * attached, else NULL. */
struct wp_device *wp_device_get(solo5_handle_t h, enum mft_type type);
solo5_handle_t wp_device_lookup(const char *name, enum mft_type type);

/* net.c, block.c: open what the options named; exit on error. */
void wp_net_attach(solo5_handle_t h, struct wp_device *d);
void wp_block_attach(solo5_handle_t h, struct wp_device *d);
int wp_parse_mac(const char *s, uint8_t mac[6]);

/* crash.c: report faults as wisp does (status 255), not as signals. */
void wp_crash_init(void);

/* confine.c: install the seccomp allow-list (after every device is open). */
void wp_confine(void);

/* Entry points the guest library (guest/) shares with this flavour. */
void wg_abort_msg(const char *msg, size_t len) __attribute__((noreturn));
void wg_ssp_init(uint64_t canary);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif /* WISP_PROCESS_INTERNAL_H */
