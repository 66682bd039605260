/*
 * doorbell_store KIND: stores to the hypercall doorbell with an instruction
 * other than the 8-byte mov the ABI allows (include/wisp/abi.h); expect the
 * tender to end the guest with status 255 and a crash report, never to run
 * a hypercall or blame itself (tests/e2e/hostile_cpu.bats):
 *   sse16      movups %xmm0 over the PUTS and POLL slots (16 bytes)
 *   avx        vmovdqu %ymm0 (32 bytes)           needs AVX
 *   avx512     vmovdqu64 %zmm0 (64 bytes)         needs AVX-512F
 *   fxsave     fxsave64 to the doorbell page
 *   xsave      xsave64 to the doorbell page       needs XSAVE
 *   movdir64b  movdir64b to the doorbell page     needs MOVDIR64B
 * A KIND the CPU (its CPUID as the tender sets it) lacks prints
 * "skipped: ..." and exits 0.  The register contents are a valid PUTS
 * argument struct's address, so a store KVM split into 8-byte pieces would
 * print "doorbell hypercall ran".  "pending: no newline" is left in the
 * line-buffered console just before the store: the report must show it.
 */
#include <wisp/abi.h>

#include "t.h"

static struct wisp_hc_puts puts_args;
static const char ran[] = "doorbell hypercall ran\n";
static uint64_t src[8] __attribute__((aligned(64)));

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;

    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static int is(const struct solo5_start_info *si, const char *s)
{
    return t_strcmp(si->cmdline, s) == 0;
}

static int skipped(const char *why)
{
    t_puts("\nskipped: ");
    t_puts(why);
    t_puts("\n");
    return SOLO5_EXIT_SUCCESS;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    void *bell = t_launder(WISP_DOORBELL_GPA + 8ull * WISP_HC_PUTS);
    void *page = t_launder(WISP_DOORBELL_GPA);
    uint32_t l1[4], l7[4];
    int osxsave;

    cpuid(1, 0, l1);
    cpuid(7, 0, l7);
    osxsave = !!(l1[2] & (1u << 27));
    puts_args.data = (uint64_t)(uintptr_t)ran;
    puts_args.len = sizeof ran - 1;
    for (unsigned i = 0; i < 8; i++)
        src[i] = (uint64_t)(uintptr_t)&puts_args;
    t_puts("doorbell_store: ");
    t_puts(si->cmdline);
    t_puts("\n");
    t_puts("pending: no newline");
    if (is(si, "sse16")) {
        __asm__ volatile("movdqa %0, %%xmm0\n\tmovups %%xmm0, (%1)"
                         : : "m"(src[0]), "r"(bell) : "xmm0", "memory");
    } else if (is(si, "avx")) {
        if (!(l1[2] & (1u << 28)) || !osxsave || (xgetbv0() & 6) != 6)
            return skipped("the CPU has no AVX");
        __asm__ volatile("vmovdqu %0, %%ymm0\n\tvmovdqu %%ymm0, (%1)"
                         : : "m"(src[0]), "r"(bell) : "xmm0", "memory");
    } else if (is(si, "avx512")) {
        if (!(l7[1] & (1u << 16)) || !osxsave || (xgetbv0() & 0xe6) != 0xe6)
            return skipped("the CPU has no AVX-512F");
        __asm__ volatile("vmovdqu64 %0, %%zmm0\n\tvmovdqu64 %%zmm0, (%1)"
                         : : "m"(src[0]), "r"(page) : "xmm0", "memory");
    } else if (is(si, "fxsave")) {
        __asm__ volatile("fxsave64 (%0)" : : "r"(page) : "memory");
    } else if (is(si, "xsave")) {
        if (!(l1[2] & (1u << 26)) || !osxsave)
            return skipped("the CPU has no XSAVE");
        __asm__ volatile("xsave64 (%0)" : : "r"(page), "a"(3), "d"(0) : "memory");
    } else if (is(si, "movdir64b")) {
        if (!(l7[2] & (1u << 28)))
            return skipped("the CPU has no MOVDIR64B");
        __asm__ volatile("movdir64b (%1), %0" : : "r"(page), "r"(src) : "memory");
    } else {
        return t_fail("unknown store kind");
    }
    return t_fail("the doorbell store did not end the guest");
}
