/*
 * net.c: network devices through the NET_WRITE/NET_READ hypercalls, one
 * frame per call (SOLO5_HVT_ABI.md 1.2).  The ring-I/O extension (section
 * 2) is not used: it is optional for guests, and the hypercalls work with
 * every tender.  Readiness comes from solo5_yield (POLL).
 */
#include "internal.h"

solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info)
{
    unsigned index;
    const struct mft_entry *e = hg_mft_by_name(name, MFT_DEV_NET_BASIC, &index);

    if (e == NULL)
        return SOLO5_R_EUNSPEC;
    /* Every declared device is attached before the guest starts. */
    HG_ASSERT(e->attached);
    *handle = index;
    memcpy(info->mac_address, e->u.net_basic.mac, SOLO5_NET_ALEN);
    info->mtu = e->u.net_basic.mtu;
    return SOLO5_R_OK;
}

solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf,
                               size_t size)
{
    if (hg_mft_by_handle(handle, MFT_DEV_NET_BASIC) == NULL)
        return SOLO5_R_EINVAL;
    struct hvt_hc_net_write w = {
        .handle = handle,
        .data = (uint64_t)(uintptr_t)buf,
        .len = size,
        .ret = 0,
    };
    hg_hypercall(HVT_HYPERCALL_NET_WRITE, &w);
    return (solo5_result_t)w.ret;
}

solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                              size_t *read_size)
{
    if (hg_mft_by_handle(handle, MFT_DEV_NET_BASIC) == NULL)
        return SOLO5_R_EINVAL;
    struct hvt_hc_net_read r = {
        .handle = handle,
        .data = (uint64_t)(uintptr_t)buf,
        .len = size,
        .ret = 0,
    };
    hg_hypercall(HVT_HYPERCALL_NET_READ, &r);
    if (r.ret == SOLO5_R_OK)
        *read_size = r.len;
    return (solo5_result_t)r.ret;
}
