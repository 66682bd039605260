/*
 * GDB remote protocol commands (gdb_proto.h).  Every field of a packet is
 * parsed with bounds: addresses and lengths as at most 16 hex digits,
 * memory transfers at most what one reply packet holds, register numbers
 * checked against the description.
 */
#include <stdio.h>
#include <string.h>

#include "debug/gdb_proto.h"

/* The most guest memory one m/M/X packet moves: a reply of hex digits
 * must fit in one packet. */
#define MEM_XFER_MAX (GDB_PACKET_MAX / 2)

#define REG(name, bits, type) "<reg name=\"" name "\" bitsize=\"" #bits "\" type=\"" type "\"/>"
#define REGG(name, bits, type, group) \
    "<reg name=\"" name "\" bitsize=\"" #bits "\" type=\"" type "\" group=\"" group "\"/>"
#define FLAG(name, bit) "<field name=\"" name "\" start=\"" #bit "\" end=\"" #bit "\"/>"

/* The target description: gdb's amd64 layout (features/i386/64bit-core,
 * -sse, -segments), registers numbered in order from 0. */
static const char target_xml[] =
    "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
    "<target version=\"1.0\"><architecture>i386:x86-64</architecture>"
    "<feature name=\"org.gnu.gdb.i386.core\">"
    "<flags id=\"i386_eflags\" size=\"4\">"
    FLAG("CF", 0) FLAG("", 1) FLAG("PF", 2) FLAG("AF", 4) FLAG("ZF", 6) FLAG("SF", 7)
    FLAG("TF", 8) FLAG("IF", 9) FLAG("DF", 10) FLAG("OF", 11) FLAG("NT", 14) FLAG("RF", 16)
    FLAG("VM", 17) FLAG("AC", 18) FLAG("VIF", 19) FLAG("VIP", 20) FLAG("ID", 21)
    "</flags>"
    REG("rax", 64, "int64") REG("rbx", 64, "int64") REG("rcx", 64, "int64")
    REG("rdx", 64, "int64") REG("rsi", 64, "int64") REG("rdi", 64, "int64")
    REG("rbp", 64, "data_ptr") REG("rsp", 64, "data_ptr")
    REG("r8", 64, "int64") REG("r9", 64, "int64") REG("r10", 64, "int64")
    REG("r11", 64, "int64") REG("r12", 64, "int64") REG("r13", 64, "int64")
    REG("r14", 64, "int64") REG("r15", 64, "int64")
    REG("rip", 64, "code_ptr") REG("eflags", 32, "i386_eflags")
    REG("cs", 32, "int32") REG("ss", 32, "int32") REG("ds", 32, "int32")
    REG("es", 32, "int32") REG("fs", 32, "int32") REG("gs", 32, "int32")
    REG("st0", 80, "i387_ext") REG("st1", 80, "i387_ext") REG("st2", 80, "i387_ext")
    REG("st3", 80, "i387_ext") REG("st4", 80, "i387_ext") REG("st5", 80, "i387_ext")
    REG("st6", 80, "i387_ext") REG("st7", 80, "i387_ext")
    REGG("fctrl", 32, "int", "float") REGG("fstat", 32, "int", "float")
    REGG("ftag", 32, "int", "float") REGG("fiseg", 32, "int", "float")
    REGG("fioff", 32, "int", "float") REGG("foseg", 32, "int", "float")
    REGG("fooff", 32, "int", "float") REGG("fop", 32, "int", "float")
    "</feature>"
    "<feature name=\"org.gnu.gdb.i386.sse\">"
    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
    "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
    "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
    "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
    "<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/>"
    "<field name=\"v8_int16\" type=\"v8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/>"
    "<field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/>"
    "</union>"
    "<flags id=\"i386_mxcsr\" size=\"4\">"
    FLAG("IE", 0) FLAG("DE", 1) FLAG("ZE", 2) FLAG("OE", 3) FLAG("UE", 4) FLAG("PE", 5)
    FLAG("DAZ", 6) FLAG("IM", 7) FLAG("DM", 8) FLAG("ZM", 9) FLAG("OM", 10) FLAG("UM", 11)
    FLAG("PM", 12) FLAG("FZ", 15)
    "</flags>"
    REG("xmm0", 128, "vec128") REG("xmm1", 128, "vec128") REG("xmm2", 128, "vec128")
    REG("xmm3", 128, "vec128") REG("xmm4", 128, "vec128") REG("xmm5", 128, "vec128")
    REG("xmm6", 128, "vec128") REG("xmm7", 128, "vec128") REG("xmm8", 128, "vec128")
    REG("xmm9", 128, "vec128") REG("xmm10", 128, "vec128") REG("xmm11", 128, "vec128")
    REG("xmm12", 128, "vec128") REG("xmm13", 128, "vec128") REG("xmm14", 128, "vec128")
    REG("xmm15", 128, "vec128")
    REGG("mxcsr", 32, "i386_mxcsr", "vector")
    "</feature>"
    "<feature name=\"org.gnu.gdb.i386.segments\">"
    REG("fs_base", 64, "int") REG("gs_base", 64, "int")
    "</feature></target>";

