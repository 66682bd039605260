/*
 * solo5_blk: what Solo5's test_blk checks, on solo5.h alone: acquire
 * "storage" (status 99 if that fails, as test_blk), write and verify
 * every 10th block and the last block, then requests that must fail with
 * SOLO5_R_EINVAL: beyond the end, a short and a long buffer, a misaligned
 * offset.  SUCCESS and status 0, or FAILURE and status 1.
 */
#include "t.h"

#define MAX_BLOCK 32768

static uint8_t wbuf[MAX_BLOCK * 2], rbuf[MAX_BLOCK * 2];

static void fill(uint8_t *p, size_t n, uint64_t block)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)('0' + (block + i) % 64);
}

/* roundtrip: write block `b`'s pattern, read it back, compare. */
static int roundtrip(solo5_handle_t h, size_t bs, uint64_t b)
{
    fill(wbuf, bs, b);
    t_memset(rbuf, 0, bs);
    if (solo5_block_write(h, b * bs, wbuf, bs) != SOLO5_R_OK ||
        solo5_block_read(h, b * bs, rbuf, bs) != SOLO5_R_OK)
        return -1;
    return t_memcmp(wbuf, rbuf, bs) ? -1 : 0;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    struct solo5_block_info info;
    solo5_handle_t h;
    uint64_t blocks;
    size_t bs;

    (void)si;
    t_puts("\n**** Solo5 standalone test_blk ****\n\n");
    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK) {
        t_puts("Could not acquire 'storage' block device\n");
        return 99;
    }
    bs = info.block_size;
    if (bs == 0 || bs > MAX_BLOCK || info.capacity % bs)
        return t_fail("odd block info");
    blocks = info.capacity / bs;
    for (uint64_t b = 0; b < blocks; b += 10)
        if (roundtrip(h, bs, b))
            return t_fail("write/read/compare of a block failed");
    if (roundtrip(h, bs, blocks - 1))
        return t_fail("write/read/compare of the last block failed");
    if (solo5_block_write(h, blocks * bs, wbuf, bs) != SOLO5_R_EINVAL ||
        solo5_block_read(h, blocks * bs, rbuf, bs) != SOLO5_R_EINVAL)
        return t_fail("a request beyond the end did not fail");
    if (solo5_block_write(h, 0, wbuf, bs - 1) != SOLO5_R_EINVAL ||
        solo5_block_read(h, 0, rbuf, bs - 1) != SOLO5_R_EINVAL)
        return t_fail("a short request did not fail");
    if (solo5_block_write(h, 0, wbuf, bs + 1) != SOLO5_R_EINVAL ||
        solo5_block_read(h, 0, rbuf, bs + 1) != SOLO5_R_EINVAL)
        return t_fail("a long request did not fail");
    if (solo5_block_write(h, 1, wbuf, bs) != SOLO5_R_EINVAL ||
        solo5_block_read(h, 1, rbuf, bs) != SOLO5_R_EINVAL)
        return t_fail("a misaligned request did not fail");
    return t_success();
}
