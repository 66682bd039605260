/*
 * The instruction decoder of compatibility mode at CPL3 (emulate.h): just
 * enough x86-64 to name the privileged instructions a Solo5 guest may
 * execute and find their operands.  Pure: the bytes come from the caller,
 * who read them through the checked translation (core/guest_mem.c).
 */
#include <string.h>

#include "modes/hvt/emulate.h"

static void set(struct hvt_insn *in, enum hvt_op op, const char *name)
{
    in->op = op;
    in->name = name;
}

/* decode_0f: the two-byte opcodes 0f xx. */
static int decode_0f(const uint8_t *code, unsigned n, unsigned *at, uint8_t rex,
                     struct hvt_insn *in)
{
    uint8_t op;

    if (*at >= n)
        return -1;
    op = code[(*at)++];
    switch (op) {
    case 0x00: /* group 6: sldt str lldt ltr verr verw */
        if (x86_decode_modrm(code, n, at, rex, &in->m))
            return -1;
        switch (in->m.reg & 7) {
        case 0: set(in, HVT_OP_SLDT, "sldt"); break;
        case 1: set(in, HVT_OP_STR, "str"); break;
        case 2: set(in, HVT_OP_PRIV, "lldt"); break;
        case 3: set(in, HVT_OP_LTR, "ltr"); break;
        default: break; /* verr, verw: not privileged */
        }
        return 0;
    case 0x01: { /* group 7 */
        uint8_t m;

        if (*at >= n)
            return -1;
        m = code[*at];
        /* Register forms: system instructions by their whole ModRM byte,
         * but smsw and lmsw (reg 4, 6), which take a register operand. */
        if ((m >> 6) == 3 && ((m >> 3) & 7) != 4 && ((m >> 3) & 7) != 6) {
            static const char *const names[] = {
                [0xc1] = "vmcall", [0xc8] = "monitor", [0xc9] = "mwait", [0xd0] = "xgetbv",
                [0xd1] = "xsetbv", [0xf8] = "swapgs", [0xf9] = "rdtscp",
            };
            (*at)++;
            if (m == 0xd0 || m == 0xf9 || m == 0xca || m == 0xcb)
                return 0; /* xgetbv, rdtscp, clac/stac: not privileged here */
            set(in, HVT_OP_PRIV, m < sizeof names / sizeof names[0] && names[m]
                                     ? names[m] : "group-7 system instruction");
            return 0;
        }
        if (x86_decode_modrm(code, n, at, rex, &in->m))
            return -1;
        switch (in->m.reg & 7) {
        case 0: set(in, HVT_OP_SGDT, "sgdt"); break;
        case 1: set(in, HVT_OP_SIDT, "sidt"); break;
        case 2: set(in, HVT_OP_LGDT, "lgdt"); break;
        case 3: set(in, HVT_OP_LIDT, "lidt"); break;
        case 4: set(in, HVT_OP_SMSW, "smsw"); break;
        case 6: set(in, HVT_OP_PRIV, "lmsw"); break;
        case 7: set(in, HVT_OP_PRIV, "invlpg"); break;
        default: break;
        }
        return 0;
    }
    case 0x06: set(in, HVT_OP_PRIV, "clts"); return 0;
    case 0x08: set(in, HVT_OP_PRIV, "invd"); return 0;
    case 0x09: set(in, HVT_OP_PRIV, "wbinvd"); return 0;
    case 0x07: set(in, HVT_OP_PRIV, "sysret"); return 0;
    case 0x35: set(in, HVT_OP_PRIV, "sysexit"); return 0;
    case 0x20: case 0x22: case 0x21: case 0x23:
        /* ModRM.mod is ignored: the operand is always a register. */
        if (*at >= n)
            return -1;
        in->m.reg = (uint8_t)(((code[*at] >> 3) & 7) | ((rex & 4) ? 8 : 0));
        in->m.rm = (uint8_t)((code[*at] & 7) | ((rex & 1) ? 8 : 0));
        (*at)++;
        if (op == 0x20)
            set(in, HVT_OP_MOV_FROM_CR, "mov from a control register");
        else if (op == 0x22)
            set(in, HVT_OP_MOV_TO_CR, "mov to a control register");
        else
            set(in, HVT_OP_PRIV, op == 0x21 ? "mov from a debug register" : "mov to a debug register");
        return 0;
    case 0x30: set(in, HVT_OP_WRMSR, "wrmsr"); return 0;
    case 0x32: set(in, HVT_OP_RDMSR, "rdmsr"); return 0;
    case 0x33: set(in, HVT_OP_PRIV, "rdpmc"); return 0;
    default:
        return 0;
    }
}

