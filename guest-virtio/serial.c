/*
 * serial.c: the console is COM1 (I/O port 0x3f8), 115200 8N1, polled:
 * bytes are written once the transmitter holds nothing.  Bytes go out as
 * they are (no CR is added), so the console's output is the application's.
 * With the FIFO on, one status read per 16 bytes (each port access is a VM
 * exit under a hypervisor).  solo5_console_write and the library's own
 * lines (vg_line_*) use it.
 */
#include "internal.h"

#define COM1 0x3f8
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define FIFO_SIZE 16 /* a 16550's, enabled below */

static int serial_ok;

void vg_serial_init(void)
{
    vg_outb(COM1 + 1, 0x00); /* no interrupts */
    vg_outb(COM1 + 3, 0x80); /* DLAB */
    vg_outb(COM1 + 0, 0x01); /* divisor 1: 115200 */
    vg_outb(COM1 + 1, 0x00);
    vg_outb(COM1 + 3, 0x03); /* 8N1 */
    vg_outb(COM1 + 2, 0xc7); /* FIFO on, cleared */
    vg_outb(COM1 + 4, 0x03); /* DTR, RTS */
    /* No UART answers 0xff from its line status: then write nothing. */
    serial_ok = vg_inb(COM1 + 5) != 0xff;
}

void vg_serial_write(const char *s, size_t n)
{
    if (!serial_ok)
        return;
    for (size_t i = 0; i < n;) {
        for (unsigned spin = 0; !(vg_inb(COM1 + 5) & LSR_THRE) && spin < 1000000; spin++)
            __asm__ __volatile__("pause");
        /* THRE: the 16-byte transmit FIFO is empty; fill it. */
        for (size_t k = 0; k < FIFO_SIZE && i < n; k++, i++)
            vg_outb(COM1, (uint8_t)s[i]);
    }
}

void vg_serial_drain(void)
{
    if (!serial_ok)
        return;
    for (unsigned spin = 0; !(vg_inb(COM1 + 5) & LSR_TEMT) && spin < 1000000; spin++)
        __asm__ __volatile__("pause");
}

void solo5_console_write(const char *buf, size_t size)
{
    vg_serial_write(buf, size);
}

void vg_line_str(struct vg_line *l, const char *s)
{
    while (*s != '\0' && l->len < sizeof l->buf - 1)
        l->buf[l->len++] = *s++;
}

void vg_line_hex(struct vg_line *l, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[16];
    int n = 0;

    do {
        tmp[n++] = digits[v & 0xf];
        v >>= 4;
    } while (v != 0);
    vg_line_str(l, "0x");
    while (n > 0 && l->len < sizeof l->buf - 1)
        l->buf[l->len++] = tmp[--n];
}

void vg_line_dec(struct vg_line *l, uint64_t v)
{
    char tmp[20];
    int n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0 && l->len < sizeof l->buf - 1)
        l->buf[l->len++] = tmp[--n];
}

void vg_line_end(struct vg_line *l)
{
    l->buf[l->len++] = '\n'; /* the buffer always keeps room for it */
    vg_serial_write(l->buf, l->len);
    l->len = 0;
}

void vg_log(const char *s)
{
    vg_serial_write(s, wg_strnlen(s, 4096));
}
