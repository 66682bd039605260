/*
 * The x86-64 decoder of the isolated-mode checks and reports (decode.h):
 * prefixes, REX, VEX and EVEX, the opcode, ModRM/SIB/displacement.
 */
#include <string.h>

#include "x86_64/decode.h"

/* has_modrm_1: whether one-byte opcode `op` (64-bit mode) has ModRM. */
static int has_modrm_1(uint8_t op)
{
    if (op < 0x40)
        return (op & 7) < 4;
    switch (op) {
    case 0x63: case 0x69: case 0x6b: case 0xc0: case 0xc1: case 0xc6: case 0xc7:
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: case 0xf6: case 0xf7: case 0xfe: case 0xff:
        return 1;
    default:
        return (op >= 0x80 && op <= 0x8f) || (op >= 0xd8 && op <= 0xdf);
    }
}

/* has_modrm_0f: whether two-byte opcode 0f `op` has ModRM (-1: unknown). */
static int has_modrm_0f(uint8_t op)
{
    switch (op) {
    case 0x04: case 0x0a: case 0x0c: case 0x0f: case 0x36: case 0x39:
    case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0x3f:
        return -1; /* undefined, or 3DNow! (not decoded) */
    case 0x05: case 0x06: case 0x07: case 0x08: case 0x09: case 0x0b: case 0x0e:
    case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35: case 0x37:
    case 0x77: case 0xa0: case 0xa1: case 0xa2: case 0xa8: case 0xa9: case 0xaa:
        return 0;
    default:
        return !((op >= 0x80 && op <= 0x8f) || (op >= 0xc8 && op <= 0xcf));
    }
}

int x86_decode_modrm(const uint8_t *code, unsigned n, unsigned *at, uint8_t rex,
                     struct x86_modrm *m)
{
    uint8_t b, mod, rm;

    if (*at >= n)
        return -1;
    b = code[(*at)++];
    mod = b >> 6;
    rm = b & 7;
    *m = (struct x86_modrm){
        .reg = (uint8_t)(((b >> 3) & 7) | ((rex & 4) ? 8 : 0)),
        .ea_base = -1,
        .ea_index = -1,
        .ea_scale = 1,
    };
    if (mod == 3) {
        m->rm = (uint8_t)(rm | ((rex & 1) ? 8 : 0));
        return 0;
    }
    m->mem = 1;
    if (rm == 4) {
        uint8_t sib, base, index;

        if (*at >= n)
            return -1;
        sib = code[(*at)++];
        m->ea_scale = 1u << (sib >> 6);
        index = (uint8_t)(((sib >> 3) & 7) | ((rex & 2) ? 8 : 0));
        base = sib & 7;
        if (index != 4)
            m->ea_index = index;
        if (base == 5 && mod == 0)
            mod = 2; /* disp32, no base */
        else
            m->ea_base = base | ((rex & 1) ? 8 : 0);
    } else if (rm == 5 && mod == 0) {
        m->ea_rip = 1;
        mod = 2;
    } else {
        m->ea_base = rm | ((rex & 1) ? 8 : 0);
    }
    if (mod == 1) {
        if (*at >= n)
            return -1;
        m->ea_disp = (int8_t)code[(*at)++];
    } else if (mod == 2) {
        int32_t d;

        if (*at + 4 > n)
            return -1;
        memcpy(&d, code + *at, 4);
        *at += 4;
        m->ea_disp = d;
    }
    return 0;
}

uint64_t x86_modrm_ea(const struct x86_modrm *m, const uint64_t gpr[16], uint64_t next_rip)
{
    uint64_t a = (uint64_t)m->ea_disp;

    if (m->ea_rip)
        return next_rip + a;
    if (m->ea_base >= 0)
        a += gpr[m->ea_base];
    if (m->ea_index >= 0)
        a += gpr[m->ea_index] * m->ea_scale;
    return a;
}

/* modrm: the instruction's ModRM operand at code[*at]; the length so far.
 * -1 when the bytes run out. */
static int modrm(const uint8_t *code, unsigned n, unsigned *at, uint8_t rex,
                 struct x86_insn *in)
{
    in->has_modrm = 1;
    if (x86_decode_modrm(code, n, at, rex, &in->m))
        return -1;
    in->len = *at;
    return 0;
}

/* vex_evex: the VEX (c4, c5) or EVEX (62) prefix at code[*at]; fills enc,
 * map, W and the implied 66/f3/f2; returns R, X, B as REX bits or -1. */
