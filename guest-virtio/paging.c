/*
 * paging.c: the memory plan and the page tables that enforce it (W^X).
 * Identity mapping (virtual = physical), built once at boot:
 *   [0, 1 MiB)              unmapped: a NULL access faults
 *   text   [_stext, _etext)   read, execute
 *   rodata [_etext, _erodata) read only, not executable
 *   data   [_erodata, _end)   read-write, not executable (.data, .bss)
 *   boot allocations, heap  [_end, heap_end)  read-write, not executable;
 *                            the page tables, virtqueues and device
 *                            buffers come first (vg_alloc_pages), the
 *                            application's heap follows (vg_mem_seal)
 *   guard page              unmapped: a stack overflow faults
 *   stack   [stack_bottom, mem_end)  read-write, not executable
 *   device registers        read-write, not executable, uncached, mapped
 *                            on demand (vg_map_mmio)
 * Everything else is unmapped.  2 MiB pages where a whole aligned 2 MiB has
 * one set of permissions, 4 KiB pages elsewhere.  NX needs EFER.NXE, set
 * here when the CPU has it (without it nothing is non-executable).
 */
#include "internal.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define TWO_MIB 0x200000ull

#define STACK_SIZE (512 * 1024ull)
#define HEAP_MIN (512 * 1024ull) /* boot allocations leave at least this */

struct vg_mem vg_mem;

static uint64_t nx;          /* PTE_NX if the CPU has NX, else 0 */
static uint64_t *pml4;
static uint64_t alloc_next;  /* next free boot page */
static int sealed;

void *vg_alloc_pages(uint64_t n)
{
    uint64_t p = alloc_next;

    if (sealed)
        vg_panic("paging.c: allocation after the heap was handed out");
    if (n > (vg_mem.heap_end - p) / VG_PAGE_SIZE ||
        vg_mem.heap_end - p - n * VG_PAGE_SIZE < HEAP_MIN)
        vg_panic("not enough memory for the devices' buffers (use a larger --mem)");
    alloc_next = p + n * VG_PAGE_SIZE;
    memset((void *)(uintptr_t)p, 0, n * VG_PAGE_SIZE);
    return (void *)(uintptr_t)p;
}

void vg_mem_seal(void)
{
    sealed = 1;
    vg_mem.heap_start = alloc_next;
}

/* table: the next-level table that (e) points to, made if absent. */
static uint64_t *table(uint64_t *e)
{
    if (!(*e & PTE_P)) {
        uint64_t *t = vg_alloc_pages(1);
        *e = (uint64_t)(uintptr_t)t | PTE_P | PTE_W;
    } else if (*e & PTE_PS) {
        vg_panic("paging.c: a mapping overlaps a 2 MiB page");
    }
    return (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
}

/* map: identity-map [start, end) (page aligned) with leaf flags (f). */
static void map(uint64_t start, uint64_t end, uint64_t f)
{
    for (uint64_t a = start; a < end;) {
        uint64_t *pdpt = table(&pml4[(a >> 39) & 511]);
        uint64_t *pd = table(&pdpt[(a >> 30) & 511]);
        uint64_t *pde = &pd[(a >> 21) & 511];

        if ((a & (TWO_MIB - 1)) == 0 && end - a >= TWO_MIB && !(*pde & PTE_P)) {
            *pde = a | f | PTE_PS;
            a += TWO_MIB;
            continue;
        }
        uint64_t *pt = table(pde);
        pt[(a >> 12) & 511] = a | f;
        a += VG_PAGE_SIZE;
    }
}

void vg_map_mmio(uint64_t phys, uint64_t size)
{
    uint64_t start = phys & ~(VG_PAGE_SIZE - 1);
    uint64_t end = (phys + size + VG_PAGE_SIZE - 1) & ~(VG_PAGE_SIZE - 1);

    if (size == 0 || end <= start || (phys < vg_boot.mem_end && end > 0x100000))
        vg_panic("paging.c: device registers overlap RAM");
    for (uint64_t a = start; a < end; a += VG_PAGE_SIZE) {
        uint64_t *pdpt = table(&pml4[(a >> 39) & 511]);
        uint64_t *pd = table(&pdpt[(a >> 30) & 511]);
        uint64_t *pt = table(&pd[(a >> 21) & 511]);

        pt[(a >> 12) & 511] = a | PTE_P | PTE_W | PTE_PCD | PTE_PWT | nx;
        __asm__ __volatile__("invlpg (%0)" : : "r"(a) : "memory");
    }
}

void vg_paging_init(void)
{
    uint32_t r[4];
    uint64_t end = (uint64_t)(uintptr_t)_end;

    vg_cpuid(0x80000000, 0, r);
    if (r[0] >= 0x80000001) {
        vg_cpuid(0x80000001, 0, r);
        if (r[3] & (1u << 20)) {
            uint32_t lo, hi;
            __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000080u));
            vg_wrmsr(0xc0000080u, (((uint64_t)hi << 32) | lo) | (1ull << 11));
            nx = PTE_NX;
        }
    }

    vg_mem.stack_top = vg_boot.mem_end & ~(VG_PAGE_SIZE - 1);
    vg_mem.stack_bottom = vg_mem.stack_top - STACK_SIZE;
    vg_mem.heap_end = vg_mem.stack_bottom - VG_PAGE_SIZE;
    if (vg_mem.heap_end < end + 2 * HEAP_MIN)
        vg_panic("not enough memory (use a larger --mem)");
    alloc_next = end;
    vg_mem.heap_start = end;

    pml4 = vg_alloc_pages(1);
    map((uint64_t)(uintptr_t)_stext, (uint64_t)(uintptr_t)_etext, PTE_P);
    map((uint64_t)(uintptr_t)_etext, (uint64_t)(uintptr_t)_erodata, PTE_P | nx);
    map((uint64_t)(uintptr_t)_erodata, end, PTE_P | PTE_W | nx);
    map(vg_mem.stack_bottom, vg_mem.stack_top, PTE_P | PTE_W | nx);
    /* Last: its tables come from its own start, already mapped above by the
     * boot tables and, once these are live, by themselves. */
    map(end, vg_mem.heap_end, PTE_P | PTE_W | nx);
    __asm__ __volatile__("mov %0, %%cr3" : : "r"((uint64_t)(uintptr_t)pml4) : "memory");
}
