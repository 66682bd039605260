/*
 * What an isolated-mode guest's CPU did, for the crash report (traps.h):
 * the exception stub's report of a vector, and an instruction KVM could
 * not emulate.  The instruction at the fault is read through the checked
 * translation and decoded (x86_64/decode.c) to name syscall, sysenter, an
 * instruction the doorbell cannot take, or a non-canonical operand.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/vm.h"
#include "kvm/kvm_backend.h"
#include "modes/isolated/crash.h"
#include "modes/isolated/traps.h"
#include "x86_64/decode.h"
#include "x86_64/x86_64.h"

static uint64_t read_u64(const struct vm *vm, uint64_t gpa)
{
    uint64_t v = 0;
    const void *p = gpa_to_host(vm, gpa, sizeof v);

    if (p)
        memcpy(&v, p, sizeof v);
    return v;
}

/* isolated_guest_regs: see traps.h.  The guest's registers at this exit: from kvm_run when
 * KVM syncs them (isolated_setup_cpu asks for it), else KVM_GET_REGS. */
int isolated_guest_regs(struct vm *vm, struct kvm_regs *regs)
{
    struct kvm_run *run = vm->kvm->run;

    if (run->kvm_valid_regs & KVM_SYNC_X86_REGS) {
        *regs = run->s.regs.regs;
        return 0;
    }
    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_REGS, regs) < 0)
        return vm_fail(vm, "KVM: KVM_GET_REGS failed: %s", strerror(errno));
    return 0;
}

/* isolated_regs_to_gpr: see traps.h. */
void isolated_regs_to_gpr(const struct kvm_regs *r, uint64_t g[16])
{
    const uint64_t v[16] = {r->rax, r->rcx, r->rdx, r->rbx, r->rsp, r->rbp, r->rsi, r->rdi,
                            r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15};

    memcpy(g, v, sizeof v);
}

/* guest_code: up to X86_INSN_MAX bytes of the instruction at `rip`
 * (virtual == physical), only from memory the guest itself may read; the
 * number of bytes read (0 if none). */
static unsigned guest_code(const struct vm *vm, uint64_t rip, uint8_t *code)
{
    for (unsigned n = X86_INSN_MAX; n > 0; n--) {
        enum guest_fault f;
        const void *p = guest_range(vm, rip, n, 0, &f);

        if (p) {
            memcpy(code, p, n);
            return n;
        }
    }
    return 0;
}

/* describe_insn: "NAME at 0xRIP (bytes xx xx ...)" into buf, the bytes up
 * to the end of the decoded instruction's first 8. */
static void describe_insn(const uint8_t *code, unsigned n, uint64_t rip, char *buf, size_t len)
{
    const char *name = n ? x86_insn_name(code, n) : NULL;
    int at = snprintf(buf, len, "%s at 0x%llx (bytes", name ? name : "an instruction",
                      (unsigned long long)rip);

    for (unsigned i = 0; i < n && i < 8 && at > 0 && (size_t)at < len; i++)
        at += snprintf(buf + at, len - (size_t)at, " %02x", code[i]);
    if (at > 0 && (size_t)at < len)
        snprintf(buf + at, len - (size_t)at, "%s)", n ? (n > 8 ? " ..." : "") : " unreadable");
}

static int in_doorbell(uint64_t a)
{
    return a >= WISP_DOORBELL_GPA && a < WISP_DOORBELL_GPA + WISP_PAGE_SIZE;
}

/* operand_address: the address of the memory operand of the instruction
 * in code[0..n), given the registers at the fault; 0 if it has none or
 * it cannot be known (RIP-relative, a segment override). */
static int operand_address(const uint8_t *code, unsigned n, const struct kvm_regs *regs,
                           uint64_t rsp, uint64_t *addr)
{
    struct x86_insn in;
    uint64_t gpr[16];

    if (x86_decode(code, n, &in) || !in.m.mem || in.m.ea_rip || in.other_prefix)
        return 0;
    isolated_regs_to_gpr(regs, gpr);
    gpr[4] = rsp;
    *addr = x86_ea(&in, gpr);
    return 1;
}

/*
 * syscall_trap: the guest executed syscall or sysenter (kvm_trap_syscalls):
 *   - a #UD or #GP at an instruction that is one of them (a CPU that
 *     honours EFER.SCE off, SYSENTER_CS 0, or AMD's long mode);
 *   - the stub's syscall/sysenter entry (a KVM that ignored SCE and
 *     entered LSTAR at CPL0), or a page fault fetching it at CPL3 (PVM
 *     enters LSTAR at CPL3): the syscall was at RCX - 2.
 * Fills c->why, c->rip (0: unknown) and c->vector (#UD); 0 when it was
 * none of these.
 */
