/*
 * Unit tests of the compatibility-mode instruction decoder
 * (tender/modes/hvt/emulate_decode.c): the privileged instructions of
 * Solo5's bindings and their operands, the ones wisp names but does not
 * emulate, effective addresses (ModRM, SIB, RIP-relative, REX), and
 * truncated or unknown input.  Pure: no KVM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "modes/hvt/emulate.h"

#define DECODE(in, ...)                                                       \
    do {                                                                      \
        static const uint8_t code_[] = {__VA_ARGS__};                         \
        hvt_decode(code_, sizeof code_, (in));                                \
    } while (0)

static const uint64_t gpr[16] = {
    0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000, 0x7000, 0x8000,
    0x10000, 0x20000, 0x30000, 0x40000, 0x50000, 0x60000, 0x70000, 0x80000,
};

static void test_lgdt_lidt_operands(void **state)
{
    struct hvt_insn in;

    (void)state;
    DECODE(&in, 0x0f, 0x01, 0x10); /* lgdt (%rax) */
    assert_int_equal(in.op, HVT_OP_LGDT);
    assert_int_equal(in.len, 3);
    assert_true(in.m.mem);
    assert_int_equal(hvt_ea(&in, gpr, 0x100000), 0x1000);

    DECODE(&in, 0x0f, 0x01, 0x1d, 0x10, 0x00, 0x00, 0x00); /* lidt 0x10(%rip) */
    assert_int_equal(in.op, HVT_OP_LIDT);
    assert_int_equal(in.len, 7);
    assert_int_equal(hvt_ea(&in, gpr, 0x100000), 0x100000 + 7 + 0x10);

    DECODE(&in, 0x0f, 0x01, 0x1c, 0x24); /* lidt (%rsp) */
    assert_int_equal(in.op, HVT_OP_LIDT);
    assert_int_equal(in.len, 4);
    assert_int_equal(hvt_ea(&in, gpr, 0), 0x5000);

    DECODE(&in, 0x41, 0x0f, 0x01, 0x50, 0xf8); /* lgdt -8(%r8) */
    assert_int_equal(in.op, HVT_OP_LGDT);
    assert_int_equal(in.len, 5);
    assert_int_equal(hvt_ea(&in, gpr, 0), 0x10000 - 8);

    DECODE(&in, 0x0f, 0x01, 0x14, 0x25, 0x00, 0x10, 0x00, 0x00); /* lgdt 0x1000 (SIB, no base) */
    assert_int_equal(in.op, HVT_OP_LGDT);
    assert_int_equal(in.len, 8);
    assert_int_equal(hvt_ea(&in, gpr, 0), 0x1000);

    DECODE(&in, 0x42, 0x0f, 0x01, 0x14, 0x88); /* lgdt (%rax,%r9,4) */
    assert_int_equal(in.len, 5);
    assert_int_equal(hvt_ea(&in, gpr, 0), 0x1000 + 4 * 0x20000);

    DECODE(&in, 0x0f, 0x01, 0xd0); /* xgetbv: not privileged */
    assert_int_equal(in.op, HVT_OP_UNKNOWN);
}

static void test_ltr_sreg_cr(void **state)
{
    struct hvt_insn in;

    (void)state;
    DECODE(&in, 0x0f, 0x00, 0xd9); /* ltr %cx */
    assert_int_equal(in.op, HVT_OP_LTR);
    assert_int_equal(in.len, 3);
    assert_false(in.m.mem);
    assert_int_equal(in.m.rm, 1);

    DECODE(&in, 0x8e, 0xd0); /* mov %eax, %ss */
    assert_int_equal(in.op, HVT_OP_MOV_SREG);
    assert_int_equal(in.m.reg, 2);
    assert_int_equal(in.len, 2);

    DECODE(&in, 0x0f, 0x20, 0xd0); /* mov %cr2, %rax */
    assert_int_equal(in.op, HVT_OP_MOV_FROM_CR);
    assert_int_equal(in.m.reg, 2);
    assert_int_equal(in.m.rm, 0);
    assert_int_equal(in.len, 3);

    DECODE(&in, 0x41, 0x0f, 0x20, 0xd3); /* mov %cr2, %r11 */
    assert_int_equal(in.m.rm, 11);
    assert_int_equal(in.len, 4);

    DECODE(&in, 0x0f, 0x22, 0xd8); /* mov %rax, %cr3 */
    assert_int_equal(in.op, HVT_OP_MOV_TO_CR);
}

