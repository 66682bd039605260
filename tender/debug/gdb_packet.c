/*
 * GDB remote protocol framing and hex fields (gdb_packet.h).
 */
#include <string.h>

#include "debug/gdb_packet.h"

void gdb_rx_init(struct gdb_rx *rx)
{
    rx->state = RX_IDLE;
    rx->overflow = 0;
    rx->sum = 0;
    rx->want = 0;
    rx->len = 0;
    rx->buf[0] = '\0';
}

int gdb_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* put: one unescaped payload byte, or mark the packet too long. */
static void put(struct gdb_rx *rx, uint8_t c)
{
    if (rx->len >= GDB_PACKET_MAX) {
        rx->overflow = 1;
        return;
    }
    rx->buf[rx->len++] = (char)c;
}

enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t c)
{
    int h;

    if (c == '$') { /* a new packet, whatever came before */
        gdb_rx_init(rx);
        rx->state = RX_DATA;
        return GDB_RX_NONE;
    }
    switch (rx->state) {
    case RX_IDLE:
        return c == 0x03 ? GDB_RX_INTERRUPT : GDB_RX_NONE; /* '+', '-', noise */
    case RX_DATA:
        if (c == '#') {
            rx->state = RX_SUM1;
            return GDB_RX_NONE;
        }
        rx->sum = (uint8_t)(rx->sum + c);
        if (c == '}')
            rx->state = RX_ESCAPE;
        else
            put(rx, c);
        return GDB_RX_NONE;
    case RX_ESCAPE:
        rx->sum = (uint8_t)(rx->sum + c);
        put(rx, c ^ 0x20);
        rx->state = RX_DATA;
        return GDB_RX_NONE;
    case RX_SUM1:
        h = gdb_hex_value((char)c);
        if (h < 0) {
            gdb_rx_init(rx);
            return GDB_RX_BAD;
        }
        rx->want = (uint8_t)(h << 4);
        rx->state = RX_SUM2;
        return GDB_RX_NONE;
    case RX_SUM2:
        h = gdb_hex_value((char)c);
        rx->state = RX_IDLE;
        if (h < 0 || (uint8_t)(rx->want | h) != rx->sum || rx->overflow) {
            gdb_rx_init(rx);
            return GDB_RX_BAD;
        }
        rx->buf[rx->len] = '\0';
        return GDB_RX_PACKET;
    }
    gdb_rx_init(rx);
    return GDB_RX_NONE;
}

size_t gdb_frame(const char *payload, size_t len, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t sum = 0;
    size_t o = 0;

    if (outlen < 4)
        return 0;
    out[o++] = '$';
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)payload[i];
        int esc = c == '$' || c == '#' || c == '}' || c == '*';

        if (o + (esc ? 2 : 1) + 3 > outlen)
            return 0;
        if (esc) {
            out[o++] = '}';
            sum = (uint8_t)(sum + '}');
            c ^= 0x20;
        }
        out[o++] = (char)c;
        sum = (uint8_t)(sum + c);
    }
    out[o++] = '#';
    out[o++] = hex[sum >> 4];
    out[o++] = hex[sum & 15];
    return o;
}

int gdb_parse_u64(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;
    int n = 0, h;

    while ((h = gdb_hex_value(*s)) >= 0) {
        if (++n > 16)
            return -1;
        x = (x << 4) | (uint64_t)h;
        s++;
    }
    if (n == 0)
        return -1;
    *v = x;
    *p = s;
    return 0;
}

int gdb_hex_decode(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = gdb_hex_value(s[2 * i]);
        int lo = hi < 0 ? -1 : gdb_hex_value(s[2 * i + 1]);

        if (lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void gdb_hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
}
