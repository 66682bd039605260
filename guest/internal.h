/*
 * internal.h: what the guest library's files share.  Nothing here is
 * public: the build keeps only solo5_*, wisp_*, _start and __stack_chk_*
 * global in wisp-guest.o, so these names (prefix wg_, and the string
 * helpers) are local to the library and applications cannot rely on them.
 */
#ifndef WISP_GUEST_INTERNAL_H
#define WISP_GUEST_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "solo5.h"
#include "wisp/abi.h"
#include "wisp/mft_abi.h"

/* The boot info, set by wg_start before anything else runs. */
extern const struct wisp_boot_info *wg_bi;

/* start.c: the C half of _start; (bi) is what the tender put in RDI. */
void wg_start(const struct wisp_boot_info *bi, uint64_t tsc_start) __attribute__((noreturn));

/* Boot milestones (guest TSC): first instruction, solo5_app_main call. */
extern uint64_t wg_tsc_start, wg_tsc_main;

/* exit.c: ABORT with the (len) bytes at (msg) as the reason.  Never returns. */
void wg_abort_msg(const char *msg, size_t len) __attribute__((noreturn));

/* ssp.c: set the stack-protector canary from the boot info's random value. */
void wg_ssp_init(uint64_t canary);

/*
 * mft.c: the entry of the manifest copy named (name) with type (type), or
 * NULL if there is none.  *index receives its index, which is the handle.
 */
const struct mft_entry *wg_mft_lookup(const char *name, enum mft_type type,
                                      unsigned *index);

/* console.c: write out what the console buffer holds (one PUTS). */
void wg_console_flush(void);

/*
 * string.c: the few C library functions the library needs (and that the
 * compiler may emit calls to).  Local to wisp-guest.o after the build's
 * objcopy, so they never clash with an application's C library.
 */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t wg_strnlen(const char *s, size_t max);

#endif /* WISP_GUEST_INTERNAL_H */
