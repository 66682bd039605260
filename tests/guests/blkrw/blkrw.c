/*
 * blkrw: block device "storage".  The command line picks the mode:
 *   verify SEED  write a pattern over the whole image with requests of 1..16
 *                blocks, read it back with other request sizes, check every
 *                byte; misaligned, wrong-length, out-of-range and bad-handle
 *                requests return EINVAL both through the library and as raw
 *                hypercalls (the tender's own checks); flush returns OK
 *   write SEED   fill the image with the pattern of SEED, flush
 *   check SEED   read the whole image, check it holds the pattern of SEED
 *   ro SEED      read-only attachment: check SEED's pattern, then writes and
 *                flush return EINVAL
 *   hold MS      print READY, then sleep MS milliseconds in solo5_yield
 *   warmhold MS  read the image 20 times over (the block ring's I/O thread
 *                and the guest's spin budget warm), then as hold
 *   shrink       print READY, then read the last block every 20 ms until it
 *                fails with EUNSPEC (the test truncates the image to half:
 *                a short read is a host I/O error, reported, and the guest
 *                goes on), then read block 0 (still there) with OK; at most
 *                20 s
 *   shrink busy  the same without the 20 ms waits: a read is always in
 *                flight (on the block ring: served by its I/O thread)
 *   badbuf       read into the guest's own text (an ABI violation: the
 *                guest is ended, status 255)
 *   farbuf       read into an address outside guest RAM (same)
 * Prints "capacity C block_size B", then SUCCESS (status 0) or FAILURE.
 */
#include "t.h"
#include "wisp.h"

#define BUF_SIZE (64 * 1024)

static uint8_t buf[BUF_SIZE] __attribute__((aligned(4096)));
static solo5_handle_t h;
static struct solo5_block_info info;

