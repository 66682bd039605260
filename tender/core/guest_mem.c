/*
 * The one guest-memory translation and its failure policies
 * (core/guest_mem.h).
 */
#include "core/guest_mem.h"
#include "core/vm.h"

void *gpa_to_host(const struct vm *vm, uint64_t gpa, uint64_t len)
{
    uint64_t end;

    if (__builtin_add_overflow(gpa, len, &end))
        return NULL;
    if (gpa >= vm->mem_size || end > vm->mem_size)
        return NULL;
    return vm->mem + gpa;
}

void *guest_range(const struct vm *vm, uint64_t gpa, uint64_t len, int write,
                  enum guest_fault *fault)
{
    void *p = gpa_to_host(vm, gpa, len);
    uint64_t at = gpa, end = gpa + len;

    *fault = GUEST_FAULT_OUTSIDE;
    if (!p)
        return NULL;
    /* Walk the sorted regions: [gpa, end) must be covered without a gap. */
    for (unsigned i = 0; i < vm->nregions && at < end; i++) {
        const struct vm_region *r = &vm->regions[i];

        if (at < r->start || at >= r->end)
            continue;
        if (write && !r->writable)
            break;
        at = r->end;
    }
    if (at < end) {
        *fault = write ? GUEST_FAULT_NO_WRITE : GUEST_FAULT_NO_READ;
        return NULL;
    }
    *fault = GUEST_FAULT_NONE;
    return p;
}

const char *guest_fault_phrase(enum guest_fault fault)
{
    switch (fault) {
    case GUEST_FAULT_NONE:
        return "accessible";
    case GUEST_FAULT_OUTSIDE:
        return "outside guest memory";
    case GUEST_FAULT_NO_READ:
        return "not memory the guest may read";
    case GUEST_FAULT_NO_WRITE:
        return "not memory the guest may write";
    }
    return "?";
}

void *guest_ptr_or_fail(struct vm *vm, uint64_t gpa, uint64_t len, int write, const char *what)
{
    enum guest_fault fault;
    void *p = guest_range(vm, gpa, len, write, &fault);

    if (p)
        return p;
    if (fault == GUEST_FAULT_NO_WRITE)
        vm_fail(vm, "Invalid guest access: gpa=0x%llx, sz=%llu (%s): read-only guest memory",
                (unsigned long long)gpa, (unsigned long long)len, what);
    else
        vm_fail(vm, "Invalid guest access: gpa=0x%llx, sz=%llu (%s)",
                (unsigned long long)gpa, (unsigned long long)len, what);
    return NULL;
}
