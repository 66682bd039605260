/*
 * libFuzzer target for the GDB server's packet layer (tender/debug/
 * gdb_packet.c, gdb_proto.c): everything that comes from the debugger's
 * socket is hostile.  Each input is a byte stream as the socket delivers
 * it: fed to the receiver byte by byte, every complete packet is served
 * against a fake target (a register blob and 4 KiB of "guest memory" at
 * 0x1000) that aborts on any access outside it; each reply must fit its
 * buffer and frame into the transmit buffer.  Seeds: a whole gdb session,
 * X packets with escapes, malformed fields (tests/fuzz/seeds/gdb_packet/).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "debug/gdb_packet.h"
#include "debug/gdb_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

#define MEM_BASE 0x1000u
#define MEM_SIZE 4096u

struct fake {
    uint8_t regs[GDB_REGS_SIZE];
    uint8_t mem[MEM_SIZE];
    unsigned bps;
};

static int in_mem(uint64_t addr, size_t len)
{
    return addr >= MEM_BASE && len <= MEM_SIZE && addr - MEM_BASE <= MEM_SIZE - len;
}

static int read_regs(void *t, uint8_t regs[GDB_REGS_SIZE])
{
    memcpy(regs, ((struct fake *)t)->regs, GDB_REGS_SIZE);
    return 0;
}

static int write_regs(void *t, const uint8_t regs[GDB_REGS_SIZE])
{
    memcpy(((struct fake *)t)->regs, regs, GDB_REGS_SIZE);
    return 0;
}

static long read_mem(void *t, uint64_t addr, uint8_t *buf, size_t len)
{
    CHECK(len <= GDB_PACKET_MAX / 2);
    if (!in_mem(addr, len))
        return 0;
    memcpy(buf, ((struct fake *)t)->mem + (addr - MEM_BASE), len);
    return (long)len;
}

static int write_mem(void *t, uint64_t addr, const uint8_t *buf, size_t len)
{
    CHECK(len > 0 && len <= GDB_PACKET_MAX / 2);
    if (!in_mem(addr, len))
        return -1;
    memcpy(((struct fake *)t)->mem + (addr - MEM_BASE), buf, len);
    return 0;
}

static int insert_bp(void *t, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
    CHECK(type <= GDB_WP_ACCESS && len >= 1 && len <= 8);
    (void)addr;
    ((struct fake *)t)->bps++;
    return type == GDB_WP_READ ? 1 : 0;
}

static int remove_bp(void *t, enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
    CHECK(type <= GDB_WP_ACCESS && len >= 1 && len <= 8);
    (void)addr;
    return ((struct fake *)t)->bps ? (((struct fake *)t)->bps--, 0) : -1;
}

static const struct gdb_target_ops ops = {read_regs, write_regs, read_mem, write_mem,
                                          insert_bp, remove_bp};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct gdb_rx rx;
    static struct gdb_proto p;
    static struct fake f;
    static char tx[2 * GDB_REPLY_MAX + 8];
    uint64_t v;
    uint8_t b[8];

    memset(&f, 0, sizeof f);
    gdb_rx_init(&rx);
    gdb_proto_init(&p, &ops, &f);
    for (size_t i = 0; i < size; i++) {
        enum gdb_rx_event ev = gdb_rx_byte(&rx, data[i]);

        CHECK(rx.len <= GDB_PACKET_MAX);
        if (ev != GDB_RX_PACKET)
            continue;
        CHECK(rx.buf[rx.len] == '\0');
        gdb_proto_handle(&p, rx.buf, rx.len);
        CHECK(p.reply_len < sizeof p.reply);
        if (!p.no_reply)
            CHECK(gdb_frame(p.reply, p.reply_len, tx, sizeof tx) > 0);
    }
    /* The field parsers alone, on the raw input as a string. */
    if (size > 0 && size < 64) {
        char s[64];
        const char *at = s;

        memcpy(s, data, size);
        s[size] = '\0';
        if (gdb_parse_u64(&at, &v) == 0)
            CHECK(at > s && at <= s + 16);
        if (strlen(s) >= 16)
            gdb_hex_decode(s, b, sizeof b);
    }
    return 0;
}
