/*
 * block.c: BLOCK_BASIC devices of the process target, on an image file or
 * block device with pread(2)/pwrite(2).  As under wisp: an exclusive lock
 * for read-write attachments (a second user is refused), a shared one for
 * read-only, the image a whole number of blocks, any whole number of
 * blocks per call, host I/O errors returned as SOLO5_R_EUNSPEC.
 */
#include "internal.h"
#include "sys.h"

#define BLKGETSIZE64 0x80081272ul

void wp_block_attach(solo5_handle_t h, struct wp_device *d)
{
    struct wp_stat st;
    long fd, r;
    uint64_t size;

    (void)h;
    if (d->block_size == 0)
        d->block_size = 512;
    fd = sys3(SYS_open, d->target, (d->read_only ? WP_O_RDONLY : WP_O_RDWR) | WP_O_CLOEXEC, 0);
    if (fd < 0)
        wp_fail("%s: cannot open '%s': %s", d->attach_arg, d->target, wp_strerror(-fd));
    r = sys2(SYS_fstat, fd, &st);
    if (r < 0)
        wp_fail("%s: cannot stat '%s': %s", d->attach_arg, d->target, wp_strerror(-r));
    if ((st.st_mode & WP_S_IFMT) == WP_S_IFREG) {
        size = (uint64_t)st.st_size;
    } else if ((st.st_mode & WP_S_IFMT) == WP_S_IFBLK) {
        if (sys3(SYS_ioctl, fd, BLKGETSIZE64, &size) < 0)
            wp_fail("%s: cannot read the size of '%s'", d->attach_arg, d->target);
    } else {
        wp_fail("%s: '%s' is not a regular file or block device", d->attach_arg, d->target);
    }
    r = sys2(SYS_flock, fd, (d->read_only ? WP_LOCK_SH : WP_LOCK_EX) | WP_LOCK_NB);
    if (r == -WP_EWOULDBLOCK)
        wp_fail("%s: '%s' is in use by another process", d->attach_arg, d->target);
    if (r < 0)
        wp_fail("%s: cannot lock '%s': %s", d->attach_arg, d->target, wp_strerror(-r));
    if (size == 0 || size % d->block_size)
        wp_fail("%s: the size of '%s' (%llu bytes) is not a non-zero multiple of the block "
                "size %u", d->attach_arg, d->target, (unsigned long long)size, d->block_size);
    d->fd = (int)fd;
    d->capacity = size;
}

solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info)
{
    solo5_handle_t h = wp_device_lookup(name, MFT_DEV_BLOCK_BASIC);
    struct wp_device *d = wp_device_get(h, MFT_DEV_BLOCK_BASIC);

    if (d == NULL || handle == NULL || info == NULL)
        return SOLO5_R_EUNSPEC;
    info->capacity = d->capacity;
    info->block_size = d->block_size;
    *handle = h;
    return SOLO5_R_OK;
}

/* block_io: check the request as wisp's block module does, then move it. */
static solo5_result_t block_io(solo5_handle_t handle, solo5_off_t offset, void *buf,
                               size_t size, int write)
{
    struct wp_device *d = wp_device_get(handle, MFT_DEV_BLOCK_BASIC);
    size_t done = 0;

    if (d == NULL || buf == NULL || size == 0 || size % d->block_size ||
        offset % d->block_size || offset > d->capacity || size > d->capacity - offset ||
        (write && d->read_only))
        return SOLO5_R_EINVAL;
    while (done < size) {
        long r = write ? sys4(SYS_pwrite64, d->fd, (char *)buf + done, size - done, offset + done)
                       : sys4(SYS_pread64, d->fd, (char *)buf + done, size - done, offset + done);
        if (r == -WP_EINTR)
            continue;
        if (r <= 0)
            return SOLO5_R_EUNSPEC;
        done += (size_t)r;
    }
    return SOLO5_R_OK;
}

solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
                                 const uint8_t *buf, size_t size)
{
    return block_io(handle, offset, (void *)(uintptr_t)buf, size, 1);
}

solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset, uint8_t *buf,
                                size_t size)
{
    return block_io(handle, offset, buf, size, 0);
}

solo5_result_t wisp_block_flush(solo5_handle_t handle)
{
    struct wp_device *d = wp_device_get(handle, MFT_DEV_BLOCK_BASIC);

    if (d == NULL || d->read_only)
        return SOLO5_R_EINVAL;
    return sys1(SYS_fdatasync, d->fd) == 0 ? SOLO5_R_OK : SOLO5_R_EUNSPEC;
}
