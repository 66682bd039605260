/*
 * tls_base.c: solo5_set_tls_base for the Solo5 compatibility flavour: the
 * guest runs at CPL0 and writes the FS base MSR, as Solo5's bindings do.
 * The TLS block layout is guest/tls.c, shared by both flavours.
 */
#include "internal.h"

solo5_result_t solo5_set_tls_base(uintptr_t base)
{
    hg_wrmsr(HG_MSR_FS_BASE, base);
    return SOLO5_R_OK;
}
