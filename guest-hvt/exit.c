/*
 * exit.c: the ways a unikernel ends, each a HALT hypercall after which the
 * tender does not resume the guest (should it ever, HALT is repeated):
 * solo5_exit(s) -> status s; solo5_abort, assertions, the stack protector
 * and CPU traps -> status 255.  The messages are Solo5's.
 */
#include "internal.h"

void hg_halt(int status, void *cookie)
{
    struct hvt_hc_halt h = {
        .cookie = (uint64_t)(uintptr_t)cookie,
        .exit_status = status,
    };

    for (;;)
        hg_hypercall(HVT_HYPERCALL_HALT, &h);
}

void solo5_exit(int status)
{
    struct hg_line l = { .len = 0 };

    hg_line_str(&l, "Solo5: solo5_exit(");
    hg_line_dec(&l, status);
    hg_line_str(&l, ") called\n");
    hg_line_end(&l, HG_LOG_INFO);
    hg_halt(status, NULL);
}

void solo5_abort(void)
{
    hg_log(HG_LOG_INFO, "Solo5: solo5_abort() called\n");
    hg_halt(SOLO5_EXIT_ABORT, NULL);
}

void hg_panic(const char *file, int line, const char *msg, void *cookie)
{
    struct hg_line l = { .len = 0 };

    hg_line_str(&l, "Solo5: ABORT: ");
    hg_line_str(&l, file);
    hg_line_str(&l, ":");
    hg_line_dec(&l, line);
    hg_line_str(&l, ": ");
    hg_line_str(&l, msg);
    hg_line_str(&l, "\n");
    hg_line_end(&l, HG_LOG_ERROR);
    hg_halt(SOLO5_EXIT_ABORT, cookie);
}

/* The message comes with a length and without a source position (guest/ssp.c). */
void wg_abort_msg(const char *msg, size_t len)
{
    struct hg_line l = { .len = 0 };

    hg_line_str(&l, "Solo5: ABORT: ");
    for (size_t i = 0; i < len && l.len < sizeof l.buf - 1; i++)
        l.buf[l.len++] = msg[i];
    hg_line_str(&l, "\n");
    hg_line_end(&l, HG_LOG_ERROR);
    hg_halt(SOLO5_EXIT_ABORT, NULL);
}
