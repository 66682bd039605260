/*
 * bootinfo.c: what the loader tells the unikernel, copied out of the
 * loader's memory before anything is allocated over it: the end of the RAM
 * that starts at 1 MiB (the image's home) and the command line.
 *   multiboot: EAX = 0x2BADB002, EBX = struct multiboot_info (the memory
 *     map if given, else mem_upper; cmdline if flag 2; the boot loader's
 *     name if flag 9).
 *   PVH: EBX = struct hvm_start_info (magic 0x336ec578; the memory map of
 *     version 1; cmdline_paddr).
 * RAM is used up to 3 GiB at most (the boot page tables map 4 GiB and the
 * PCI hole begins below it on every PC machine).
 */
#include "internal.h"

#define MB_BOOT_MAGIC 0x2badb002u
#define PVH_MAGIC 0x336ec578u
#define ONE_MIB 0x100000ull
#define RAM_MAX 0xc0000000ull

struct vg_boot vg_boot;

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr, syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};
struct mb_mmap {
    uint32_t size; /* of the rest of the entry */
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed));

struct pvh_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};
struct pvh_memmap {
    uint64_t addr, size;
    uint32_t type, reserved;
};

/* ram: note the RAM range [addr, addr+len) if it holds 1 MiB. */
static void ram(uint64_t addr, uint64_t len, uint32_t type)
{
    if (type != 1 || addr > ONE_MIB || addr + len <= ONE_MIB)
        return;
    vg_boot.mem_end = addr + len > RAM_MAX ? RAM_MAX : addr + len;
}

static void copy_cmdline(uint64_t pa)
{
    const char *s = (const char *)(uintptr_t)pa;

    if (pa == 0 || pa >= RAM_MAX)
        return;
    size_t n = wg_strnlen(s, sizeof vg_boot.cmdline - 1);
    memcpy(vg_boot.cmdline, s, n);
    vg_boot.cmdline[n] = '\0';
}

static void multiboot(const struct mb_info *mb)
{
    if (vg_boot_magic != MB_BOOT_MAGIC)
        vg_panic("multiboot entry without the multiboot magic in EAX");
    if (mb->flags & (1u << 6)) {
        uint64_t p = mb->mmap_addr, end = p + mb->mmap_length;

        while (p + sizeof(struct mb_mmap) <= end) {
            const struct mb_mmap *e = (const struct mb_mmap *)(uintptr_t)p;
            ram(e->addr, e->len, e->type);
            p += e->size + 4;
        }
    }
    if (vg_boot.mem_end == 0 && (mb->flags & 1u))
        ram(ONE_MIB, (uint64_t)mb->mem_upper * 1024, 1);
    if (mb->flags & (1u << 2))
        copy_cmdline(mb->cmdline);
    /* QEMU's loader (boot_loader_name "qemu") puts the kernel's file name
     * first on the command line; GRUB does not. */
    if ((mb->flags & (1u << 9)) && mb->boot_loader_name != 0 &&
        memcmp((const char *)(uintptr_t)mb->boot_loader_name, "qemu", 5) == 0)
        vg_boot.cmdline_has_path = 1;
}

static void pvh(const struct pvh_start_info *si)
{
    if (si->magic != PVH_MAGIC)
        vg_panic("PVH entry without struct hvm_start_info in EBX");
    if (si->version >= 1 && si->memmap_paddr != 0) {
        const struct pvh_memmap *m = (const struct pvh_memmap *)(uintptr_t)si->memmap_paddr;

        for (uint32_t i = 0; i < si->memmap_entries && i < 128; i++)
            ram(m[i].addr, m[i].size, m[i].type);
    }
    copy_cmdline(si->cmdline_paddr);
}

void vg_bootinfo_parse(void)
{
    if (vg_boot_kind == VG_BOOT_MULTIBOOT)
        multiboot((const struct mb_info *)(uintptr_t)vg_boot_info);
    else
        pvh((const struct pvh_start_info *)(uintptr_t)vg_boot_info);
    if (vg_boot.mem_end <= (uint64_t)(uintptr_t)_end)
        vg_panic("the loader gave no memory map with RAM beyond the image");
}
