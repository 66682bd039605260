/*
 * Compatibility mode at CPL3: what the tender does when the guest's
 * exception stub exits (emulate.h).  One exit per trapped instruction:
 * the registers (in kvm_run with KVM_CAP_SYNC_REGS, else GET_REGS), the
 * decode and the emulation, the registers back (kvm_run, else SET_REGS +
 * SET_SREGS).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/guest_mem.h"
#include "core/log.h"
#include "core/vm.h"
#include "kvm/kvm_backend.h"
#include "modes/hvt/emulate.h"
#include "modes/hvt/hvt.h"
#include "x86_64/x86_64.h"

#define MSR_FS_BASE   0xc0000100u
#define PF_PRESENT    (1ull << 0)
#define PF_WRITE      (1ull << 1)
#define PF_USER       (1ull << 2)
#define PF_FETCH      (1ull << 4)
#define RFLAGS_SAFE   0x0cd5ull     /* CF PF AF ZF SF DF OF: what iretq may set */
#define RFLAGS_FIXED  0x0002ull     /* bit 1 */
#define X86_FRAME_RFLAGS (X86_STUB_STACK_TOP - 24)
#define HVT_MAX_NESTED 8
#define NOT_PRIVILEGED 2          /* emulate(): deliver the fault instead */

/* The trap being handled: the guest's registers (encoding order) and the
 * CPU frame the stub left. */
struct trap {
    struct kvm_regs regs;
    uint64_t gpr[16];
    uint64_t rip, rsp, rflags, ec;
    unsigned vector;
    unsigned ahead;   /* instructions emulated by run_ahead in this exit */
};

static int canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

static uint64_t frame_u64(const struct vm *vm, uint64_t gpa)
{
    uint64_t v = 0;
    const void *p = gpa_to_host(vm, gpa, sizeof v);

    if (p)
        memcpy(&v, p, sizeof v);
    return v;
}

/* guest_read / guest_write: through the one checked translation; -1 if
 * the range is not the guest's to read / write. */
static int guest_read(const struct vm *vm, uint64_t gpa, void *buf, uint64_t len)
{
    enum guest_fault f;
    const void *p = guest_range(vm, gpa, len, 0, &f);

    if (!p)
        return -1;
    memcpy(buf, p, len);
    return 0;
}

static int guest_write(const struct vm *vm, uint64_t gpa, const void *buf, uint64_t len)
{
    enum guest_fault f;
    void *p = guest_range(vm, gpa, len, 1, &f);

    if (!p)
        return -1;
    memcpy(p, buf, len);
    return 0;
}

static void regs_to_gpr(const struct kvm_regs *r, uint64_t g[16])
{
    g[0] = r->rax; g[1] = r->rcx; g[2] = r->rdx; g[3] = r->rbx;
    g[4] = r->rsp; g[5] = r->rbp; g[6] = r->rsi; g[7] = r->rdi;
    g[8] = r->r8; g[9] = r->r9; g[10] = r->r10; g[11] = r->r11;
    g[12] = r->r12; g[13] = r->r13; g[14] = r->r14; g[15] = r->r15;
}

static void gpr_to_regs(const uint64_t g[16], struct kvm_regs *r)
{
    r->rax = g[0]; r->rcx = g[1]; r->rdx = g[2]; r->rbx = g[3];
    r->rbp = g[5]; r->rsi = g[6]; r->rdi = g[7];
    r->r8 = g[8]; r->r9 = g[9]; r->r10 = g[10]; r->r11 = g[11];
    r->r12 = g[12]; r->r13 = g[13]; r->r14 = g[14]; r->r15 = g[15];
}

