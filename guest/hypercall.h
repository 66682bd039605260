/*
 * hypercall.h: the guest side of the isolated-mode hypercall transport
 * (include/wisp/abi.h): one 8-byte store of the argument struct's address to
 * the hypercall's doorbell slot.  The slot is not guest RAM, so the store
 * exits to the tender (KVM_EXIT_MMIO), which serves the call and fills the
 * OUT fields before the guest resumes.  Guest-virtual == guest-physical, so
 * the struct's pointer is its GPA.
 */
#ifndef WISP_GUEST_HYPERCALL_H
#define WISP_GUEST_HYPERCALL_H

#include <stdint.h>

#include "wisp/abi.h"

/*
 * wg_hypercall: perform hypercall (nr) with the argument struct at (arg).
 * (arg) MUST point to the struct the ABI defines for (nr), entirely in guest
 * RAM.  The "memory" clobber makes the compiler store the IN fields before
 * the doorbell and reload the OUT fields after it.
 */
static inline void wg_hypercall(enum wisp_hypercall nr, void *arg)
{
    uint64_t arg_gpa = (uint64_t)(uintptr_t)arg;

    __asm__ __volatile__("movq %0, (%1)"
                         :
                         : "r"(arg_gpa), "r"(WISP_DOORBELL_GPA + 8 * (uint64_t)nr)
                         : "memory");
}

#endif /* WISP_GUEST_HYPERCALL_H */