unsigned gdb_reg_size(unsigned n)
{
    if (n < GDB_RIP)
        return 8;
    if (n == GDB_RIP)
        return 8;
    if (n <= GDB_GS)
        return 4; /* eflags and the selectors */
    if (n < GDB_FCTRL)
        return 10;
    if (n < GDB_XMM0)
        return 4;
    if (n < GDB_MXCSR)
        return 16;
    if (n == GDB_MXCSR)
        return 4;
    if (n < GDB_NREGS)
        return 8;
    return 0;
}

int gdb_reg_offset(unsigned n)
{
    int off = 0;

    if (n >= GDB_NREGS)
        return -1;
    for (unsigned i = 0; i < n; i++)
        off += (int)gdb_reg_size(i);
    return off;
}

void gdb_proto_init(struct gdb_proto *p, const struct gdb_target_ops *ops, void *target)
{
    memset(p, 0, sizeof *p);
    p->ops = ops;
    p->target = target;
    snprintf(p->stop_reply, sizeof p->stop_reply, "S05");
}

static void reply_str(struct gdb_proto *p, const char *s)
{
    size_t n = strlen(s);

    if (n >= sizeof p->reply)
        n = sizeof p->reply - 1;
    memcpy(p->reply, s, n);
    p->reply[n] = '\0';
    p->reply_len = n;
}

static enum gdb_action error_reply(struct gdb_proto *p, int code)
{
    snprintf(p->reply, sizeof p->reply, "E%02x", code & 0xff);
    p->reply_len = 3;
    return GDB_ACT_NONE;
}

static enum gdb_action ok(struct gdb_proto *p)
{
    reply_str(p, "OK");
    return GDB_ACT_NONE;
}

static enum gdb_action unsupported(struct gdb_proto *p)
{
    reply_str(p, "");
    return GDB_ACT_NONE;
}

static int starts(const char *pkt, const char *prefix)
{
    return strncmp(pkt, prefix, strlen(prefix)) == 0;
}

/* read_regs (g): every register as hex. */
static enum gdb_action read_regs(struct gdb_proto *p)
{
    uint8_t regs[GDB_REGS_SIZE];

    if (p->ops->read_regs(p->target, regs))
        return error_reply(p, 1);
    gdb_hex_encode(regs, sizeof regs, p->reply);
    p->reply_len = 2 * sizeof regs;
    return GDB_ACT_NONE;
}

/* write_regs (G hex): exactly the whole blob. */
static enum gdb_action write_regs(struct gdb_proto *p, const char *hex, size_t len)
{
    uint8_t regs[GDB_REGS_SIZE];

    if (len != 2 * sizeof regs || gdb_hex_decode(hex, regs, sizeof regs))
        return error_reply(p, 22);
    return p->ops->write_regs(p->target, regs) ? error_reply(p, 1) : ok(p);
}

/* read_reg (p n) and write_reg (P n=hex): through the whole blob. */
static enum gdb_action read_reg(struct gdb_proto *p, const char *args)
{
    uint8_t regs[GDB_REGS_SIZE];
    uint64_t n;

