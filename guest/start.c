/*
 * start.c: the guest library's start-up, in the order it happens: check the
 * boot info, arm the stack protector, reset the TLS base, then run the
 * application and exit with its status.  Nothing here makes a hypercall on
 * the success path, so start-up costs no VM exit.
 */
#include "internal.h"
#include "ring.h"
#include "wisp.h"

const struct wisp_boot_info *wg_bi;
uint64_t wg_tsc_start, wg_tsc_main; /* boot milestones, reported at exit */

static const char bad_magic[] = "wisp guest: boot info has a bad magic number";
static const char bad_abi[] = "wisp guest: tender speaks another wisp ABI version";

void wg_start(const struct wisp_boot_info *bi, uint64_t tsc_start)
{
    uint32_t lo, hi;

    /* A tender that does not speak this ABI: say so and stop.  The abort
     * hypercall is the least we can assume of it. */
    if (bi->magic != WISP_BOOT_MAGIC)
        wg_abort_msg(bad_magic, sizeof(bad_magic) - 1);
    if (bi->abi_version != WISP_ABI_VERSION)
        wg_abort_msg(bad_abi, sizeof(bad_abi) - 1);
    wg_bi = bi;

    wg_ssp_init(bi->ssp_canary);

    /* The tender enters with FS base 0; make that explicit, so the
     * application starts with no TLS block whatever the tender did. */
    if (bi->host_features & WISP_FEATURE_FSGSBASE)
        __asm__ __volatile__("wrfsbase %0" : : "r"((uint64_t)0));

    /* Shared rings (if offered) come from the top of the heap. */
    uint64_t heap_end = bi->heap_end;

    wg_rings_reserve(bi->heap_start, &heap_end);
    struct solo5_start_info si = {
        .cmdline = (const char *)(uintptr_t)bi->cmdline,
        .heap_start = (uintptr_t)bi->heap_start,
        .heap_size = (size_t)(heap_end - bi->heap_start),
    };
    wg_tsc_start = tsc_start;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    wg_tsc_main = ((uint64_t)hi << 32) | lo;
    solo5_exit(solo5_app_main(&si));
}

const struct wisp_boot_info *wisp_boot_info(void)
{
    return wg_bi;
}
