/*
 * entropy.c: random bytes for getentropy() (and so newlib's arc4random()),
 * rand()'s seed and mbedTLS (mbedtls_hardware_poll, MBEDTLS_ENTROPY_HARDWARE_ALT).
 *
 * Source: RDSEED where CPUID leaf 7 offers it, RDRAND (CPUID leaf 1) when
 * there is no RDSEED or it keeps running dry, each retried as Intel advises.  Fallback on a CPU with neither:
 * getentropy() and the rand() seed use a SplitMix64 stream seeded from the
 * TSC and both clocks, re-mixed with the TSC on every call: different on
 * every boot, but NOT cryptographically strong; a warning says so once.
 * mbedtls_hardware_poll() never uses the fallback: it then delivers no
 * bytes, and mbedTLS refuses to seed (TLS needs a real entropy source).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

#define RETRIES 10
#define GETENTROPY_MAX 256

/* What CPUID offers, found on first use. */
static int hw_known, has_rdseed, has_rdrand;

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static void detect(void)
{
    uint32_t r[4];

    cpuid(0, 0, r);
    uint32_t max_leaf = r[0];
    if (max_leaf >= 7) {
        cpuid(7, 0, r);
        has_rdseed = (r[1] >> 18) & 1;
    }
    cpuid(1, 0, r);
    has_rdrand = (r[2] >> 30) & 1;
    hw_known = 1;
}

/* One 64-bit value from the hardware; 0 on success.  RDSEED first (a true
 * entropy source); when it keeps running dry (it refills slowly), RDRAND
 * (a DRBG the CPU reseeds from the same source). */
static int hw_word(uint64_t *v)
{
    unsigned char ok;

    for (int i = 0; has_rdseed && i < RETRIES; i++) {
        __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok)
            return 0;
        __asm__ volatile("pause");
    }
    for (int i = 0; has_rdrand && i < RETRIES; i++) {
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok)
            return 0;
    }
    return -1;
}

int wl_hw_random(void *buf, size_t len)
{
    unsigned char *p = buf;

    if (!hw_known)
        detect();
    if (!has_rdseed && !has_rdrand)
        return -1;
    while (len > 0) {
        uint64_t v;
        size_t n = len < sizeof v ? len : sizeof v;

        if (hw_word(&v) != 0)
            return -1;
        memcpy(p, &v, n);
        p += n;
        len -= n;
    }
    return 0;
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t wl_weak_seed(void)
{
    uint64_t s = rdtsc() ^ (solo5_clock_wall() * 0x9e3779b97f4a7c15ull) ^
                 (solo5_clock_monotonic() << 17);

    return splitmix64(&s);
}

static void weak_random(void *buf, size_t len)
{
    static uint64_t state;
    static int warned;
    unsigned char *p = buf;

    if (!warned) {
        warned = 1;
        fprintf(stderr, "wisp libc: no working RDSEED/RDRAND on this CPU: getentropy() uses "
                        "a clock-seeded generator that is not cryptographically strong\n");
    }
    state ^= wl_weak_seed();
    while (len > 0) {
        uint64_t v = splitmix64(&state) ^ rdtsc();
        size_t n = len < sizeof v ? len : sizeof v;

        memcpy(p, &v, n);
        p += n;
        len -= n;
    }
}

int getentropy(void *buf, size_t len)
{
    if (len > GETENTROPY_MAX) {
        errno = EIO;
        return -1;
    }
    if (wl_hw_random(buf, len) != 0)
        weak_random(buf, len);
    return 0;
}

/* mbedTLS's hardware entropy source: RDSEED/RDRAND only. */
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    (void)data;
    *olen = 0;
    if (wl_hw_random(output, len) != 0)
        return 0; /* no bytes: mbedTLS reports an entropy source failure */
    *olen = len;
    return 0;
}
