/*
 * The vCPU's registers and KVM's guest-debug controls for the GDB server
 * (kvm/guest_debug.h).  A compatibility-mode exit handler may leave the
 * next registers in kvm_run (KVM_CAP_SYNC_REGS, kvm_dirty_regs): those
 * are the guest's registers then, read and written in place.
 */
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/vm.h"
#include "kvm/guest_debug.h"
#include "kvm/kvm_backend.h"

/* The eflags bits a debugger may change (CPL3 code may change them too):
 * CF PF AF ZF SF TF DF OF AC. */
#define EFLAGS_USER 0x40dd5ull

static int get_regs(struct vm *vm, struct kvm_regs *r)
{
    struct kvm_run *run = vm->kvm->run;

    if (run->kvm_dirty_regs & KVM_SYNC_X86_REGS) {
        *r = run->s.regs.regs;
        return 0;
    }
    return ioctl(vm->kvm->vcpu_fd, KVM_GET_REGS, r) < 0 ? -1 : 0;
}

static int set_regs(struct vm *vm, const struct kvm_regs *r)
{
    struct kvm_run *run = vm->kvm->run;

    if (run->kvm_dirty_regs & KVM_SYNC_X86_REGS) {
        run->s.regs.regs = *r;
        return 0;
    }
    return ioctl(vm->kvm->vcpu_fd, KVM_SET_REGS, r) < 0 ? -1 : 0;
}

static int get_sregs(struct vm *vm, struct kvm_sregs *s)
{
    struct kvm_run *run = vm->kvm->run;

    if (run->kvm_dirty_regs & KVM_SYNC_X86_SREGS) {
        *s = run->s.regs.sregs;
        return 0;
    }
    return ioctl(vm->kvm->vcpu_fd, KVM_GET_SREGS, s) < 0 ? -1 : 0;
}

static int set_sregs(struct vm *vm, const struct kvm_sregs *s)
{
    struct kvm_run *run = vm->kvm->run;

    if (run->kvm_dirty_regs & KVM_SYNC_X86_SREGS) {
        run->s.regs.sregs = *s;
        return 0;
    }
    return ioctl(vm->kvm->vcpu_fd, KVM_SET_SREGS, s) < 0 ? -1 : 0;
}

static void put(uint8_t *out, unsigned reg, uint64_t v)
{
    memcpy(out + gdb_reg_offset(reg), &v, gdb_reg_size(reg) < 8 ? gdb_reg_size(reg) : 8);
}

static uint64_t take(const uint8_t *in, unsigned reg)
{
    uint64_t v = 0;

    memcpy(&v, in + gdb_reg_offset(reg), gdb_reg_size(reg) < 8 ? gdb_reg_size(reg) : 8);
    return v;
}

/* The general registers in GDB's order, as pointers into kvm_regs. */
static unsigned long long *gpr(struct kvm_regs *r, unsigned i)
{
    unsigned long long *const order[16] = {
        &r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi, &r->rbp, &r->rsp,
        &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
    };

    return order[i];
}

/* full_tag: FXSAVE's abridged tag byte as the x87 tag word (a register
 * in use is called valid, 00; an empty one 11). */
static uint64_t full_tag(uint8_t abridged)
{
    uint64_t tag = 0;

    for (unsigned i = 0; i < 8; i++)
        if (!(abridged & (1u << i)))
            tag |= 3ull << (2 * i);
    return tag;
}

static uint8_t abridged_tag(uint64_t tag)
{
    uint8_t a = 0;

    for (unsigned i = 0; i < 8; i++)
        if (((tag >> (2 * i)) & 3) != 3)
            a |= (uint8_t)(1u << i);
    return a;
}

