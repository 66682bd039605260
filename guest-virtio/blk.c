/*
 * blk.c: block devices on virtio-blk.  A request is any whole number of
 * blocks at a block-aligned offset inside the device (as in wisp's
 * isolated mode; size 0, a partial block, or a range past the end is
 * EINVAL), split into device requests of at most CHUNK bytes (and the
 * device's size_max when it sets one), each one header, one data and one
 * status descriptor, synchronous: post, then poll the used ring.  The
 * buffer must lie in RAM (the device writes it by physical address, so a
 * pointer elsewhere, or a read into the image's text or rodata, is
 * refused with EINVAL, never handed to the device).
 *   block size: the device's blk_size (VIRTIO_BLK_F_BLK_SIZE) or 512;
 *   read-only (VIRTIO_BLK_F_RO): writes and flushes are EINVAL;
 *   wisp_block_flush: a FLUSH request when VIRTIO_BLK_F_FLUSH was
 *     negotiated; without it the device writes through and flush is OK.
 * A status other than OK from the device is EUNSPEC.
 */
#include "wisp.h"
#include "virtio_transport.h"

#define F_SIZE_MAX (1ull << 1)
#define F_RO (1ull << 5)
#define F_BLK_SIZE (1ull << 6)
#define F_FLUSH (1ull << 9)
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define CHUNK (1024 * 1024ull)

struct req_hdr {
    uint32_t type, reserved;
    uint64_t sector;
};

struct blk {
    struct vg_vdev *d;
    struct vg_virtq q;
    uint64_t capacity, block_size, chunk;
    int ro, flush;
    struct req_hdr *hdr;
    volatile uint8_t *status;
};

static struct blk blks[MFT_MAX_ENTRIES];

void vg_blk_init(solo5_handle_t h, struct vg_vdev *d)
{
    struct blk *b = &blks[h];
    uint64_t f = vg_vt_negotiate(d, F_SIZE_MAX | F_RO | F_BLK_SIZE | F_FLUSH, 0);

    b->d = d;
    b->capacity = vg_vt_cfg64(d, 0) * 512;
    b->block_size = 512;
    if (f & F_BLK_SIZE) {
        uint32_t bs = vg_vt_cfg32(d, 20);
        if (bs >= 512 && bs <= 65536 && (bs & (bs - 1)) == 0)
            b->block_size = bs;
    }
    b->capacity -= b->capacity % b->block_size;
    b->chunk = CHUNK;
    if (f & F_SIZE_MAX) {
        uint64_t max = vg_vt_cfg32(d, 8);
        if (max < b->chunk)
            b->chunk = max;
    }
    b->chunk -= b->chunk % b->block_size;
    if (b->chunk == 0)
        b->chunk = b->block_size;
    b->ro = (f & F_RO) != 0;
    b->flush = (f & F_FLUSH) != 0;
    vg_virtq_init(d, &b->q, 0, 3);
    uint8_t *page = vg_alloc_pages(1);
    b->hdr = (struct req_hdr *)page;
    b->status = page + 64;
    /* The fixed chain 0 -> 1 -> 2: header, data, status. */
    b->q.desc[0] = (struct virtq_desc){ (uint64_t)(uintptr_t)b->hdr, sizeof *b->hdr,
                                        VIRTQ_DESC_F_NEXT, 1 };
    b->q.desc[1] = (struct virtq_desc){ 0, 0, VIRTQ_DESC_F_NEXT, 2 };
    b->q.desc[2] = (struct virtq_desc){ (uint64_t)(uintptr_t)b->status, 1, VIRTQ_DESC_F_WRITE, 0 };
    vg_vt_ready(d);
}

/* request: one device request; SOLO5_R_OK or SOLO5_R_EUNSPEC. */
static solo5_result_t request(struct blk *b, uint32_t type, uint64_t off, uint8_t *buf,
                              uint64_t len)
{
    uint16_t head;
    uint32_t got;

    b->hdr->type = type;
    b->hdr->reserved = 0;
    b->hdr->sector = off / 512;
    *b->status = 0xff;
    if (len != 0) {
        b->q.desc[0].next = 1;
        b->q.desc[1].addr = (uint64_t)(uintptr_t)buf;
        b->q.desc[1].len = (uint32_t)len;
        b->q.desc[1].flags = VIRTQ_DESC_F_NEXT | (type == T_IN ? VIRTQ_DESC_F_WRITE : 0);
    } else {
        b->q.desc[0].next = 2; /* flush: no data */
    }
    vg_virtq_post(b->d, &b->q, 0);
    while (!vg_virtq_pop(&b->q, &head, &got))
        __asm__ __volatile__("pause" ::: "memory");
    return *b->status == 0 ? SOLO5_R_OK : SOLO5_R_EUNSPEC;
}

/* check: (handle) is a bound block device and the request is valid. */
static struct blk *check(solo5_handle_t h, solo5_off_t off, const uint8_t *buf, size_t size)
{
    if (vg_mft_by_handle(h, MFT_DEV_BLOCK_BASIC) == NULL)
        return NULL;
    struct blk *b = &blks[h];
    uint64_t a = (uint64_t)(uintptr_t)buf;

    if (size == 0 || size % b->block_size != 0 || off % b->block_size != 0 ||
        off >= b->capacity || size > b->capacity - off)
        return NULL;
    if (a < 0x100000 || a >= vg_boot.mem_end || size > vg_boot.mem_end - a)
        return NULL;
    return b;
}

static solo5_result_t io(solo5_handle_t h, uint32_t type, solo5_off_t off, uint8_t *buf,
                         size_t size)
{
    struct blk *b = check(h, off, buf, size);

    if (b == NULL || (type == T_OUT && b->ro))
        return SOLO5_R_EINVAL;
    /* The device would write over the code or read-only data. */
    if (type == T_IN && (uintptr_t)buf < (uintptr_t)_erodata &&
        (uintptr_t)buf + size > (uintptr_t)_stext)
        return SOLO5_R_EINVAL;
    while (size > 0) {
        uint64_t n = size < b->chunk ? size : b->chunk;

        if (request(b, type, off, buf, n) != SOLO5_R_OK)
            return SOLO5_R_EUNSPEC;
        off += n;
        buf += n;
        size -= n;
    }
    return SOLO5_R_OK;
}

solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info)
{
    unsigned i;

    if (vg_mft_by_name(name, MFT_DEV_BLOCK_BASIC, &i) == NULL)
        return SOLO5_R_EUNSPEC;
    *handle = i;
    info->capacity = blks[i].capacity;
    info->block_size = blks[i].block_size;
    return SOLO5_R_OK;
}

solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
                                 const uint8_t *buf, size_t size)
{
    return io(handle, T_OUT, offset, (uint8_t *)(uintptr_t)buf, size);
}

solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset, uint8_t *buf,
                                size_t size)
{
    return io(handle, T_IN, offset, buf, size);
}

solo5_result_t wisp_block_flush(solo5_handle_t handle)
{
    if (vg_mft_by_handle(handle, MFT_DEV_BLOCK_BASIC) == NULL || blks[handle].ro)
        return SOLO5_R_EINVAL;
    if (!blks[handle].flush)
        return SOLO5_R_OK;
    return request(&blks[handle], T_FLUSH, 0, NULL, 0);
}
