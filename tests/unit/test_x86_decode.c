/*
 * Unit tests of the isolated-mode instruction decoder
 * (tender/x86_64/decode.c): the doorbell stores the guest library emits
 * and the ones it must refuse (x86_mov_store64), the names crash reports
 * give (x86_insn_name), memory-operand addresses (x86_ea: ModRM, SIB,
 * moffs, movdir64b), truncated input.  Pure: no KVM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "x86_64/decode.h"

#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static const uint64_t gpr[16] = {
    0x1000, 0x2000, 0xfffff008, 0x4000, 0x5000, 0x6000, 0x7000, 0x8000,
    0x10000, 0x20000, 0x30000, 0x40000, 0xfffff140, 0x60000, 0x70000, 0x80000,
};

static void test_doorbell_movs_accepted(void **state)
{
    uint64_t addr, value;

    (void)state;
    /* mov %rax, (%rdx): what wg_hypercall compiles to */
    assert_true(x86_mov_store64(BYTES(0x48, 0x89, 0x02), gpr, 0x100003, &addr, &value));
    assert_int_equal(addr, 0xfffff008);
    assert_int_equal(value, 0x1000);
    /* movq $1, (%r12): a ring kick */
    assert_true(x86_mov_store64(BYTES(0x49, 0xc7, 0x04, 0x24, 0x01, 0x00, 0x00, 0x00), gpr,
                                0x100008, &addr, &value));
    assert_int_equal(addr, 0xfffff140);
    assert_int_equal(value, 1);
    /* movq $-1, 8(%rdx): the immediate is sign-extended */
    assert_true(x86_mov_store64(BYTES(0x48, 0xc7, 0x42, 0x08, 0xff, 0xff, 0xff, 0xff), gpr,
                                0x100008, &addr, &value));
    assert_int_equal(addr, 0xfffff010);
    assert_int_equal(value, ~0ull);
    /* movabs %rax, 0xfffff018 */
    assert_true(x86_mov_store64(BYTES(0x48, 0xa3, 0x18, 0xf0, 0xff, 0xff, 0, 0, 0, 0), gpr,
                                0x10000a, &addr, &value));
    assert_int_equal(addr, 0xfffff018);
    assert_int_equal(value, 0x1000);
    /* mov %rcx, 0x10(%rax,%rbx,2) */
    assert_true(x86_mov_store64(BYTES(0x48, 0x89, 0x4c, 0x58, 0x10), gpr, 0x100005, &addr,
                                &value));
    assert_int_equal(addr, 0x1000 + 2 * 0x4000 + 0x10);
    assert_int_equal(value, 0x2000);
}

