/*
 * internal.h: what the files of the Solo5-compatibility flavour of the guest
 * library (guest-hvt/) share.  Nothing here is public: the build keeps only
 * solo5_*, _start and __stack_chk_* global in wisp-guest-hvt.o, so these
 * names (prefix hg_, and the string helpers compiled from guest/string.c)
 * are local to the library.
 *
 * The flavour runs at CPL0 under solo5-hvt or wisp's compatibility mode and
 * speaks Solo5's hvt ABI version 2 (include/wisp/hvt_abi.h,
 * SOLO5_HVT_ABI.md section 1).  It is built with -mno-sse -mno-red-zone:
 * nothing here may touch the FPU/SSE state, which belongs to the
 * application.
 */
#ifndef WISP_GUEST_HVT_INTERNAL_H
#define WISP_GUEST_HVT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "solo5.h"
#include "wisp/hvt_abi.h"
#include "wisp/mft_abi.h"

/* The boot info the tender passed to _start in RDI (read-only memory). */
extern const struct hvt_boot_info *hg_bi;

/* ---- hypercalls ---------------------------------------------------------- */

/*
 * hg_hypercall: perform hypercall (nr) with the argument struct at (arg):
 * one `outl` of the struct's address to port 0x500 + nr.  (arg) MUST point
 * to the struct SOLO5_HVT_ABI.md 1.2 defines for (nr), below 4 GiB (all
 * guest memory is).  The "memory" clobber makes the compiler store the IN
 * fields before the exit and reload the OUT fields after it.
 */
static inline void hg_hypercall(enum hvt_hypercall nr, void *arg)
{
    __asm__ __volatile__("outl %0, %1"
                         :
                         : "a"((uint32_t)(uintptr_t)arg),
                           "d"((uint16_t)(HVT_HYPERCALL_PIO_BASE + nr))
                         : "memory");
}

/* hg_halt: HALT with (status) and trap-frame (cookie, may be NULL).  Never returns. */
void hg_halt(int status, void *cookie) __attribute__((noreturn));

/* ---- console and log ------------------------------------------------------ */

/* Log levels, as Solo5's: a line is printed if its level <= hg_log_level. */
enum hg_log_level { HG_LOG_ERROR = 1, HG_LOG_WARN = 2, HG_LOG_INFO = 3, HG_LOG_DEBUG = 4 };
extern int hg_log_level;

/*
 * A log line under construction: fixed buffer, truncated when full, sent
 * with one PUTS by hg_line_end (each line costs one VM exit).
 */
struct hg_line {
    char buf[160];
    size_t len;
};
void hg_line_str(struct hg_line *l, const char *s);
void hg_line_hex(struct hg_line *l, uint64_t v); /* "0x" + hex, no leading zeros */
void hg_line_dec(struct hg_line *l, int64_t v);
/* hg_line_end: send (l) if (level) is enabled. */
void hg_line_end(struct hg_line *l, int level);
/* hg_log: one constant line (s, with its newline) at (level). */
void hg_log(int level, const char *s);

/* ---- start-up pieces, in the order _start calls them ---------------------- */

/* cpu.c: own GDT/TSS/IDT with trap handlers on their own stacks. */
void hg_cpu_init(void);
/* cmdline.c: strip leading --solo5:LEVEL options (setting hg_log_level);
 * returns the rest of (cmdline). */
const char *hg_cmdline_parse(const char *cmdline);
/* time.c: set up the TSC-to-ns factor from the boot info's TSC frequency. */
void hg_time_init(uint64_t cpu_cycle_freq);

/* ---- failure -------------------------------------------------------------- */

/*
 * hg_panic: print "Solo5: ABORT: (file):(line): (msg)" and HALT with status
 * 255 and (cookie) (a trap frame, or NULL).  Never returns.
 */
void hg_panic(const char *file, int line, const char *msg, void *cookie)
    __attribute__((noreturn));
#define HG_PANIC(msg) hg_panic(__FILE_NAME__, __LINE__, (msg), NULL)
#define HG_ASSERT(e) \
    do { \
        if (!(e)) \
            hg_panic(__FILE_NAME__, __LINE__, "Assertion failed: " #e, NULL); \
    } while (0)

/* ---- shared with guest/ (compiled again from there) ----------------------- */

/* guest/ssp.c: set the stack-protector canary (low byte cleared). */
void wg_ssp_init(uint64_t canary);
/* exit.c: ABORT with the (len) bytes at (msg) as the reason (guest/ssp.c
 * calls it when the canary was smashed).  Never returns. */
void wg_abort_msg(const char *msg, size_t len) __attribute__((noreturn));
/* guest/string.c */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t wg_strnlen(const char *s, size_t max);

/* ---- devices -------------------------------------------------------------- */

/*
 * mft.c: the entry of the manifest copy (bi->mft) named (name) with (type),
 * or NULL; *index receives its index, which is the handle.
 */
const struct mft_entry *hg_mft_by_name(const char *name, enum mft_type type,
                                       unsigned *index);
/* mft.c: the entry with index (handle) if it has (type), else NULL. */
const struct mft_entry *hg_mft_by_handle(solo5_handle_t handle, enum mft_type type);

/* net.c: set by --solo5:noring (cmdline.c): use the NET_* hypercalls even
 * if the tender offers the ring. */
extern int hg_net_noring;
/* net.c: set by --solo5:ringext: wisp's POLL reads on the ring
 * (include/wisp/hvt_ring_ext.h) where the tender offers them; without it
 * the ring as Solo5's bindings use it, which measured faster on both an
 * idle and a loaded host (bench/README.md). */
extern int hg_net_ringext;
/*
 * net.c: decide the transport (the ring iff offered, a NIC is declared and
 * not --solo5:noring).  With the ring, its write-buffer pool takes the
 * start of the heap: returns the new (heap_start), else (heap_start).
 */
uint64_t hg_net_init(uint64_t heap_start);
/* net.c: solo5_yield through the ring's POLL reads; 0 if not offered. */
int hg_net_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set);

/* ---- CPU helpers ---------------------------------------------------------- */

static inline uint64_t hg_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#define HG_MSR_FS_BASE 0xc0000100u

static inline void hg_wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr"
                         :
                         : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
                         : "memory");
}

#endif /* WISP_GUEST_HVT_INTERNAL_H */
