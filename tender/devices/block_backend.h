/*
 * The block-device backend: one image file or host block device, opened,
 * locked and sized, with range-checked whole-block reads and writes and a
 * flush.  Knows nothing of the VM (no struct vm, no guest addresses), so
 * tests/unit/test_block.c drives it on temporary files.  The block module
 * (block.c) turns hypercalls into calls of these functions.
 */
#ifndef WISP_BLOCK_BACKEND_H
#define WISP_BLOCK_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#define BLK_SIZE_DEFAULT 512u
#define BLK_SIZE_MIN     512u
#define BLK_SIZE_MAX     32768u /* the manifest's block_size is a u16 */
#define BLK_ERR_MAX      512
/* Images up to this size are read through a mapping (blk_io). */
#define BLK_MAP_MAX      (1ull << 40)

struct blk {
    int fd;              /* -1 when closed */
    const uint8_t *map;  /* the image mapped read-only (blk_io reads), or NULL */
    int ro;              /* opened read-only: writes and flushes refused */
    uint64_t size;       /* bytes of the image (capacity once checked) */
    uint32_t block_size; /* bytes; 0 until blk_set_block_size succeeds */
};

/*
 * blk_parse_block_size: parse the decimal (s) (digits only) as a block
 * size: a power of two from BLK_SIZE_MIN to BLK_SIZE_MAX.  Returns 0 and
 * *out, or -1 for anything else (empty, sign, junk, out of range, odd).
 */
int blk_parse_block_size(const char *s, uint32_t *out);

/*
 * blk_open: open (path) read-write, or read-only if (ro), close-on-exec;
 * maps it read-only (b->map) if it is at most BLK_MAP_MAX bytes and the
 * mapping works (guarded_copy_init first: the SIGBUS handler), else NULL;
 * it MUST be a regular file or a block device.  Takes a non-blocking
 * flock: exclusive for read-write, shared for read-only, so no two tenders
 * write one image and nobody writes an image a read-only tender uses.
 * Records the size.  Returns 0, or -1 with b->fd == -1 and a message in
 * err[BLK_ERR_MAX] that names (path) ("cannot open PATH: ...", "PATH is
 * locked by another process ...").
 */
int blk_open(struct blk *b, const char *path, int ro, char *err);

/*
 * blk_set_block_size: make (block_size) (already validated) the block size;
 * the image size MUST be a whole, non-zero number of blocks.  Returns 0, or
 * -1 with a message in err[BLK_ERR_MAX] ("image size N is not a multiple
 * of the B-byte block size", "image size N is smaller than one B-byte
 * block").
 */
int blk_set_block_size(struct blk *b, uint32_t block_size, char *err);

/*
 * blk_check: whether a request of (len) bytes at (offset) is valid:
 * offset and len multiples of the block size, len > 0, offset + len within
 * the capacity (overflow-safe), and no write to a read-only device.
 * Returns WISP_R_OK or WISP_R_EINVAL.
 */
int blk_check(const struct blk *b, int write, uint64_t offset, uint64_t len);

/*
 * blk_io: blk_check, then move (len) bytes between (buf) and the image at
 * (offset): a read copies from b->map (guarded_copy) when the image is
 * mapped, else preads; a write pwrites; pread/pwrite until complete,
 * retrying EINTR.  Returns WISP_R_OK, WISP_R_EINVAL (blk_check failed,
 * nothing moved) or WISP_R_EUNSPEC (host I/O error, or the image shrank
 * under the device: through the mapping, a read of a page past the new
 * end; the bytes past the end in the end's own page read as zeros; part
 * may have moved).
 */
int blk_io(struct blk *b, int write, uint64_t offset, void *buf, uint64_t len);

/*
 * blk_flush: make every completed write durable (fdatasync).  Returns
 * WISP_R_OK, WISP_R_EINVAL on a read-only device, WISP_R_EUNSPEC if the
 * host reports an error.
 */
int blk_flush(struct blk *b);

/* blk_close: close the image (releasing the lock); safe on a closed blk. */
void blk_close(struct blk *b);

#endif /* WISP_BLOCK_BACKEND_H */