static int vex_evex(const uint8_t *code, unsigned n, unsigned *at, struct x86_insn *in)
{
    uint8_t b0 = code[*at], p1, p2, pp, mm;
    int rxb;

    if (b0 == 0xc5) {
        if (*at + 2 > n)
            return -1;
        p1 = code[*at + 1];
        in->enc = X86_ENC_VEX;
        in->map = X86_MAP_0F;
        rxb = (p1 & 0x80) ? 0 : 4;
        pp = p1 & 3;
        *at += 2;
    } else {
        unsigned len = b0 == 0x62 ? 4 : 3;

        if (*at + len > n)
            return -1;
        p1 = code[*at + 1];
        p2 = code[*at + 2];
        in->enc = b0 == 0x62 ? X86_ENC_EVEX : X86_ENC_VEX;
        mm = p1 & (b0 == 0x62 ? 0x7 : 0x1f);
        if (mm < 1 || mm > 3)
            return -1;
        in->map = mm == 1 ? X86_MAP_0F : mm == 2 ? X86_MAP_0F38 : X86_MAP_0F3A;
        rxb = (~p1 >> 5) & 7;
        in->rex_w = !!(p2 & 0x80);
        pp = p2 & 3;
        *at += len;
    }
    in->opsize16 = pp == 1;
    in->rep = pp == 2 ? 0xf3 : pp == 3 ? 0xf2 : 0;
    return rxb;
}

int x86_decode(const uint8_t *code, unsigned n, struct x86_insn *in)
{
    unsigned at = 0;
    int hm;

    memset(in, 0, sizeof *in);
    in->m.ea_base = in->m.ea_index = -1;
    in->m.ea_scale = 1;
    if (n > X86_INSN_MAX)
        n = X86_INSN_MAX;
    for (;; at++) {
        if (at >= n)
            return -1;
        switch (code[at]) {
        case 0x66: in->opsize16 = 1; in->rex = 0; continue;
        case 0xf2: case 0xf3: in->rep = code[at]; in->rex = 0; continue;
        case 0xf0: case 0x67: case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
            in->other_prefix = 1;
            in->rex = 0; /* a REX followed by a prefix is ignored */
            continue;
        default:
            break;
        }
        if ((code[at] & 0xf0) == 0x40) {
            in->rex = code[at];
            continue;
        }
        break;
    }
    in->rex_w = !!(in->rex & 8);
    if (code[at] == 0xc4 || code[at] == 0xc5 || code[at] == 0x62) {
        int rxb = in->rex ? -1 : vex_evex(code, n, &at, in);

        if (rxb < 0 || at >= n)
            return -1;
        in->opcode = code[at++];
        if (in->map == X86_MAP_0F && in->opcode == 0x77) {
            in->len = at;
            return 0; /* vzeroupper, vzeroall */
        }
        return modrm(code, n, &at, (uint8_t)rxb, in);
    }
    if (code[at] != 0x0f) {
        in->map = X86_MAP_1;
        in->opcode = code[at++];
        if (in->opcode >= 0xa0 && in->opcode <= 0xa3) {
            uint64_t a;

            if (at + 8 > n)
                return -1;
            memcpy(&a, code + at, 8);
            in->moffs = in->m.mem = 1;
            in->m.ea_disp = (int64_t)a;
            in->len = at + 8;
            return 0;
        }
        in->len = at;
        return has_modrm_1(in->opcode) ? modrm(code, n, &at, in->rex & 7, in) : 0;
    }
    if (++at >= n)
        return -1;
    if (code[at] == 0x38 || code[at] == 0x3a) {
        in->map = code[at] == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A;
        if (++at >= n)
            return -1;
        in->opcode = code[at++];
        in->store_at_reg = in->map == X86_MAP_0F38 && in->opcode == 0xf8 && in->opsize16;
        return modrm(code, n, &at, in->rex & 7, in);
    }
    in->map = X86_MAP_0F;
    in->opcode = code[at++];
    hm = has_modrm_0f(in->opcode);
    if (hm < 0)
        return -1;
    in->len = at;
    return hm ? modrm(code, n, &at, in->rex & 7, in) : 0;
}

uint64_t x86_ea(const struct x86_insn *in, const uint64_t gpr[16])
{
    if (in->store_at_reg)
        return gpr[in->m.reg & 15];
    if (in->moffs)
        return (uint64_t)in->m.ea_disp;
    return x86_modrm_ea(&in->m, gpr, 0);
}

