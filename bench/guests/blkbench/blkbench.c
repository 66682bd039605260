/*
 * blkbench: 4 KiB block I/O rate through the BLOCK_READ/WRITE hypercalls.
 * Command line: N [PHASE] [wait=MS] (N default 20000; PHASE: run only
 * the phase of that name, e.g. rand_write_4k, so that --stats counts its
 * exits alone, default all; wait=MS: sleep MS ms in solo5_yield first, so
 * that bench/io.sh can pin the tender's threads before the timing).  Attach an image of at least 64 KiB with
 * --block-sector-size:storage=4096.  Does N one-block reads, then N
 * one-block writes, sequential and wrapping around the image, then the
 * same bytes again as 16-block (64 KiB) requests, then N one-block reads
 * and N one-block writes at pseudo-random block offsets over the whole
 * image (a fixed LCG, the same sequence every run); times each phase with
 * solo5_clock_monotonic and prints one line per phase:
 *   PHASE ops=N ns=T ops_per_s=R
 * (for the 64 KiB phases, ops counts 4 KiB blocks).  Built by hand:
 *   build/bin/wisp-cc -o build/bench/blkbench.wisp \
 *       --manifest=bench/guests/blkbench/manifest.json bench/guests/blkbench/blkbench.c
 */
#include "solo5.h"

#define BS 4096u
#define MULTI 16u

static uint8_t buf[BS * MULTI] __attribute__((aligned(4096)));

static void puts_(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    solo5_console_write(s, n);
}

static void put_dec(uint64_t v)
{
    char d[24];
    int i = sizeof d;

    do
        d[--i] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    solo5_console_write(d + i, sizeof d - (size_t)i);
}

static void report(const char *phase, uint64_t ops, solo5_time_t ns)
{
    puts_(phase);
    puts_(" ops=");
    put_dec(ops);
    puts_(" ns=");
    put_dec(ns);
    puts_(" ops_per_s=");
    put_dec(ns ? ops * 1000000000ull / ns : 0);
    puts_("\n");
}

/* run: (n) blocks in requests of (per) blocks; returns elapsed ns, 0 on error. */
static solo5_time_t run(solo5_handle_t h, uint64_t cap, int write, uint64_t n, unsigned per)
{
    uint64_t off = 0, len = (uint64_t)per * BS;
    solo5_time_t t0 = solo5_clock_monotonic();

    for (uint64_t i = 0; i < n; i += per) {
        solo5_result_t r = write ? solo5_block_write(h, off, buf, len)
                                 : solo5_block_read(h, off, buf, len);
        if (r != SOLO5_R_OK)
            return 0;
        off += len;
        if (off + len > cap)
            off = 0;
    }
    return solo5_clock_monotonic() - t0;
}

/* run_random: (n) one-block requests at pseudo-random blocks of the image;
 * returns elapsed ns, 0 on error. */
static solo5_time_t run_random(solo5_handle_t h, uint64_t cap, int write, uint64_t n)
{
    uint64_t blocks = cap / BS, x = 0x2545f4914f6cdd1dull;
    solo5_time_t t0 = solo5_clock_monotonic();

    for (uint64_t i = 0; i < n; i++) {
        uint64_t off;
        solo5_result_t r;

        x = x * 6364136223846793005ull + 1442695040888963407ull;
        off = ((x >> 33) % blocks) * BS;
        r = write ? solo5_block_write(h, off, buf, BS) : solo5_block_read(h, off, buf, BS);
        if (r != SOLO5_R_OK)
            return 0;
    }
    return solo5_clock_monotonic() - t0;
}

/* The PHASE token of the command line (NULL: every phase). */
static const char *only;

/* token_is: whether the token at (t) (up to a space or the end) is (name). */
static int token_is(const char *t, const char *name)
{
    while (*t && *t != ' ' && *t == *name)
        t++, name++;
    return (*t == '\0' || *t == ' ') && *name == '\0';
}

/* wanted: whether phase (name) runs. */
static int wanted(const char *name)
{
    return only == NULL || token_is(only, name);
}

/* PHASE(name, expr): time (expr) and report it, if the phase is wanted. */
#define PHASE(name, expr)              \
    do {                               \
        if (wanted(name)) {            \
            if (!(t = (expr)))         \
                return 1;              \
            report(name, n, t);        \
        }                              \
    } while (0)

int solo5_app_main(const struct solo5_start_info *si)
{
    solo5_handle_t h;
    struct solo5_block_info info;
    uint64_t n = 0;
    solo5_time_t t;
    const char *p;
    uint64_t wait_ms = 0;

    for (p = si->cmdline; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (uint64_t)(*p - '0');
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        if (p[0] == 'w' && p[1] == 'a' && p[2] == 'i' && p[3] == 't' && p[4] == '=') {
            for (p += 5; *p >= '0' && *p <= '9'; p++)
                wait_ms = wait_ms * 10 + (uint64_t)(*p - '0');
        } else {
            only = p;
        }
        while (*p && *p != ' ')
            p++;
    }
    if (wait_ms) {
        solo5_time_t end = solo5_clock_monotonic() + wait_ms * 1000000ull;

        while (solo5_clock_monotonic() < end)
            solo5_yield(end, NULL);
    }
    n = (n + MULTI - 1) / MULTI * MULTI;
    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK || info.block_size != BS ||
        info.capacity < sizeof buf) {
        puts_("blkbench: need storage with 4096-byte blocks, at least 64 KiB\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)i;
    PHASE("read_4k", run(h, info.capacity, 0, n, 1));
    PHASE("write_4k", run(h, info.capacity, 1, n, 1));
    PHASE("read_64k_blocks", run(h, info.capacity, 0, n, MULTI));
    PHASE("write_64k_blocks", run(h, info.capacity, 1, n, MULTI));
    PHASE("rand_read_4k", run_random(h, info.capacity, 0, n));
    PHASE("rand_write_4k", run_random(h, info.capacity, 1, n));
    return 0;
}
