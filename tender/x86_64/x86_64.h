/*
 * x86_64 machine-dependent pieces: control-register bits (both modes) and,
 * for an isolated-mode guest, the tender's private low-memory layout,
 * page-table construction, and the system tables (GDT, TSS, IDT, exception
 * stub) the guest can never reach.
 *
 * Private layout (guest-physical == guest-virtual; all supervisor-only or
 * unmapped, so a CPL3 guest cannot read or change any of it):
 *   0x0000            unmapped (NULL page)
 *   0x1000  GDT, IDT (32 gates) at 0x1400, TSS at 0x1800 (+ I/O bitmap,
 *           compat at CPL3): one page, supervisor, read-only, NX
 *   0x2000  unmapped
 *   0x3000  exception stub code         supervisor, read-only, executable
 *   0x4000  exception stub stack (IST1) supervisor, read-write, NX
 *   0x10000 boot info, cmdline, manifest: user read-only (abi.h)
 *   0x20000 .. 0xa0000 page-table pool: not mapped at all
 */
#ifndef WISP_X86_64_H
#define WISP_X86_64_H

#include <stdint.h>

#define X86_GDT_GPA          0x1000ull
#define X86_TSS_GPA          0x1800ull
#define X86_IDT_GPA          0x1400ull  /* in the GDT's page: one page less per guest */
#define X86_STUB_GPA         0x3000ull
#define X86_STUB_STACK_GPA   0x4000ull
#define X86_STUB_STACK_TOP   0x5000ull
#define X86_PT_POOL_START    0x20000ull
#define X86_PT_POOL_END      0xa0000ull

#define X86_IDT_VECTORS      32
#define X86_STUB_ENTRY_SIZE  8
#define X86_STUB_PORT_BASE   0x80   /* the stub's `out` to BASE + vector: no register changed */

/* Where syscall and sysenter lead (kvm_trap_syscalls): two more stub
 * entries after the 32 exception entries, which report the pseudo-vectors
 * X86_TRAP_SYSCALL and X86_TRAP_SYSENTER.  Supervisor-only: a KVM that
 * entered them at CPL3 takes a page fault there instead, at this RIP. */
#define X86_TRAP_SYSCALL     32
#define X86_TRAP_SYSENTER    33
#define X86_SYSCALL_TRAP_GPA  (X86_STUB_GPA + X86_TRAP_SYSCALL * X86_STUB_ENTRY_SIZE)
#define X86_SYSENTER_TRAP_GPA (X86_STUB_GPA + X86_TRAP_SYSENTER * X86_STUB_ENTRY_SIZE)

#define X86_SEL_KCODE        0x08
#define X86_SEL_UDATA        (0x18 | 3)
#define X86_SEL_UCODE        (0x20 | 3)
#define X86_SEL_TSS          0x28
#define X86_GDT_ENTRIES      7
#define X86_TSS_SIZE         104
_Static_assert(X86_GDT_GPA + X86_GDT_ENTRIES * 8 <= X86_IDT_GPA &&
               X86_IDT_GPA + X86_IDT_VECTORS * 16 <= X86_TSS_GPA &&
               X86_TSS_GPA + X86_TSS_SIZE <= X86_GDT_GPA + 0x1000,
               "GDT, IDT and TSS share one page, in this order");

/* Where the CPU leaves the exception frame on the stub stack (16-aligned
 * IST top): RIP, CS, RFLAGS, RSP, SS above, error code (if any) below. */
#define X86_FRAME_ERRCODE    (X86_STUB_STACK_TOP - 48)
#define X86_FRAME_RIP        (X86_STUB_STACK_TOP - 40)
#define X86_FRAME_RSP        (X86_STUB_STACK_TOP - 16)

/* Control-register and EFER bits (both guest modes). */
#define X86_CR0_PE (1ull << 0)
#define X86_CR0_MP (1ull << 1)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_OSFXSR (1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define X86_CR4_UMIP (1ull << 11)
#define X86_CR4_FSGSBASE (1ull << 16)
#define X86_CR4_OSXSAVE (1ull << 18)
#define X86_CR4_SMEP (1ull << 20)
#define X86_CR4_SMAP (1ull << 21)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
#define X86_EFER_NXE (1ull << 11)
#define X86_EFER_SCE (1ull << 0)  /* never set: syscall is #UD (kvm_trap_syscalls) */

/* Page-table entry bits. */
#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_U   (1ull << 2)
#define PTE_PS  (1ull << 7)
#define PTE_NX  (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

struct pt_builder {
    uint8_t *mem;      /* host mapping of guest RAM */
    uint64_t pml4;     /* GPA of the PML4 (CR3) */
    uint64_t next;     /* next free pool page */
    uint64_t end;      /* end of the pool */
};