static void test_one_byte_and_io(void **state)
{
    struct hvt_insn in;

    (void)state;
    DECODE(&in, 0xfa);
    assert_int_equal(in.op, HVT_OP_CLI);
    DECODE(&in, 0xfb);
    assert_int_equal(in.op, HVT_OP_STI);
    DECODE(&in, 0xf4);
    assert_int_equal(in.op, HVT_OP_HLT);
    assert_int_equal(in.len, 1);

    DECODE(&in, 0xef); /* out %eax, (%dx): the hypercall */
    assert_int_equal(in.op, HVT_OP_OUT);
    assert_true(in.port_dx);
    assert_int_equal(in.opsize, 4);
    assert_int_equal(in.len, 1);
    DECODE(&in, 0x66, 0xef);
    assert_int_equal(in.opsize, 2);
    assert_int_equal(in.len, 2);
    DECODE(&in, 0xee);
    assert_int_equal(in.opsize, 1);
    DECODE(&in, 0xe7, 0x80); /* out %eax, $0x80 */
    assert_false(in.port_dx);
    assert_int_equal(in.imm8, 0x80);
    assert_int_equal(in.len, 2);
    DECODE(&in, 0xed);
    assert_int_equal(in.op, HVT_OP_IN);

    DECODE(&in, 0x48, 0xcf);
    assert_int_equal(in.op, HVT_OP_IRETQ);
    assert_int_equal(in.len, 2);
    DECODE(&in, 0xcf);
    assert_int_equal(in.op, HVT_OP_PRIV);
    assert_string_equal(in.name, "iret");
    DECODE(&in, 0x48, 0xcb);
    assert_int_equal(in.op, HVT_OP_LRETQ);
    DECODE(&in, 0xcc);
    assert_int_equal(in.op, HVT_OP_INT3);
    DECODE(&in, 0xcd, 0x03);
    assert_int_equal(in.op, HVT_OP_INTN);
    assert_int_equal(in.imm8, 3);
    assert_int_equal(in.len, 2);
}

static void test_msr_and_not_emulated(void **state)
{
    struct hvt_insn in;

    (void)state;
    DECODE(&in, 0x0f, 0x30);
    assert_int_equal(in.op, HVT_OP_WRMSR);
    assert_int_equal(in.len, 2);
    DECODE(&in, 0x0f, 0x32);
    assert_int_equal(in.op, HVT_OP_RDMSR);
    DECODE(&in, 0x0f, 0x09);
    assert_int_equal(in.op, HVT_OP_PRIV);
    assert_string_equal(in.name, "wbinvd");
    DECODE(&in, 0x0f, 0x01, 0x38); /* invlpg (%rax) */
    assert_int_equal(in.op, HVT_OP_PRIV);
    assert_string_equal(in.name, "invlpg");
    DECODE(&in, 0x0f, 0x01, 0xf8);
    assert_string_equal(in.name, "swapgs");
    DECODE(&in, 0x0f, 0x00, 0xd0); /* lldt %ax */
    assert_string_equal(in.name, "lldt");
}

/* The stores UMIP makes trap: sgdt, sidt (memory only), sldt, str, smsw
 * (memory or register; smsw's register form is a ModRM with mod 3). */
