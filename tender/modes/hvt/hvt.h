/*
 * Solo5 compatibility mode ("hvt-compat"): the tender side of Solo5's hvt
 * ABI version 2 (include/wisp/hvt_abi.h; SOLO5_HVT_ABI.md is the contract).
 * An unmodified solo5-hvt unikernel runs at CPL0 with Solo5's memory
 * layout, boot info, port-I/O hypercalls and exit statuses.
 *
 *   mode.c       the mode's operations (core/mode.h), image checks, finish
 *   mem.c        --mem rules, page tables, GDT, ELF load + host W^X, boot info
 *   cpu.c        CPL0 vCPU state, CPUID passthrough, TSC
 *   exits.c      the exit handler: port-I/O dispatch, translation faults
 *   cpl3.c       the default CPL3 run: tender tables, W^X page tables, vCPU,
 *                guest memory registered with KVM at first touch
 *   emulate.c    the CPL3 run's traps: emulation and exception delivery
 *   emulate_decode.c  its instruction decoder (pure)
 *
 * The hypercalls are the device modules' (tender/devices/: core.c
 * WALLTIME, PUTS, POLL, HALT; block.c BLOCK_*; net.c NET_* and net_ring.c,
 * the ring-I/O extension), each serving both modes; they check guest
 * addresses with guest_ptr_or_fail (core/guest_mem.h).
 *
 * Error policy: as everywhere in the tender, functions return 0 or -1 with
 * the message set by vm_fail(); hvt_finish() turns every tender error of a
 * compat run into exit status 1, as solo5-hvt does (SOLO5_HVT_ABI.md 5).
 * A malformed hypercall (bad port, number or guest pointer) is a tender
 * error too, as in Solo5.
 */
#ifndef WISP_HVT_H
#define WISP_HVT_H

#include <stdint.h>
#include <linux/kvm.h>

#include "modes/hvt/emulate.h"
#include "wisp/hvt_abi.h"

struct vm;
struct kvm_run;

#define HVT_EXIT_TENDER_ERROR 1        /* solo5-hvt's status for its own errors */
#define HVT_MEM_DEFAULT       (512ull << 20)
#define HVT_PAGE_2M           (2ull << 20)
#define HVT_RING_RESERVE      HVT_PAGE_2M /* roundup(sizeof(struct hvt_ring), 2 MiB) */
#define HVT_MSG_MAX           256

/* Compat-mode state of one run (vm->hvt).  vm->mem_size is what the guest
 * may name (boot_info.mem_size), vm->mem_alloc adds the ring area. */
struct hvt {
    uint64_t ring_gpa;       /* struct hvt_ring, or 0 when no ring is offered */
    struct hvt_ring_io *ring; /* devices/net_ring.c, NULL when not running */
    int cpl3;                /* the guest runs at CPL3 (emulate.h); 0: --solo5:cpl0 */
    uint64_t cr3;            /* CPL3: the tender's page tables */
    struct kvm_sregs sregs;  /* CPL3: what the guest resumes with */
    int sync_regs;           /* CPL3: registers travel in kvm_run (KVM_CAP_SYNC_REGS) */
    int umip;                /* KVM offers CR4.UMIP (CPUID.7.0:ECX.2): set at CPL3 */
    int direct_io;           /* CPL3: the TSS I/O bitmap lets outl 0x500+n exit directly */
    uint32_t tss_limit;      /* CPL3: the tender's TSS, with its I/O bitmap if any */
    struct hvt_vcpu vc;      /* CPL3: the guest's view of its CPU */
};

/* Result of the --mem rules (hvt_mem_plan). */
struct hvt_mem_plan {
    uint64_t mem_size;       /* usable */
    uint64_t alloc_size;     /* mapped */
    uint64_t ring_gpa;       /* 0, or alloc_size - HVT_RING_RESERVE */
    char warning[HVT_MSG_MAX]; /* "" or "adjusting memory to N bytes" */
};

/*
 * hvt_check_image: the checks solo5-hvt makes on the notes of an image
 * already parsed as WISP_MODE_SOLO5_HVT: ABI target hvt, ABI version 2, a
 * manifest present.  Messages name the file and keep Solo5's phrases
 * ("Executable is not for the solo5-hvt target", "No Solo5 manifest found
 * in executable").  Pure (no KVM).
 */
