/*
 * libFuzzer target for the isolated-mode instruction decoder
 * (tender/x86_64/decode.c): the bytes of a hostile guest's code at or
 * before RIP.  Input: up to 15 bytes of code, then 128 bytes of register
 * values (missing bytes are 0).  Checked, besides the sanitizers: a decoded
 * instruction lies within the bytes given (len <= n); decoding only its
 * first len bytes gives the same result (the decoder never looks past what
 * it consumed); register numbers are in range; x86_ea is defined for every
 * memory operand; x86_mov_store64 accepts only REX.W 89, c7, a3 that take
 * exactly the n bytes; x86_insn_name never reads past n.  How to run:
 * tests/fuzz/README.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x86_64/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *code;
    uint64_t gpr[16] = {0}, addr, value;
    unsigned n = size < X86_INSN_MAX ? (unsigned)size : X86_INSN_MAX;
    struct x86_insn in, again;

    /* an exact-size heap copy: ASan catches any read past n */
    code = malloc(n ? n : 1);
    if (!code)
        return 0;
    memcpy(code, data, n);
    if (size > n)
        memcpy(gpr, data + n, size - n < sizeof gpr ? size - n : sizeof gpr);
    (void)x86_insn_name(code, n);
    if (x86_mov_store64(code, n, gpr, 0x100000, &addr, &value)) {
        if (x86_decode(code, n, &in) || !in.rex_w || in.map != X86_MAP_1 ||
            (in.opcode != 0x89 && in.opcode != 0xc7 && in.opcode != 0xa3))
            abort();
    }
    if (x86_decode(code, n, &in) == 0) {
        if (in.len == 0 || in.len > n || in.m.reg > 15 || in.m.ea_base > 15 || in.m.ea_index > 15 ||
            in.m.ea_base < -1 || in.m.ea_index < -1 || (in.m.ea_scale & (in.m.ea_scale - 1)))
            abort();
        if (x86_decode(code, in.len, &again) || again.len != in.len || again.opcode != in.opcode ||
            again.m.mem != in.m.mem || again.m.ea_disp != in.m.ea_disp || again.m.reg != in.m.reg)
            abort();
        if (in.m.mem && !in.m.ea_rip)
            (void)x86_ea(&in, gpr);
    }
    free(code);
    return 0;
}
