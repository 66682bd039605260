/*
 * console.c: solo5_console_write, line buffered in the console buffer the
 * tender provides (abi.h, WISP_CONSOLE_GPA).  Output is collected there up
 * to a newline, then written with one PUTS hypercall (one VM exit) per
 * line instead of one per call; a write that does not fit goes out at
 * once.  Nothing is lost: whatever is still buffered when the guest ends
 * (exit, abort, crash) is written by the tender before its own messages,
 * and solo5_yield flushes before it may block.
 */
#include "hypercall.h"
#include "internal.h"

static struct wisp_console_buf *const cbuf =
    (struct wisp_console_buf *)(uintptr_t)WISP_CONSOLE_GPA;

/* puts_direct: PUTS hypercalls for (size) bytes at (buf), in pieces of at
 * most WISP_PUTS_MAX. */
static void puts_direct(const char *buf, size_t size)
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

void wg_console_flush(void)
{
    uint32_t len = cbuf->len;

    if (len == 0)
        return;
    puts_direct(cbuf->data, len);
    cbuf->len = 0;
}

void solo5_console_write(const char *buf, size_t size)
{
    uint32_t len = cbuf->len;

    if (size > WISP_CONSOLE_DATA - len) {
        /* Does not fit: flush what is pending, then write this directly. */
        wg_console_flush();
        puts_direct(buf, size);
        return;
    }
    int newline = 0;

    for (size_t i = 0; i < size; i++) {
        cbuf->data[len + i] = buf[i];
        newline |= buf[i] == '\n';
    }
    cbuf->len = len + (uint32_t)size;
    if (newline)
        wg_console_flush();
}