/* resume: back to the guest at CPL3 with t's registers. */
static int resume(struct vm *vm, struct trap *t)
{
    struct hvt *h = vm->hvt;

    gpr_to_regs(t->gpr, &t->regs);
    t->regs.rip = t->rip;
    t->regs.rsp = t->rsp;
    t->regs.rflags = t->rflags;
    h->sregs.cr2 = h->vc.cr2;
    if (h->sync_regs) {
        struct kvm_run *run = vm->kvm->run;

        run->s.regs.regs = t->regs;
        run->s.regs.sregs = h->sregs;
        run->kvm_dirty_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
        return HC_CONTINUE;
    }
    if (ioctl(vm->kvm->vcpu_fd, KVM_SET_REGS, &t->regs) < 0)
        return vm_fail(vm, "KVM: ioctl (SET_REGS) failed: %s", strerror(errno));
    if (ioctl(vm->kvm->vcpu_fd, KVM_SET_SREGS, &h->sregs) < 0)
        return vm_fail(vm, "KVM: ioctl (SET_SREGS) failed: %s", strerror(errno));
    return HC_CONTINUE;
}

/* crash: wisp's crash report for a fault the guest's IDT cannot take. */
static int crash(struct vm *vm, const struct trap *t, const char *why)
{
    vm_console_drain(vm);
    if (x86_exception_has_errcode(t->vector))
        vm_log(vm, "guest crashed: %s (#%s), error code 0x%" PRIx64 ", %s",
               x86_exception_name(t->vector), x86_exception_mnemonic(t->vector), t->ec, why);
    else
        vm_log(vm, "guest crashed: %s (#%s), %s", x86_exception_name(t->vector),
               x86_exception_mnemonic(t->vector), why);
    vm_log(vm, "  instruction at 0x%" PRIx64 ", rsp 0x%" PRIx64, t->rip, t->rsp);
    return vm_end(vm, WISP_END_CRASH, WISP_EXIT_GUEST_FAULT);
}

static int in_text(const struct vm *vm, uint64_t a)
{
    for (unsigned i = 0; i < vm->img.nsegs; i++) {
        const struct elf_segment *s = &vm->img.seg[i];

        if ((s->flags & SEG_X) && a >= s->vaddr && a < s->vaddr + s->memsz)
            return 1;
    }
    return 0;
}

/*
 * deliver: exception `vector` (error code `ec` if it has one) to the
 * guest's own handler, as the CPU would at CPL0: gate from its IDT, stack
 * from its TSS's IST or the current one, 16-byte aligned, frame RIP (ret),
 * CS, RFLAGS, RSP, SS [, ec].  Any failure is wisp's crash report.
 */
static int deliver(struct vm *vm, struct trap *t, unsigned vector, int has_ec, uint64_t ec,
                   uint64_t ret)
{
    struct hvt_vcpu *vc = &vm->hvt->vc;
    uint64_t gate[2], handler, sp, frame[6];
    unsigned ist, n = 0;
    char why[160];

    t->vector = vector;
    t->ec = ec;
    memcpy(vc->fault_gpr, t->gpr, sizeof vc->fault_gpr);
    vc->fault_gpr[4] = t->rsp;
    vc->fault_rip = t->rip;
    vc->fault_rflags = t->rflags;
    vc->fault_valid = 1;
    /* A fault inside the handler is delivered again, as the CPU would;
     * a handler that keeps faulting ends (the CPU would loop forever). */
    if (vc->handler_depth >= HVT_MAX_NESTED) {
        snprintf(why, sizeof why, "nested exception number %u inside the guest's own "
                 "exception handler", vc->handler_depth + 1);
        return crash(vm, t, why);
    }
    if (!vc->idt_loaded) {
        /* At CPL0 this is a triple fault: end as solo5-hvt does. */
        vm_console_drain(vm);
        vm_log(vm, "guest crashed: %s (#%s) at rip 0x%" PRIx64 " before it loaded an IDT",
               x86_exception_name(vector), x86_exception_mnemonic(vector), t->rip);
        return vm_fail(vm, "KVM: unhandled exit: exit_reason=0x%x, rip=0x%" PRIx64,
                       KVM_EXIT_SHUTDOWN, t->rip);
    }
    if ((uint64_t)vector * 16 + 15 > vc->idt_limit ||
        guest_read(vm, vc->idt_base + vector * 16ull, gate, sizeof gate)) {
        snprintf(why, sizeof why, "and the guest's IDT (0x%" PRIx64 ", limit 0x%x) has no "
                 "readable gate for it", vc->idt_base, vc->idt_limit);
        return crash(vm, t, why);
    }
    handler = (gate[0] & 0xffff) | ((gate[0] >> 32) & 0xffff0000ull) | (gate[1] << 32);
    if (!((gate[0] >> 47) & 1) || (((gate[0] >> 40) & 0xe) != 0xe) || !in_text(vm, handler)) {
        snprintf(why, sizeof why, "and the guest's IDT gate %u is not a present interrupt or "
                 "trap gate to its text (handler 0x%" PRIx64 ")", vector, handler);
        return crash(vm, t, why);
    }
    ist = (unsigned)((gate[0] >> 32) & 7);
    sp = t->rsp;
    if (ist && (!vc->tr || guest_read(vm, vc->tss_base + 36 + 8ull * (ist - 1), &sp, 8))) {
        snprintf(why, sizeof why, "and the guest's TSS has no readable IST%u stack", ist);
        return crash(vm, t, why);
    }
    sp &= ~0xfull;
    if (has_ec)
        frame[n++] = ec;
    frame[n++] = ret;
    frame[n++] = vc->cs;
    frame[n++] = t->rflags;
    frame[n++] = t->rsp;
    frame[n++] = vc->ss;
    sp -= 8ull * n;
    if (!canonical(sp) || guest_write(vm, sp, frame, 8ull * n)) {
        snprintf(why, sizeof why, "and the guest's exception stack at 0x%" PRIx64 " is not "
                 "writable guest memory", sp);
        return crash(vm, t, why);
    }
    vc->handler_depth++;
    t->rip = handler;
    t->rsp = sp;
    t->rflags &= ~((1ull << 8) | (1ull << 14) | (1ull << 16)); /* TF, NT, RF */
    return resume(vm, t);
}