/* word: the pattern's 8 bytes at byte (pos) (a multiple of 8) for (seed). */
static uint64_t word(uint64_t seed, uint64_t pos)
{
    uint64_t z = seed * 0x9e3779b97f4a7c15ull + pos;

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void fill(uint64_t seed, uint64_t pos, size_t len)
{
    for (size_t i = 0; i < len; i += 8) {
        uint64_t w = word(seed, pos + i);
        t_memcpy(buf + i, &w, 8);
    }
}

static int matches(uint64_t seed, uint64_t pos, size_t len)
{
    for (size_t i = 0; i < len; i += 8) {
        uint64_t w = word(seed, pos + i);
        if (t_memcmp(buf + i, &w, 8) != 0)
            return 0;
    }
    return 1;
}

/* chunk: a request size of 1..16 blocks for request number (n), never past
 * the end of the device or the buffer. */
static size_t chunk(unsigned n, uint64_t pos, const unsigned *sizes, unsigned nsizes)
{
    uint64_t blocks = sizes[n % nsizes];
    uint64_t max = BUF_SIZE / info.block_size;
    uint64_t left = (info.capacity - pos) / info.block_size;

    if (blocks > max)
        blocks = max;
    if (blocks > left)
        blocks = left;
    return (size_t)(blocks * info.block_size);
}

static int write_all(uint64_t seed)
{
    static const unsigned sizes[] = { 1, 2, 3, 16, 7, 1, 5 };
    unsigned n = 0;

    for (uint64_t pos = 0; pos < info.capacity; n++) {
        size_t len = chunk(n, pos, sizes, 7);

        fill(seed, pos, len);
        if (solo5_block_write(h, pos, buf, len) != SOLO5_R_OK)
            return t_fail("write failed");
        pos += len;
    }
    return 0;
}

static int check_all(uint64_t seed)
{
    static const unsigned sizes[] = { 16, 1, 4, 9 };
    unsigned n = 0;

    for (uint64_t pos = 0; pos < info.capacity; n++) {
        size_t len = chunk(n, pos, sizes, 4);

        t_memset(buf, 0xa5, len);
        if (solo5_block_read(h, pos, buf, len) != SOLO5_R_OK)
            return t_fail("read failed");
        if (!matches(seed, pos, len)) {
            t_puts("mismatch in the request at offset ");
            t_put_dec(pos);
            t_puts("\n");
            return t_fail("data read back differs from data written");
        }
        pos += len;
    }
    return 0;
}

/* raw: one BLOCK_READ/WRITE hypercall without the library's checks. */
static int32_t raw(enum wisp_hypercall nr, uint64_t handle, uint64_t off, uint64_t data,
                   uint64_t len)
{
    volatile struct wisp_hc_block_io a = { .handle = handle, .offset = off, .data = data,
                                           .len = len, .ret = -1 };

    __asm__ __volatile__("movq %0, (%1)"
                         :
                         : "r"((uint64_t)(uintptr_t)&a),
                           "r"(WISP_DOORBELL_GPA + 8 * (uint64_t)nr)
                         : "memory");
    return a.ret;
}

static int32_t raw_flush(uint64_t handle)
{
    volatile struct wisp_hc_block_flush a = { .handle = handle, .ret = -1 };

    __asm__ __volatile__("movq %0, (%1)"
                         :
                         : "r"((uint64_t)(uintptr_t)&a),
                           "r"(WISP_DOORBELL_GPA + 8 * (uint64_t)WISP_HC_BLOCK_FLUSH)
                         : "memory");
    return a.ret;
}

struct bad { uint64_t handle, off, len; const char *what; };

static int check_einval(void)
{
    uint64_t bs = info.block_size, cap = info.capacity;
    const struct bad bad[] = {
        { h, 1, bs, "offset 1" },
        { h, bs / 2, bs, "offset half a block" },
        { h, 0, bs - 1, "length one byte short of a block" },
        { h, 0, bs + 1, "length one byte over a block" },
        { h, 0, bs + bs / 2, "length one and a half blocks" },
        { h, 0, 0, "length 0" },
        { h, cap, bs, "offset at the end" },
        { h, cap - bs, 2 * bs, "range past the end" },
        { h, cap + bs, bs, "offset past the end" },
        { h, 0, cap + bs, "length larger than the device" },
        { h, 0xffffffffffffffffull - bs + 1, 2 * bs, "offset + length overflows" },
        { 0, 0, bs, "handle 0 (reserved entry)" },
        { 2, 0, bs, "handle 2 (not declared)" },
        { 64, 0, bs, "handle 64" },
        { 0xffffffffffffffffull, 0, bs, "handle ~0" },
    };

    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const struct bad *b = &bad[i];
        int rw;

        for (rw = 0; rw < 2; rw++) {
            solo5_result_t r = rw ? solo5_block_write(b->handle, b->off, buf, b->len)
                                  : solo5_block_read(b->handle, b->off, buf, b->len);
            int32_t rr = raw(rw ? WISP_HC_BLOCK_WRITE : WISP_HC_BLOCK_READ, b->handle,
                             b->off, (uint64_t)(uintptr_t)buf, b->len);

            if (r != SOLO5_R_EINVAL || rr != WISP_R_EINVAL) {
                t_puts(rw ? "write, " : "read, ");
                t_puts(b->what);
                t_puts(": library ");
                t_put_dec((uint64_t)r);
                t_puts(", raw ");
                t_put_dec((uint64_t)(uint32_t)rr);
                t_puts("\n");
                return t_fail("a bad request did not return EINVAL");
            }
        }
    }
    if (wisp_block_flush(0) != SOLO5_R_EINVAL || raw_flush(0) != WISP_R_EINVAL ||
        raw_flush(5) != WISP_R_EINVAL)
        return t_fail("flush of a bad handle did not return EINVAL");
    return 0;
}

static uint64_t number(const char *s)
{
    uint64_t v = 0;

    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v;
}

