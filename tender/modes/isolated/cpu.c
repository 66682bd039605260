/*
 * The vCPU of an isolated-mode (CPL3) guest: CPUID, XCR0, control
 * registers, segments and registers, the clock, and the boot info's CPU
 * fields (features, TSC, stack canary).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/vm.h"
#include "kvm/kvm.h"
#include "kvm/kvm_backend.h"
#include "modes/isolated/isolated.h"
#include "x86_64/host_cpuid.h"
#include "x86_64/x86_64.h"

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)
#define XCR0_AVX512 (7ull << 5) /* opmask, ZMM_Hi256, Hi16_ZMM: all or none */

struct cpu_features {
    int xsave, fsgsbase, smep, smap, umip;
    uint64_t xcr0;
};

static struct kvm_cpuid_entry2 *find_leaf(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
    for (uint32_t i = 0; i < c->nent; i++)
        if (c->entries[i].function == fn && c->entries[i].index == idx)
            return &c->entries[i];
    return NULL;
}

/*
 * PVM (PLATFORM.md) runs CPL3 guest code natively on the host CPU, but its
 * KVM_GET_SUPPORTED_CPUID hides most instruction-set extensions (no XSAVE,
 * AVX, FSGSBASE).  On PVM only, advertise the host's user-mode ISA
 * extensions to the guest; hardware KVM's table is used as it is.
 */
#define L1_ECX_USER_ISA 0x76d83203u /* SSE3 PCLMUL SSSE3 FMA CX16 SSE4.1/4.2 MOVBE
                                       POPCNT AES XSAVE AVX F16C RDRAND */
#define L7_EBX_USER_ISA 0xf1af0329u /* FSGSBASE BMI1 AVX2 BMI2 ERMS AVX512F/DQ/IFMA/CD/BW/VL
                                       RDSEED ADX CLFLUSHOPT CLWB SHA */
#define L7_ECX_USER_ISA 0x00005f42u /* AVX512VBMI VBMI2 GFNI VAES VPCLMULQDQ VNNI
                                       BITALG VPOPCNTDQ */

/* merge_host_isa: on PVM, add the host's user-mode ISA bits. */
static void merge_host_isa(struct kvm_cpuid2 *c, const struct host_cpuid *hc)
{
    struct kvm_cpuid_entry2 *l1 = find_leaf(c, 1, 0);
    struct kvm_cpuid_entry2 *l7 = find_leaf(c, 7, 0);

    if (l1)
        l1->ecx |= hc->l1_ecx & L1_ECX_USER_ISA;
    if (l7) {
        l7->ebx |= hc->l7_ebx & L7_EBX_USER_ISA;
        l7->ecx |= hc->l7_ecx & L7_ECX_USER_ISA;
    }
}

static void read_features(struct kvm_cpuid2 *c, struct cpu_features *f)
{
    struct kvm_cpuid_entry2 *l1 = find_leaf(c, 1, 0);
    struct kvm_cpuid_entry2 *l7 = find_leaf(c, 7, 0);
    struct kvm_cpuid_entry2 *ld = find_leaf(c, 0xd, 0);


    memset(f, 0, sizeof *f);
    f->xsave = l1 && (l1->ecx & (1u << 26));
    if (l7) {
        f->fsgsbase = !!(l7->ebx & (1u << 0));
        f->smep = !!(l7->ebx & (1u << 7));
        f->smap = !!(l7->ebx & (1u << 20));
        f->umip = !!(l7->ecx & (1u << 2));
    }
    f->xcr0 = XCR0_X87 | XCR0_SSE;
    if (f->xsave && ld) {
        uint64_t supported = ld->eax | ((uint64_t)ld->edx << 32);

        if (supported & XCR0_AVX)
            f->xcr0 |= XCR0_AVX;
        if ((supported & XCR0_AVX512) == XCR0_AVX512 && (f->xcr0 & XCR0_AVX))
            f->xcr0 |= XCR0_AVX512;
    }
}

static int set_cpuid_and_xcr0(struct vm *vm, struct cpu_features *f)
{
    struct host_cpuid hc;
    struct kvm_cpuid2 *c;
    int r;

    if (host_cpuid_get(vm, &hc))
        return -1;
    c = hc.supported;
    if (hc.is_pvm)
        merge_host_isa(c, &hc);
    read_features(c, f);
    r = ioctl(vm->kvm->vcpu_fd, KVM_SET_CPUID2, c);
    host_cpuid_free(&hc);
    if (r < 0)
        return vm_fail(vm, "KVM: KVM_SET_CPUID2 failed: %s", strerror(errno));
    if (f->xsave) {
        /* Hardware KVM faults on the first AVX instruction without this;
         * PVM hides the omission (PLATFORM.md). */
        struct kvm_xcrs xcrs = {.nr_xcrs = 1, .xcrs = {{.xcr = 0, .value = f->xcr0}}};

        if (ioctl(vm->kvm->vcpu_fd, KVM_SET_XCRS, &xcrs) < 0)
            return vm_fail(vm, "KVM: cannot set XCR0 to 0x%llx: %s",
                           (unsigned long long)f->xcr0, strerror(errno));
    }
    return 0;
}

static struct kvm_segment segment(uint16_t sel, uint8_t type, uint8_t dpl, int code64)
{
    struct kvm_segment s = {
        .base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
        .present = 1, .dpl = dpl, .db = code64 ? 0 : 1, .s = 1,
        .l = code64 ? 1 : 0, .g = 1,
    };
    return s;
}

