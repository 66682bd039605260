/*
 * ustar_dev_solo5.c: ustar_dev_read on the guest's block API.  wisp moves
 * many blocks per call; Solo5's hvt tender only one, so the first EINVAL on
 * a multi-block read switches to one block per call for good.
 */
#include "ustar_dev.h"

#define CHUNK_MAX 65536 /* bytes per call: a multiple of every block size */

static int one_block_per_call;

int ustar_dev_read(solo5_handle_t h, uint64_t block_size, uint64_t off, void *buf, size_t len)
{
    uint8_t *out = buf;

    while (len > 0) {
        size_t n = one_block_per_call ? block_size : (len < CHUNK_MAX ? len : CHUNK_MAX);
        solo5_result_t r = solo5_block_read(h, off, out, n);

        if (r == SOLO5_R_EINVAL && n > block_size) {
            one_block_per_call = 1;
            continue;
        }
        if (r != SOLO5_R_OK)
            return -1;
        out += n;
        off += n;
        len -= n;
    }
    return 0;
}