    if (gdb_parse_u64(&args, &n) || *args || n >= GDB_NREGS)
        return error_reply(p, 22);
    if (p->ops->read_regs(p->target, regs))
        return error_reply(p, 1);
    gdb_hex_encode(regs + gdb_reg_offset((unsigned)n), gdb_reg_size((unsigned)n), p->reply);
    p->reply_len = 2 * gdb_reg_size((unsigned)n);
    return GDB_ACT_NONE;
}

static enum gdb_action write_reg(struct gdb_proto *p, const char *args, size_t len)
{
    uint8_t regs[GDB_REGS_SIZE];
    const char *at = args;
    uint64_t n;
    unsigned size;

    if (gdb_parse_u64(&at, &n) || *at != '=' || n >= GDB_NREGS)
        return error_reply(p, 22);
    at++;
    size = gdb_reg_size((unsigned)n);
    if (len - (size_t)(at - args) != 2 * (size_t)size)
        return error_reply(p, 22);
    if (p->ops->read_regs(p->target, regs))
        return error_reply(p, 1);
    if (gdb_hex_decode(at, regs + gdb_reg_offset((unsigned)n), size))
        return error_reply(p, 22);
    return p->ops->write_regs(p->target, regs) ? error_reply(p, 1) : ok(p);
}

/* parse_addr_len: "ADDR,LEN" then `end` (':' or NUL); *args past it. */
static int parse_addr_len(const char **args, char end, uint64_t *addr, uint64_t *len)
{
    const char *s = *args;

    if (gdb_parse_u64(&s, addr) || *s != ',')
        return -1;
    s++;
    if (gdb_parse_u64(&s, len) || *s != end)
        return -1;
    *args = end ? s + 1 : s;
    return 0;
}

static enum gdb_action read_mem(struct gdb_proto *p, const char *args)
{
    uint8_t buf[MEM_XFER_MAX];
    uint64_t addr, len;
    long got;

    if (parse_addr_len(&args, '\0', &addr, &len))
        return error_reply(p, 22);
    if (len > sizeof buf)
        len = sizeof buf; /* gdb asks again for the rest */
    got = len ? p->ops->read_mem(p->target, addr, buf, (size_t)len) : 0;
    if (got <= 0 && len)
        return error_reply(p, 14);
    gdb_hex_encode(buf, (size_t)got, p->reply);
    p->reply_len = 2 * (size_t)got;
    return GDB_ACT_NONE;
}

/* write_mem: M (hex data) or X (binary data, already unescaped). */
static enum gdb_action write_mem(struct gdb_proto *p, const char *pkt, size_t pktlen, int binary)
{
    const char *args = pkt + 1;
    uint8_t buf[MEM_XFER_MAX];
    uint64_t addr, len;
    size_t have;

    if (parse_addr_len(&args, ':', &addr, &len) || len > sizeof buf)
        return error_reply(p, 22);
    have = pktlen - (size_t)(args - pkt);
    if (binary) {
        if (have != len)
            return error_reply(p, 22);
        memcpy(buf, args, (size_t)len);
    } else if (have != 2 * len || gdb_hex_decode(args, buf, (size_t)len)) {
        return error_reply(p, 22);
    }
    if (len == 0)
        return ok(p); /* gdb's probe for X support */
    return p->ops->write_mem(p->target, addr, buf, (size_t)len) ? error_reply(p, 14) : ok(p);
}

/* breakpoint: Ztype,addr,kind / ztype,addr,kind (conditions after ';'
 * are not supported: gdb then evaluates them itself). */
static enum gdb_action breakpoint(struct gdb_proto *p, const char *pkt)
{
    const char *s = pkt + 1;
    uint64_t addr, kind;
    int r;

    if (*s < '0' || *s > '4' || s[1] != ',')
        return unsupported(p);
    enum gdb_bp_type type = (enum gdb_bp_type)(*s - '0');

    s += 2;
    if (parse_addr_len(&s, '\0', &addr, &kind) || kind == 0 || kind > 8)
        return error_reply(p, 22);
    if (pkt[0] == 'Z')
        r = p->ops->insert_bp(p->target, type, addr, kind);
    else
        r = p->ops->remove_bp(p->target, type, addr, kind);
    if (r > 0)
        return unsupported(p);
    return r ? error_reply(p, 14) : ok(p);
}

/* xfer_features: qXfer:features:read:target.xml:OFF,LEN. */
static enum gdb_action xfer_features(struct gdb_proto *p, const char *args)
{
    uint64_t off, len;
    size_t total = sizeof target_xml - 1;

