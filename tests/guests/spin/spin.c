/*
 * spin: prints READY, then "PENDING" without a newline (isolated mode
 * keeps it in the console buffer: only the tender's drain at the end shows
 * it), then loops forever without a hypercall (the vCPU never leaves
 * KVM_RUN on its own): only the tender can end it (a signal, --timeout:
 * tests/e2e/hostile_host.bats).
 */
#include "t.h"

int solo5_app_main(const struct solo5_start_info *si)
{
    volatile uint64_t n = 0;

    (void)si;
    t_puts("READY\n");
    t_puts("PENDING");
    for (;;)
        n++;
    return SOLO5_EXIT_FAILURE; /* not reached */
}