int x86_mov_store64(const uint8_t *code, unsigned n, const uint64_t gpr[16], uint64_t next_rip,
                    uint64_t *addr, uint64_t *value)
{
    struct x86_insn in;
    unsigned end;

    if (x86_decode(code, n, &in) || in.enc != X86_ENC_LEGACY || in.map != X86_MAP_1 ||
        !in.rex_w || in.opsize16 || in.rep || in.other_prefix || !in.m.mem)
        return 0;
    switch (in.opcode) {
    case 0x89:
    case 0xa3:
        end = in.len;
        *value = gpr[in.opcode == 0xa3 ? 0 : in.m.reg & 15];
        break;
    case 0xc7: {
        int32_t imm;

        if ((in.m.reg & 7) != 0 || in.len + 4 > n)
            return 0;
        memcpy(&imm, code + in.len, 4);
        end = in.len + 4;
        *value = (uint64_t)(int64_t)imm;
        break;
    }
    default:
        return 0;
    }
    if (end != n)
        return 0;
    *addr = in.moffs ? x86_ea(&in, gpr) : x86_modrm_ea(&in.m, gpr, next_rip);
    return 1;
}

/* name_0f: the two-byte opcodes worth naming. */
static const char *name_0f(const struct x86_insn *in)
{
    switch (in->opcode) {
    case 0x05: return "syscall";
    case 0x07: return "sysret";
    case 0x34: return "sysenter";
    case 0x35: return "sysexit";
    case 0x0b: return "ud2";
    case 0xae:
        if (!in->m.mem)
            break;
        switch (in->m.reg & 7) {
        case 0: return in->rex_w ? "fxsave64" : "fxsave";
        case 4: return in->rex_w ? "xsave64" : "xsave";
        case 6: return in->rex_w ? "xsaveopt64" : "xsaveopt";
        default: break;
        }
        break;
    case 0xc7:
        if (in->m.mem && (in->m.reg & 7) == 4)
            return in->rex_w ? "xsavec64" : "xsavec";
        if (in->m.mem && (in->m.reg & 7) == 5)
            return in->rex_w ? "xsaves64" : "xsaves";
        break;
    case 0x11: return in->opsize16 ? "movupd" : in->rep == 0xf3 ? "movss"
                      : in->rep == 0xf2 ? "movsd" : "movups";
    case 0x29: return in->opsize16 ? "movapd" : "movaps";
    case 0x2b: return in->opsize16 ? "movntpd" : "movntps";
    case 0x7f: return in->opsize16 ? "movdqa" : in->rep == 0xf3 ? "movdqu" : "movq";
    case 0xd6: return "movq";
    case 0xe7: return in->opsize16 ? "movntdq" : "movntq";
    default: break;
    }
    if (in->opcode >= 0x10 && in->opcode <= 0x17)
        return "an SSE instruction";
    if ((in->opcode >= 0x28 && in->opcode <= 0x2f) || (in->opcode >= 0x50 && in->opcode <= 0x7f) ||
        (in->opcode >= 0xc2 && in->opcode <= 0xc6) || in->opcode >= 0xd0)
        return "an SSE instruction";
    return NULL;
}

const char *x86_insn_name(const uint8_t *code, unsigned n)
{
    struct x86_insn in;
    int r = x86_decode(code, n, &in);

    if (in.enc == X86_ENC_VEX) {
        if (!r && in.map == X86_MAP_0F && in.opcode == 0x7f)
            return in.opsize16 ? "vmovdqa" : in.rep == 0xf3 ? "vmovdqu"
                                                            : "an AVX (VEX-encoded) instruction";
        if (!r && in.map == X86_MAP_0F && in.opcode == 0x11 && !in.opsize16 && !in.rep)
            return "vmovups";
        return "an AVX (VEX-encoded) instruction";
    }
    if (in.enc == X86_ENC_EVEX) {
        if (!r && in.map == X86_MAP_0F && in.opcode == 0x7f) {
            if (in.rep == 0xf3)
                return in.rex_w ? "vmovdqu64" : "vmovdqu32";
            if (in.rep == 0xf2)
                return in.rex_w ? "vmovdqu16" : "vmovdqu8";
            if (in.opsize16)
                return in.rex_w ? "vmovdqa64" : "vmovdqa32";
        }
        return "an AVX-512 (EVEX-encoded) instruction";
    }
    if (in.map == X86_MAP_0F38 && !r && in.opcode == 0xf8 && in.opsize16 && in.m.mem)
        return "movdir64b";
    if (in.map == X86_MAP_0F38 && !r && in.opcode == 0xf9 && !in.opsize16 && in.m.mem)
        return "movdiri";
    if (in.map == X86_MAP_0F && (in.opcode == 0x05 || in.opcode == 0x07 || in.opcode == 0x34 ||
                                 in.opcode == 0x35 || in.opcode == 0x0b || !r))
        return name_0f(&in);
    if (in.map == X86_MAP_1 && !r && (in.opcode == 0xa4 || in.opcode == 0xa5))
        return "movs";
    if (in.map == X86_MAP_1 && !r && (in.opcode == 0xaa || in.opcode == 0xab))
        return "stos";
    return NULL;
}
