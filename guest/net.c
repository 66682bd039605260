/*
 * net.c: network devices.  Acquire works from the manifest copy.  Frame I/O
 * is not implemented yet (it is the devices issue's work): read and write
 * return SOLO5_R_EUNSPEC, and solo5_yield never reports a net device ready.
 */
#include "internal.h"

solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info)
{
    unsigned index;
    const struct mft_entry *e = wg_mft_lookup(name, MFT_DEV_NET_BASIC, &index);

    /* Solo5 asserts attached; every declared device must be attached before
     * the guest starts, so a detached one here means a broken tender. */
    if (e == NULL || !e->attached)
        return SOLO5_R_EUNSPEC;
    *handle = index;
    memcpy(info->mac_address, e->u.net_basic.mac, SOLO5_NET_ALEN);
    info->mtu = e->u.net_basic.mtu;
    return SOLO5_R_OK;
}

/* Not implemented yet: see the top of the file. */
solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf,
                               size_t size)
{
    return SOLO5_R_EUNSPEC;
}

/* Not implemented yet: see the top of the file. */
solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                              size_t *read_size)
{
    return SOLO5_R_EUNSPEC;
}
