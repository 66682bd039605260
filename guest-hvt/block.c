/*
 * block.c: block devices as Solo5 hvt guests see them: one block per call
 * (size MUST equal block_size, offset MUST be a multiple of it, else
 * EINVAL, checked here as Solo5's bindings do); the tender checks the range
 * and answers with one BLOCK_READ/BLOCK_WRITE hypercall.
 */
#include "internal.h"

solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info)
{
    unsigned index;
    const struct mft_entry *e = hg_mft_by_name(name, MFT_DEV_BLOCK_BASIC, &index);

    if (e == NULL)
        return SOLO5_R_EUNSPEC;
    /* Every declared device is attached before the guest starts. */
    HG_ASSERT(e->attached);
    *handle = index;
    info->capacity = e->u.block_basic.capacity;
    info->block_size = e->u.block_basic.block_size;
    return SOLO5_R_OK;
}

/* check: (handle) is a block device and (offset, size) one whole block. */
static int check(solo5_handle_t handle, solo5_off_t offset, size_t size)
{
    const struct mft_entry *e = hg_mft_by_handle(handle, MFT_DEV_BLOCK_BASIC);
    uint64_t bs;

    if (e == NULL)
        return 0;
    bs = e->u.block_basic.block_size;
    return bs != 0 && offset % bs == 0 && size == bs;
}

solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
                                 const uint8_t *buf, size_t size)
{
    if (!check(handle, offset, size))
        return SOLO5_R_EINVAL;
    struct hvt_hc_block_write w = {
        .handle = handle,
        .offset = offset,
        .data = (uint64_t)(uintptr_t)buf,
        .len = size,
        .ret = 0,
    };
    hg_hypercall(HVT_HYPERCALL_BLOCK_WRITE, &w);
    return (solo5_result_t)w.ret;
}

solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset,
                                uint8_t *buf, size_t size)
{
    if (!check(handle, offset, size))
        return SOLO5_R_EINVAL;
    struct hvt_hc_block_read r = {
        .handle = handle,
        .offset = offset,
        .data = (uint64_t)(uintptr_t)buf,
        .len = size,
        .ret = 0,
    };
    hg_hypercall(HVT_HYPERCALL_BLOCK_READ, &r);
    return (solo5_result_t)r.ret;
}
