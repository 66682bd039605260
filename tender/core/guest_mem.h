/*
 * Guest memory as the tender reaches it: one translation of guest-physical
 * ranges to host pointers, and its two failure policies.
 *
 *   gpa_to_host     inside guest RAM at all: for the tender's own
 *                   structures in guest memory (boot info, stub frame,
 *                   console buffer)
 *   guest_range     inside RAM AND memory the guest itself may read or
 *                   write (vm->regions, which each mode's load fills):
 *                   for everything a guest names; no effect on the run,
 *                   so any thread may call it
 *   GUEST_PTR*      guest_range or end the guest as an ABI violation
 *                   (isolated mode's hypercalls: the guest's fault)
 *   guest_ptr_or_fail  guest_range or a tender error with Solo5's message
 *                   (compatibility mode's hypercalls, as solo5-hvt does)
 *
 * The tender writes guest memory directly, below the guest's page tables,
 * so an OUT buffer MUST be checked for writing: otherwise a guest could
 * make the tender write its text, its page tables or the IDT.
 */
#ifndef WISP_GUEST_MEM_H
#define WISP_GUEST_MEM_H

#include <stdint.h>

struct vm;

/* Why guest_range refused a range. */
enum guest_fault {
    GUEST_FAULT_NONE,
    GUEST_FAULT_OUTSIDE,   /* not inside guest RAM (or overflows) */
    GUEST_FAULT_NO_READ,   /* inside RAM, not all of it the guest's to read */
    GUEST_FAULT_NO_WRITE,  /* inside RAM, not all of it the guest's to write */
};

/*
 * gpa_to_host: host pointer for the guest range [gpa, gpa + len), or NULL
 * if any byte of it lies outside guest RAM (vm->mem_size; overflow-safe;
 * len 0 allowed anywhere inside RAM).
 */
void *gpa_to_host(const struct vm *vm, uint64_t gpa, uint64_t len);

/*
 * guest_range: like gpa_to_host, but only for memory the guest itself may
 * read (write == 0) or write (write == 1): every byte covered by
 * vm->regions, writable ones for a write.  Sets *fault when it returns
 * NULL.  Reads only state fixed before the first KVM_RUN.
 */
void *guest_range(const struct vm *vm, uint64_t gpa, uint64_t len, int write,
                  enum guest_fault *fault);

/* guest_fault_phrase: "outside guest memory", "not memory the guest may
 * write", ... for a message. */
const char *guest_fault_phrase(enum guest_fault fault);

/*
 * GUEST_PTR (guest-readable) / GUEST_PTR_W (guest-writable): translate or
 * end the guest: on a bad range, records an ABI violation naming the
 * hypercall `what`, address and size, and makes the enclosing hypercall
 * handler return HC_STOP.  Every isolated-mode hypercall argument and
 * buffer goes through one of these.
 */
#define GUEST_PTR_ACCESS(vm, p, gpa, len, what, write)                        \
    do {                                                                      \
        enum guest_fault fault_;                                              \
        (p) = guest_range((vm), (gpa), (len), (write), &fault_);              \
        if (!(p))                                                             \
            return vm_guest_abi_error((vm), "%s: guest address 0x%llx, "      \
                                      "size %llu is %s", (what),              \
                                      (unsigned long long)(gpa),              \
                                      (unsigned long long)(len),              \
                                      guest_fault_phrase(fault_));            \
    } while (0)
#define GUEST_PTR(vm, p, gpa, len, what) GUEST_PTR_ACCESS(vm, p, gpa, len, what, 0)
#define GUEST_PTR_W(vm, p, gpa, len, what) GUEST_PTR_ACCESS(vm, p, gpa, len, what, 1)

/*
 * guest_ptr_or_fail: guest_range, or NULL after vm_fail("Invalid guest
 * access: gpa=0x.., sz=N (what)"), with ": read-only guest memory" added
 * when a write met memory the guest may only read.  A range ending exactly
 * at the top of guest memory is valid (Solo5's own check is off by one).
 */
void *guest_ptr_or_fail(struct vm *vm, uint64_t gpa, uint64_t len, int write, const char *what);

#endif /* WISP_GUEST_MEM_H */
