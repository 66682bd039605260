/* fpu: SSE movaps/mulps and AVX vmulps (ymm) compute exact products; expect SUCCESS, status 0. */
#include "t.h"

static float a4[4] __attribute__((aligned(16))) = { 1.0f, 2.0f, 3.0f, 4.0f };
static float b4[4] __attribute__((aligned(16))) = { 2.0f, 3.0f, 4.0f, 5.0f };
static float r4[4] __attribute__((aligned(16)));
static const float want4[4] = { 2.0f, 6.0f, 12.0f, 20.0f };

static float a8[8] __attribute__((aligned(32))) = { 1, 2, 3, 4, 5, 6, 7, 8 };
static float b8[8] __attribute__((aligned(32))) = { 8, 7, 6, 5, 4, 3, 2, 1 };
static float r8[8] __attribute__((aligned(32)));
static const float want8[8] = { 8, 14, 18, 20, 20, 18, 14, 8 };

static void cpuid1(uint32_t *ecx)
{
    uint32_t eax = 1, ebx, edx;

    __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(*ecx), "=d"(edx) : "c"(0));
}

int solo5_app_main(const struct solo5_start_info *si)
{
    uint32_t ecx;

    (void)si;
    __asm__ volatile("movaps %1, %%xmm0\n\t"
                     "mulps %2, %%xmm0\n\t"
                     "movaps %%xmm0, %0"
                     : "=m"(r4) : "m"(a4), "m"(b4) : "xmm0");
    if (t_memcmp(r4, want4, sizeof r4) != 0)
        return t_fail("SSE mulps gave a wrong result");
    t_puts("SSE ok\n");

#ifdef __WISP_HVT__
    /* Solo5 hvt guests get CR4 = PAE|OSFXSR|OSXMMEXCPT: no OSXSAVE, no XCR0,
     * so no AVX state whatever the CPU has (SOLO5_HVT_ABI.md 1.6). */
    t_puts("Solo5 hvt: no AVX state (CR4.OSXSAVE clear): AVX check skipped\n");
    return t_success();
#endif
    cpuid1(&ecx);
    if (!(ecx & (1u << 28))) {
        t_puts("CPU has no AVX: AVX check skipped\n");
        return t_success();
    }
    if (!(ecx & (1u << 27)))
        return t_fail("CPU has AVX but CR4.OSXSAVE is clear");
    uint32_t xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 0x6) != 0x6)
        return t_fail("XCR0 does not enable SSE and AVX state");

    __asm__ volatile("vmovaps %1, %%ymm0\n\t"
                     "vmulps %2, %%ymm0, %%ymm0\n\t"
                     "vmovaps %%ymm0, %0\n\t"
                     "vzeroupper"
                     : "=m"(r8) : "m"(a8), "m"(b8) : "xmm0");
    if (t_memcmp(r8, want8, sizeof r8) != 0)
        return t_fail("AVX vmulps gave a wrong result");
    t_puts("AVX ok\n");
    return t_success();
}