static void test_umip_stores(void **state)
{
    struct hvt_insn in;

    (void)state;
    DECODE(&in, 0x0f, 0x01, 0x07); /* sgdt (%rdi) */
    assert_int_equal(in.op, HVT_OP_SGDT);
    assert_true(in.m.mem);
    assert_int_equal(in.len, 3);
    assert_int_equal(hvt_ea(&in, gpr, 0), 0x8000);
    DECODE(&in, 0x0f, 0x01, 0x4e, 0x10); /* sidt 0x10(%rsi) */
    assert_int_equal(in.op, HVT_OP_SIDT);
    assert_int_equal(in.len, 4);
    assert_int_equal(hvt_ea(&in, gpr, 0), 0x7010);
    DECODE(&in, 0x0f, 0x00, 0xc0); /* sldt %eax */
    assert_int_equal(in.op, HVT_OP_SLDT);
    assert_false(in.m.mem);
    assert_int_equal(in.m.rm, 0);
    DECODE(&in, 0x0f, 0x00, 0x08); /* str (%rax) */
    assert_int_equal(in.op, HVT_OP_STR);
    assert_true(in.m.mem);
    DECODE(&in, 0x48, 0x0f, 0x01, 0xe1); /* smsw %rcx */
    assert_int_equal(in.op, HVT_OP_SMSW);
    assert_false(in.m.mem);
    assert_int_equal(in.m.rm, 1);
    assert_int_equal(in.opsize, 8);
    assert_int_equal(in.len, 4);
    DECODE(&in, 0x0f, 0x01, 0x20); /* smsw (%rax) */
    assert_int_equal(in.op, HVT_OP_SMSW);
    assert_true(in.m.mem);
    DECODE(&in, 0x0f, 0x01, 0xf0); /* lmsw %ax */
    assert_string_equal(in.name, "lmsw");
    DECODE(&in, 0x0f, 0x01, 0xc1); /* vmcall: not sgdt */
    assert_string_equal(in.name, "vmcall");
}

static void test_mov_imm(void **state)
{
    struct hvt_insn in;

    (void)state;
    DECODE(&in, 0xb8, 0x18, 0x00, 0x00, 0x00); /* mov $0x18, %eax */
    assert_int_equal(in.op, HVT_OP_MOV_IMM);
    assert_int_equal(in.len, 5);
    assert_int_equal(in.m.rm, 0);
    assert_int_equal(in.imm, 0x18);
    DECODE(&in, 0x49, 0xbb, 1, 2, 3, 4, 5, 6, 7, 0x88); /* movabs $.., %r11 */
    assert_int_equal(in.len, 10);
    assert_int_equal(in.m.rm, 11);
    assert_true(in.imm == 0x8807060504030201ull);
    DECODE(&in, 0xb9, 0xff, 0xff, 0xff, 0xff); /* zero-extended */
    assert_true(in.imm == 0xffffffffull);
    DECODE(&in, 0x66, 0xb8, 0x18, 0x00); /* 16-bit: not taken */
    assert_int_equal(in.op, HVT_OP_UNKNOWN);
    DECODE(&in, 0xb8, 0x18, 0x00);
    assert_int_equal(in.op, HVT_OP_UNKNOWN);
}

static void test_truncated_and_unknown(void **state)
{
    struct hvt_insn in;

    (void)state;
    DECODE(&in, 0x0f, 0x01, 0x15, 0x00, 0x00); /* lgdt disp32(%rip), cut */
    assert_int_equal(in.op, HVT_OP_UNKNOWN);
    DECODE(&in, 0x0f);
    assert_int_equal(in.op, HVT_OP_UNKNOWN);
    DECODE(&in, 0x66, 0x66, 0x48);
    assert_int_equal(in.op, HVT_OP_UNKNOWN);
    DECODE(&in, 0xcd);
    assert_int_equal(in.op, HVT_OP_UNKNOWN);
    DECODE(&in, 0x90);
    assert_int_equal(in.op, HVT_OP_UNKNOWN);
    DECODE(&in, 0xf3, 0xef); /* rep prefix: not accepted */
    assert_int_equal(in.op, HVT_OP_UNKNOWN);
    hvt_decode((const uint8_t *)"", 0, &in);
    assert_int_equal(in.op, HVT_OP_UNKNOWN);
    assert_int_equal(in.len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lgdt_lidt_operands),
        cmocka_unit_test(test_ltr_sreg_cr),
        cmocka_unit_test(test_one_byte_and_io),
        cmocka_unit_test(test_msr_and_not_emulated),
        cmocka_unit_test(test_umip_stores),
        cmocka_unit_test(test_mov_imm),
        cmocka_unit_test(test_truncated_and_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
