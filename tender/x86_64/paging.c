/*
 * Identity-mapped 4-level page tables for an isolated-mode guest, built by
 * the tender in a pool of guest memory that is itself never mapped.
 */
#include <string.h>

#include "x86_64/x86_64.h"

#define PAGE_4K  0x1000ull
#define PAGE_2M  0x200000ull
/* Intermediate entries allow everything; the leaf decides. */
#define PTE_TABLE (PTE_P | PTE_W | PTE_U)

int pt_init(struct pt_builder *pt, uint8_t *mem, uint64_t pool_start, uint64_t pool_end)
{
    pt->mem = mem;
    pt->next = pool_start;
    pt->end = pool_end;
    if (pt->next + PAGE_4K > pt->end)
        return -1;
    pt->pml4 = pt->next;
    pt->next += PAGE_4K;
    return 0;
}

/* next_table: the table `*entry` points to, allocating it if absent;
 * NULL if the pool is exhausted or `*entry` is a large-page leaf. */
static uint64_t *next_table(struct pt_builder *pt, uint64_t *entry)
{
    if (!(*entry & PTE_P)) {
        if (pt->next + PAGE_4K > pt->end)
            return NULL;
        *entry = pt->next | PTE_TABLE;
        pt->next += PAGE_4K;
    } else if (*entry & PTE_PS) {
        return NULL;
    }
    return (uint64_t *)(void *)(pt->mem + (*entry & PTE_ADDR_MASK));
}

int pt_map(struct pt_builder *pt, uint64_t va, uint64_t len, uint64_t flags)
{
    uint64_t end, a;

    if ((va | len) & (PAGE_4K - 1))
        return -1;
    if (__builtin_add_overflow(va, len, &end))
        return -1;
    flags |= PTE_P;
    for (a = va; a < end;) {
        uint64_t *pml4 = (uint64_t *)(void *)(pt->mem + pt->pml4);
        uint64_t *pdpt = next_table(pt, &pml4[(a >> 39) & 511]);
        uint64_t *pd, *ptab, *pde, *pte;

        if (!pdpt)
            return -1;
        pd = next_table(pt, &pdpt[(a >> 30) & 511]);
        if (!pd)
            return -1;
        pde = &pd[(a >> 21) & 511];
        if ((a & (PAGE_2M - 1)) == 0 && end - a >= PAGE_2M && *pde == 0) {
            *pde = a | flags | PTE_PS;
            a += PAGE_2M;
            continue;
        }
        ptab = next_table(pt, pde);
        if (!ptab)
            return -1;
        pte = &ptab[(a >> 12) & 511];
        if (*pte)
            return -1;
        *pte = a | flags;
        a += PAGE_4K;
    }
    return 0;
}
