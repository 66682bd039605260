/*
 * input.c: wisp_input_read on stdin (--input), as the isolated mode's
 * input module serves it: a zero-timeout ppoll, then one read; never
 * blocks.  solo5_yield (core.c) reports WISP_INPUT_HANDLE ready.
 */
#include "internal.h"
#include "sys.h"

int wp_input_fd = -1;

solo5_result_t wisp_input_read(void *buf, size_t size, size_t *read_size)
{
    struct wp_pollfd p = { wp_input_fd, WP_POLLIN, 0 };
    struct wp_timespec zero = { 0, 0 };
    long r;

    if (read_size)
        *read_size = 0;
    if (wp_input_fd < 0)
        return SOLO5_R_EUNSPEC;
    if (size == 0)
        return SOLO5_R_EINVAL;
    if (size > WISP_INPUT_READ_MAX)
        size = WISP_INPUT_READ_MAX;
    do
        r = sys4(SYS_ppoll, &p, 1, &zero, NULL);
    while (r == -WP_EINTR);
    if (r == 0)
        return SOLO5_R_AGAIN;
    do
        r = sys3(SYS_read, wp_input_fd, buf, size);
    while (r == -WP_EINTR);
    if (r >= 0 || r == -WP_ECONNRESET) {
        if (read_size && r > 0)
            *read_size = (size_t)r;
        return SOLO5_R_OK; /* 0 bytes: the end (a reset connection too) */
    }
    return r == -WP_EAGAIN ? SOLO5_R_AGAIN : SOLO5_R_EUNSPEC;
}
