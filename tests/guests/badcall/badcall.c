/* badcall: breaks the hypercall ABI in the way its command line names (ptr,
 * buf, wrap, text, idt, secret, misaligned, nr, read, narrow); expect the tender to end it with status 255
 * and "guest violated the hypercall ABI", never to run on. */
#include <wisp/abi.h>

#include "t.h"

static void doorbell_store(unsigned nr, uint64_t value)
{
    volatile uint64_t *bell = t_launder(WISP_DOORBELL_GPA + 8ull * nr);

    *bell = value;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    static struct wisp_hc_puts puts_args;
    const char *mode = si->cmdline;

    if (t_strcmp(mode, "ptr") == 0) {
        /* the argument struct itself lies outside guest memory */
        doorbell_store(WISP_HC_PUTS, 0x7ff000000ull);
    } else if (t_strcmp(mode, "buf") == 0) {
        /* a valid struct pointing at a buffer beyond guest memory */
        puts_args.data = 0x7ff000000ull;
        puts_args.len = 16;
        doorbell_store(WISP_HC_PUTS, (uint64_t)(uintptr_t)&puts_args);
    } else if (t_strcmp(mode, "wrap") == 0) {
        /* a buffer whose end wraps around the address space */
        puts_args.data = (uint64_t)(uintptr_t)&puts_args;
        puts_args.len = ~0ull - 8;
        doorbell_store(WISP_HC_PUTS, (uint64_t)(uintptr_t)&puts_args);
    } else if (t_strcmp(mode, "text") == 0) {
        /* an OUT struct in the guest's own text: the tender must not write it */
        doorbell_store(WISP_HC_WALLTIME, (uint64_t)(uintptr_t)&solo5_app_main);
    } else if (t_strcmp(mode, "idt") == 0) {
        /* an OUT struct in tender-private memory (the IDT at 0x2000) */
        doorbell_store(WISP_HC_POLL, 0x2000);
    } else if (t_strcmp(mode, "secret") == 0) {
        /* an IN buffer in tender-private memory: PUTS must not leak it */
        puts_args.data = 0x1000;
        puts_args.len = 64;
        doorbell_store(WISP_HC_PUTS, (uint64_t)(uintptr_t)&puts_args);
    } else if (t_strcmp(mode, "misaligned") == 0) {
        /* an argument struct the handlers could not access in place */
        doorbell_store(WISP_HC_WALLTIME, (uint64_t)(uintptr_t)&puts_args + 4);
    } else if (t_strcmp(mode, "nr") == 0) {
        doorbell_store(WISP_HC_MAX - 1, (uint64_t)(uintptr_t)&puts_args);
    } else if (t_strcmp(mode, "read") == 0) {
        volatile uint64_t *bell = t_launder(WISP_DOORBELL_GPA);
        uint64_t v = *bell;

        (void)v;
    } else if (t_strcmp(mode, "narrow") == 0) {
        volatile uint32_t *bell = t_launder(WISP_DOORBELL_GPA + 8ull * WISP_HC_PUTS);

        *bell = 0x1000;
    } else {
        return t_fail("unknown mode");
    }
    return t_fail("the tender resumed a guest that broke the ABI");
}
