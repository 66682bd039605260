/*
 * Isolated mode as a mode_ops table (core/mode.h): the image's checks, the
 * --mem rule and layout plan, and the parts in layout.c, cpu.c, exits.c.
 */
#include "confine/confine.h"
#include "core/mode.h"
#include "core/vm.h"
#include "modes/isolated/isolated.h"
#include "modes/isolated/layout.h"
#include "x86_64/x86_64.h"

static int check_image(struct vm *vm)
{
    if (vm->img.has_interp)
        return vm_fail(vm, "%s: has a program interpreter (PT_INTERP), expected a static "
                       "executable", vm->kernel);
    return 0;
}

/* plan_memory: --mem from 2 MiB to WISP_MEM_MAX (default
 * WISP_MEM_DEFAULT_MIB), all of it the guest's; then the layout. */
static int plan_memory(struct vm *vm)
{
    vm->mem_size = vm->cfg->mem_size ? vm->cfg->mem_size
                                     : (uint64_t)WISP_MEM_DEFAULT_MIB << 20;
    if (vm->mem_size < (2ull << 20) || vm->mem_size > WISP_MEM_MAX)
        return vm_fail(vm, "--mem: %llu MiB is out of range (2 to %llu)",
                       (unsigned long long)(vm->mem_size >> 20),
                       (unsigned long long)(WISP_MEM_MAX >> 20));
    vm->mem_alloc = vm->mem_size;
    return layout_plan(vm);
}

/* load: the guest memory (layout.c), then the system-table pages shared
 * with every other guest (x86_64.h) unless --gdb is going to change them. */
static int load(struct vm *vm)
{
    if (layout_populate(vm))
        return -1;
    if (!vm->gdb && x86_share_system_tables(vm->mem) == -2)
        return vm_fail(vm, "internal: cannot map guest memory back over the system tables");
    return 0;
}

const struct mode_ops mode_isolated = {
    .id = MODE_ISOLATED,
    .nhypercalls = WISP_HC_MAX,
    .precompiled_variant = confine_variant_isolated,
    .check_image = check_image,
    .plan_memory = plan_memory,
    .load = load,
    .setup_cpu = isolated_setup_cpu,
    .handle_exit = isolated_handle_exit,
};