/* not_emulated: a privileged instruction the tender does not emulate. */
static int not_emulated(struct vm *vm, const struct trap *t, const char *name, const char *why)
{
    return vm_fail(vm, "guest executed %s at rip 0x%" PRIx64 ", a privileged instruction wisp "
                   "does not emulate at CPL3%s%s (--solo5:cpl0 runs the guest at CPL0)",
                   name, t->rip, why[0] ? ": " : "", why);
}

static int bad_operand(struct vm *vm, const struct trap *t, const char *name, uint64_t a)
{
    return vm_fail(vm, "guest executed %s at rip 0x%" PRIx64 " with an operand at 0x%" PRIx64
                   " that is not guest memory", name, t->rip, a);
}

/* load_tr: ltr `sel`: its 64-bit TSS descriptor in the guest's GDT. */
static int load_tr(struct vm *vm, struct trap *t, uint16_t sel)
{
    struct hvt_vcpu *vc = &vm->hvt->vc;
    uint64_t d[2], at = vc->gdt_base + (sel & ~7u);

    if ((sel & 4) || (sel & ~7u) == 0 || (uint64_t)(sel & ~7u) + 15 > vc->gdt_limit ||
        guest_read(vm, at, d, sizeof d) || !((d[0] >> 47) & 1) ||
        (((d[0] >> 40) & 0xf) != 9 && ((d[0] >> 40) & 0xf) != 0xb))
        return not_emulated(vm, t, "ltr", "the selector names no 64-bit TSS in the guest's GDT");
    vc->tr = sel;
    vc->tss_base = ((d[0] >> 16) & 0xffffff) | ((d[0] >> 32) & 0xff000000ull) | (d[1] << 32);
    return 0;
}

static int emulate(struct vm *vm, struct trap *t, const struct hvt_insn *in);

/* store_system_value: sldt, str or smsw with CR4.UMIP: `v` to a 16-bit
 * memory operand, or to a register as the CPU writes it (16 bits merged,
 * 32 zero-extended, 64 whole). */
static int store_system_value(struct vm *vm, struct trap *t, const struct hvt_insn *in,
                              uint64_t v)
{
    if (in->m.mem) {
        uint64_t a = hvt_ea(in, t->gpr, t->rip);
        uint16_t w = (uint16_t)v;

        if (guest_write(vm, a, &w, sizeof w))
            return bad_operand(vm, t, in->name, a);
        return 0;
    }
    if (in->opsize == 2)
        t->gpr[in->m.rm] = (t->gpr[in->m.rm] & ~0xffffull) | (v & 0xffff);
    else
        t->gpr[in->m.rm] = in->opsize == 4 ? (uint32_t)v : v;
    return 0;
}

