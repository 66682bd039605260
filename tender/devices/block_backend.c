/*
 * The block-device backend on a host file or block device (see
 * block_backend.h).  Reads copy from a read-only shared mapping of the
 * image (guarded_copy: no syscall per read), or pread where it cannot be
 * mapped; writes pwrite.  Both go through the one page cache, so a read
 * sees every earlier write.  Durability only through blk_flush.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/block_backend.h"
#include "devices/guarded_copy.h"
#include "wisp/abi.h"

int blk_parse_block_size(const char *s, uint32_t *out)
{
    uint64_t v = 0;

    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > BLK_SIZE_MAX)
            return -1;
    }
    if (v < BLK_SIZE_MIN || (v & (v - 1)) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* map_image: b->map, a read-only shared mapping of the whole image, or
 * NULL (reads then pread): an empty or huge image, no SIGBUS handler, or
 * mmap refused (address-space limit, a device without mmap). */
static void map_image(struct blk *b)
{
    void *m;

    b->map = NULL;
    if (b->size == 0 || b->size > BLK_MAP_MAX || guarded_copy_init())
        return;
    m = mmap(NULL, (size_t)b->size, PROT_READ, MAP_SHARED, b->fd, 0);
    if (m != MAP_FAILED)
        b->map = m;
}

int blk_open(struct blk *b, const char *path, int ro, char *err)
{
    struct stat st;
    off_t end;

    b->fd = -1;
    b->map = NULL;
    b->ro = ro;
    b->size = 0;
    b->block_size = 0;
    /* Never block or wake a device: the type is looked at before the
     * open (a FIFO would block open() until a writer comes) and again on
     * the fd, opened O_NONBLOCK until it is known to be an image. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        snprintf(err, BLK_ERR_MAX, "%s is not a regular file or a block device", path);
        return -1;
    }
    b->fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (b->fd < 0) {
        snprintf(err, BLK_ERR_MAX, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(b->fd, &st) < 0) {
        snprintf(err, BLK_ERR_MAX, "cannot stat %s: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        snprintf(err, BLK_ERR_MAX, "%s is not a regular file or a block device", path);
        goto fail;
    }
    if (fcntl(b->fd, F_SETFL, fcntl(b->fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        snprintf(err, BLK_ERR_MAX, "cannot use %s: %s", path, strerror(errno));
        goto fail;
    }
    if (flock(b->fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK)
            snprintf(err, BLK_ERR_MAX, "%s is locked by another process (another wisp "
                     "using this image?)", path);
        else
            snprintf(err, BLK_ERR_MAX, "cannot lock %s: %s", path, strerror(errno));
        goto fail;
    }
    /* lseek gives the size of block devices too (st_size is 0 for them). */
    end = lseek(b->fd, 0, SEEK_END);
    if (end < 0) {
        snprintf(err, BLK_ERR_MAX, "cannot find the size of %s: %s", path, strerror(errno));
        goto fail;
    }
    b->size = (uint64_t)end;
    map_image(b);
    return 0;
fail:
    close(b->fd);
    b->fd = -1;
    return -1;
}

int blk_set_block_size(struct blk *b, uint32_t block_size, char *err)
{
    if (b->size % block_size != 0) {
        snprintf(err, BLK_ERR_MAX, "image size %llu is not a multiple of the %u-byte "
                 "block size", (unsigned long long)b->size, block_size);
        return -1;
    }
    if (b->size == 0) {
        snprintf(err, BLK_ERR_MAX, "image size 0 is smaller than one %u-byte block",
                 block_size);
        return -1;
    }
    b->block_size = block_size;
    return 0;
}

int blk_check(const struct blk *b, int write, uint64_t offset, uint64_t len)
{
    uint64_t end;

    if (b->fd < 0 || b->block_size == 0)
        return WISP_R_EINVAL;
    if (write && b->ro)
        return WISP_R_EINVAL;
    if (len == 0 || offset % b->block_size != 0 || len % b->block_size != 0)
        return WISP_R_EINVAL;
    if (__builtin_add_overflow(offset, len, &end) || end > b->size)
        return WISP_R_EINVAL;
    return WISP_R_OK;
}

int blk_io(struct blk *b, int write, uint64_t offset, void *buf, uint64_t len)
{
    uint8_t *p = buf;
    int r = blk_check(b, write, offset, len);

    if (r != WISP_R_OK)
        return r;
    if (!write && b->map)
        return guarded_copy(p, b->map + offset, (size_t)len) ? WISP_R_EUNSPEC : WISP_R_OK;
    while (len > 0) {
        /* One syscall moves at most 0x7ffff000 bytes on Linux anyway. */
        size_t chunk = len > 0x40000000u ? 0x40000000u : (size_t)len;
        ssize_t n = write ? pwrite(b->fd, p, chunk, (off_t)offset)
                          : pread(b->fd, p, chunk, (off_t)offset);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return WISP_R_EUNSPEC; /* I/O error, or the image shrank */
        p += n;
        offset += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return WISP_R_OK;
}

int blk_flush(struct blk *b)
{
    if (b->fd < 0 || b->ro)
        return WISP_R_EINVAL;
    while (fdatasync(b->fd) < 0) {
        if (errno != EINTR)
            return WISP_R_EUNSPEC;
    }
    return WISP_R_OK;
}

void blk_close(struct blk *b)
{
    if (b->map)
        munmap((void *)(uintptr_t)b->map, (size_t)b->size);
    b->map = NULL;
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
}
