/*
 * Guest memory of an isolated-mode guest: where everything goes, and
 * writing it there (system tables, page tables, ELF segments, boot info).
 */
#ifndef WISP_LAYOUT_H
#define WISP_LAYOUT_H

#include <stdint.h>

#include "wisp/abi.h"

struct vm;

/*
 * The doorbell page's guest-physical backing.  Guests store to the
 * guest-virtual WISP_DOORBELL_GPA (+ 8 * nr, or WISP_KICK_GPA(h)); the
 * tender's page tables lead that page to guest-physical page 0, the NULL
 * page, which the guest page tables never map and the RAM memslot leaves
 * out (vm->mem_slot_start): every store to it is an MMIO exit, as a store
 * above RAM would be.  Not at the GVA itself: under nested paging KVM would
 * build a page directory and a page table for the 3-4 GiB range just to
 * hold that one page's MMIO entry (8 KiB of host memory per guest); page 0
 * shares the tables of the low 2 MiB, which every guest populates anyway.
 * MMIO exits (run->mmio.phys_addr) and KVM_IOEVENTFD registrations name
 * these guest-physical addresses; fault addresses (CR2) and decoded
 * operands the guest-virtual ones.
 */
#define DOORBELL_PHYS      0x0ull
#define KICK_BASE_PHYS     (DOORBELL_PHYS + (WISP_KICK_BASE_GPA - WISP_DOORBELL_GPA))
#define KICK_PHYS(handle)  (DOORBELL_PHYS + (WISP_KICK_GPA(handle) - WISP_DOORBELL_GPA))
#define DOORBELL_PHYS_END  (DOORBELL_PHYS + WISP_PAGE_SIZE)

/* layout_plan: compute vm->layout (heap, guard page, stack) from the image
 * and vm->mem_size, and check the image fits below the guard page.  No
 * guest memory is touched. */
int layout_plan(struct vm *vm);

/*
 * layout_populate: write the system tables, load the ELF segments, write
 * the boot info (cmdline, manifest copy) and build the page tables with
 * each region's permissions.  vm->mem MUST be zero-filled.  Sets
 * vm->layout.cr3.
 */
int layout_populate(struct vm *vm);

#endif /* WISP_LAYOUT_H */