/* run_ahead_ok: an instruction the tender may go on with before resuming:
 * a descriptor-table or TR load, cli/sti, wrmsr, a segment load, or the
 * mov of an immediate between them (Solo5's cpu_init: lgdt; mov $0x18,
 * %eax; ltr %ax; lidt), all in the guest's text. */
static int run_ahead_ok(const struct vm *vm, const struct hvt_insn *in, uint64_t rip)
{
    switch (in->op) {
    case HVT_OP_LGDT: case HVT_OP_LIDT: case HVT_OP_LTR: case HVT_OP_CLI: case HVT_OP_STI:
    case HVT_OP_WRMSR: case HVT_OP_MOV_SREG: case HVT_OP_MOV_IMM:
        return in_text(vm, rip) && in_text(vm, rip + in->len - 1);
    default:
        return 0;
    }
}

/* run_ahead: after an emulated instruction, emulate the next ones too
 * while they are such that a trap would follow anyway (a mov $imm is only
 * taken when a privileged instruction comes right after it): fewer exits.
 * At most 8 per exit (the recursion through emulate() is bounded); not
 * when single-stepping (TF). */
static int run_ahead(struct vm *vm, struct trap *t)
{
    if (t->ahead < 8 && !(t->rflags & (1ull << 8))) {
        uint8_t code[2 * HVT_INSN_MAX];
        unsigned n = sizeof code;
        struct hvt_insn in, after;

        while (n && guest_read(vm, t->rip, code, n))
            n--;
        hvt_decode(code, n, &in);
        int r;

        if (!run_ahead_ok(vm, &in, t->rip))
            return resume(vm, t);
        if (in.op == HVT_OP_MOV_IMM) {
            hvt_decode(code + in.len, n - in.len, &after);
            if (after.op == HVT_OP_MOV_IMM || !run_ahead_ok(vm, &after, t->rip + in.len))
                return resume(vm, t);
        }
        t->ahead++; /* bounds the recursion through emulate() */
        r = emulate(vm, t, &in);
        /* Not privileged after all (lgdt of a register): the CPU faults on
         * it itself. */
        return r == NOT_PRIVILEGED ? resume(vm, t) : r;
    }
    return resume(vm, t);
}

/* emulate: one privileged instruction; HC_CONTINUE after resuming, HC_STOP,
 * -1, or NOT_PRIVILEGED (deliver the fault). */
