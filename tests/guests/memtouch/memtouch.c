/* memtouch: reads, writes and reads back a word at the start, the middle
 * and near the end of the heap (at CPL3 under compatibility mode the middle
 * of a large memory is registered with KVM at its first touch, tender/
 * modes/hvt/emulate.h), each first read zero; prints the heap's end.
 * Expect SUCCESS, status 0.  Argument "exec": calls into the middle of the
 * heap, which is not executable: a W^X violation (compat) or a fault. */
#include "t.h"

static int touch(uintptr_t a, uint64_t pattern)
{
    volatile uint64_t *p = t_launder(a & ~(uintptr_t)7);

    if (*p != 0)
        return t_fail("heap memory not zero at first read");
    *p = pattern;
    if (*p != pattern)
        return t_fail("heap memory did not keep what was written");
    return 0;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    uintptr_t start = si->heap_start, size = si->heap_size;
    uintptr_t at[3] = {start, start + size / 2, start + size - (size > (4u << 20) ? (3u << 20) : 64)};

    if (size < 4096)
        return t_fail("no heap");
    t_puts("heap end ");
    t_put_hex(start + size);
    t_puts("\n");
    if (t_strcmp(si->cmdline, "exec") == 0) {
        volatile uint8_t *code = t_launder(at[1]);
        void (*fn)(void) = (void (*)(void))t_launder(at[1]);

        code[0] = 0xc3; /* ret */
        t_puts("calling into the middle of the heap\n");
        fn();
        return t_fail("execution from the heap did not fault");
    }
    for (unsigned i = 0; i < 3; i++)
        if (touch(at[i], 0x5a5a000000000000ull | i))
            return 1;
    for (unsigned i = 0; i < 3; i++)
        if (*(volatile uint64_t *)t_launder(at[i] & ~(uintptr_t)7) != (0x5a5a000000000000ull | i))
            return t_fail("heap memory changed");
    return t_success();
}
