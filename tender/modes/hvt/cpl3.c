/*
 * Compatibility mode at CPL3 (emulate.h): the guest memory and vCPU of a
 * deprivileged Solo5 hvt unikernel.  The tender's own GDT, TSS, IDT and
 * ring-0 stub (x86_64/tables.c, the stub replaced by one that keeps every
 * guest register), the TSS with an I/O permission bitmap that opens the
 * hypercall ports 0x500-0x50b and the ring kick 0x600-0x603 to CPL3 and
 * nothing else (so a hypercall is one direct port-I/O exit, a kick KVM's
 * ioeventfd signal, no trap; PVM and hardware KVM both honour it;
 * a KVM that did not would raise #GP and the stub path serves the outl
 * as before), and W^X page tables from the ELF segments: text R+X,
 * rodata R+NX, data, bss, heap and stack RW+NX, the ring area RW+NX, the
 * boot info read-only, everything else below 1 MiB supervisor or unmapped;
 * and the deferred middle of a large guest memory (emulate.h): its 2 MiB
 * PDEs built but not present, and registered with KVM, until the first
 * touch.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "core/vm.h"
#include "kvm/kvm.h"
#include "kvm/kvm_backend.h"
#include "modes/hvt/emulate.h"
#include "modes/hvt/hvt.h"
#include "x86_64/x86_64.h"

#define PAGE 0x1000ull
#define ROUND_UP(x, a)   (((x) + (a) - 1) & ~((a) - 1))
#define ROUND_DOWN(x, a) ((x) & ~((a) - 1))
#define HVT_BOOT_INFO_END 0x14000ull
#define SYNC (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS) /* boot info, manifest, cmdline: < 14912 bytes */

/* write_stub: each vector's entry `out %al, $(0x80 + v); hlt; jmp .-1`,
 * which changes no register: the tender reads the guest's as they were. */
static void write_stub(uint8_t *mem)
{
    for (unsigned v = 0; v < X86_IDT_VECTORS; v++) {
        uint8_t code[X86_STUB_ENTRY_SIZE] = {
            0xe6, (uint8_t)(HVT_STUB_PORT_BASE + v), /* out %al, $port */
            0xf4,                                    /* hlt */
            0xeb, 0xfd,                              /* jmp .-3 */
            0x90, 0x90, 0x90,
        };

        memcpy(mem + X86_STUB_GPA + (uint64_t)v * X86_STUB_ENTRY_SIZE, code, sizeof code);
    }
}

static int map(struct vm *vm, struct pt_builder *pt, uint64_t va, uint64_t len, uint64_t flags,
               const char *what)
{
    if (len && pt_map(pt, va, len, flags))
        return vm_fail(vm, "%s: cannot map %s at 0x%llx (+0x%llx): page-table pool "
                       "exhausted or overlap", vm->kernel, what, (unsigned long long)va,
                       (unsigned long long)len);
    return 0;
}

/* map_guest: the segments with their permissions, every other page of
 * [1 MiB, mem_size) RW+NX. */
static int map_guest(struct vm *vm, struct pt_builder *pt)
{
    const struct elf_image *img = &vm->img;
    uint64_t lo[ELF_MAX_SEGMENTS], hi[ELF_MAX_SEGMENTS], fl[ELF_MAX_SEGMENTS];
    uint64_t at = HVT_GUEST_MIN_BASE;
    unsigned n = 0;

    for (unsigned i = 0; i < img->nsegs; i++) {
        const struct elf_segment *s = &img->seg[i];
        unsigned j = n++;

        for (; j > 0 && lo[j - 1] > ROUND_DOWN(s->vaddr, PAGE); j--) {
            lo[j] = lo[j - 1];
            hi[j] = hi[j - 1];
            fl[j] = fl[j - 1];
        }
        lo[j] = ROUND_DOWN(s->vaddr, PAGE);
        hi[j] = ROUND_UP(s->vaddr + s->memsz, PAGE);
        fl[j] = PTE_U | ((s->flags & SEG_W) ? PTE_W : 0) | ((s->flags & SEG_X) ? 0 : PTE_NX);
    }
    for (unsigned i = 0; i < n; i++) {
        if (lo[i] < at)
            return vm_fail(vm, "%s: segments overlap below 0x%llx", vm->kernel,
                           (unsigned long long)at);
        if (map(vm, pt, at, lo[i] - at, PTE_U | PTE_W | PTE_NX, "guest memory") ||
            map(vm, pt, lo[i], hi[i] - lo[i], fl[i], "an ELF segment"))
            return -1;
        at = hi[i];
    }
    if (at < vm->mem_size && map(vm, pt, at, vm->mem_size - at, PTE_U | PTE_W | PTE_NX,
                                 "guest memory"))
        return -1;
    if (vm->hvt->ring_gpa &&
        map(vm, pt, vm->hvt->ring_gpa, HVT_RING_RESERVE, PTE_U | PTE_W | PTE_NX, "the net ring"))
        return -1;
    return 0;
}

