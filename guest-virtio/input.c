/*
 * input.c: wisp_input_read in the virtio flavour, where there is no input
 * stream (the serial port is the console only): always SOLO5_R_EUNSPEC, as
 * <wisp.h> says for a VM without one, so that a unikernel that uses it
 * (and the C library's stdin) builds for this target and sees "no input".
 */
#include "internal.h"
#include "wisp.h"

solo5_result_t wisp_input_read(void *buf, size_t size, size_t *read_size)
{
    (void)buf;
    (void)size;
    if (read_size)
        *read_size = 0;
    return SOLO5_R_EUNSPEC;
}