static int emulate(struct vm *vm, struct trap *t, const struct hvt_insn *in)
{
    struct hvt *h = vm->hvt;
    struct hvt_vcpu *vc = &h->vc;
    uint64_t next = t->rip + in->len, a;
    int r;

    switch (in->op) {
    case HVT_OP_LGDT:
    case HVT_OP_LIDT: {
        uint8_t d[10];
        uint64_t base;
        uint16_t limit;

        if (!in->m.mem)
            return NOT_PRIVILEGED;
        a = hvt_ea(in, t->gpr, t->rip);
        if (guest_read(vm, a, d, sizeof d))
            return bad_operand(vm, t, in->name, a);
        memcpy(&limit, d, 2);
        memcpy(&base, d + 2, 8);
        if (in->op == HVT_OP_LGDT) {
            vc->gdt_base = base;
            vc->gdt_limit = limit;
        } else {
            vc->idt_base = base;
            vc->idt_limit = limit;
            vc->idt_loaded = 1;
        }
        break;
    }
    case HVT_OP_LTR: {
        uint16_t sel = (uint16_t)t->gpr[in->m.rm];

        if (in->m.mem) {
            a = hvt_ea(in, t->gpr, t->rip);
            if (guest_read(vm, a, &sel, 2))
                return bad_operand(vm, t, in->name, a);
        }
        if ((r = load_tr(vm, t, sel)))
            return r;
        break;
    }
    case HVT_OP_CLI:
    case HVT_OP_STI:
        /* No interrupt ever reaches a compat guest: IF is the guest's
         * business only.  cli;hlt ends at the hlt. */
        break;
    case HVT_OP_HLT:
        /* As solo5-hvt: KVM_EXIT_HLT is an unhandled exit. */
        return vm_fail(vm, "KVM: unhandled exit: exit_reason=0x%x, rip=0x%" PRIx64,
                       KVM_EXIT_HLT, next);
    case HVT_OP_OUT:
    case HVT_OP_IN: {
        uint16_t port = in->port_dx ? (uint16_t)t->gpr[2] : in->imm8;

        if (in->op == HVT_OP_OUT && in->opsize == 4 && port == HVT_RING_KICK_PIO_BASE &&
            h->ring) {
            hvt_ring_kick(vm);
            break;
        }
        r = hvt_io_exit(vm, port, in->op == HVT_OP_OUT, in->opsize, (uint32_t)t->gpr[0]);
        if (r != HC_CONTINUE)
            return r;
        break;
    }
    case HVT_OP_WRMSR: {
        uint64_t v = (t->gpr[0] & 0xffffffffull) | (t->gpr[2] << 32);

        if ((uint32_t)t->gpr[1] != MSR_FS_BASE) {
            char why[64];

            snprintf(why, sizeof why, "MSR 0x%x (only FS_BASE, 0x%x, is)",
                     (uint32_t)t->gpr[1], MSR_FS_BASE);
            return not_emulated(vm, t, "wrmsr", why);
        }
        if (!canonical(v))
            return vm_fail(vm, "guest executed wrmsr at rip 0x%" PRIx64 ": FS_BASE 0x%" PRIx64
                           " is not a canonical address", t->rip, v);
        h->sregs.fs.base = v;
        break;
    }
    case HVT_OP_MOV_FROM_CR:
        if (in->m.reg != 2)
            return not_emulated(vm, t, "mov from a control register",
                                "only %cr2 is readable");
        t->gpr[in->m.rm] = vc->cr2;
        break;
    case HVT_OP_MOV_SREG: {
        unsigned sreg = in->m.reg & 7;
        uint16_t sel = (uint16_t)t->gpr[in->m.rm];

        if (sreg == 1 || sreg > 5)
            return NOT_PRIVILEGED; /* #UD on hardware: the guest's fault */
        if (in->m.mem) {
            a = hvt_ea(in, t->gpr, t->rip);
            if (guest_read(vm, a, &sel, 2))
                return bad_operand(vm, t, in->name, a);
        }
        /* The tender's flat CPL3 data segment stays loaded: a selector
         * is recorded, never installed. */
        if (sreg == 2)
            vc->ss = sel;
        if (sreg == 4)
            h->sregs.fs.base = 0;
        break;
    }
    case HVT_OP_LRETQ: {
        uint64_t f[2];

        if (guest_read(vm, t->rsp, f, sizeof f))
            return bad_operand(vm, t, in->name, t->rsp);
        if (!canonical(f[0]))
            return vm_fail(vm, "guest executed lretq at rip 0x%" PRIx64 " to the non-canonical "
                           "address 0x%" PRIx64, t->rip, f[0]);
        vc->cs = (uint16_t)f[1];
        t->rsp += 16;
        t->rip = f[0];
        return resume(vm, t);
    }
    case HVT_OP_IRETQ: {
        uint64_t f[5];

        if (guest_read(vm, t->rsp, f, sizeof f))
            return bad_operand(vm, t, in->name, t->rsp);
        if (!canonical(f[0]) || !canonical(f[3]))
            return vm_fail(vm, "guest executed iretq at rip 0x%" PRIx64 " with a non-canonical "
                           "RIP 0x%" PRIx64 " or RSP 0x%" PRIx64, t->rip, f[0], f[3]);
        vc->cs = (uint16_t)f[1];
        vc->ss = (uint16_t)f[4];
        if (vc->handler_depth)
            vc->handler_depth--;
        t->rip = f[0];
        t->rflags = (f[2] & RFLAGS_SAFE) | RFLAGS_FIXED;
        t->rsp = f[3];
        return resume(vm, t);
    }
    case HVT_OP_SGDT:
    case HVT_OP_SIDT: {
        uint8_t d[10];
        uint16_t limit = in->op == HVT_OP_SGDT ? vc->gdt_limit : vc->idt_limit;
        uint64_t base = in->op == HVT_OP_SGDT ? vc->gdt_base : vc->idt_base;

        if (!in->m.mem)
            return NOT_PRIVILEGED;
        memcpy(d, &limit, 2);
        memcpy(d + 2, &base, 8);
        a = hvt_ea(in, t->gpr, t->rip);
        if (guest_write(vm, a, d, sizeof d))
            return bad_operand(vm, t, in->name, a);
        break;
    }
    case HVT_OP_SLDT:
    case HVT_OP_STR:
    case HVT_OP_SMSW:
        if ((r = store_system_value(vm, t, in,
                                    in->op == HVT_OP_SLDT ? 0 /* no LDT, as under solo5-hvt */
                                    : in->op == HVT_OP_STR ? vc->tr : vc->cr0)))
            return r;
        break;
    case HVT_OP_INT3:
        return deliver(vm, t, 3, 0, 0, next);
    case HVT_OP_INTN:
        if (in->imm8 < X86_IDT_VECTORS)
            return deliver(vm, t, in->imm8, 0, 0, next);
        return deliver(vm, t, 13, 1, in->imm8 * 8u + 2, t->rip);
    case HVT_OP_MOV_IMM:
        t->gpr[in->m.rm] = in->imm;
        break;
    case HVT_OP_RDMSR:
    case HVT_OP_MOV_TO_CR:
    case HVT_OP_PRIV:
        return not_emulated(vm, t, in->name, "");
    case HVT_OP_UNKNOWN:
    default:
        return NOT_PRIVILEGED;
    }
    t->rip = next;
    return run_ahead(vm, t);
}

