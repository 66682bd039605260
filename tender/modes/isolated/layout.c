/*
 * Isolated-mode guest memory layout (GPA == GVA):
 *
 *   0          NULL page                      unmapped
 *   0x1000     GDT+IDT+TSS, stub, stub stack supervisor only (x86_64.h)
 *   0x10000    boot info, cmdline, manifest   user read-only, NX
 *   0x1f000    console buffer                 user read-write, NX
 *   0x20000    page-table pool                unmapped
 *   0x100000   ELF segments                   text R+X, rodata R+NX,
 *                                             data/bss R+W+NX
 *   load_end   heap                           R+W+NX
 *              guard page                     unmapped
 *   mem-stack  stack (top = mem_size)         R+W+NX
 *   0xfffff000 hypercall doorbell             user W, not RAM (MMIO exit)
 */
#include <string.h>

#include "modes/isolated/layout.h"
#include "core/vm.h"
#include "x86_64/x86_64.h"

#define PAGE WISP_PAGE_SIZE
#define ROUND_UP(x, a) (((x) + (a) - 1) & ~((a) - 1))
#define ROUND_DOWN(x, a) ((x) & ~((a) - 1))

int layout_plan(struct vm *vm)
{
    struct vm_layout *l = &vm->layout;
    uint64_t stack = vm->img.wisp_abi.stack_size ? vm->img.wisp_abi.stack_size
                                                 : WISP_STACK_DEFAULT;
    char err[ELF_ERR_MAX];

    stack = ROUND_UP(stack, PAGE);
    if (stack + PAGE + WISP_ELF_MIN_GPA >= vm->mem_size)
        return vm_fail(vm, "%s: a %llu KiB stack does not fit in %llu MiB of guest memory "
                       "(use a larger --mem)", vm->kernel,
                       (unsigned long long)(stack >> 10),
                       (unsigned long long)(vm->mem_size >> 20));
    l->stack_end = vm->mem_size;
    l->stack_start = vm->mem_size - stack;
    l->guard_end = l->stack_start;
    l->guard_start = l->stack_start - PAGE;
    if (elf_check_fits(vm->kernel, &vm->img, l->guard_start, err))
        return vm_fail(vm, "%s", err);
    l->heap_start = ROUND_UP(vm->img.load_end, PAGE);
    if (l->heap_start < WISP_ELF_MIN_GPA)
        l->heap_start = WISP_ELF_MIN_GPA;
    l->heap_end = l->guard_start;
    return 0;
}

/* map: pt_map or fail naming the region.  User-accessible RAM is also
 * recorded in vm->regions, which guest_range() checks hypercall buffers
 * against: one source of truth for what the guest may touch.  Callers map
 * user RAM in ascending address order. */
static int map(struct vm *vm, struct pt_builder *pt, uint64_t va, uint64_t len,
               uint64_t flags, const char *what)
{
    if (len == 0)
        return 0;
    if (pt_map(pt, va, len, flags))
        return vm_fail(vm, "%s: cannot map %s at 0x%llx (+0x%llx): page-table pool "
                       "exhausted or overlap", vm->kernel, what,
                       (unsigned long long)va, (unsigned long long)len);
    if ((flags & PTE_U) && va + len <= vm->mem_size) {
        if (vm->nregions >= VM_MAX_REGIONS ||
            (vm->nregions && vm->regions[vm->nregions - 1].end > va))
            return vm_fail(vm, "internal: guest regions out of order or too many");
        vm->regions[vm->nregions++] = (struct vm_region){
            .start = va, .end = va + len, .writable = !!(flags & PTE_W)};
    }
    return 0;
}

