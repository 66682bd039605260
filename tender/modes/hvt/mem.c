/*
 * Compat-mode guest memory (SOLO5_HVT_ABI.md 1.4, 1.5, 4): the --mem
 * rules, Solo5's boot GDT and page tables, ELF loading with host-side W^X,
 * and the boot info / manifest copy / command line at 0x10000.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "modes/hvt/hvt.h"
#include "core/vm.h"

#define PAGE      0x1000ull
#define PTE_P     0x1ull
#define PTE_RW    0x2ull
#define PTE_PS    0x80ull
#define ROUND_UP(x, a)   (((x) + (a) - 1) & ~((a) - 1))
#define ROUND_DOWN(x, a) ((x) & ~((a) - 1))

#define HVT_MFT_GPA (HVT_BOOT_INFO_BASE + sizeof(struct hvt_boot_info)) /* 0x10038 */
_Static_assert(HVT_MFT_GPA == 0x10038, "manifest copy at 0x10038");

int hvt_mem_plan(uint64_t requested, int ring, struct hvt_mem_plan *p, char *err)
{
    uint64_t mem = requested ? requested : HVT_MEM_DEFAULT;
    uint64_t want = mem;

    memset(p, 0, sizeof *p);
    mem = ROUND_DOWN(mem, HVT_PAGE_2M);
    if (mem < HVT_PAGE_2M)
        mem = HVT_PAGE_2M;
    if (mem > HVT_GUEST_MAX_MEM) {
        snprintf(err, HVT_MSG_MAX, "guest memory size 0x%" PRIx64 " exceeds the max size 0x%llx",
                 mem, HVT_GUEST_MAX_MEM);
        return -1;
    }
    if (mem != want)
        snprintf(p->warning, sizeof p->warning, "adjusting memory to %" PRIu64 " bytes", mem);
    p->alloc_size = mem;
    p->mem_size = mem;
    if (ring) {
        /* Solo5: the ring's 2 MiB go on top, the total clamped to 4 GiB;
         * the guest gets what lies below the ring. */
        p->alloc_size = mem + HVT_RING_RESERVE;
        if (p->alloc_size > HVT_GUEST_MAX_MEM)
            p->alloc_size = HVT_GUEST_MAX_MEM;
        p->ring_gpa = p->alloc_size - HVT_RING_RESERVE;
        p->mem_size = p->ring_gpa;
    }
    return 0;
}

static void put64(uint8_t *mem, uint64_t gpa, uint64_t v)
{
    memcpy(mem + gpa, &v, sizeof v);
}

void hvt_write_tables(uint8_t *mem, uint64_t alloc_size)
{
    /* Boot GDT: null, 64-bit code (type 9 as Solo5), data (type 3). */
    put64(mem, HVT_GDT_BASE + 0, 0);
    put64(mem, HVT_GDT_BASE + 8, 0x00AF99000000FFFFull);
    put64(mem, HVT_GDT_BASE + 16, 0x00CF93000000FFFFull);

    put64(mem, HVT_PML4_BASE, HVT_PDPTE_BASE | PTE_P | PTE_RW);
    for (uint64_t i = 0; i < 4; i++)
        put64(mem, HVT_PDPTE_BASE + 8 * i, (HVT_PDE_BASE + PAGE * i) | PTE_P | PTE_RW);
    /* The first 2 MiB through PT0 with 4 KiB pages... */
    put64(mem, HVT_PDE_BASE, HVT_PT0_BASE | PTE_P | PTE_RW);
    for (uint64_t pa = 0; pa < HVT_PAGE_2M; pa += PAGE) {
        uint64_t pte = 0;

        if (pa >= HVT_GUEST_MIN_BASE)
            pte = pa | PTE_P | PTE_RW;
        else if (pa >= HVT_BOOT_INFO_BASE)
            pte = pa | PTE_P;   /* boot info, manifest, cmdline: read-only */
        put64(mem, HVT_PT0_BASE + 8 * (pa / PAGE), pte);
    }
    /* ...everything above with 2 MiB pages (PD i covers GiB i). */
    for (uint64_t pa = HVT_PAGE_2M; pa < alloc_size; pa += HVT_PAGE_2M)
        put64(mem, HVT_PDE_BASE + 8 * (pa / HVT_PAGE_2M), pa | PTE_P | PTE_RW | PTE_PS);
}