int hvt_check_image(struct vm *vm);

/*
 * hvt_mem_plan: solo5-hvt's --mem rules.  `requested` is in bytes, 0 for
 * the default (512 MiB).  Rounded down to 2 MiB, at least 2 MiB, at most
 * 4 GiB (else -1 and err[HVT_MSG_MAX] "guest memory size 0x.. exceeds the
 * max size 0x.."); a warning if adjusted.  With `ring` set, 2 MiB are
 * added above for the network ring, and the total clamped to 4 GiB.
 * Pure.
 */
int hvt_mem_plan(uint64_t requested, int ring, struct hvt_mem_plan *p, char *err);

/*
 * hvt_write_tables: the boot GDT at 0x1000 and the page tables at
 * 0x2000-0x8fff of the guest memory at `mem`, identity-mapping
 * [0, alloc_size): page 0 and the low tables not present, 0x10000-0xfffff
 * read-only, the rest of the first 2 MiB read-write with 4 KiB pages, 2 MiB
 * pages above.  `mem` MUST be zero-filled and at least 2 MiB; alloc_size a
 * multiple of 2 MiB, at most 4 GiB.  Pure.
 */
void hvt_write_tables(uint8_t *mem, uint64_t alloc_size);

/*
 * hvt_load_elf: copy the image's segments into guest memory (bounds:
 * every PT_LOAD, .bss included, below vm->mem_size) and apply host-side
 * W^X: text and rodata PROT_READ, data RW.  Sets nothing else.
 */
int hvt_load_elf(struct vm *vm);

/*
 * hvt_write_boot_info: boot info at 0x10000, the manifest copy at 0x10038
 * (host fds zeroed), the command line after it.  Call after the device
 * modules' setup (they fill the manifest).  `features` and `ring_gpa` go
 * into host_features / net_ring.
 */
int hvt_write_boot_info(struct vm *vm, uint32_t features, uint64_t ring_gpa);

/*
 * hvt_set_regions: what the guest may touch, for guest_range (core/
 * guest_mem.h): all of [0, vm->mem_size) readable, writable but for the
 * pages of read-only (text, rodata) segments, which the host maps
 * read-only (hvt_load_elf): a host store there would kill the tender with
 * SIGSEGV instead of ending the guest.  The ring area above mem_size is
 * not the guest's to name.
 */
int hvt_set_regions(struct vm *vm);

/* hvt_setup_cpu: CPUID passthrough, CPL0 sregs and regs (1.6), TSC
 * frequency into vm->tsc_hz (1.7). */
int hvt_setup_cpu(struct vm *vm, uint64_t entry);

/*
 * hvt_io_exit: one KVM_EXIT_IO: Solo5's checks (an OUT of 4 bytes to a
 * port in [0x500, 0x509), a registered number), then the hypercall.
 * `data` is the 32-bit value written.  Returns as a hypercall handler.
 * Pure apart from the handlers: unit-testable without KVM.
 */
int hvt_io_exit(struct vm *vm, uint16_t port, int out, unsigned size, uint32_t data);

/* hvt_handle_exit: the mode's exit handler: at CPL3 the stub's exits
 * (hvt_cpl3_handle_stub), and a triple fault as a crash report; : port I/O (hvt_io_exit), and
 * a host/guest translation fault however this KVM reports it. */
int hvt_handle_exit(struct vm *vm, struct kvm_run *run);

/* Ring-I/O extension (devices/net_ring.c). */
int hvt_ring_wanted(const struct vm *vm);
int hvt_ring_start(struct vm *vm);  /* 0: running or not offered; -1: error */
void hvt_ring_stop(struct vm *vm);
/* hvt_ring_kick: a CPL3 guest's trapped `outl` to port 0x600: wake the
 * I/O thread as the ioeventfd would. */
void hvt_ring_kick(struct vm *vm);
int hvt_ring_seccomp_rules(struct vm *vm, void *ctx);
/* hvt_ring_poll_before/after: the POLL hypercall serves the ring before it
 * waits (up to the first POLL read, include/wisp/hvt_ring_ext.h) and after. */
void hvt_ring_poll_before(struct vm *vm);
void hvt_ring_poll_after(struct vm *vm);

/* hvt_finish: release compat-mode resources; a tender error exits 1. */
void hvt_finish(struct vm *vm);

#endif /* WISP_HVT_H */
