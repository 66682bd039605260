/*
 * A small x86-64 instruction decoder for the tender's reports and checks
 * on a CPL3 guest's instruction (isolated mode): how long its prefixes
 * are, which opcode it is, and where its memory operand is.  Enough to
 *   - name the instruction a crash report is about (syscall, sysenter, an
 *     AVX or AVX-512 store, fxsave, xsave, movdir64b, ...),
 *   - find the address a #GP or #SS was about (x86_ea), or that KVM could
 *     not emulate an access to.
 * Pure: the bytes come from the caller, who read them through the checked
 * translation (core/guest_mem.c); never reads beyond code[n - 1].
 */
#ifndef WISP_X86_DECODE_H
#define WISP_X86_DECODE_H

#include <stdint.h>

#define X86_INSN_MAX 15

enum x86_map {
    X86_MAP_1,     /* one-byte opcodes */
    X86_MAP_0F,    /* 0f xx */
    X86_MAP_0F38,  /* 0f 38 xx */
    X86_MAP_0F3A,  /* 0f 3a xx */
};

enum x86_enc {
    X86_ENC_LEGACY,
    X86_ENC_VEX,   /* c4/c5: AVX */
    X86_ENC_EVEX,  /* 62: AVX-512 */
};

/* The operand that a ModRM byte (with its SIB byte and displacement)
 * names.  Registers are numbered as x86 encodes them (0 rax, 1 rcx, 2 rdx,
 * 3 rbx, 4 rsp, 5 rbp, 6 rsi, 7 rdi, 8-15 r8-r15). */
struct x86_modrm {
    uint8_t reg;          /* ModRM.reg (+REX.R): a register, CR number, Sreg, ... */
    uint8_t rm;           /* ModRM.rm (+REX.B): the register operand when !mem */
    int mem;              /* a memory operand (ea_* below) */
    int ea_rip;           /* RIP-relative: the next instruction's address + ea_disp */
    int ea_base, ea_index; /* register numbers, -1 when none */
    unsigned ea_scale;
    int64_t ea_disp;
};

/*
 * x86_decode_modrm: decode the ModRM byte at code[*at] and, for a memory
 * form, its SIB byte and displacement, with the REX (or VEX/EVEX) bits R,
 * X, B in bits 2, 1, 0 of `rex`.  Advances *at past them.  0, or -1 when
 * the bytes run out (never reads code[n] or beyond).  The one ModRM
 * decoder of the tender: x86_decode and compatibility mode's hvt_decode
 * use it.
 */
int x86_decode_modrm(const uint8_t *code, unsigned n, unsigned *at, uint8_t rex,
                     struct x86_modrm *m);

/* x86_modrm_ea: the address of m's memory operand (m->mem) given the
 * guest's registers in encoding order and, for a RIP-relative one, the
 * address of the next instruction. */
uint64_t x86_modrm_ea(const struct x86_modrm *m, const uint64_t gpr[16], uint64_t next_rip);

/* One decoded instruction (as far as x86_decode got: see its result).
 * Registers are numbered as x86 encodes them (0 rax, 1 rcx, 2 rdx, 3 rbx,
 * 4 rsp, 5 rbp, 6 rsi, 7 rdi, 8-15 r8-r15). */
struct x86_insn {
    unsigned len;         /* bytes decoded: prefixes to displacement (or moffs) */
    enum x86_enc enc;
    enum x86_map map;
    uint8_t opcode;
    uint8_t rex;          /* the REX byte, 0 if none */
    int rex_w;            /* REX.W, VEX.W or EVEX.W */
    int opsize16;         /* a 0x66 prefix */
    int rep;              /* 0, 0xf2 or 0xf3 */
    int other_prefix;     /* lock, or a segment override */
    int has_modrm;
    struct x86_modrm m;   /* the operand (m.mem also for a0-a3, moffs) */
    int moffs;            /* a0-a3: absolute 64-bit address in m.ea_disp */
    int store_at_reg;     /* movdir64b: it stores to the address in reg */
};

/*
 * x86_decode: decode code[0..n) as far as the memory operand.  0 when the
 * opcode and (where it has one) the ModRM/SIB/displacement were decoded;
 * -1 when the bytes run out, too many prefixes, or an opcode whose form
 * the decoder does not know (it then knows enc, map and opcode at most).
 */
int x86_decode(const uint8_t *code, unsigned n, struct x86_insn *in);

/* x86_ea: the address of in's memory operand (in->mem, !in->ea_rip),
 * given the guest's registers in encoding order; for movdir64b the
 * address it stores to (in the register ModRM.reg names). */
uint64_t x86_ea(const struct x86_insn *in, const uint64_t gpr[16]);

/*
 * x86_mov_store64: whether code[0..n) is exactly one of the 8-byte stores
 * the guest library makes to the doorbell (include/wisp/abi.h), and no
 * more bytes: `mov r64, m64` (REX.W 89), `mov $imm32, m64` (REX.W c7 /0)
 * or `movabs %rax, moffs64` (REX.W a3), with no other prefix.  Then
 * *addr and *value are what it stores where, given the registers (gpr,
 * encoding order) and the address of the next instruction (next_rip).
 */
int x86_mov_store64(const uint8_t *code, unsigned n, const uint64_t gpr[16], uint64_t next_rip,
                    uint64_t *addr, uint64_t *value);

/*
 * x86_insn_name: a name for the instruction at code[0..n) for a report:
 * "syscall", "sysenter", "fxsave64", "xsave64", "movdir64b",
 * "vmovdqu", "an AVX (VEX-encoded) instruction", "an AVX-512
 * (EVEX-encoded) instruction", "an SSE instruction", ...; NULL when it has
 * none worth naming.
 */
const char *x86_insn_name(const uint8_t *code, unsigned n);

#endif /* WISP_X86_DECODE_H */