/* arg: if cmdline starts with (mode), the rest after one space, else NULL. */
static const char *arg(const char *cmdline, const char *mode)
{
    size_t n = t_strlen(mode);

    for (size_t i = 0; i < n; i++)
        if (cmdline[i] != mode[i])
            return NULL;
    if (cmdline[n] == ' ')
        return cmdline + n + 1;
    return cmdline[n] == '\0' ? cmdline + n : NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *a;

    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK)
        return t_fail("cannot acquire storage");
    t_puts("capacity ");
    t_put_dec(info.capacity);
    t_puts(" block_size ");
    t_put_dec(info.block_size);
    t_puts("\n");

    if ((a = arg(si->cmdline, "verify"))) {
        uint64_t seed = number(a);

        if (write_all(seed) || check_all(seed) || write_all(seed + 1) || check_all(seed + 1))
            return SOLO5_EXIT_FAILURE;
        /* One request of the whole buffer (or device), then single blocks. */
        size_t len = info.capacity < BUF_SIZE ? (size_t)info.capacity : BUF_SIZE;
        if (solo5_block_read(h, 0, buf, len) != SOLO5_R_OK || !matches(seed + 1, 0, len))
            return t_fail("large read");
        if (check_einval())
            return SOLO5_EXIT_FAILURE;
        if (wisp_block_flush(h) != SOLO5_R_OK)
            return t_fail("flush did not return OK");
        t_puts("verified\n");
    } else if ((a = arg(si->cmdline, "write"))) {
        if (write_all(number(a)))
            return SOLO5_EXIT_FAILURE;
        if (wisp_block_flush(h) != SOLO5_R_OK)
            return t_fail("flush did not return OK");
    } else if ((a = arg(si->cmdline, "check"))) {
        if (check_all(number(a)))
            return SOLO5_EXIT_FAILURE;
    } else if ((a = arg(si->cmdline, "ro"))) {
        if (check_all(number(a)))
            return SOLO5_EXIT_FAILURE;
        if (solo5_block_write(h, 0, buf, info.block_size) != SOLO5_R_EINVAL ||
            raw(WISP_HC_BLOCK_WRITE, h, 0, (uint64_t)(uintptr_t)buf, info.block_size) !=
                WISP_R_EINVAL)
            return t_fail("a write to a read-only device did not return EINVAL");
        if (wisp_block_flush(h) != SOLO5_R_EINVAL)
            return t_fail("a flush of a read-only device did not return EINVAL");
        if (check_all(number(a)))
            return SOLO5_EXIT_FAILURE;
        t_puts("read-only ok\n");
    } else if ((a = arg(si->cmdline, "hold")) || (a = arg(si->cmdline, "warmhold"))) {
        solo5_time_t end;

        for (int pass = 0; si->cmdline[0] == 'w' && pass < 20; pass++)
            for (uint64_t off = 0; off < info.capacity; off += info.block_size)
                if (solo5_block_read(h, off, buf, info.block_size) != SOLO5_R_OK)
                    return t_fail("read failed");
        end = solo5_clock_monotonic() + number(a) * 1000000ull;

        t_puts("READY\n");
        while (solo5_clock_monotonic() < end)
            solo5_yield(end, NULL);
    } else if ((a = arg(si->cmdline, "shrink"))) {
        solo5_time_t end = solo5_clock_monotonic() + 20000000000ull;
        int busy = a[0] == 'b';
        solo5_result_t r;

        t_puts("READY\n");
        while ((r = solo5_block_read(h, info.capacity - info.block_size, buf,
                                     info.block_size)) == SOLO5_R_OK) {
            if (solo5_clock_monotonic() >= end)
                return t_fail("the image never shrank");
            if (!busy)
                solo5_yield(solo5_clock_monotonic() + 20000000ull, NULL);
        }
        if (r != SOLO5_R_EUNSPEC)
            return t_fail("a read past the shrunk image did not return EUNSPEC");
        t_puts("read past the end of the shrunk image: EUNSPEC\n");
        if (solo5_block_read(h, 0, buf, info.block_size) != SOLO5_R_OK)
            return t_fail("a read inside the shrunk image failed");
    } else if (arg(si->cmdline, "badbuf")) {
        solo5_block_read(h, 0, (uint8_t *)(uintptr_t)solo5_app_main, info.block_size);
        return t_fail("a read into text returned");
    } else if (arg(si->cmdline, "farbuf")) {
        solo5_block_read(h, 0, t_launder(0xf0000000u), info.block_size);
        return t_fail("a read outside guest RAM returned");
    } else {
        return t_fail("unknown mode");
    }
    return t_success();
}