int hvt_load_elf(struct vm *vm)
{
    const struct elf_image *img = &vm->img;
    char err[ELF_ERR_MAX];

    /* Unlike Solo5, the .bss (filesz 0) is bounds-checked too, against the
     * usable memory (the ring area is not for the image). */
    if (elf_check_fits(vm->kernel, img, vm->mem_size, err))
        return vm_fail(vm, "%s", err);
    if (img->entry < HVT_GUEST_MIN_BASE || img->entry >= vm->mem_size)
        return vm_fail(vm, "%s: entry point 0x%" PRIx64 " is outside guest memory", vm->kernel,
                       img->entry);
    for (unsigned i = 0; i < img->nsegs; i++) {
        const struct elf_segment *s = &img->seg[i];
        uint64_t start = ROUND_DOWN(s->vaddr, PAGE);
        uint64_t end = ROUND_UP(s->vaddr + s->memsz, PAGE);
        int prot = PROT_READ;

        memcpy(vm->mem + s->vaddr, img->file + s->offset, s->filesz);
        /* Host-side W^X as solo5-hvt: KVM gives the guest a writable
         * mapping only where the host's is; elf_parse refused W+X and
         * segments sharing a page. */
        if (s->flags & SEG_W)
            continue;
        if (mprotect(vm->mem + start, end - start, prot) < 0)
            return vm_fail(vm, "%s: cannot protect segment %u: %s", vm->kernel, s->phdr_index,
                           strerror(errno));
    }
    return 0;
}

int hvt_write_boot_info(struct vm *vm, uint32_t features, uint64_t ring_gpa)
{
    struct hvt_boot_info *bi = (struct hvt_boot_info *)(void *)(vm->mem + HVT_BOOT_INFO_BASE);
    uint64_t cmd_gpa = HVT_MFT_GPA + vm->mft_size;
    size_t cmdlen = strlen(vm->cfg->cmdline) + 1;
    struct mft *m = (struct mft *)(void *)(vm->mem + HVT_MFT_GPA);

    if (cmdlen > HVT_CMDLINE_SIZE)
        return vm_fail(vm, "Guest command line too long (max=%d characters)",
                       HVT_CMDLINE_SIZE - 1);
    /* 56 + 6664 + 8192 bytes at most: well inside 0x10000-0xfffff. */
    memcpy(m, vm->mft, vm->mft_size);
    for (uint32_t i = 0; i < m->entries; i++)
        memset(&m->e[i].b, 0, sizeof m->e[i].b); /* no host fds (Solo5 9.12) */
    memcpy(vm->mem + cmd_gpa, vm->cfg->cmdline, cmdlen);

    bi->mem_size = vm->mem_size;
    /* Improvement: the end of the whole image, .bss included. */
    bi->kernel_end = vm->img.load_end;
    bi->cpu_cycle_freq = vm->tsc_hz;
    bi->cmdline = cmd_gpa;
    bi->mft = HVT_MFT_GPA;
    bi->host_features = features;
    bi->guest_features = 0;
    bi->net_ring = ring_gpa;
    return 0;
}

int hvt_set_regions(struct vm *vm)
{
    const struct elf_image *img = &vm->img;
    uint64_t lo[ELF_MAX_SEGMENTS], hi[ELF_MAX_SEGMENTS];
    uint64_t at = 0;
    unsigned n = 0;

    /* The read-only segments' pages, in address order (elf_parse refused
     * segments sharing a page, so they do not overlap). */
    for (unsigned i = 0; i < img->nsegs; i++) {
        const struct elf_segment *s = &img->seg[i];
        unsigned j = n++;

        if (s->flags & SEG_W) {
            n--;
            continue;
        }
        for (; j > 0 && lo[j - 1] > ROUND_DOWN(s->vaddr, PAGE); j--) {
            lo[j] = lo[j - 1];
            hi[j] = hi[j - 1];
        }
        lo[j] = ROUND_DOWN(s->vaddr, PAGE);
        hi[j] = ROUND_UP(s->vaddr + s->memsz, PAGE);
    }
    vm->nregions = 0;
    for (unsigned i = 0; i <= n; i++) {
        uint64_t ro_lo = i < n ? lo[i] : vm->mem_size;

        if (vm->nregions + 2 > VM_MAX_REGIONS)
            return vm_fail(vm, "internal: too many guest regions");
        if (at < ro_lo)
            vm->regions[vm->nregions++] = (struct vm_region){at, ro_lo, 1};
        if (i < n) {
            at = hi[i] < vm->mem_size ? hi[i] : vm->mem_size;
            vm->regions[vm->nregions++] = (struct vm_region){lo[i], at, 0};
        }
    }
    return 0;
}