void hvt_decode(const uint8_t *code, unsigned n, struct hvt_insn *in)
{
    unsigned at = 0;
    uint8_t rex = 0, op;
    int o16 = 0;

    memset(in, 0, sizeof *in);
    in->m.ea_base = in->m.ea_index = -1;
    in->name = "unknown instruction";
    if (n > HVT_INSN_MAX)
        n = HVT_INSN_MAX;
    while (at < n && code[at] == 0x66) {
        o16 = 1;
        at++;
    }
    if (at < n && (code[at] & 0xf0) == 0x40)
        rex = code[at++];
    if (at >= n)
        goto unknown;
    in->opsize = (rex & 8) ? 8 : o16 ? 2 : 4;
    op = code[at++];
    switch (op) {
    case 0x0f:
        if (decode_0f(code, n, &at, rex, in))
            goto unknown;
        break;
    case 0xfa: set(in, HVT_OP_CLI, "cli"); break;
    case 0xfb: set(in, HVT_OP_STI, "sti"); break;
    case 0xf4: set(in, HVT_OP_HLT, "hlt"); break;
    case 0xcc: set(in, HVT_OP_INT3, "int3"); break;
    case 0xcd:
        if (at >= n)
            goto unknown;
        in->imm8 = code[at++];
        set(in, HVT_OP_INTN, "int");
        break;
    case 0xcf:
        set(in, (rex & 8) ? HVT_OP_IRETQ : HVT_OP_PRIV, (rex & 8) ? "iretq" : "iret");
        break;
    case 0xcb:
        set(in, (rex & 8) ? HVT_OP_LRETQ : HVT_OP_PRIV, (rex & 8) ? "lretq" : "lret");
        break;
    case 0x8e:
        if (x86_decode_modrm(code, n, &at, rex, &in->m))
            goto unknown;
        set(in, HVT_OP_MOV_SREG, "mov to a segment register");
        break;
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:
        if (at >= n)
            goto unknown;
        in->imm8 = code[at++];
        /* fallthrough */
    case 0xec: case 0xed: case 0xee: case 0xef:
        in->port_dx = op >= 0xec;
        in->opsize = (op & 1) ? (o16 ? 2 : 4) : 1;
        if (op & 2)
            set(in, HVT_OP_OUT, "out");
        else
            set(in, HVT_OP_IN, "in");
        break;
    case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf: {
        unsigned size = (rex & 8) ? 8 : 4;

        if (o16 || at + size > n)
            goto unknown;
        in->imm = 0;
        memcpy(&in->imm, code + at, size);
        at += size;
        in->m.rm = (uint8_t)((op & 7) | ((rex & 1) ? 8 : 0));
        set(in, HVT_OP_MOV_IMM, "mov");
        break;
    }
    case 0x6c: case 0x6d: set(in, HVT_OP_PRIV, "ins"); break;
    case 0x6e: case 0x6f: set(in, HVT_OP_PRIV, "outs"); break;
    default:
        break;
    }
    in->len = at;
    return;
unknown:
    memset(in, 0, sizeof *in);
    in->m.ea_base = in->m.ea_index = -1;
    in->name = "unknown instruction";
}

uint64_t hvt_ea(const struct hvt_insn *in, const uint64_t gpr[16], uint64_t rip)
{
    return x86_modrm_ea(&in->m, gpr, rip + in->len);
}
