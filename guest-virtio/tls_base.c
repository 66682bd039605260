/*
 * tls_base.c: solo5_set_tls_base: the unikernel runs at CPL0 and writes the
 * FS base MSR.  The TLS block layout is guest/tls.c, shared by every flavour.
 */
#include "internal.h"

solo5_result_t solo5_set_tls_base(uintptr_t base)
{
    vg_wrmsr(VG_MSR_FS_BASE, base);
    return SOLO5_R_OK;
}