static int syscall_trap(struct vm *vm, struct crash_info *c, const struct kvm_regs *regs,
                        const uint8_t *code, unsigned n, char *why, size_t len)
{
    static const uint8_t sysc[2] = {0x0f, 0x05};
    const char *name = NULL;
    uint8_t back[X86_INSN_MAX];

    if ((c->vector == 6 || c->vector == 13) && n >= 2 && code[0] == 0x0f &&
        (code[1] == 0x05 || code[1] == 0x34)) {
        name = code[1] == 0x05 ? "syscall" : "sysenter";
    } else if (c->vector == X86_TRAP_SYSCALL ||
               (c->vector == 14 && c->rip == X86_SYSCALL_TRAP_GPA)) {
        name = "syscall";
        c->rip = regs->rcx - 2;
        if (c->vector == X86_TRAP_SYSCALL)
            c->rsp = regs->rsp; /* entered at CPL0: no frame, the guest's RSP */
        if (guest_code(vm, c->rip, back) < 2 || memcmp(back, sysc, 2))
            c->rip = 0; /* RCX changed since: the address is unknown */
    } else if (c->vector == X86_TRAP_SYSENTER ||
               (c->vector == 14 && c->rip == X86_SYSENTER_TRAP_GPA)) {
        name = "sysenter";
        c->rip = 0; /* sysenter saves no return address */
        if (c->vector == X86_TRAP_SYSENTER)
            c->rsp = 0; /* nor the guest's RSP */
    } else {
        return 0;
    }
    if (c->rip)
        snprintf(why, len, "the guest executed %s at 0x%llx: system calls are not available "
                 "to a wisp guest (the hypercall ABI is its only interface)", name,
                 (unsigned long long)c->rip);
    else
        snprintf(why, len, "the guest executed %s at an unknown address: system calls are "
                 "not available to a wisp guest (the hypercall ABI is its only interface)",
                 name);
    c->why = why;
    c->vector = 6; /* what the CPU raises with SCE off: for --dumpcore */
    c->has_errcode = 0;
    return 1;
}

/*
 * isolated_emulation_failure: KVM could not emulate an instruction
 * (KVM_INTERNAL_ERROR_EMULATION; hardware KVM reports it so only with
 * KVM_CAP_EXIT_ON_EMULATION_FAILURE, isolated_setup_cpu).  At CPL3 it is
 * the guest's instruction, the guest's fault: in isolated mode KVM
 * emulates a CPL3 access to the doorbell (the one unbacked page the guest
 * maps), and on AMD hardware a sysenter (#UD intercepted).  At CPL0 it was
 * the tender's stub: a tender error.
 */
int isolated_emulation_failure(struct vm *vm, struct kvm_run *run)
{
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    uint8_t code[X86_INSN_MAX];
    char what[128], why[256];
    struct crash_info c = {.vector = 6};
    uint64_t a = 0;
    unsigned n;

    if (isolated_guest_regs(vm, &regs) || ioctl(vm->kvm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0 ||
        (sregs.cs.selector & 3) != 3)
        return kvm_exit_error(vm, run);
    c.rip = regs.rip;
    c.rsp = regs.rsp;
    c.cr2 = sregs.cr2;
    n = guest_code(vm, regs.rip, code);
    if (syscall_trap(vm, &c, &regs, code, n, why, sizeof why))
        return crash_report(vm, &c);
    describe_insn(code, n, regs.rip, what, sizeof what);
    if (operand_address(code, n, &regs, regs.rsp, &a) && in_doorbell(a))
        snprintf(why, sizeof why, "the doorbell store could not be emulated: %s is an "
                 "instruction KVM cannot emulate; the doorbell takes one aligned 8-byte mov",
                 what);
    else if (operand_address(code, n, &regs, regs.rsp, &a))
        snprintf(why, sizeof why, "KVM could not emulate %s, operand at 0x%llx", what,
                 (unsigned long long)a);
    else
        snprintf(why, sizeof why, "KVM could not emulate %s", what);
    c.why = why;
    return crash_report(vm, &c);
}

/* isolated_handle_stub: the exception stub reported `vector` (or the syscall or
 * sysenter pseudo-vector); collect the frame and the registers. */
int isolated_handle_stub(struct vm *vm, unsigned vector)
{
    struct kvm_sregs sregs;
    struct kvm_regs regs;
    struct crash_info c = {.vector = vector};
    uint8_t code[X86_INSN_MAX];
    char why[256], what[128];
    unsigned n;

    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
        return vm_fail(vm, "KVM: KVM_GET_SREGS failed: %s", strerror(errno));
    if (isolated_guest_regs(vm, &regs))
        return -1;
    c.cr2 = sregs.cr2;
    c.has_errcode = x86_exception_has_errcode(vector);
    c.errcode = c.has_errcode ? read_u64(vm, X86_FRAME_ERRCODE) : 0;
    c.rip = read_u64(vm, X86_FRAME_RIP);
    c.rsp = read_u64(vm, X86_FRAME_RSP);
    n = guest_code(vm, c.rip, code);
    if (syscall_trap(vm, &c, &regs, code, n, why, sizeof why))
        return crash_report(vm, &c);
    if (vector == 12 || vector == 13)
        c.has_addr = operand_address(code, n, &regs, c.rsp, &c.addr);
    /* A KVM without KVM_CAP_EXIT_ON_EMULATION_FAILURE injects #UD where
     * it could not emulate a doorbell store. */
    if (vector == 6 && operand_address(code, n, &regs, c.rsp, &c.addr) && in_doorbell(c.addr)) {
        describe_insn(code, n, c.rip, what, sizeof what);
        snprintf(why, sizeof why, "the doorbell store could not be emulated: %s is an "
                 "instruction KVM cannot emulate; the doorbell takes one aligned 8-byte mov",
                 what);
        c.why = why;
    }
    return crash_report(vm, &c);
}
