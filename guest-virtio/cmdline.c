/*
 * cmdline.c: the application's command line out of what the loader gave.
 *   - multiboot from QEMU's loader (boot loader name "qemu"): it puts the
 *     kernel's file name first; that first word is dropped (GRUB does not
 *     put it there).
 *   - virtio_mmio.device=SIZE@ADDR:IRQ[:ID] words, anywhere: the Linux
 *     convention by which QEMU's microvm and Firecracker name their
 *     virtio-mmio devices; each is recorded for mmio.c and dropped.
 *   - --wisp:verbose as the first of the application's words: the library
 *     reports how it booted (vg_verbose); dropped.
 * Leading and trailing blanks are dropped; the rest is the application's,
 * with single blanks between words where words were dropped.
 */
#include "internal.h"

#define MMIO_TOKEN "virtio_mmio.device="
#define VERBOSE "--wisp:verbose"

int vg_verbose;

void vg_report(struct vg_line *l)
{
    if (vg_verbose) {
        struct vg_line out = { .len = 0 };

        vg_line_str(&out, "wisp: virtio: ");
        l->buf[l->len] = '\0';
        vg_line_str(&out, l->buf);
        vg_line_end(&out);
    }
    l->len = 0;
}
#define MMIO_TOKEN_LEN (sizeof MMIO_TOKEN - 1)

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* number: parse decimal or 0x-hex at *p; advance it.  -1: no digits. */
static int number(const char **p, const char *end, uint64_t *v)
{
    const char *s = *p;
    unsigned base = 10;
    int digits = 0;

    *v = 0;
    if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (; s < end; s++, digits++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            break;
        *v = *v * base + d;
    }
    *p = s;
    return digits ? 0 : -1;
}

/* mmio_token: parse "SIZE[KkMm]@ADDR[:IRQ[:ID]]" in [s, end); 0 if well
 * formed (the IRQ is optional here). */
static int mmio_token(const char *s, const char *end)
{
    uint64_t size, addr;

    if (number(&s, end, &size) < 0)
        return -1;
    if (s < end && (*s == 'K' || *s == 'k'))
        size <<= 10, s++;
    else if (s < end && (*s == 'M' || *s == 'm'))
        size <<= 20, s++;
    if (s >= end || *s++ != '@' || number(&s, end, &addr) < 0)
        return -1;
    uint64_t irq = 0;
    int have_irq = s < end && *s == ':' && (s++, number(&s, end, &irq) == 0) && irq < 256;
    vg_mmio_add(addr, size, have_irq ? (int)irq : -1);
    return 0;
}

const char *vg_cmdline_parse(void)
{
    char *in = vg_boot.cmdline, *out = vg_boot.cmdline;
    int first = 1, seen_app_word = 0;

    while (*in != '\0') {
        while (is_space(*in))
            in++;
        if (*in == '\0')
            break;
        char *w = in;
        while (*in != '\0' && !is_space(*in))
            in++;
        size_t n = (size_t)(in - w);
        int drop = first && vg_boot.cmdline_has_path;

        first = 0;
        if (!drop && n > MMIO_TOKEN_LEN && memcmp(w, MMIO_TOKEN, MMIO_TOKEN_LEN) == 0 &&
            mmio_token(w + MMIO_TOKEN_LEN, in) == 0)
            drop = 1;
        if (!drop && out == vg_boot.cmdline && !seen_app_word && n == sizeof VERBOSE - 1 &&
            memcmp(w, VERBOSE, n) == 0)
            drop = vg_verbose = 1;
        if (!drop)
            seen_app_word = 1;
        if (drop)
            continue;
        if (out != vg_boot.cmdline)
            *out++ = ' ';
        memmove(out, w, n);
        out += n;
    }
    *out = '\0';
    return vg_boot.cmdline;
}
