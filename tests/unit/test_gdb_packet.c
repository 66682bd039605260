/*
 * Unit tests of the GDB server's packet layer (tender/debug/gdb_packet.c,
 * gdb_proto.c): framing with checksums and escapes, refusal of bad
 * checksums and oversized packets, bounded hex fields, the register layout,
 * and commands served against a small fake target.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "debug/gdb_packet.h"
#include "debug/gdb_proto.h"

/* feed: bytes into rx; the last event. */
static enum gdb_rx_event feed(struct gdb_rx *rx, const char *s, size_t n)
{
    enum gdb_rx_event ev = GDB_RX_NONE;

    for (size_t i = 0; i < n; i++)
        ev = gdb_rx_byte(rx, (uint8_t)s[i]);
    return ev;
}

static void framing_round_trip(void **state)
{
    char out[64];
    struct gdb_rx rx;
    size_t n = gdb_frame("a$b#c}d*e", 9, out, sizeof out);

    (void)state;
    assert_true(n > 0);
    gdb_rx_init(&rx);
    assert_int_equal(feed(&rx, out, n), GDB_RX_PACKET);
    assert_int_equal(rx.len, 9);
    assert_memory_equal(rx.buf, "a$b#c}d*e", 9);
    assert_int_equal(gdb_frame("x", 1, out, 3), 0); /* does not fit */
}

static void bad_packets_are_refused(void **state)
{
    struct gdb_rx rx;
    char big[GDB_PACKET_MAX + 16];

    (void)state;
    gdb_rx_init(&rx);
    assert_int_equal(feed(&rx, "$g#67", 5), GDB_RX_PACKET);        /* sum of "g" */
    assert_int_equal(feed(&rx, "$g#68", 5), GDB_RX_BAD);           /* wrong sum */
    assert_int_equal(feed(&rx, "$g#6z", 5), GDB_RX_BAD);           /* not hex */
    assert_int_equal(feed(&rx, "+\x03", 2), GDB_RX_INTERRUPT);     /* Ctrl-C */
    memset(big, 'a', sizeof big);
    big[0] = '$';
    gdb_rx_init(&rx);
    for (size_t i = 0; i < sizeof big; i++)
        gdb_rx_byte(&rx, (uint8_t)big[i]);
    assert_true(rx.len <= GDB_PACKET_MAX);
    assert_int_equal(feed(&rx, "#00", 3), GDB_RX_BAD);             /* too long */
}

