/*
 * block.c: block devices.  Acquire works from the manifest copy.  Block I/O
 * is not implemented yet (it is the devices issue's work): read and write
 * return SOLO5_R_EUNSPEC.
 */
#include "internal.h"

solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info)
{
    unsigned index;
    const struct mft_entry *e = wg_mft_lookup(name, MFT_DEV_BLOCK_BASIC, &index);

    if (e == NULL || !e->attached)
        return SOLO5_R_EUNSPEC;
    *handle = index;
    info->capacity = e->u.block_basic.capacity;
    info->block_size = e->u.block_basic.block_size;
    return SOLO5_R_OK;
}

/* Not implemented yet: see the top of the file. */
solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
                                 const uint8_t *buf, size_t size)
{
    return SOLO5_R_EUNSPEC;
}

/* Not implemented yet: see the top of the file. */
solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset,
                                uint8_t *buf, size_t size)
{
    return SOLO5_R_EUNSPEC;
}
