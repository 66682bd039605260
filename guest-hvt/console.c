/*
 * console.c: solo5_console_write as one PUTS hypercall (one VM exit) per
 * call, as Solo5, and the library's own log lines, each built in a small
 * buffer and sent with one PUTS.
 */
#include "internal.h"

void solo5_console_write(const char *buf, size_t size)
{
    struct hvt_hc_puts p = {
        .data = (uint64_t)(uintptr_t)buf,
        .len = size,
    };

    hg_hypercall(HVT_HYPERCALL_PUTS, &p);
}

void hg_line_str(struct hg_line *l, const char *s)
{
    while (*s != '\0' && l->len < sizeof l->buf)
        l->buf[l->len++] = *s++;
}

void hg_line_hex(struct hg_line *l, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[16];
    int n = 0;

    do {
        tmp[n++] = digits[v & 0xf];
        v >>= 4;
    } while (v != 0);
    hg_line_str(l, "0x");
    while (n > 0 && l->len < sizeof l->buf)
        l->buf[l->len++] = tmp[--n];
}

void hg_line_dec(struct hg_line *l, int64_t v)
{
    char tmp[20];
    int n = 0;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        hg_line_str(l, "-");
    while (n > 0 && l->len < sizeof l->buf)
        l->buf[l->len++] = tmp[--n];
}

void hg_line_end(struct hg_line *l, int level)
{
    /* A truncated line still ends the line. */
    if (l->len == sizeof l->buf)
        l->buf[l->len - 1] = '\n';
    if (level <= hg_log_level)
        solo5_console_write(l->buf, l->len);
}

void hg_log(int level, const char *s)
{
    if (level <= hg_log_level)
        solo5_console_write(s, wg_strnlen(s, 4096));
}