int guest_debug_read_regs(struct vm *vm, const struct guest_debug_frame *frame,
                          uint8_t out[GDB_REGS_SIZE])
{
    struct kvm_regs r;
    struct kvm_sregs s;
    struct kvm_fpu f;

    memset(out, 0, GDB_REGS_SIZE);
    if (get_regs(vm, &r) || get_sregs(vm, &s))
        return -1;
    if (frame && (frame->mask & GDF_GPRS)) {
        static const unsigned encoding[16] = {0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15};

        for (unsigned i = 0; i < 16; i++) /* GDB order i <- encoding register */
            *gpr(&r, i) = frame->gpr[encoding[i]];
    }
    if (frame && (frame->mask & GDF_RIP))
        r.rip = frame->rip;
    if (frame && (frame->mask & GDF_RSP))
        r.rsp = frame->rsp;
    if (frame && (frame->mask & GDF_RFLAGS))
        r.rflags = frame->rflags;
    if (frame && (frame->mask & GDF_SEGS)) {
        s.cs.selector = frame->cs;
        s.ss.selector = frame->ss;
    }
    for (unsigned i = 0; i < 16; i++)
        put(out, GDB_RAX + i, *gpr(&r, i));
    put(out, GDB_RIP, r.rip);
    put(out, GDB_EFLAGS, r.rflags);
    put(out, GDB_CS, s.cs.selector);
    put(out, GDB_SS, s.ss.selector);
    put(out, GDB_DS, s.ds.selector);
    put(out, GDB_ES, s.es.selector);
    put(out, GDB_FS, s.fs.selector);
    put(out, GDB_GS, s.gs.selector);
    put(out, GDB_FS_BASE, s.fs.base);
    put(out, GDB_GS_BASE, s.gs.base);
    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_FPU, &f) < 0)
        return 0; /* no x87/SSE state from this KVM: shown as zeros */
    for (unsigned i = 0; i < 8; i++)
        memcpy(out + gdb_reg_offset(GDB_ST0 + i), f.fpr[i], 10);
    put(out, GDB_FCTRL, f.fcw);
    put(out, GDB_FSTAT, f.fsw);
    put(out, GDB_FTAG, full_tag(f.ftwx));
    put(out, GDB_FIOFF, (uint32_t)f.last_ip);
    put(out, GDB_FISEG, f.last_ip >> 32);
    put(out, GDB_FOOFF, (uint32_t)f.last_dp);
    put(out, GDB_FOSEG, f.last_dp >> 32);
    put(out, GDB_FOP, f.last_opcode);
    for (unsigned i = 0; i < 16; i++)
        memcpy(out + gdb_reg_offset(GDB_XMM0 + i), f.xmm[i], 16);
    put(out, GDB_MXCSR, f.mxcsr);
    return 0;
}

int guest_debug_write_regs(struct vm *vm, const uint8_t in[GDB_REGS_SIZE])
{
    struct kvm_regs r;
    struct kvm_sregs s;
    struct kvm_fpu f;

    if (get_regs(vm, &r) || get_sregs(vm, &s))
        return -1;
    for (unsigned i = 0; i < 16; i++)
        *gpr(&r, i) = take(in, GDB_RAX + i);
    r.rip = take(in, GDB_RIP);
    r.rflags = (r.rflags & ~EFLAGS_USER) | (take(in, GDB_EFLAGS) & EFLAGS_USER);
    s.fs.base = take(in, GDB_FS_BASE);
    s.gs.base = take(in, GDB_GS_BASE);
    if (set_regs(vm, &r) || set_sregs(vm, &s))
        return -1;
    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_FPU, &f) < 0)
        return 0;
    for (unsigned i = 0; i < 8; i++)
        memcpy(f.fpr[i], in + gdb_reg_offset(GDB_ST0 + i), 10);
    f.fcw = (uint16_t)take(in, GDB_FCTRL);
    f.fsw = (uint16_t)take(in, GDB_FSTAT);
    f.ftwx = abridged_tag(take(in, GDB_FTAG));
    f.last_opcode = (uint16_t)take(in, GDB_FOP);
    f.last_ip = take(in, GDB_FIOFF) | take(in, GDB_FISEG) << 32;
    f.last_dp = take(in, GDB_FOOFF) | take(in, GDB_FOSEG) << 32;
    for (unsigned i = 0; i < 16; i++)
        memcpy(f.xmm[i], in + gdb_reg_offset(GDB_XMM0 + i), 16);
    /* Reserved MXCSR bits would make the next FXRSTOR fault. */
    f.mxcsr = (uint32_t)take(in, GDB_MXCSR) & 0xffff;
    return ioctl(vm->kvm->vcpu_fd, KVM_SET_FPU, &f) < 0 ? -1 : 0;
}