static void test_doorbell_others_refused(void **state)
{
    uint64_t addr, value;

    (void)state;
    /* movups %xmm0, (%rdx): 16 bytes */
    assert_false(x86_mov_store64(BYTES(0x0f, 0x11, 0x02), gpr, 0, &addr, &value));
    /* vmovdqu %ymm0, (%rdx) */
    assert_false(x86_mov_store64(BYTES(0xc5, 0xfe, 0x7f, 0x02), gpr, 0, &addr, &value));
    /* mov %eax, (%rdx): 4 bytes (no REX.W) */
    assert_false(x86_mov_store64(BYTES(0x89, 0x02), gpr, 0, &addr, &value));
    /* movq %xmm0, (%rdx) */
    assert_false(x86_mov_store64(BYTES(0x66, 0x0f, 0xd6, 0x02), gpr, 0, &addr, &value));
    /* rep stosq */
    assert_false(x86_mov_store64(BYTES(0xf3, 0x48, 0xab), gpr, 0, &addr, &value));
    /* mov %rax, %fs:(%rdx): a segment override */
    assert_false(x86_mov_store64(BYTES(0x64, 0x48, 0x89, 0x02), gpr, 0, &addr, &value));
    /* mov %rax, (%rdx) followed by one more byte: not exactly the window */
    assert_false(x86_mov_store64(BYTES(0x48, 0x89, 0x02, 0x90), gpr, 0, &addr, &value));
    /* a REX.W that a later prefix cancels: 48 66 89 02 is a 16-bit store */
    assert_false(x86_mov_store64(BYTES(0x48, 0x66, 0x89, 0x02), gpr, 0, &addr, &value));
    /* movq $imm, (%rdx) cut short, and c7 /1 (not a mov) */
    assert_false(x86_mov_store64(BYTES(0x48, 0xc7, 0x02, 0x01, 0x00), gpr, 0, &addr, &value));
    assert_false(x86_mov_store64(BYTES(0x48, 0xc7, 0x0a, 0, 0, 0, 0), gpr, 0, &addr, &value));
    /* a load: mov (%rdx), %rax */
    assert_false(x86_mov_store64(BYTES(0x48, 0x8b, 0x02), gpr, 0, &addr, &value));
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(x86_insn_name(BYTES(0x0f, 0x05)), "syscall");
    assert_string_equal(x86_insn_name(BYTES(0x0f, 0x34)), "sysenter");
    assert_string_equal(x86_insn_name(BYTES(0xc4, 0xc1, 0x7e, 0x7f, 0x07)), "vmovdqu");
    assert_string_equal(x86_insn_name(BYTES(0xc5, 0xfe, 0x7f, 0x02)), "vmovdqu");
    assert_string_equal(x86_insn_name(BYTES(0x62, 0xd1, 0xfe, 0x48, 0x7f, 0x04, 0x24)),
                        "vmovdqu64");
    assert_string_equal(x86_insn_name(BYTES(0x49, 0x0f, 0xae, 0x04, 0x24)), "fxsave64");
    assert_string_equal(x86_insn_name(BYTES(0x49, 0x0f, 0xae, 0x24, 0x24)), "xsave64");
    assert_string_equal(x86_insn_name(BYTES(0x66, 0x44, 0x0f, 0x38, 0xf8, 0x20)), "movdir64b");
    assert_string_equal(x86_insn_name(BYTES(0x0f, 0x11, 0x02)), "movups");
    assert_string_equal(x86_insn_name(BYTES(0xc5, 0xfc, 0x58, 0xc1)),
                        "an AVX (VEX-encoded) instruction");
    assert_null(x86_insn_name(BYTES(0x48, 0x89, 0x02)));
    assert_null(x86_insn_name(BYTES(0x0f)));
}

static void test_operands(void **state)
{
    struct x86_insn in;

    (void)state;
    /* movq (%rdi), %rax */
    assert_int_equal(x86_decode((const uint8_t[]){0x48, 0x8b, 0x07}, 3, &in), 0);
    assert_true(in.m.mem);
    assert_int_equal(in.len, 3);
    assert_int_equal(x86_ea(&in, gpr), 0x8000);
    /* movdir64b (%rax), %r12: stores at the address in r12 */
    assert_int_equal(x86_decode((const uint8_t[]){0x66, 0x44, 0x0f, 0x38, 0xf8, 0x20}, 6, &in), 0);
    assert_int_equal(x86_ea(&in, gpr), 0xfffff140);
    /* vmovdqu %ymm0, 0x40(%rsp) */
    assert_int_equal(x86_decode((const uint8_t[]){0xc5, 0xfe, 0x7f, 0x44, 0x24, 0x40}, 6, &in), 0);
    assert_int_equal(in.enc, X86_ENC_VEX);
    assert_int_equal(x86_ea(&in, gpr), 0x5040);
    /* RIP-relative */
    assert_int_equal(x86_decode((const uint8_t[]){0x48, 0x8b, 0x05, 0x10, 0, 0, 0}, 7, &in), 0);
    assert_true(in.m.ea_rip);
    /* truncated: ModRM missing, SIB missing, disp32 short */
    assert_int_equal(x86_decode((const uint8_t[]){0x48, 0x89}, 2, &in), -1);
    assert_int_equal(x86_decode((const uint8_t[]){0x48, 0x89, 0x04}, 3, &in), -1);
    assert_int_equal(x86_decode((const uint8_t[]){0x48, 0x89, 0x80, 0x00, 0x00}, 5, &in), -1);
    /* only prefixes */
    assert_int_equal(x86_decode((const uint8_t[]){0x66, 0x66, 0x48}, 3, &in), -1);
    assert_int_equal(x86_decode(NULL, 0, &in), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doorbell_movs_accepted),
        cmocka_unit_test(test_doorbell_others_refused),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_operands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