/*
 * exit_reporting: what the exit handler needs to judge an exit (exits.c):
 * the registers in kvm_run on every exit where KVM can sync them (the
 * doorbell check reads RIP at no ioctl's cost), and an exit instead of an
 * injected #UD when KVM cannot emulate a CPL3 instruction (hardware KVM
 * injects #UD by default; a KVM without the capability keeps doing so,
 * and the #UD path reports it).
 */
static int exit_reporting(struct vm *vm)
{
    struct kvm_enable_cap cap = {.cap = KVM_CAP_EXIT_ON_EMULATION_FAILURE, .args = {1}};

    if (ioctl(vm->kvm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) & KVM_SYNC_X86_REGS)
        vm->kvm->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
    if (ioctl(vm->kvm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXIT_ON_EMULATION_FAILURE) > 0 &&
        ioctl(vm->kvm->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
        return vm_fail(vm, "KVM: cannot enable KVM_CAP_EXIT_ON_EMULATION_FAILURE: %s",
                       strerror(errno));
    return 0;
}

/* setup_vcpu: CPUID, XCR0 (x87/SSE/AVX/AVX-512 as supported), control
 * registers (PG, PE, WP, NE, MP; PAE, OSFXSR, OSXMMEXCPT, OSXSAVE,
 * FSGSBASE, SMEP, SMAP, UMIP where supported), EFER (LME, LMA, NXE), CPL3
 * segments, TR/GDTR/IDTR of the private tables, syscall and sysenter
 * trapped into the stub (kvm_trap_syscalls); entry at the image's entry
 * point with the stack at its top and the boot info in rdi.  Sets
 * *features to the WISP_FEATURE_* bits the guest may rely on. */
static int setup_vcpu(struct vm *vm, uint64_t *features)
{
    struct cpu_features f;
    struct kvm_sregs sregs;
    struct kvm_regs regs;

    if (set_cpuid_and_xcr0(vm, &f))
        return -1;
    if (!f.fsgsbase)
        return vm_fail(vm, "KVM: the host CPU lacks FSGSBASE, which isolated-mode TLS needs");
    if (ioctl(vm->kvm->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
        return vm_fail(vm, "KVM: KVM_GET_SREGS failed: %s", strerror(errno));

    sregs.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
    sregs.cr3 = vm->layout.cr3;
    sregs.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | X86_CR4_FSGSBASE;
    if (f.xsave)
        sregs.cr4 |= X86_CR4_OSXSAVE;
    if (f.smep)
        sregs.cr4 |= X86_CR4_SMEP;
    if (f.smap)
        sregs.cr4 |= X86_CR4_SMAP;
    if (f.umip)
        sregs.cr4 |= X86_CR4_UMIP;
    sregs.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;

    sregs.cs = segment(X86_SEL_UCODE, 0xb, 3, 1);
    sregs.ss = segment(X86_SEL_UDATA, 0x3, 3, 0);
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss;
    sregs.tr = (struct kvm_segment){
        .base = X86_TSS_GPA, .limit = X86_TSS_SIZE - 1, .selector = X86_SEL_TSS,
        .type = 0xb, .present = 1, .s = 0,
    };
    sregs.ldt = (struct kvm_segment){.unusable = 1};
    sregs.gdt.base = X86_GDT_GPA;
    sregs.gdt.limit = X86_GDT_ENTRIES * 8 - 1;
    sregs.idt.base = X86_IDT_GPA;
    sregs.idt.limit = X86_IDT_VECTORS * 16 - 1;
    if (ioctl(vm->kvm->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
        return vm_fail(vm, "KVM: KVM_SET_SREGS failed: %s", strerror(errno));
    if (kvm_trap_syscalls(vm))
        return -1;

    memset(&regs, 0, sizeof regs);
    regs.rip = vm->img.entry;
    regs.rsp = vm->layout.stack_end - 8;
    regs.rdi = WISP_BOOT_INFO_GPA;
    regs.rflags = 0x2;
    if (ioctl(vm->kvm->vcpu_fd, KVM_SET_REGS, &regs) < 0)
        return vm_fail(vm, "KVM: KVM_SET_REGS failed: %s", strerror(errno));

    *features = WISP_FEATURE_FSGSBASE;
    return exit_reporting(vm);
}

int isolated_setup_cpu(struct vm *vm)
{
    uint64_t hz, tsc, wall, features;

    if (setup_vcpu(vm, &features) || kvm_tsc(vm, &hz, &tsc, &wall, &vm->mono_base))
        return -1;
    vm->tsc_base = tsc;
    vm->tsc_hz = hz;
    if (getentropy(&vm->bi->ssp_canary, sizeof vm->bi->ssp_canary) < 0)
        return vm_fail(vm, "getentropy failed: %s", strerror(errno));
    if (vm->rings_offered)
        features |= WISP_FEATURE_RINGS;
    vm->bi->host_features = features;
    vm->bi->tsc_freq_hz = hz;
    vm->bi->tsc_ns_mult = (uint64_t)(((unsigned __int128)1000000000ull << 32) / hz);
    vm->bi->tsc_base = tsc;
    vm->bi->wall_base_ns = wall;
    return 0;
}
