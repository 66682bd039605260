/* blk63: 63 block devices storage0..storage62 (the manifest maximum); acquires the first and the last, writes a different block to each, reads both back; expect SUCCESS, status 0. */
#include "t.h"

static uint8_t wbuf[512], rbuf[512];

static int roundtrip(const char *name, uint8_t tag)
{
    solo5_handle_t h;
    struct solo5_block_info info;

    if (solo5_block_acquire(name, &h, &info) != SOLO5_R_OK)
        return t_fail("cannot acquire a device");
    t_puts(name);
    t_puts(": handle ");
    t_put_dec(h);
    t_puts(", capacity ");
    t_put_dec(info.capacity);
    t_puts("\n");
    t_memset(wbuf, tag, sizeof wbuf);
    if (solo5_block_write(h, info.capacity - 512, wbuf, 512) != SOLO5_R_OK ||
        solo5_block_read(h, info.capacity - 512, rbuf, 512) != SOLO5_R_OK)
        return t_fail("I/O failed");
    if (t_memcmp(wbuf, rbuf, 512) != 0)
        return t_fail("data read back differs");
    return 0;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    if (roundtrip("storage0", 0x11) || roundtrip("storage62", 0x22) ||
        roundtrip("storage0", 0x11))
        return SOLO5_EXIT_FAILURE;
    return t_success();
}
