/*
 * Compatibility mode at CPL3 (the default; --solo5:cpl0 keeps the CPL0
 * path): the unmodified Solo5 hvt unikernel runs at CPL3 on the tender's
 * GDT, TSS, IDT and W^X page tables (x86_64/tables.c, paging.c).  Every
 * CPU exception enters a tender-owned ring-0 stub that exits to the
 * tender with `out %al, $(HVT_STUB_PORT_BASE + vector)` (no guest register
 * changed); the tender then
 *   - decodes the instruction at the faulting RIP (hvt_decode) and, for
 *     the privileged instructions Solo5's bindings execute (SOLO5_HVT_ABI.md
 *     1.8), emulates it against the guest's virtual CPU state (struct
 *     hvt_vcpu): lgdt/lidt/ltr recorded (never installed), mov to a segment
 *     register and the far return accepted with CPL3 selectors, cli/sti
 *     no-ops, outl to 0x500+n the hypercall as at CPL0 (only with
 *     --solo5:trap-io or on a KVM that ignored the tender TSS's I/O
 *     bitmap: it lets exactly those ports exit directly), wrmsr FS_BASE,
 *     mov %cr2, iretq; cli;hlt ends the run as solo5-hvt does; with
 *     CR4.UMIP (where KVM offers it) sgdt, sidt, sldt, str and smsw,
 *     answered from the recorded state;
 *   - delivers any other exception to the guest's own IDT handler, on its
 *     stack (IST from its TSS), with the frame a CPL0 handler expects;
 *   - ends the guest with a report naming a privileged instruction it does
 *     not emulate, and with wisp's crash report when delivery itself fails.
 * The guest resumes at CPL3 by KVM_SET_REGS + KVM_SET_SREGS: the stub never
 * returns (KVM's emulator cannot iretq to CPL3).
 */
#ifndef WISP_HVT_EMULATE_H
#define WISP_HVT_EMULATE_H

#include <stdint.h>

#include "x86_64/decode.h"

struct vm;

#define HVT_STUB_PORT_BASE 0x80 /* the stub's `out`: port 0x80 + vector */
#define HVT_INSN_MAX       15

enum hvt_op {
    HVT_OP_UNKNOWN,   /* not an instruction the tender knows: not privileged */
    HVT_OP_LGDT, HVT_OP_LIDT, HVT_OP_LTR, HVT_OP_CLI, HVT_OP_STI, HVT_OP_HLT,
    HVT_OP_OUT,       /* out %eax/%ax/%al to (%dx) or imm8 */
    HVT_OP_IN,
    HVT_OP_WRMSR, HVT_OP_RDMSR,
    HVT_OP_MOV_FROM_CR, HVT_OP_MOV_TO_CR,
    HVT_OP_IRETQ, HVT_OP_LRETQ,
    HVT_OP_MOV_SREG,  /* mov r/m16, %ds/%es/%ss/%fs/%gs */
    HVT_OP_INT3, HVT_OP_INTN,
    HVT_OP_PRIV,      /* another privileged instruction, not emulated */
    HVT_OP_MOV_IMM,   /* mov $imm, %reg (b8+r): not privileged; run-ahead only */
    HVT_OP_SGDT, HVT_OP_SIDT, HVT_OP_SLDT, HVT_OP_STR, HVT_OP_SMSW, /* trap with CR4.UMIP */
};

/* One decoded instruction.  Registers are numbered as x86 encodes them
 * (0 rax, 1 rcx, 2 rdx, 3 rbx, 4 rsp, 5 rbp, 6 rsi, 7 rdi, 8-15 r8-r15). */
struct hvt_insn {
    enum hvt_op op;
    const char *name;   /* mnemonic for reports ("lgdt", "wrmsr", ...) */
    unsigned len;       /* bytes, prefixes included */
    unsigned opsize;    /* operand size in bytes: 1, 2, 4 or 8 */
    struct x86_modrm m; /* the ModRM operand (m.reg: CR number, Sreg, ...;
                           m.rm: the register of b8+r and mov to/from CR) */
    int port_dx;        /* OUT/IN: port in %dx, else imm8 */
    uint8_t imm8;       /* OUT/IN port, INT vector */
    uint64_t imm;       /* MOV_IMM: the value, zero-extended as the CPU does */
};

