/*
 * Compat-mode run phases (SOLO5_HVT_ABI.md 4.1): image checks before
 * /dev/kvm is opened; then memory, ELF, tables, vCPU, device setup and
 * boot info; teardown and solo5-hvt's exit status for tender errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <unistd.h>

#include "modes/hvt/hvt.h"
#include "kvm/kvm.h"
#include "core/module.h"
#include "core/vm.h"

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

static void warn(const char *msg)
{
    char line[HVT_MSG_MAX + 16];
    int n = snprintf(line, sizeof line, "wisp: %s\n", msg);

    if (n > 0)
        (void)!write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static int create_memory(struct vm *vm)
{
    struct hvt *h = vm->hvt;
    int r;

    /* Zero-filled, touched on demand: a default run uses ~100 KiB of it. */
    vm->mem = mmap(NULL, h->alloc_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (vm->mem == MAP_FAILED) {
        vm->mem = NULL;
        return vm_fail(vm, "cannot allocate %llu MiB of guest memory: %s",
                       (unsigned long long)(h->alloc_size >> 20), strerror(errno));
    }
    vm->mem_size = h->alloc_size; /* one memslot: the whole mapping */
    r = kvm_map_memory(vm);
    vm->mem_size = h->mem_size;   /* what the guest may name */
    return r;
}

static int setup_modules(struct vm *vm)
{
    for (const struct module *const *m = wisp_modules; *m; m++)
        if ((*m)->setup && (*m)->setup(vm))
            return -1;
    return 0;
}

int hvt_boot(struct vm *vm)
{
    struct hvt_mem_plan plan;
    char err[HVT_MSG_MAX];
    uint32_t features = 0;
    struct hvt *h;

    h = vm->hvt = calloc(1, sizeof *vm->hvt);
    if (!h)
        return vm_fail(vm, "out of memory");
    if (hvt_mem_plan(vm->cfg->mem_size, hvt_ring_wanted(vm), &plan, err))
        return vm_fail(vm, "%s", err);
    if (plan.warning[0])
        warn(plan.warning);
    h->mem_size = plan.mem_size;
    h->alloc_size = plan.alloc_size;
    if (personality(0xffffffff) & READ_IMPLIES_EXEC)
        return vm_fail(vm, "Cowardly refusing to run with a sys_personality of "
                       "READ_IMPLIES_EXEC: guest text would be writable");
    if (kvm_open(vm) || create_memory(vm) || hvt_load_elf(vm))
        return -1;
    vm_release_file(vm);
    hvt_write_tables(vm->mem, h->alloc_size);
    if (hvt_setup_cpu(vm, vm->img.entry) || setup_modules(vm))
        return -1;
    hvt_core_register(vm);
    hvt_dev_register(vm);
    if (plan.ring_gpa) {
        h->ring_gpa = plan.ring_gpa;
        if (hvt_ring_start(vm))
            return -1;
        if (h->ring)
            features |= HVT_FEATURE_RING_IO;
        else
            h->ring_gpa = 0;
    }
    return hvt_write_boot_info(vm, features, h->ring_gpa);
}

void hvt_finish(struct vm *vm)
{
    struct hvt *h = vm->hvt;

    if (vm->res->end == WISP_END_ERROR)
        vm->res->status = HVT_EXIT_TENDER_ERROR;
    if (!h)
        return;
    hvt_ring_stop(vm);
    if (vm->mem) {
        munmap(vm->mem, h->alloc_size);
        vm->mem = NULL;
    }
    free(h);
    vm->hvt = NULL;
}
