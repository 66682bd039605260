/*
 * ssp.c: the stack protector's runtime.  wisp-cc compiles applications with
 * -mstack-protector-guard=global, so the canary is the global
 * __stack_chk_guard rather than %fs:0x28 (there is no TCB at FS base 0).
 */
#include "internal.h"

/*
 * The canary.  Non-zero before wg_ssp_init so it is never a known 0; it also
 * keeps .data non-empty, so the data segment always has file contents.
 */
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766ull;

void __stack_chk_fail(void) __attribute__((noreturn));

/*
 * The low byte is cleared, as glibc does: a string overflow that copies the
 * canary stops at that NUL, so it cannot leak the rest through a string.
 */
void wg_ssp_init(uint64_t canary)
{
    __stack_chk_guard = (uintptr_t)(canary & ~0xffull);
}

static const char smashed[] = "stack smashing detected";

void __stack_chk_fail(void)
{
    wg_abort_msg(smashed, sizeof(smashed) - 1);
}