/*
 * hvt_decode: decode the instruction in code[0..n) (n <= HVT_INSN_MAX; the
 * bytes that could be read at the faulting RIP).  Accepts the prefixes
 * 0x66 and REX; any other prefix or an instruction running past n gives
 * HVT_OP_UNKNOWN.  Pure: never reads beyond code[n - 1].
 */
void hvt_decode(const uint8_t *code, unsigned n, struct hvt_insn *in);

/* hvt_ea: the effective address of in's memory operand, given the guest's
 * registers in encoding order and the RIP of the instruction. */
uint64_t hvt_ea(const struct hvt_insn *in, const uint64_t gpr[16], uint64_t rip);

/* The guest's view of its CPU, kept by the tender (vm->hvt->vcpu). */
struct hvt_vcpu {
    uint64_t gdt_base, idt_base;
    uint16_t gdt_limit, idt_limit;  /* idt_limit 0 and idt_base 0: no IDT yet */
    int idt_loaded;
    uint16_t tr;                    /* 0: no TSS loaded */
    uint64_t tss_base;
    uint16_t cs, ss;                /* selectors the guest believes in */
    uint64_t cr2;                   /* last page-fault address delivered */
    uint64_t cr0;                   /* what smsw shows: the CR0 solo5-hvt sets */
    unsigned handler_depth;         /* exceptions delivered, not yet iretq'd */
    /* The guest's registers when the tender last delivered an exception to
     * its handler (encoding order), for core files and gdb: Solo5's trap
     * frame (the HALT cookie) has only rip, rsp and rflags. */
    int fault_valid;
    uint64_t fault_gpr[16], fault_rip, fault_rflags;
};

/* hvt_fault_regs: those registers, if the last delivered exception was
 * at `rip`: 0 with r[16] in encoding order (rax, rcx, rdx, rbx, rsp, rbp,
 * rsi, rdi, r8-r15) and *rflags; -1 otherwise. */
int hvt_fault_regs(const struct vm *vm, uint64_t rip, uint64_t r[16], uint64_t *rflags);

/* hvt_cpl3_handle_stub: the stub exited for `vector`: emulate, deliver or
 * end the guest.  Returns as an exit handler (HC_CONTINUE, HC_STOP, -1). */
int hvt_cpl3_handle_stub(struct vm *vm, unsigned vector);

/* hvt_cpl3_load: tables, stub and W^X page tables; regions. */
int hvt_cpl3_load(struct vm *vm);

/*
 * Deferred guest memory (vm->mem_defer_*, kvm.h): at CPL3 the tender owns
 * the page tables, so the middle of a large guest memory (above the image,
 * below the top 2 MiB where the stack starts) can stay unregistered with
 * KVM and not present in them until the guest first touches it: that
 * touch is a not-present #PF, which the stub brings to the tender
 * (hvt_cpl3_defer_fault) instead of the guest.  The guest sees the same
 * memory size, map and permissions, and its CR2 is not changed.
 *
 * hvt_defer_plan: choose the range (plan_memory; none if under
 * HVT_DEFER_MIN or with --solo5:cpl0).
 * hvt_cpl3_defer_fault: for a #PF at `cr2` with error code `ec`: 1 if it
 * was the first touch of the deferred range, now registered and mapped
 * (resume the guest at the faulting instruction), 0 if not ours, -1 on
 * error (message set).
 */
#define HVT_DEFER_MIN (64ull << 20)
void hvt_defer_plan(struct vm *vm);
int hvt_cpl3_defer_fault(struct vm *vm, uint64_t cr2, uint64_t ec);

/* hvt_cpl3_setup_cpu: CPL3 vCPU on the tender's tables (after load). */
int hvt_cpl3_setup_cpu(struct vm *vm, uint64_t entry);

#endif /* WISP_HVT_EMULATE_H */
