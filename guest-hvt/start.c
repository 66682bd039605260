/*
 * start.c: _start of Solo5 hvt unikernels built by wisp-cc --target=hvt, in
 * the order SOLO5_HVT_ABI.md 1.8 gives: stack-protector canary and FS base,
 * own CPU tables, command line, banner, heap, clocks, then the application.
 * Every instruction here is emulated (about 1 us each) on KVM hosts without
 * hardware virtualization, and every log line is a VM exit: keep it short.
 */
#include "internal.h"

const struct hvt_boot_info *hg_bi;

/* The end of the loaded image, from hvt.ld; the heap starts after it. */
extern char _end[];

#define PAGE_SIZE 4096ull
#define HEAP_MIN (512ull * 1024) /* as Solo5: less than this aborts */

/* In its own section, which hvt.ld places first: e_entry is 0x100020, as
 * in Solo5's own binaries. */
void _start(const struct hvt_boot_info *bi)
    __attribute__((noreturn, section(".text.hvt_start")));

void _start(const struct hvt_boot_info *bi)
{
    /* Canary first, before any protected function runs: two TSC reads, so
     * the whole 64 bits vary (wg_ssp_init clears the low byte). */
    uint64_t t1 = hg_rdtsc();
    uint64_t t2 = hg_rdtsc();
    wg_ssp_init((t1 << 32) ^ (t1 >> 7) ^ (t2 * 0x9e3779b97f4a7c15ull));
    /* FS base 0: a TLS access before solo5_set_tls_base faults on page 0. */
    hg_wrmsr(HG_MSR_FS_BASE, 0);

    hg_bi = bi;
    hg_cpu_init();

    const char *cmdline = hg_cmdline_parse((const char *)(uintptr_t)bi->cmdline);
    hg_log(HG_LOG_INFO, "Solo5: wisp hvt bindings, ABI version 2\n");

    uint64_t heap_start = ((uint64_t)(uintptr_t)_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    heap_start = hg_net_init(heap_start);
    if (heap_start + HEAP_MIN > bi->mem_size)
        HG_PANIC("Not enough memory");

    hg_time_init(bi->cpu_cycle_freq);

    /* The stack lives at the top of the heap region, as in Solo5. */
    struct solo5_start_info si = {
        .cmdline = cmdline,
        .heap_start = (uintptr_t)heap_start,
        .heap_size = (size_t)(bi->mem_size - heap_start),
    };
    solo5_exit(solo5_app_main(&si));
}