/* cpl3_regions: what hypercalls may name: the boot info (read-only) and
 * the guest's memory above 1 MiB, never the tender's tables below it. */
static int cpl3_regions(struct vm *vm)
{
    struct vm_region r[VM_MAX_REGIONS];
    unsigned n = 0;

    r[n++] = (struct vm_region){HVT_BOOT_INFO_BASE, HVT_BOOT_INFO_END, 0};
    for (unsigned i = 0; i < vm->nregions; i++) {
        struct vm_region x = vm->regions[i];

        if (x.end <= HVT_GUEST_MIN_BASE)
            continue;
        if (x.start < HVT_GUEST_MIN_BASE)
            x.start = HVT_GUEST_MIN_BASE;
        if (n >= VM_MAX_REGIONS)
            return vm_fail(vm, "internal: too many guest regions");
        r[n++] = x;
    }
    memcpy(vm->regions, r, n * sizeof r[0]);
    vm->nregions = n;
    return 0;
}

void hvt_defer_plan(struct vm *vm)
{
    uint64_t lo = vm->img.load_end > HVT_PAGE_2M ? vm->img.load_end : HVT_PAGE_2M;
    uint64_t hi = vm->mem_size - HVT_PAGE_2M; /* the stack's first 2 MiB */

    lo = ROUND_UP(lo, HVT_PAGE_2M);
    if (vm->mem_size >= 2 * HVT_PAGE_2M && hi > lo && hi - lo >= HVT_DEFER_MIN) {
        vm->mem_defer_start = lo;
        vm->mem_defer_end = hi;
    }
}

/* deferred_pde: the tender-built PDE of the 2 MiB page at `va` (map_guest
 * maps the 2 MiB-aligned deferred range with 2 MiB pages), or NULL. */
static uint64_t *deferred_pde(struct vm *vm, uint64_t va)
{
    uint64_t e, table = vm->hvt->cr3;
    static const unsigned shift[2] = {39, 30};

    for (unsigned l = 0; l < 2; l++) {
        memcpy(&e, vm->mem + table + 8 * ((va >> shift[l]) & 511), sizeof e);
        if (!(e & PTE_P) || (e & PTE_PS) || (e & PTE_ADDR_MASK) >= X86_PT_POOL_END)
            return NULL;
        table = e & PTE_ADDR_MASK;
    }
    return (uint64_t *)(void *)(vm->mem + table + 8 * ((va >> 21) & 511));
}

/* defer_set_present: the present bit of every PDE of the deferred range. */
static int defer_set_present(struct vm *vm, int present)
{
    for (uint64_t va = vm->mem_defer_start; va < vm->mem_defer_end; va += HVT_PAGE_2M) {
        uint64_t *pde = deferred_pde(vm, va);

        if (!pde || !(*pde & PTE_PS))
            return vm_fail(vm, "internal: no 2 MiB mapping at 0x%llx", (unsigned long long)va);
        *pde = present ? *pde | PTE_P : *pde & ~PTE_P;
    }
    return 0;
}

int hvt_cpl3_defer_fault(struct vm *vm, uint64_t cr2, uint64_t ec)
{
    if (vm->mem_defer_done || (ec & 1) /* present: a protection fault */ ||
        cr2 < vm->mem_defer_start || cr2 >= vm->mem_defer_end)
        return 0;
    /* Registered before the PDEs become present: KVM never sees a guest
     * mapping of a GPA it has no memslot for.  A not-present entry is
     * never cached (TLB, paging-structure caches, shadow pages), so the
     * retried access walks the new one. */
    if (kvm_map_deferred(vm) || defer_set_present(vm, 1))
        return -1;
    return 1;
}

/* io_bitmap: the TSS I/O bitmap opens the hypercall ports, 0x500 .. 0x508
 * + 3 (an outl to 0x508 is checked on its 4 bytes), and the ring-I/O kick,
 * 0x600 .. 0x603, whose outl KVM then turns into the ioeventfd signal
 * without leaving the kernel (net_ring.c); every other port stays closed.
 * Returns the TSS limit. */
static uint32_t io_bitmap(uint8_t *mem)
{
    uint8_t *map = mem + X86_TSS_GPA + X86_TSS_SIZE;
    uint32_t limit = x86_tss_allow_ports(mem, HVT_HYPERCALL_PIO_BASE,
                                         HVT_RING_KICK_PIO_BASE + 4 - HVT_HYPERCALL_PIO_BASE);

    if (limit == X86_TSS_SIZE - 1)
        return limit; /* no bitmap: every port traps */
    for (uint32_t p = HVT_HYPERCALL_PIO_BASE + HVT_HYPERCALL_MAX + 3; p < HVT_RING_KICK_PIO_BASE; p++)
        map[p / 8] |= (uint8_t)(1u << (p % 8));
    return limit;
}

