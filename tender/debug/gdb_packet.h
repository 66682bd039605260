/*
 * The GDB remote serial protocol's framing, with everything that comes
 * from the debugger treated as hostile: `$payload#xx` packets of at most
 * GDB_PACKET_MAX payload bytes (the PacketSize the server advertises),
 * checksums verified, `}` escapes undone, every hex field bounded.  Pure:
 * no I/O, so the fuzz target (tests/fuzz/fuzz_gdb_packet.c) drives it
 * byte by byte.
 */
#ifndef WISP_GDB_PACKET_H
#define WISP_GDB_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define GDB_PACKET_MAX 4096 /* payload bytes, unescaped; advertised as PacketSize */

enum gdb_rx_state { RX_IDLE, RX_DATA, RX_ESCAPE, RX_SUM1, RX_SUM2 };

enum gdb_rx_event {
    GDB_RX_NONE,      /* byte consumed, nothing complete yet */
    GDB_RX_PACKET,    /* rx->buf[0..rx->len) holds a packet (NUL-terminated) */
    GDB_RX_BAD,       /* a packet with a wrong checksum, bad hex or too long: NAK it */
    GDB_RX_INTERRUPT, /* 0x03 outside a packet: the user pressed Ctrl-C */
};

struct gdb_rx {
    enum gdb_rx_state state;
    int overflow;              /* the current packet exceeded GDB_PACKET_MAX */
    uint8_t sum;               /* running checksum of the raw payload bytes */
    uint8_t want;              /* the checksum's first hex digit, shifted */
    size_t len;
    char buf[GDB_PACKET_MAX + 1];
};

/* gdb_rx_init: the receiver before the first byte. */
void gdb_rx_init(struct gdb_rx *rx);

/* gdb_rx_byte: feed one byte.  Acks (+/-) and noise between packets are
 * ignored; a `$` always starts a new packet. */
enum gdb_rx_event gdb_rx_byte(struct gdb_rx *rx, uint8_t c);

/* gdb_frame: `$payload#xx` into out (escaping $, #, } and *); the framed
 * length, or 0 if it does not fit in outlen. */
size_t gdb_frame(const char *payload, size_t len, char *out, size_t outlen);

/* gdb_hex_value: 0-15 for a hex digit, -1 otherwise. */
int gdb_hex_value(char c);

/* gdb_parse_u64: at most 16 hex digits at *p (at least one), *p advanced
 * past them; -1 on none, too many or overflow. */
int gdb_parse_u64(const char **p, uint64_t *v);

/* gdb_hex_decode: exactly 2*n hex digits at s into out[n]; -1 on a
 * non-hex digit. */
int gdb_hex_decode(const char *s, uint8_t *out, size_t n);

/* gdb_hex_encode: n bytes as 2*n lowercase hex digits (not terminated). */
void gdb_hex_encode(const uint8_t *in, size_t n, char *out);

#endif /* WISP_GDB_PACKET_H */