/* wx_violation: a page fault on a present page of guest memory proper
 * (above 1 MiB) that wrote or fetched: W^X, the host/guest translation
 * fault solo5-hvt reports for xnow. */
static int wx_violation(struct vm *vm, const struct trap *t, uint64_t cr2)
{
    vm_console_drain(vm);
    vm_log(vm, "W^X violation: %s 0x%" PRIx64, (t->ec & PF_FETCH) ? "execute from non-executable"
                                                : "write to read-only", cr2);
    return vm_fail(vm, "KVM: host/guest translation fault: rip=0x%" PRIx64, t->rip);
}

/* say_syscall: the wisp line naming a syscall/sysenter at t->rip, which
 * then reaches the guest as exception `vector`, as under solo5-hvt. */
static void say_syscall(struct vm *vm, const struct trap *t, const char *name, unsigned vector)
{
    vm_log(vm, "guest executed %s at rip 0x%" PRIx64 ": system calls are not available "
           "(solo5-hvt leaves them disabled: EFER.SCE off, SYSENTER_CS 0); the guest gets #%s",
           name, t->rip, x86_exception_mnemonic(vector));
}

/*
 * syscall_entered: syscall or sysenter (which Solo5 never executes and
 * solo5-hvt leaves disabled) reached the stub's entries for them
 * (kvm_trap_syscalls): PVM ignores EFER.SCE and enters LSTAR at CPL3, a
 * page fault there.  A syscall becomes the #UD it raises with SCE off, at
 * RCX - 2 with RFLAGS from R11: 1, t and *vector updated.  A sysenter
 * left no return address: the guest ends (-1).  0 for anything else.
 * A #UD or #GP on the instruction itself is named after the decode
 * (hvt_cpl3_handle_stub), off the hot path.
 */