/*
 * pt_init: start a page-table hierarchy in the pool [pool_start, pool_end)
 * of `mem`, which MUST be zero-filled.  Allocates the PML4.
 */
int pt_init(struct pt_builder *pt, uint8_t *mem, uint64_t pool_start, uint64_t pool_end);

/*
 * pt_map: map [va, va + len) identically with leaf flags `flags` (PTE_*;
 * PTE_P is implied).  va and len MUST be page aligned.  Uses 2 MiB pages
 * where a whole aligned 2 MiB block is covered, 4 KiB pages elsewhere.
 * Returns 0, or -1 when the pool is exhausted or the range overlaps an
 * existing mapping.
 */
int pt_map(struct pt_builder *pt, uint64_t va, uint64_t len, uint64_t flags);

/* The two private pages that hold the system tables, as they are in guest
 * memory at X86_GDT_GPA (GDT, IDT, TSS) and X86_STUB_GPA (stub entries),
 * built at compile time (tables.c). */
struct x86_tables_image {
    uint64_t gdt[X86_GDT_ENTRIES];
    uint8_t _pad0[(X86_IDT_GPA - X86_GDT_GPA) - X86_GDT_ENTRIES * 8];
    uint64_t idt[2 * X86_IDT_VECTORS];
    uint8_t _pad1[(X86_TSS_GPA - X86_IDT_GPA) - X86_IDT_VECTORS * 16];
    uint8_t tss[X86_TSS_SIZE];
    uint8_t _pad2[0x1000 - (X86_TSS_GPA - X86_GDT_GPA) - X86_TSS_SIZE];
    uint8_t stub[X86_TRAP_SYSENTER + 1][X86_STUB_ENTRY_SIZE];
    uint8_t _pad3[0x1000 - (X86_TRAP_SYSENTER + 1) * X86_STUB_ENTRY_SIZE];
};
extern const struct x86_tables_image x86_tables_image;

/*
 * x86_write_system_tables: write the GDT, TSS, IDT and exception stub into
 * `mem` at their private addresses.  Each IDT gate (vectors 0-31, DPL0,
 * IST1) points to an 8-byte stub entry `out %al,$(X86_STUB_PORT_BASE +
 * vector); hlt; jmp .-1`, so any exception exits to the tender with one
 * KVM_EXIT_IO whose port names the vector, every guest register as it was
 * (the crash report reads them: x86_ea of a #GP operand, RCX after syscall).  Two more entries of the same form at
 * X86_SYSCALL_TRAP_GPA and X86_SYSENTER_TRAP_GPA report X86_TRAP_SYSCALL
 * and X86_TRAP_SYSENTER.
 */
void x86_write_system_tables(uint8_t *mem);

/*
 * x86_tss_allow_ports: give the TSS written by x86_write_system_tables an
 * I/O permission bitmap (in the same supervisor-only page, after the TSS)
 * that lets CPL3 reach ports [first, first + count) and no other, and
 * extend the TSS descriptor's limit over it.  Note the CPU checks one bit
 * per byte accessed: a 4-byte access at first + count - 1 needs the bits
 * up to first + count + 2, so the caller passes that span.  Returns the
 * new TSS limit (for the TR the vCPU is given); a span whose bitmap would
 * not fit in the page gets none (the limit stays X86_TSS_SIZE - 1).
 */
uint32_t x86_tss_allow_ports(uint8_t *mem, uint16_t first, uint16_t count);

/*
 * x86_share_system_tables: replace each of the two system-table pages of
 * `mem` that holds exactly the bytes of its x86_tables_image page (as
 * x86_write_system_tables wrote it) with a read-only private mapping of
 * that page of the tender's own executable, so that every guest uses the
 * one page-cache copy instead of two resident pages of its own
 * (shared_tables.c).  `mem` MUST be a page-aligned mapping of the
 * tender's own (mmap), not yet run, and nothing may write these pages
 * afterwards (--gdb does: not for it).  Not for page tables: AMD's nested
 * paging treats the guest's page-table reads as writes.  Returns 0 (both
 * shared); -1 if a page was not (it keeps its copy: not an error, only a
 * missed saving); -2 if guest memory could not be restored after a failed
 * mapping.
 */
int x86_share_system_tables(uint8_t *mem);

/* x86_exception_has_errcode: whether the CPU pushes an error code. */
int x86_exception_has_errcode(unsigned vector);

/* x86_exception_name: "page fault", ...; mnemonic: "PF", ... */
const char *x86_exception_name(unsigned vector);
const char *x86_exception_mnemonic(unsigned vector);

#endif /* WISP_X86_64_H */
