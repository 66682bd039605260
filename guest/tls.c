/*
 * tls.c: thread-local storage, x86_64 TLS variant II, with Solo5's
 * semantics.  A TLS block is laid out as
 *
 *   tls                                          tls + tp_offset
 *   | pad | .tdata copy | .tbss zeroes | align pad | self pointer (8 bytes) |
 *
 * The thread pointer (FS base) points at the self pointer.  The linker
 * addresses each thread-local variable at a negative offset from it: the
 * TLS segment's size rounded up to the segment's alignment (as ld computes
 * it for x86_64), minus the variable's offset in the segment.  The leading
 * pad (0..7 bytes, only when that alignment is below 8) keeps the self
 * pointer 8-byte aligned.  The segment's bounds and alignment come from
 * symbols that wisp.ld defines.
 */
#include "internal.h"

extern const char _wisp_tdata_start[], _wisp_tdata_end[];
extern const char _wisp_tbss_start[], _wisp_tbss_end[];
extern const char _wisp_tls_align[]; /* an absolute symbol: its address */

struct tls_layout {
    const char *start;  /* first byte of the TLS segment (the template) */
    uintptr_t tdata;    /* bytes of initialised data */
    uintptr_t image;    /* segment size rounded up to its alignment */
    uintptr_t pad;      /* leading pad that aligns the self pointer */
};

static struct tls_layout tls_layout(void)
{
    struct tls_layout l = { _wisp_tdata_start, 0, 0, 0 };
    uintptr_t tdata = (uintptr_t)_wisp_tdata_end - (uintptr_t)_wisp_tdata_start;
    uintptr_t tbss = (uintptr_t)_wisp_tbss_end - (uintptr_t)_wisp_tbss_start;
    uintptr_t align = (uintptr_t)_wisp_tls_align;
    uintptr_t size;

    if (align == 0)
        align = 1;
    if (tdata > 0 && tbss > 0)
        size = (uintptr_t)_wisp_tbss_end - (uintptr_t)_wisp_tdata_start;
    else if (tdata > 0)
        size = tdata;
    else {
        l.start = _wisp_tbss_start;
        size = tbss;
    }
    l.tdata = tdata;
    l.image = (size + align - 1) & ~(align - 1);
    l.pad = (8 - (l.image & 7)) & 7;
    return l;
}

size_t solo5_tls_size(void)
{
    struct tls_layout l = tls_layout();

    return l.pad + l.image + sizeof(uintptr_t);
}

uintptr_t solo5_tls_tp_offset(void)
{
    struct tls_layout l = tls_layout();

    return l.pad + l.image;
}

solo5_result_t solo5_tls_init(uintptr_t tls)
{
    struct tls_layout l = tls_layout();
    char *block = (char *)tls;
    uintptr_t tp = tls + l.pad + l.image;

    memset(block, 0, l.pad);
    memcpy(block + l.pad, l.start, l.tdata);
    memset(block + l.pad + l.tdata, 0, l.image - l.tdata);
    *(uintptr_t *)tp = tp;
    return SOLO5_R_OK;
}