static int syscall_entered(struct vm *vm, struct trap *t, unsigned *vector)
{
    if (*vector == X86_TRAP_SYSENTER || (*vector == 14 && t->rip == X86_SYSENTER_TRAP_GPA)) {
        vm_console_drain(vm);
        vm_log(vm, "guest crashed: the guest executed sysenter at an unknown address "
               "(system calls are not available: solo5-hvt leaves them disabled)");
        vm_end(vm, WISP_END_CRASH, WISP_EXIT_GUEST_FAULT);
        return -1;
    }
    if (*vector != X86_TRAP_SYSCALL && !(*vector == 14 && t->rip == X86_SYSCALL_TRAP_GPA))
        return 0;
    if (*vector == X86_TRAP_SYSCALL)
        t->rsp = t->regs.rsp; /* entered at CPL0: no frame */
    t->rip = t->regs.rcx - 2;
    t->rflags = t->regs.r11;
    t->ec = 0;
    t->gpr[4] = t->rsp;
    *vector = 6;
    say_syscall(vm, t, "syscall", 6);
    return 1;
}

int hvt_cpl3_handle_stub(struct vm *vm, unsigned vector)
{
    struct trap t = {.vector = vector};
    int has_ec = x86_exception_has_errcode(vector);

    if (vm->hvt->sync_regs)
        t.regs = vm->kvm->run->s.regs.regs;
    else if (ioctl(vm->kvm->vcpu_fd, KVM_GET_REGS, &t.regs) < 0)
        return vm_fail(vm, "KVM: ioctl (GET_REGS) failed: %s", strerror(errno));
    regs_to_gpr(&t.regs, t.gpr);
    t.rip = frame_u64(vm, X86_FRAME_RIP);
    t.rsp = frame_u64(vm, X86_FRAME_RSP);
    t.rflags = frame_u64(vm, X86_FRAME_RFLAGS);
    t.ec = has_ec ? frame_u64(vm, X86_FRAME_ERRCODE) : 0;
    t.gpr[4] = t.rsp;

    switch (syscall_entered(vm, &t, &vector)) {
    case -1:
        return HC_STOP;
    case 1:
        return deliver(vm, &t, vector, 0, 0, t.rip);
    default:
        break;
    }
    if (vector == 13 || vector == 6) {
        uint8_t code[HVT_INSN_MAX];
        unsigned n = HVT_INSN_MAX;
        struct hvt_insn in;
        int r;

        while (n && guest_read(vm, t.rip, code, n))
            n--;
        hvt_decode(code, n, &in);
        r = emulate(vm, &t, &in);
        if (r != NOT_PRIVILEGED)
            return r;
        if (n >= 2 && code[0] == 0x0f && (code[1] == 0x05 || code[1] == 0x34))
            say_syscall(vm, &t, code[1] == 0x05 ? "syscall" : "sysenter", vector);
    }
    if (vector == 14) {
        struct kvm_sregs s;
        uint64_t cr2;

        if (vm->hvt->sync_regs)
            s = vm->kvm->run->s.regs.sregs;
        else if (ioctl(vm->kvm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
            return vm_fail(vm, "KVM: ioctl (GET_SREGS) failed: %s", strerror(errno));
        cr2 = s.cr2;
        switch (hvt_cpl3_defer_fault(vm, cr2, t.ec)) {
        case 1:
            return resume(vm, &t); /* the guest's CR2 as it was */
        case -1:
            return -1;
        default:
            break;
        }
        if ((t.ec & PF_PRESENT) && (t.ec & (PF_WRITE | PF_FETCH)) &&
            cr2 >= HVT_GUEST_MIN_BASE && cr2 < vm->mem_size)
            return wx_violation(vm, &t, cr2);
        vm->hvt->vc.cr2 = cr2;
        /* A CPL0 guest sees no U bit. */
        return deliver(vm, &t, 14, 1, t.ec & ~PF_USER, t.rip);
    }
    /* Traps (#DB, #BP, #OF) return after the instruction; KVM reports the
     * frame the CPU pushed, which already says so. */
    return deliver(vm, &t, vector, has_ec, t.ec, t.rip);
}

int hvt_fault_regs(const struct vm *vm, uint64_t rip, uint64_t r[16], uint64_t *rflags)
{
    const struct hvt_vcpu *vc = vm->hvt ? &vm->hvt->vc : NULL;

    if (!vc || !vm->hvt->cpl3 || !vc->fault_valid || vc->fault_rip != rip)
        return -1;
    memcpy(r, vc->fault_gpr, sizeof vc->fault_gpr);
    *rflags = vc->fault_rflags;
    return 0;
}
