/*
 * console.c: solo5_console_write as PUTS hypercalls: one per call (one VM
 * exit) for up to WISP_PUTS_MAX bytes, further ones for longer writes.  The
 * tender writes every byte, so nothing is lost or reordered.
 */
#include "hypercall.h"
#include "internal.h"

void solo5_console_write(const char *buf, size_t size)
{
    while (size > 0) {
        size_t n = size < WISP_PUTS_MAX ? size : WISP_PUTS_MAX;
        struct wisp_hc_puts p = {
            .data = (wisp_gpa_t)(uintptr_t)buf,
            .len = n,
        };
        wg_hypercall(WISP_HC_PUTS, &p);
        buf += n;
        size -= n;
    }
}
