/* ring_flush: durability of acknowledged writes.  Writes blocks 0..N-1
 * (N from the command line, default 256), block i filled with the byte
 * (i * 7 + 1) & 0xff, through the library (the shared ring when the tender
 * offers it), then wisp_block_flush, prints "FLUSHED N" and goes on
 * writing blocks N.. with the byte 0xee, never flushing, until it is
 * killed (or 60 s pass: then FAILURE).  The test SIGKILLs the tender after
 * FLUSHED and checks blocks 0..N-1 in the image. */
#include <wisp.h>

#include "t.h"

static uint8_t buf[512];

int solo5_app_main(const struct solo5_start_info *si)
{
    struct solo5_block_info info;
    solo5_handle_t h;
    uint64_t n = 0, i;

    for (const char *p = si->cmdline; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (uint64_t)(*p - '0');
    if (n == 0)
        n = 256;
    if (solo5_block_acquire("storage", &h, &info) != SOLO5_R_OK || info.block_size != 512 ||
        info.capacity < 2 * n * 512)
        return t_fail("need storage: 512-byte blocks, at least 2N of them");
    for (i = 0; i < n; i++) {
        t_memset(buf, (int)((i * 7 + 1) & 0xff), sizeof buf);
        if (solo5_block_write(h, i * 512, buf, sizeof buf) != SOLO5_R_OK)
            return t_fail("write failed");
    }
    if (wisp_block_flush(h) != SOLO5_R_OK)
        return t_fail("flush failed");
    t_puts("FLUSHED ");
    t_put_dec(n);
    t_puts("\n");
    t_memset(buf, 0xee, sizeof buf);
    solo5_time_t end = solo5_clock_monotonic() + 60000000000ull;
    for (i = n; solo5_clock_monotonic() < end; i = i + 1 < info.capacity / 512 ? i + 1 : n)
        if (solo5_block_write(h, i * 512, buf, sizeof buf) != SOLO5_R_OK)
            return t_fail("write after the flush failed");
    return t_fail("not killed within 60 s");
}
