/*
 * input.c: wisp_input_read, the guest's input stream (abi.h, "Input
 * stream"): one INPUT_READ hypercall, which never blocks.  To wait for
 * input, solo5_yield reports WISP_INPUT_HANDLE ready.
 */
#include "hypercall.h"
#include "internal.h"
#include "wisp.h"

solo5_result_t wisp_input_read(void *buf, size_t size, size_t *read_size)
{
    struct wisp_hc_input_read a = {
        .data = (wisp_gpa_t)(uintptr_t)buf,
        .len = size,
    };

    if (read_size)
        *read_size = 0;
    wg_hypercall(WISP_HC_INPUT_READ, &a);
    if (read_size)
        *read_size = (size_t)a.done;
    return (solo5_result_t)a.ret;
}
