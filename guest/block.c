/*
 * block.c: block devices.  Acquire works from the manifest copy; read and
 * write issue one hypercall for any whole number of blocks (Solo5 allows
 * exactly one block per call; wisp allows multiples), flush is wisp's
 * extension (<wisp.h>).  Alignment is checked here too, so a bad request
 * costs no VM exit; the tender checks everything again.
 */
#include "hypercall.h"
#include "internal.h"
#include "ring.h"
#include "wisp.h"

solo5_result_t solo5_block_acquire(const char *name, solo5_handle_t *handle,
                                   struct solo5_block_info *info)
{
    unsigned index;
    const struct mft_entry *e = wg_mft_lookup(name, MFT_DEV_BLOCK_BASIC, &index);

    if (e == NULL || !e->attached)
        return SOLO5_R_EUNSPEC;
    *handle = index;
    wg_block_ring_setup(index); /* the shared ring, if the tender offers one */
    info->capacity = e->u.block_basic.capacity;
    info->block_size = e->u.block_basic.block_size;
    return SOLO5_R_OK;
}

/* block_entry: the attached BLOCK_BASIC entry (handle), or NULL. */
static const struct mft_entry *block_entry(solo5_handle_t handle)
{
    const struct mft *m = (const struct mft *)(uintptr_t)wg_bi->mft;
    const struct mft_entry *e;

    if (m == NULL || handle == 0 || handle >= m->entries || handle >= MFT_MAX_ENTRIES)
        return NULL;
    e = &m->e[handle];
    return (e->type == MFT_DEV_BLOCK_BASIC && e->attached) ? e : NULL;
}

/* block_io: one READ or WRITE hypercall after the guest-side checks. */
static solo5_result_t block_io(enum wisp_hypercall nr, solo5_handle_t handle,
                               solo5_off_t offset, const uint8_t *buf, size_t size)
{
    struct wisp_hc_block_io a = { 0 };
    const struct mft_entry *e;
    uint64_t end, bs;

    if ((e = block_entry(handle)) == NULL)
        return SOLO5_R_EINVAL;
    bs = e->u.block_basic.block_size;
    if (size == 0 || bs == 0 || offset % bs != 0 || size % bs != 0 ||
        __builtin_add_overflow(offset, (uint64_t)size, &end) ||
        end > e->u.block_basic.capacity)
        return SOLO5_R_EINVAL;
    if (wg_block_ring_active(handle))
        return wg_block_ring_request(handle, nr == WISP_HC_BLOCK_WRITE ? WISP_BLOCK_OP_WRITE
                                                                      : WISP_BLOCK_OP_READ,
                                     offset, buf, size);
    a.handle = handle;
    a.offset = offset;
    a.data = (wisp_gpa_t)(uintptr_t)buf;
    a.len = size;
    wg_hypercall(nr, &a);
    return (solo5_result_t)a.ret;
}

solo5_result_t solo5_block_write(solo5_handle_t handle, solo5_off_t offset,
                                 const uint8_t *buf, size_t size)
{
    return block_io(WISP_HC_BLOCK_WRITE, handle, offset, buf, size);
}

solo5_result_t solo5_block_read(solo5_handle_t handle, solo5_off_t offset,
                                uint8_t *buf, size_t size)
{
    return block_io(WISP_HC_BLOCK_READ, handle, offset, buf, size);
}

solo5_result_t wisp_block_flush(solo5_handle_t handle)
{
    struct wisp_hc_block_flush a = { 0 };

    if (block_entry(handle) == NULL)
        return SOLO5_R_EINVAL;
    if (wg_block_ring_active(handle))
        return wg_block_ring_request(handle, WISP_BLOCK_OP_FLUSH, 0, NULL, 0);
    a.handle = handle;
    wg_hypercall(WISP_HC_BLOCK_FLUSH, &a);
    return (solo5_result_t)a.ret;
}
