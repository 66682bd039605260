/*
 * fuzz_ustar: libFuzzer target for the example services' ustar reader
 * (examples/common/ustar.c) over a memory device.  Byte 0 of the input
 * picks the block size (512 << (b & 3)); the rest, zero-padded to a whole
 * number of blocks, is the device.  The names in the first headers' name
 * fields (and a few fixed ones) are looked up twice (building, then using,
 * the index) with the same outcome; a member found must lie inside the
 * device and read back in full, in pieces equal to the device bytes.  The
 * device read itself aborts on a read that is unaligned or outside it.
 * The web servers' file cache (examples/common/file_cache.c) must give the
 * same outcome and member as ustar_find, and bytes equal to the device's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "file_cache.h"
#include "ustar.h"
#include "ustar_dev.h"

static uint8_t *dev;
static size_t dev_size;

int ustar_dev_read(solo5_handle_t h, uint64_t block_size, uint64_t off, void *buf, size_t len)
{
    if (off % block_size || len % block_size || len == 0 || off > dev_size || len > dev_size - off)
        abort();
    memcpy(buf, dev + off, len);
    return 0;
}

static void check_lookup(const struct solo5_block_info *bi, const char *name)
{
    static uint8_t piece[1500];
    struct ustar_member m, m2, mc;
    const uint8_t *data;
    int r = ustar_find(7, bi, name, &m), r2 = ustar_find(7, bi, name, &m2);
    int rc = file_cache_get(7, bi, name, &mc, &data);
    uint64_t off = 0;

    if (r != r2 || (r != 0 && r != -1 && r != -2) || rc != r)
        abort();
    if (rc == 0 && (mc.offset != m.offset || mc.size != m.size ||
                    (data && memcmp(data, dev + m.offset, (size_t)m.size))))
        abort();
    if (file_cache_get(7, bi, name, &mc, &data) != r)
        abort();
    if (r != 0)
        return;
    if (strcmp(m.name, name) || strcmp(m2.name, name) || m.offset != m2.offset || m.size != m2.size)
        abort();
    if (m.offset > dev_size || m.size > dev_size - m.offset)
        abort();
    while (off < m.size) {
        long n = ustar_read(7, bi, &m, off, piece, sizeof piece);

        if (n <= 0 || (uint64_t)n > m.size - off || memcmp(piece, dev + m.offset + off, (size_t)n))
            abort();
        off += (uint64_t)n;
    }
    if (ustar_read(7, bi, &m, m.size, piece, sizeof piece) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *fixed[] = {"index.html", "a", "zone", "cert.pem"};
    struct solo5_block_info bi;
    uint64_t bs;

    if (size < 1)
        return 0;
    bs = 512u << (data[0] & 3);
    dev_size = (size - 1 + bs - 1) / bs * bs;
    if (dev_size == 0)
        dev_size = bs;
    dev = calloc(1, dev_size);
    if (!dev)
        return 0;
    memcpy(dev, data + 1, size - 1);
    bi.capacity = dev_size;
    bi.block_size = bs;
    ustar_forget();
    file_cache_forget();
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        check_lookup(&bi, fixed[i]);
    for (size_t pos = 0; pos + 512 <= dev_size && pos < 8 * 512; pos += 512) {
        char name[101];
        const char *n = name;

        memcpy(name, dev + pos, 100);
        name[100] = '\0';
        while (n[0] == '/' || (n[0] == '.' && n[1] == '/'))
            n += n[0] == '/' ? 1 : 2;
        check_lookup(&bi, n);
    }
    free(dev);
    dev = NULL;
    return 0;
}