    if (!starts(args, "target.xml:"))
        return error_reply(p, 0);
    args += strlen("target.xml:");
    if (parse_addr_len(&args, '\0', &off, &len))
        return error_reply(p, 22);
    if (off > total)
        return error_reply(p, 22);
    if (len > MEM_XFER_MAX)
        len = MEM_XFER_MAX;
    if (len > total - off)
        len = total - off;
    p->reply[0] = off + len < total ? 'm' : 'l';
    memcpy(p->reply + 1, target_xml + off, (size_t)len);
    p->reply_len = 1 + (size_t)len;
    return GDB_ACT_NONE;
}

/* vcont: vCont;ACTION[:thread][;...]: one vCPU, so the first action
 * decides. */
static enum gdb_action vcont(struct gdb_proto *p, const char *args)
{
    if (*args == '?') {
        reply_str(p, "vCont;c;C;s;S");
        return GDB_ACT_NONE;
    }
    if (*args != ';')
        return error_reply(p, 22);
    switch (args[1]) {
    case 'c':
    case 'C':
        return GDB_ACT_CONTINUE;
    case 's':
    case 'S':
        return GDB_ACT_STEP;
    default:
        return error_reply(p, 22);
    }
}

static enum gdb_action query(struct gdb_proto *p, const char *pkt)
{
    if (starts(pkt, "qSupported")) {
        snprintf(p->reply, sizeof p->reply,
                 "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;vContSupported+",
                 GDB_PACKET_MAX);
        p->reply_len = strlen(p->reply);
        return GDB_ACT_NONE;
    }
    if (starts(pkt, "qXfer:features:read:"))
        return xfer_features(p, pkt + strlen("qXfer:features:read:"));
    if (strcmp(pkt, "qAttached") == 0 || starts(pkt, "qAttached:")) {
        reply_str(p, "0"); /* the tender created the guest: quitting gdb kills it */
        return GDB_ACT_NONE;
    }
    if (strcmp(pkt, "qC") == 0) {
        reply_str(p, "QC1");
        return GDB_ACT_NONE;
    }
    if (strcmp(pkt, "qfThreadInfo") == 0) {
        reply_str(p, "m1");
        return GDB_ACT_NONE;
    }
    if (strcmp(pkt, "qsThreadInfo") == 0) {
        reply_str(p, "l");
        return GDB_ACT_NONE;
    }
    if (starts(pkt, "qSymbol"))
        return ok(p);
    return unsupported(p);
}

enum gdb_action gdb_proto_handle(struct gdb_proto *p, const char *pkt, size_t len)
{
    p->no_reply = 0;
    p->reply_len = 0;
    p->reply[0] = '\0';
    if (len == 0)
        return unsupported(p);
    switch (pkt[0]) {
    case '?':
        reply_str(p, p->stop_reply);
        return GDB_ACT_NONE;
    case 'g':
        return read_regs(p);
    case 'G':
        return write_regs(p, pkt + 1, len - 1);
    case 'p':
        return read_reg(p, pkt + 1);
    case 'P':
        return write_reg(p, pkt + 1, len - 1);
    case 'm':
        return read_mem(p, pkt + 1);
    case 'M':
        return write_mem(p, pkt, len, 0);
    case 'X':
        return write_mem(p, pkt, len, 1);
    case 'Z':
    case 'z':
        return breakpoint(p, pkt);
    case 'c':
    case 'C':
        return GDB_ACT_CONTINUE; /* an address or signal argument is ignored */
    case 's':
    case 'S':
        return GDB_ACT_STEP;
    case 'k':
        p->no_reply = 1;
        return GDB_ACT_KILL;
    case 'D':
        ok(p);
        return GDB_ACT_DETACH;
    case 'H':
    case 'T':
        return ok(p); /* the one thread */
    case 'q':
        return query(p, pkt);
    case 'v':
        if (starts(pkt, "vCont"))
            return vcont(p, pkt + 5);
        if (starts(pkt, "vKill")) {
            ok(p);
            return GDB_ACT_KILL;
        }
        return unsupported(p);
    default:
        return unsupported(p);
    }
}
