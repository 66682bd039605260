/*
 * tls_base.c: solo5_set_tls_base for isolated mode: the guest runs at CPL3,
 * so it sets the FS base itself with wrfsbase (the tender sets
 * CR4.FSGSBASE).  The TLS block layout is in tls.c, shared by both guest
 * library flavours.
 */
#include "internal.h"

solo5_result_t solo5_set_tls_base(uintptr_t base)
{
    if (!(wg_bi->host_features & WISP_FEATURE_FSGSBASE))
        return SOLO5_R_EUNSPEC;
    __asm__ __volatile__("wrfsbase %0" : : "r"((uint64_t)base) : "memory");
    return SOLO5_R_OK;
}