/* set_guest_drs: the same breakpoints in the guest's own debug registers:
 * where KVM does not intercept #DB (PVM), the guest's #DB reaches the
 * tender's stub (debug/gdb_run.c).  Hardware KVM with USE_HW_BP runs the
 * guest on the debugger's registers instead. */
static int set_guest_drs(struct vm *vm, const uint64_t dr[4], uint64_t dr7)
{
    struct kvm_debugregs d;

    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_DEBUGREGS, &d) < 0)
        return -1;
    for (unsigned i = 0; i < 4; i++)
        d.db[i] = dr && (dr7 & (3ull << (2 * i))) ? dr[i] : 0;
    d.dr7 = 0x400 | (dr ? dr7 : 0); /* bit 10 always reads 1 */
    return ioctl(vm->kvm->vcpu_fd, KVM_SET_DEBUGREGS, &d) < 0 ? -1 : 0;
}

int guest_debug_set(struct vm *vm, int enable, int sw_bp, int step, const uint64_t dr[4],
                    uint64_t dr7)
{
    struct kvm_guest_debug dbg;

    memset(&dbg, 0, sizeof dbg);
    if (enable) {
        dbg.control = KVM_GUESTDBG_ENABLE | (sw_bp ? KVM_GUESTDBG_USE_SW_BP : 0);
        if (step)
            dbg.control |= KVM_GUESTDBG_SINGLESTEP;
        if (dr7 & 0xff) {
            dbg.control |= KVM_GUESTDBG_USE_HW_BP;
            for (unsigned i = 0; i < 4; i++)
                dbg.arch.debugreg[i] = dr[i];
            dbg.arch.debugreg[7] = dr7;
        }
    }
    if (ioctl(vm->kvm->vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
        return -1;
    return set_guest_drs(vm, enable ? dr : NULL, enable ? dr7 : 0);
}

void guest_debug_exit_info(const struct vm *vm, struct guest_debug_stop *stop)
{
    const struct kvm_run *run = vm->kvm->run;

    stop->exception = run->debug.arch.exception;
    stop->pc = run->debug.arch.pc;
    stop->dr6 = run->debug.arch.dr6;
}

struct kvm_run *guest_debug_run(const struct vm *vm)
{
    return vm->kvm->run;
}

int guest_debug_save_user(struct vm *vm, struct guest_debug_user *u)
{
    struct kvm_sregs s;

    if (get_sregs(vm, &s) || (s.cs.selector & 3) != 3)
        return -1;
    u->cs = s.cs;
    u->ss = s.ss;
    u->valid = 1;
    return 0;
}

int guest_debug_return_to_user(struct vm *vm, const struct guest_debug_user *u, uint64_t rip,
                               uint64_t rsp, uint64_t rflags)
{
    struct kvm_regs r;
    struct kvm_sregs s;

    if (!u->valid || get_regs(vm, &r) || get_sregs(vm, &s))
        return -1;
    r.rip = rip;
    r.rsp = rsp;
    r.rflags = rflags | 2; /* bit 1 is always set */
    s.cs = u->cs;
    s.ss = u->ss;
    return set_regs(vm, &r) || set_sregs(vm, &s) ? -1 : 0;
}

int guest_debug_take_dr6(struct vm *vm, uint64_t *dr6)
{
    struct kvm_debugregs d;

    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_DEBUGREGS, &d) < 0)
        return -1;
    *dr6 = d.dr6;
    d.dr6 = 0xffff0ff0ull; /* nothing hit */
    return ioctl(vm->kvm->vcpu_fd, KVM_SET_DEBUGREGS, &d) < 0 ? -1 : 0;
}

int guest_debug_set_rip(struct vm *vm, uint64_t rip)
{
    struct kvm_regs r;

    if (get_regs(vm, &r))
        return -1;
    r.rip = rip;
    return set_regs(vm, &r);
}

int guest_debug_get_rip(struct vm *vm, uint64_t *rip)
{
    struct kvm_regs r;

    if (get_regs(vm, &r))
        return -1;
    *rip = r.rip;
    return 0;
}