static int load_segments(struct vm *vm, struct pt_builder *pt)
{
    for (unsigned i = 0; i < vm->img.nsegs; i++) {
        const struct elf_segment *s = &vm->img.seg[i];
        uint64_t start = ROUND_DOWN(s->vaddr, PAGE);
        uint64_t end = ROUND_UP(s->vaddr + s->memsz, PAGE);
        uint64_t flags = PTE_U;

        /* elf_parse checked the file range; layout_plan the guest range. */
        memcpy(vm->mem + s->vaddr, vm->img.file + s->offset, s->filesz);
        if (s->flags & SEG_W)
            flags |= PTE_W;
        if (!(s->flags & SEG_X))
            flags |= PTE_NX;
        if (map(vm, pt, start, end - start, flags, "an ELF segment"))
            return -1;
    }
    return 0;
}

/* write_boot_info: boot info, then the cmdline, then the manifest copy,
 * all in the user read-only boot-info area.  Returns the bytes used. */
static int write_boot_info(struct vm *vm, uint64_t *used)
{
    uint64_t off = ROUND_UP(sizeof(struct wisp_boot_info), 16);
    size_t cmdlen = strlen(vm->cfg->cmdline) + 1;
    uint64_t cmd_gpa = WISP_BOOT_INFO_GPA + off;
    uint64_t mft_gpa = ROUND_UP(cmd_gpa + cmdlen, 16);

    if (mft_gpa + vm->mft_size > WISP_CONSOLE_GPA)
        return vm_fail(vm, "internal: boot info area overflow");
    vm->bi = (struct wisp_boot_info *)(void *)(vm->mem + WISP_BOOT_INFO_GPA);
    memcpy(vm->mem + cmd_gpa, vm->cfg->cmdline, cmdlen);
    memcpy(vm->mem + mft_gpa, vm->mft, vm->mft_size);
    /* Host-private fields (fds) are not the guest's business. */
    for (uint32_t i = 0; i < vm->mft->entries; i++)
        memset(&((struct mft *)(void *)(vm->mem + mft_gpa))->e[i].b, 0,
               sizeof vm->mft->e[i].b);
    vm->bi->magic = WISP_BOOT_MAGIC;
    vm->bi->abi_version = WISP_ABI_VERSION;
    vm->bi->mem_size = vm->mem_size;
    vm->bi->heap_start = vm->layout.heap_start;
    vm->bi->heap_end = vm->layout.heap_end;
    vm->bi->stack_top = vm->layout.stack_end;
    vm->bi->cmdline = cmd_gpa;
    vm->bi->mft = mft_gpa;
    *used = mft_gpa + vm->mft_size - WISP_BOOT_INFO_GPA;
    return 0;
}

int layout_populate(struct vm *vm)
{
    struct vm_layout *l = &vm->layout;
    struct pt_builder pt;
    uint64_t bi_used = 0;

    x86_write_system_tables(vm->mem);
    if (pt_init(&pt, vm->mem, X86_PT_POOL_START, X86_PT_POOL_END))
        return vm_fail(vm, "internal: page-table pool too small");
    if (map(vm, &pt, X86_GDT_GPA, PAGE, PTE_NX, "the GDT, IDT and TSS") ||
        map(vm, &pt, X86_STUB_GPA, PAGE, 0, "the exception stub") ||
        map(vm, &pt, X86_STUB_STACK_GPA, PAGE, PTE_W | PTE_NX, "the stub stack"))
        return -1;
    if (write_boot_info(vm, &bi_used) ||
        map(vm, &pt, WISP_BOOT_INFO_GPA, ROUND_UP(bi_used, PAGE), PTE_U | PTE_NX, "the boot info") ||
        map(vm, &pt, WISP_CONSOLE_GPA, PAGE, PTE_U | PTE_W | PTE_NX, "the console buffer") ||
        load_segments(vm, &pt) ||
        map(vm, &pt, l->heap_start, l->heap_end - l->heap_start, PTE_U | PTE_W | PTE_NX, "the heap") ||
        map(vm, &pt, l->stack_start, l->stack_end - l->stack_start, PTE_U | PTE_W | PTE_NX, "the stack") ||
        map(vm, &pt, WISP_DOORBELL_GPA, PAGE, PTE_U | PTE_W | PTE_NX, "the doorbell"))
        return -1;
    l->cr3 = pt.pml4;
    return 0;
}