static void hex_fields_are_bounded(void **state)
{
    const char *p = "ffffffffffffffff,";
    const char *q = "1ffffffffffffffff";
    uint64_t v;
    uint8_t b[2];

    (void)state;
    assert_int_equal(gdb_parse_u64(&p, &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(*p, ',');
    assert_int_equal(gdb_parse_u64(&q, &v), -1); /* 17 digits */
    p = ",";
    assert_int_equal(gdb_parse_u64(&p, &v), -1); /* none */
    assert_int_equal(gdb_hex_decode("0aFf", b, 2), 0);
    assert_int_equal(b[0], 0x0a);
    assert_int_equal(b[1], 0xff);
    assert_int_equal(gdb_hex_decode("0g", b, 1), -1);
}

static void register_layout_is_gdbs_amd64(void **state)
{
    (void)state;
    assert_int_equal(GDB_REGS_SIZE, 552);
    assert_int_equal(gdb_reg_offset(GDB_RIP), 128);
    assert_int_equal(gdb_reg_offset(GDB_EFLAGS), 136);
    assert_int_equal(gdb_reg_offset(GDB_ST0), 164);
    assert_int_equal(gdb_reg_offset(GDB_XMM0), 276);
    assert_int_equal(gdb_reg_offset(GDB_MXCSR), 532);
    assert_int_equal(gdb_reg_offset(GDB_GS_BASE), 544);
    assert_int_equal(gdb_reg_size(GDB_GS_BASE), 8);
    assert_int_equal(gdb_reg_offset(GDB_NREGS), -1);
}

struct fake {
    uint8_t regs[GDB_REGS_SIZE];
    uint8_t mem[16]; /* at 0x1000 */
    int bps;
};

static int f_read_regs(void *t, uint8_t r[GDB_REGS_SIZE])
{
    memcpy(r, ((struct fake *)t)->regs, GDB_REGS_SIZE);
    return 0;
}

static int f_write_regs(void *t, const uint8_t r[GDB_REGS_SIZE])
{
    memcpy(((struct fake *)t)->regs, r, GDB_REGS_SIZE);
    return 0;
}

static long f_read_mem(void *t, uint64_t a, uint8_t *buf, size_t len)
{
    size_t n = 0;

    while (n < len && a + n >= 0x1000 && a + n < 0x1010) {
        buf[n] = ((struct fake *)t)->mem[a + n - 0x1000];
        n++;
    }
    return (long)n;
}

static int f_write_mem(void *t, uint64_t a, const uint8_t *buf, size_t len)
{
    if (a < 0x1000 || a + len > 0x1010)
        return -1;
    memcpy(((struct fake *)t)->mem + (a - 0x1000), buf, len);
    return 0;
}

static int f_insert(void *t, enum gdb_bp_type type, uint64_t a, uint64_t len)
{
    (void)a;
    (void)len;
    if (type != GDB_BP_SW)
        return 1;
    ((struct fake *)t)->bps++;
    return 0;
}

static int f_remove(void *t, enum gdb_bp_type type, uint64_t a, uint64_t len)
{
    (void)type;
    (void)a;
    (void)len;
    return --((struct fake *)t)->bps < 0 ? -1 : 0;
}

static const struct gdb_target_ops fops = {f_read_regs, f_write_regs, f_read_mem, f_write_mem,
                                           f_insert, f_remove};

/* cmd: serve one packet, the reply as a string. */
static const char *cmd(struct gdb_proto *p, const char *pkt, enum gdb_action *a)
{
    *a = gdb_proto_handle(p, pkt, strlen(pkt));
    p->reply[p->reply_len] = '\0';
    return p->reply;
}

static void commands(void **state)
{
    static struct gdb_proto p;
    static struct fake f;
    enum gdb_action a;

    (void)state;
    memset(&f, 0, sizeof f);
    f.regs[gdb_reg_offset(GDB_RIP)] = 0x20;
    gdb_proto_init(&p, &fops, &f);
    assert_non_null(strstr(cmd(&p, "qSupported:swbreak+", &a), "qXfer:features:read+"));
    assert_string_equal(cmd(&p, "?", &a), "S05");
    assert_string_equal(cmd(&p, "p10", &a), "2000000000000000");
    assert_string_equal(cmd(&p, "P10=3000000000000000", &a), "OK");
    assert_int_equal(f.regs[gdb_reg_offset(GDB_RIP)], 0x30);
    assert_string_equal(cmd(&p, "P10=30", &a), "E16");             /* wrong size */
    assert_string_equal(cmd(&p, "p99", &a), "E16");                /* no such register */
    assert_int_equal(strlen(cmd(&p, "g", &a)), 2 * GDB_REGS_SIZE);
    assert_string_equal(cmd(&p, "M1000,2:abcd", &a), "OK");
    assert_string_equal(cmd(&p, "m1000,2", &a), "abcd");
    assert_string_equal(cmd(&p, "m100e,8", &a), "0000");           /* short read */
    assert_string_equal(cmd(&p, "m2000,1", &a), "E0e");
    assert_string_equal(cmd(&p, "M2000,1:00", &a), "E0e");
    assert_string_equal(cmd(&p, "M1000,2:ab", &a), "E16");         /* data too short */
    assert_string_equal(cmd(&p, "Z0,1000,1", &a), "OK");
    assert_string_equal(cmd(&p, "Z2,1000,4", &a), "");             /* unsupported */
    assert_string_equal(cmd(&p, "Z0,1000,9", &a), "E16");          /* kind out of range */
    assert_string_equal(cmd(&p, "z0,1000,1", &a), "OK");
    assert_int_equal(f.bps, 0);
    assert_true(cmd(&p, "qXfer:features:read:target.xml:0,20", &a)[0] == 'm');
    {
        static char xml[16384];
        size_t got = 0;
        char q[64];

        do { /* the whole description, in chunks of at most one packet */
            snprintf(q, sizeof q, "qXfer:features:read:target.xml:%zx,ffff", got);
            cmd(&p, q, &a);
            assert_true(p.reply_len >= 1 && p.reply_len - 1 <= GDB_PACKET_MAX / 2);
            assert_true(got + p.reply_len < sizeof xml);
            memcpy(xml + got, p.reply + 1, p.reply_len - 1);
            got += p.reply_len - 1;
        } while (p.reply[0] == 'm');
        assert_true(p.reply[0] == 'l');
        assert_non_null(strstr(xml, "org.gnu.gdb.i386.sse"));
        assert_non_null(strstr(xml, "org.gnu.gdb.i386.segments\"><reg name=\"fs_base\""));
        assert_non_null(strstr(xml, "</target>"));
    }
    cmd(&p, "vCont;s:1", &a);
    assert_int_equal(a, GDB_ACT_STEP);
    cmd(&p, "c", &a);
    assert_int_equal(a, GDB_ACT_CONTINUE);
    cmd(&p, "D", &a);
    assert_int_equal(a, GDB_ACT_DETACH);
    cmd(&p, "k", &a);
    assert_int_equal(a, GDB_ACT_KILL);
    assert_true(p.no_reply);
    assert_string_equal(cmd(&p, "qUnknown", &a), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(framing_round_trip),
        cmocka_unit_test(bad_packets_are_refused),
        cmocka_unit_test(hex_fields_are_bounded),
        cmocka_unit_test(register_layout_is_gdbs_amd64),
        cmocka_unit_test(commands),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
