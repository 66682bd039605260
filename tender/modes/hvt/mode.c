/*
 * The hvt (Solo5 compatibility) mode as a mode_ops table (core/mode.h;
 * SOLO5_HVT_ABI.md 4.1): image checks before /dev/kvm is opened; memory
 * plan, ELF and tables, vCPU and boot info; solo5-hvt's exit status for
 * tender errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <seccomp.h>
#include <sys/personality.h>
#include <unistd.h>

#include "modes/hvt/hvt.h"
#include "confine/confine.h"
#include "core/mode.h"
#include "core/vm.h"
#include "kvm/kvm.h"
#include "kvm/kvm_backend.h"

static const char *target_name(uint32_t t)
{
    static const char *const names[] = {"unknown", "hvt", "spt", "virtio", "muen", "genode",
                                        "xen"};

    return t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

int hvt_check_image(struct vm *vm)
{
    const struct abi1_info *abi = &vm->img.solo5_abi;

    if (abi->abi_target != SOLO5_ABI_TARGET_HVT)
        return vm_fail(vm, "%s: Executable is not for the solo5-hvt target (its Solo5 ABI "
                       "note names target %s, %u); wisp runs Solo5 hvt unikernels only",
                       vm->kernel, target_name(abi->abi_target), abi->abi_target);
    if (abi->abi_version != HVT_ABI_VERSION)
        return vm_fail(vm, "%s: Solo5 ABI version mismatch: the executable is built for hvt "
                       "ABI version %u, wisp implements version %d", vm->kernel,
                       abi->abi_version, HVT_ABI_VERSION);
    if (!vm->img.mft)
        return vm_fail(vm, "%s: No Solo5 manifest found in executable (a Solo5 hvt unikernel "
                       "carries a MFT1 note, even with no devices)", vm->kernel);
    return 0;
}

/* plan_memory: solo5-hvt's --mem rules (a warning when adjusted), the
 * ring area above the guest's memory when a NIC is attached; refuses a
 * process whose personality would make guest text writable. */
static int plan_memory(struct vm *vm)
{
    struct hvt_mem_plan plan;
    char err[HVT_MSG_MAX];
    struct hvt *h;

    h = vm->hvt = calloc(1, sizeof *vm->hvt);
    if (!h)
        return vm_fail(vm, "out of memory");
    if (hvt_mem_plan(vm->cfg->mem_size, hvt_ring_wanted(vm), &plan, err))
        return vm_fail(vm, "%s", err);
    if (plan.warning[0])
        vm_log(vm, "%s", plan.warning);
    vm->mem_size = plan.mem_size;
    vm->mem_alloc = plan.alloc_size;
    h->ring_gpa = plan.ring_gpa;
    h->cpl3 = !vm->cfg->solo5_cpl0;
    h->direct_io = h->cpl3 && !vm->cfg->solo5_trap_io;
    if (h->cpl3)
        hvt_defer_plan(vm);
    if (personality(0xffffffff) & READ_IMPLIES_EXEC)
        return vm_fail(vm, "Cowardly refusing to run with a sys_personality of "
                       "READ_IMPLIES_EXEC: guest text would be writable");
    return 0;
}

/* load: the ELF segments (host-side W^X) and what the guest may touch,
 * Solo5's GDT and page tables (CPL0) or the tender's tables and W^X page
 * tables (CPL3, cpl3.c). */
static int load(struct vm *vm)
{
    if (hvt_load_elf(vm) || hvt_set_regions(vm))
        return -1;
    if (vm->hvt->cpl3)
        return hvt_cpl3_load(vm);
    hvt_write_tables(vm->mem, vm->mem_alloc);
    return 0;
}

/* setup_cpu: the CPL0 vCPU, the net ring if planned and possible, then
 * the boot info (which says whether the ring is offered). */
static int setup_cpu(struct vm *vm)
{
    struct hvt *h = vm->hvt;
    uint32_t features = 0;

    if (hvt_setup_cpu(vm, vm->img.entry))
        return -1;
    if (h->ring_gpa) {
        if (hvt_ring_start(vm))
            return -1;
        if (h->ring)
            features |= HVT_FEATURE_RING_IO;
        else
            h->ring_gpa = 0;
    }
    return hvt_write_boot_info(vm, features, h->ring_gpa);
}

/* seccomp_rules: the net ring thread is already running: its rules, and
 * TSYNC so the filter covers every thread (or the load fails). */
static int seccomp_rules(struct vm *vm, void *ctx)
{
    int fd = vm->kvm->vcpu_fd;

    if (hvt_ring_seccomp_rules(vm, ctx) || seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1))
        return vm_fail(vm, "seccomp: cannot add the net ring rules");
    /* CPL3: resuming the guest after an emulated instruction (emulate.c). */
    if (vm->hvt->cpl3 &&
        (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2, SCMP_A0(SCMP_CMP_EQ, (unsigned)fd),
                          SCMP_A1(SCMP_CMP_EQ, KVM_SET_REGS)) ||
         seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2, SCMP_A0(SCMP_CMP_EQ, (unsigned)fd),
                          SCMP_A1(SCMP_CMP_EQ, KVM_SET_SREGS))))
        return vm_fail(vm, "seccomp: cannot add the CPL3 emulation rules");
    /* CPL3: the deferred memslot, registered at the guest's first touch
     * (cpl3.c).  A tender that could be made to misuse it already owns
     * the memory it could register: no reach beyond the process. */
    if (vm->mem_defer_start < vm->mem_defer_end &&
        seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
                         SCMP_A0(SCMP_CMP_EQ, (unsigned)kvm_vm_fd(vm)),
                         SCMP_A1(SCMP_CMP_EQ, KVM_SET_USER_MEMORY_REGION)))
        return vm_fail(vm, "seccomp: cannot add the deferred memory rule");
    return 0;
}

/* precompiled_variant: the CPL3 rules above without the ring's (which
 * needs a device: confine.c refuses those) are a build-time filter. */
static int precompiled_variant(const struct vm *vm)
{
    const struct hvt *h = vm->hvt;

    if (!h || !h->cpl3 || h->ring)
        return -1;
    return vm->mem_defer_start < vm->mem_defer_end ? CONFINE_HVT_CPL3_DEFER : CONFINE_HVT_CPL3;
}

void hvt_finish(struct vm *vm)
{
    struct hvt *h = vm->hvt;

    if (vm->res->end == WISP_END_ERROR)
        vm->res->status = HVT_EXIT_TENDER_ERROR;
    if (!h)
        return;
    hvt_ring_stop(vm);
    free(h);
    vm->hvt = NULL;
}

const struct mode_ops mode_hvt = {
    .id = MODE_HVT,
    .nhypercalls = HVT_HYPERCALL_MAX,
    .check_image = hvt_check_image,
    .plan_memory = plan_memory,
    .load = load,
    .setup_cpu = setup_cpu,
    .seccomp_rules = seccomp_rules,
    .precompiled_variant = precompiled_variant,
    .handle_exit = hvt_handle_exit,
    .finish = hvt_finish,
};
