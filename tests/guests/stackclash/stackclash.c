/* stackclash: with the stack nearly used up, a function whose 64 KiB frame is touched only at its far end; built by wisp-cc (-fstack-clash-protection) it probes every page and faults in the guard page (status 255); built without (tests/guests/stackclash_noprobe, a symbolic link to this file) its one store lands in the heap and the heap check reports it (status 3). */
#include "t.h"

#define BIG (64 * 1024)
#define LEFT 1536 /* stack bytes left above the stack's bottom before the big frame */
#define CANARY 0xa5

static uint64_t stack_bottom;

/* big_frame: one store at the far (lowest) end of a 64 KiB frame, the
 * store a compiler without stack-clash protection emits right after
 * `sub $0x10000, %rsp`. */
__attribute__((noinline)) static int big_frame(void)
{
    volatile uint8_t frame[BIG];

    frame[0] = 0x5a;
    return frame[0];
}

/* descend: small frames, each touched at both ends (never past the guard),
 * until fewer than LEFT bytes of stack are left; then the big frame. */
__attribute__((noinline)) static int descend(unsigned depth)
{
    volatile uint8_t pad[256];
    uint64_t here = (uint64_t)(uintptr_t)__builtin_frame_address(0);

    pad[0] = (uint8_t)depth;
    pad[sizeof pad - 1] = (uint8_t)depth;
    if (here - stack_bottom > LEFT + sizeof pad + 64)
        return descend(depth + 1) + pad[0] + pad[sizeof pad - 1];
    return big_frame() + pad[0];
}

int solo5_app_main(const struct solo5_start_info *si)
{
    uint64_t heap_end = si->heap_start + si->heap_size;
    uint8_t *heap_top = t_launder(heap_end);

    /* Isolated mode and the virtio target: the heap ends at the guard page,
     * the stack starts right above it (README "Stack, guard page and
     * stack-clash protection").  Were the guard larger, descend() would
     * fault in it and the test would see no STACK CLASH line either way. */
    stack_bottom = heap_end + 4096;
    if (si->heap_size < 2 * BIG)
        return t_fail("heap too small for the test");
    t_memset(heap_top - 2 * BIG, CANARY, 2 * BIG);
    t_puts("stack bottom ");
    t_put_hex(stack_bottom);
    t_puts(", heap end ");
    t_put_hex(heap_end);
    t_puts(": a 64 KiB frame with ");
    t_put_dec(LEFT);
    t_puts(" bytes of stack left\n");
    descend(0);
    for (uint8_t *p = heap_top - 2 * BIG; p < heap_top; p++)
        if (*p != CANARY) {
            t_puts("STACK CLASH: the frame jumped the guard page and wrote the heap at ");
            t_put_hex((uint64_t)(uintptr_t)p);
            t_puts("\n");
            solo5_exit(3);
        }
    return t_fail("the 64 KiB frame neither faulted nor wrote the heap");
}
