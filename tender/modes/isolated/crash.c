/*
 * Crash reports for isolated-mode guests.  The exception stub hands the
 * tender vector, error code, RIP, RSP; CR2 comes from the vCPU state.
 */
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <string.h>

#include "modes/isolated/crash.h"
#include "core/vm.h"
#include "debug/dumpcore.h"
#include "debug/symbols.h"
#include "kvm/kvm_backend.h"
#include "x86_64/x86_64.h"

#define PF_PRESENT (1u << 0)
#define PF_WRITE   (1u << 1)
#define PF_RSVD    (1u << 3)
#define PF_FETCH   (1u << 4)

static int in(uint64_t a, uint64_t lo, uint64_t hi)
{
    return a >= lo && a < hi;
}

const char *crash_region(const struct vm *vm, uint64_t addr)
{
    const struct vm_layout *l = &vm->layout;

    for (unsigned i = 0; i < vm->img.nsegs; i++) {
        const struct elf_segment *s = &vm->img.seg[i];

        if (in(addr, s->vaddr, s->vaddr + s->memsz)) {
            if (s->flags & SEG_X)
                return "text segment";
            if (s->flags & SEG_W)
                return "data segment";
            return "rodata segment";
        }
    }
    if (in(addr, l->heap_start, l->heap_end))
        return "heap";
    if (in(addr, l->guard_start, l->guard_end))
        return "guard page";
    if (in(addr, l->stack_start, l->stack_end))
        return "stack";
    if (in(addr, WISP_CONSOLE_GPA, WISP_CONSOLE_GPA + WISP_PAGE_SIZE))
        return "console buffer";
    if (in(addr, WISP_BOOT_INFO_GPA, WISP_BOOT_INFO_GPA + WISP_BOOT_INFO_SIZE))
        return "boot info";
    if (in(addr, WISP_DOORBELL_GPA, WISP_DOORBELL_GPA + WISP_PAGE_SIZE))
        return "hypercall doorbell";
    if (addr < WISP_PAGE_SIZE || addr >= (uint64_t)0 - WISP_PAGE_SIZE)
        return "NULL page";
    if (in(addr, WISP_PAGE_SIZE, X86_PT_POOL_END))
        return "tender memory";
    if (addr >= vm->mem_size)
        return "outside guest memory";
    return "unmapped memory";
}

/* canonical: whether bits 63..47 of `a` are all equal (48-bit VAs). */
static int canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* page_fault_kind: what the access was: from CR2 first (the address says
 * where), the error code only for addresses inside guest memory (KVM
 * kinds differ in its bits: PVM sets the reserved-bit flag for most
 * accesses outside it). */
static const char *page_fault_kind(const struct vm *vm, const struct crash_info *c)
{
    uint64_t a = c->cr2;
    const struct vm_layout *l = &vm->layout;

    if (a < WISP_PAGE_SIZE || a >= (uint64_t)0 - WISP_PAGE_SIZE)
        return "NULL pointer access"; /* small offsets either side of NULL */
    if (in(a, l->guard_start, l->guard_end))
        return "stack overflow into the guard page";
    if (a >= vm->mem_size && !in(a, WISP_DOORBELL_GPA, WISP_DOORBELL_GPA + WISP_PAGE_SIZE))
        return "access outside guest memory";
    if (in(a, WISP_PAGE_SIZE, X86_PT_POOL_END) &&
        !in(a, WISP_BOOT_INFO_GPA, WISP_BOOT_INFO_GPA + WISP_BOOT_INFO_SIZE))
        return "access to tender memory";
    if (c->errcode & PF_RSVD)
        return "reserved bit set in a page-table entry";
    if (c->errcode & PF_PRESENT) {
        if (c->errcode & PF_FETCH)
            return "execute from non-executable memory";
        if (c->errcode & PF_WRITE)
            return "write to read-only memory";
        return "access not permitted";
    }
    if (c->errcode & PF_FETCH)
        return "execute from unmapped memory";
    return "access to unmapped memory";
}

size_t crash_describe(const struct vm *vm, const struct crash_info *c, char *buf, size_t len)
{
    int n;

    if (c->why) {
        n = snprintf(buf, len, "guest crashed: %s\n", c->why);
    } else if (c->vector == 14) {
        const char *region = crash_region(vm, c->cr2);
        const char *kind = page_fault_kind(vm, c);
        int say_region = strcmp(region, "outside guest memory") && strcmp(region, "NULL page");

        n = snprintf(buf, len, "guest crashed: page fault: %s at 0x%llx%s%s (error code 0x%llx)\n",
                     kind, (unsigned long long)c->cr2, say_region ? " in " : "",
                     say_region ? region : "", (unsigned long long)c->errcode);
    } else if (c->has_errcode && c->has_addr && !canonical(c->addr)) {
        /* #GP, #SS: the CPU checks canonical form before any page walk */
        n = snprintf(buf, len, "guest crashed: %s (#%s), error code 0x%llx: access to "
                     "non-canonical address 0x%llx, outside guest memory\n",
                     x86_exception_name(c->vector), x86_exception_mnemonic(c->vector),
                     (unsigned long long)c->errcode, (unsigned long long)c->addr);
    } else if (c->has_errcode) {
        n = snprintf(buf, len, "guest crashed: %s (#%s), error code 0x%llx\n",
                     x86_exception_name(c->vector), x86_exception_mnemonic(c->vector),
                     (unsigned long long)c->errcode);
    } else {
        n = snprintf(buf, len, "guest crashed: %s (#%s)\n",
                     x86_exception_name(c->vector), x86_exception_mnemonic(c->vector));
    }
    if (n < 0 || (size_t)n >= len)
        return n < 0 ? 0 : len - 1;
    n += snprintf(buf + n, len - (size_t)n, "  instruction at 0x%llx in %s, rsp 0x%llx\n",
                  (unsigned long long)c->rip, crash_region(vm, c->rip),
                  (unsigned long long)c->rsp);
    return (size_t)n < len ? (size_t)n : len - 1;
}

/* frame_pointer: the guest's RBP at the fault (the exception stub
 * changes no register), 0 if unknown. */
static uint64_t frame_pointer(struct vm *vm)
{
    struct kvm_regs regs;

    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_REGS, &regs) < 0)
        return 0;
    return regs.rbp;
}

int crash_report(struct vm *vm, const struct crash_info *c)
{
    char buf[2048];
    size_t n;

    struct vm_fault f = {1, c->vector, (uint32_t)c->has_errcode, c->errcode, c->cr2, c->rip,
                         c->rsp};

    dumpcore_record_fault(vm, &f);
    n = crash_describe(vm, c, buf, sizeof buf);
    symbols_backtrace(vm, c->rip, frame_pointer(vm), vm->layout.stack_start,
                      vm->layout.stack_end, buf + n, sizeof buf - n);
    vm_console_drain(vm);
    vm_log(vm, "%s", buf);
    return vm_end(vm, WISP_END_CRASH, WISP_EXIT_GUEST_FAULT);
}
