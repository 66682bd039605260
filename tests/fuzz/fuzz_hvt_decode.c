/*
 * libFuzzer target for the compatibility-mode instruction decoder
 * (tender/modes/hvt/emulate_decode.c): the bytes at a hostile guest's
 * faulting RIP.  Input: up to 15 bytes of code, then 128 bytes of register
 * values (missing bytes are 0).  Checked, besides the sanitizers: a decoded
 * instruction lies within the bytes given (0 < len <= n), an unknown one
 * has len 0; decoding only the first len bytes gives the same instruction
 * (the decoder never looks past what it consumed); register numbers are in
 * range; hvt_ea is defined for every memory operand.  How to run:
 * tests/fuzz/README.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modes/hvt/emulate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t code[HVT_INSN_MAX] = {0};
    uint64_t gpr[16] = {0};
    unsigned n = size < HVT_INSN_MAX ? (unsigned)size : HVT_INSN_MAX;
    struct hvt_insn in, again;

    memcpy(code, data, n);
    if (size > n)
        memcpy(gpr, data + n, size - n < sizeof gpr ? size - n : sizeof gpr);
    hvt_decode(code, n, &in);
    if (in.op == HVT_OP_UNKNOWN) {
        /* 0 for input the decoder could not take; else the bytes of an
         * instruction it knows is unprivileged. */
        if (in.len > n)
            abort();
        return 0;
    }
    if (in.len == 0 || in.len > n || !in.name)
        abort();
    if (in.m.reg > 15 || in.m.rm > 15 || in.m.ea_base > 15 || in.m.ea_index > 15 ||
        in.m.ea_base < -1 || in.m.ea_index < -1 || (in.m.ea_scale & (in.m.ea_scale - 1)))
        abort();
    hvt_decode(code, in.len, &again);
    if (again.op != in.op || again.len != in.len || again.m.reg != in.m.reg || again.m.rm != in.m.rm ||
        again.m.mem != in.m.mem || again.m.ea_disp != in.m.ea_disp || again.imm != in.imm)
        abort();
    if (in.m.mem)
        (void)hvt_ea(&in, gpr, 0x100000);
    return 0;
}
