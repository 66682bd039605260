/*
 * exit.c: the ways a unikernel ends.  Each is a hypercall after which the
 * tender does not resume the guest; should it ever return, the call is made
 * again, so none of these can fall through.
 */
#include "hypercall.h"
#include "internal.h"

void solo5_exit(int status)
{
    struct wisp_hc_exit e = {
        .status = (uint64_t)(uint32_t)status,
        .tsc_start = wg_tsc_start,
        .tsc_main = wg_tsc_main,
    };

    for (;;)
        wg_hypercall(WISP_HC_EXIT, &e);
}

void solo5_abort(void)
{
    struct wisp_hc_abort a = { .msg = 0, .msg_len = 0 };

    for (;;)
        wg_hypercall(WISP_HC_ABORT, &a);
}

void wg_abort_msg(const char *msg, size_t len)
{
    struct wisp_hc_abort a = {
        .msg = (wisp_gpa_t)(uintptr_t)msg,
        .msg_len = len,
    };

    for (;;)
        wg_hypercall(WISP_HC_ABORT, &a);
}