int hvt_cpl3_load(struct vm *vm)
{
    struct pt_builder pt;

    x86_write_system_tables(vm->mem);
    vm->hvt->tss_limit = X86_TSS_SIZE - 1;
    if (vm->hvt->direct_io)
        vm->hvt->tss_limit = io_bitmap(vm->mem);
    write_stub(vm->mem);
    if (pt_init(&pt, vm->mem, X86_PT_POOL_START, X86_PT_POOL_END))
        return vm_fail(vm, "internal: page-table pool too small");
    if (map(vm, &pt, X86_GDT_GPA, PAGE, PTE_NX, "the GDT, IDT and TSS") ||
        map(vm, &pt, X86_STUB_GPA, PAGE, 0, "the exception stub") ||
        map(vm, &pt, X86_STUB_STACK_GPA, PAGE, PTE_W | PTE_NX, "the stub stack") ||
        map(vm, &pt, HVT_BOOT_INFO_BASE, HVT_BOOT_INFO_END - HVT_BOOT_INFO_BASE,
            PTE_U | PTE_NX, "the boot info") ||
        map_guest(vm, &pt))
        return -1;
    vm->hvt->cr3 = pt.pml4;
    if (vm->mem_defer_start < vm->mem_defer_end && defer_set_present(vm, 0))
        return -1;
    return cpl3_regions(vm);
}

static struct kvm_segment segment(uint16_t sel, uint8_t type, int code64)
{
    struct kvm_segment s = {
        .base = 0, .limit = 0xffffffff, .selector = sel, .type = type, .present = 1,
        .dpl = 3, .db = code64 ? 0 : 1, .s = 1, .l = code64 ? 1 : 0, .g = 1,
    };
    return s;
}

int hvt_cpl3_setup_cpu(struct vm *vm, uint64_t entry)
{
    struct hvt *h = vm->hvt;
    struct kvm_sregs *s = &h->sregs;
    struct kvm_regs regs;

    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_SREGS, s) < 0)
        return vm_fail(vm, "KVM: ioctl (GET_SREGS) failed: %s", strerror(errno));
    /* CR0 and CR4 as solo5-hvt's (cpu.c), plus NXE for W^X. */
    s->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
    s->cr3 = h->cr3;
    s->cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
    /* UMIP: sgdt, sidt, sldt, str and smsw at CPL3 raise #GP, and the
     * tender answers with the guest's own values (emulate.c), not its
     * tables'.  Where KVM does not offer UMIP they run natively and show
     * the tender's GDT, IDT and TR (README, compatibility mode). */
    if (h->umip)
        s->cr4 |= X86_CR4_UMIP;
    s->efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
    s->cs = segment(X86_SEL_UCODE, 0xb, 1);
    s->ss = segment(X86_SEL_UDATA, 0x3, 0);
    s->ds = s->es = s->fs = s->gs = s->ss;
    s->tr = (struct kvm_segment){
        .base = X86_TSS_GPA, .limit = h->tss_limit, .selector = X86_SEL_TSS,
        .type = 0xb, .present = 1, .s = 0,
    };
    s->ldt = (struct kvm_segment){.unusable = 1};
    s->gdt.base = X86_GDT_GPA;
    s->gdt.limit = X86_GDT_ENTRIES * 8 - 1;
    s->idt.base = X86_IDT_GPA;
    s->idt.limit = X86_IDT_VECTORS * 16 - 1;
    if (ioctl(vm->kvm->vcpu_fd, KVM_SET_SREGS, s) < 0)
        return vm_fail(vm, "KVM: ioctl (SET_SREGS) failed: %s", strerror(errno));
    /* syscall/sysenter lead to the stub, never to RIP 0 (emulate.c). */
    if (kvm_trap_syscalls(vm))
        return -1;
    /* The guest believes it runs on solo5-hvt's boot GDT and no IDT
     * (cpu.c), with the CR0 solo5-hvt sets (what smsw shows). */
    h->vc.cs = 0x08;
    h->vc.ss = 0x10;
    h->vc.gdt_base = HVT_GDT_BASE;
    h->vc.gdt_limit = 3 * 8 - 1;
    h->vc.cr0 = s->cr0;

    memset(&regs, 0, sizeof regs);
    regs.rip = entry;
    regs.rsp = vm->mem_size - 8;
    regs.rdi = HVT_BOOT_INFO_BASE;
    regs.rflags = 0x2;
    if (ioctl(vm->kvm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
        return vm_fail(vm, "KVM: ioctl (SET_REGS) failed: %s", strerror(errno));
    /* The fast path: each exit brings the registers in kvm_run, and the
     * resume sends them back with the next KVM_RUN, no ioctl of its own. */
    if ((ioctl(vm->kvm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) & SYNC) == SYNC) {
        vm->kvm->run->kvm_valid_regs = SYNC;
        h->sync_regs = 1;
    }
    return 0;
}
